/**
 * What a factoid's name and text may be. Pure: the same rules for `!learn` and for the defaults
 * in the config file (src/config/validate.ts), so a default can never be what a room could not set.
 */
import { stripControl } from "../render/text.js";

/** Lower-case letters, digits and `-`, 1–32 characters, starting with a letter. */
export const NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;

/** Longest text, in characters, after trimming. */
export const MAX_TEXT = 1000;

/** Versions of a factoid kept besides the current text, for `!learn --undo`. */
export const KEPT_VERSIONS = 5;

/**
 * Names no factoid may take besides the commands' own names and aliases: words that a later
 * command would likely want (moderation, bot control, the factoid commands' own vocabulary) and
 * words that read as addressing everyone. Reserving them now means a future command never finds
 * a room's factoid in its way. docs/factoids.md explains the list.
 */
export const RESERVED: ReadonlySet<string> = new Set([
  // factoids themselves
  "fact",
  "facts",
  "factoid",
  "factoids",
  "learn",
  "forget",
  "undo",
  "tag",
  "tags",
  "alias",
  "aliases",
  "edit",
  "rename",
  // bot control and settings
  "admin",
  "config",
  "settings",
  "set",
  "unset",
  "enable",
  "disable",
  "ignore",
  "unignore",
  "quiet",
  "say",
  "tell",
  "remind",
  "reminder",
  "seen",
  "ping",
  "status",
  "stats",
  "version",
  "join",
  "part",
  "invite",
  "stop",
  "start",
  "restart",
  "commands",
  "list",
  "search",
  "top",
  // moderation
  "ban",
  "unban",
  "kick",
  "mute",
  "unmute",
  "warn",
  "op",
  "deop",
  "mod",
  "mods",
  "report",
  // who: these would read as addressing a crowd or the bot
  "all",
  "everyone",
  "here",
  "room",
  "channel",
  "me",
  "nixie",
  "bot",
]);

/** Why `name` cannot name a factoid, or undefined when it can. `commandNames`: every command name and alias. */
export function nameProblem(name: string, commandNames: ReadonlySet<string>): string | undefined {
  if (!NAME_RE.test(name)) return "A factoid name is 1 to 32 lower-case letters, digits and -, starting with a letter.";
  if (commandNames.has(name)) return `${name} is a command; a factoid cannot take its name.`;
  if (RESERVED.has(name)) return `${name} is a reserved word (kept free for commands to come); choose another name.`;
  return undefined;
}

// Bidi marks that stripControl (embeddings, overrides, isolates) leaves: LRM, RLM, ALM.
const BIDI_MARKS = /[\u200e\u200f\u061c]/g;

/** The text as it is kept: control and bidi characters removed, trimmed. */
export function cleanText(text: string): string {
  return stripControl(text).replace(BIDI_MARKS, "").replace(/\r\n?/g, "\n").trim();
}

/** Why `text` (already cleaned) cannot be a factoid's text, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  const n = [...text].length;
  if (n === 0) return "A factoid's text cannot be empty.";
  if (n > MAX_TEXT) return `A factoid's text is at most ${MAX_TEXT} characters; this one has ${n}.`;
  return undefined;
}
