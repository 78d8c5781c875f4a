/**
 * Pure decisions about Matrix events: which messages are commands for nixie, the command text in
 * them, and how a reply relates to the message it answers. No client, no I/O.
 */
import { addressedCommand } from "../../core/addressing.js";

/** The parts of a Matrix room event nixie reads; everything else is ignored. */
export interface RoomEvent {
  readonly type?: string;
  readonly event_id?: string;
  readonly sender?: string;
  readonly origin_server_ts?: number;
  readonly state_key?: string;
  readonly content?: Record<string, unknown>;
  readonly unsigned?: Record<string, unknown>;
}

export interface CommandFilter {
  /** The bot's own user id: its own events are never answered. */
  readonly botUserId: string;
  readonly prefix: string;
  /** The name people mention: `nixie: help`. */
  readonly botName: string;
  /** Events sent before this time (ms since the epoch) are history and never answered. */
  readonly startedAt: number;
}

/** The relation a reply carries (`m.relates_to`). */
export type ReplyRelation =
  | { readonly "m.in_reply_to": { readonly event_id: string } }
  | {
      readonly rel_type: "m.thread";
      readonly event_id: string;
      readonly is_falling_back: false;
      readonly "m.in_reply_to": { readonly event_id: string };
    };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function relatesTo(event: RoomEvent): Record<string, unknown> | undefined {
  const r = event.content?.["m.relates_to"];
  return isRecord(r) ? r : undefined;
}

/** Removes the quoted reply fallback (`> <@who> …` lines and the blank line after) older clients put in a reply's body. */
export function stripReplyFallback(body: string): string {
  if (!body.startsWith("> ")) return body;
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith(">")) i++;
  if (i < lines.length && lines[i] === "") i++;
  return lines.slice(i).join("\n");
}

/**
 * The command text in a message for nixie, in prefix form ("!help pkg"), or undefined when the
 * event is not one to answer: not an m.text message, nixie's own, an edit, redacted, from
 * before the start, or neither starting with the prefix nor addressing nixie by name.
 */
export function commandText(event: RoomEvent, f: CommandFilter): string | undefined {
  const body = messageBody(event, f);
  return body === undefined ? undefined : commandInBody(body, f);
}

/** The command in a message body that messageBody gave, in prefix form, or undefined. */
export function commandInBody(body: string, f: Pick<CommandFilter, "prefix" | "botName">): string | undefined {
  if (body.startsWith(f.prefix)) return body;
  return addressedCommand(body, f.prefix, f.botName);
}

/**
 * The text of an ordinary m.text message nixie may read (for reference expansion), trimmed,
 * without a reply's quoted fallback: undefined for nixie's own, edits, redacted events, events
 * from before the start, and anything that is not m.text (bots send m.notice).
 */
export function messageBody(event: RoomEvent, f: CommandFilter): string | undefined {
  if (event.type !== "m.room.message") return undefined;
  if (event.sender === undefined || event.sender === f.botUserId) return undefined;
  if (typeof event.event_id !== "string") return undefined;
  if (typeof event.origin_server_ts !== "number" || event.origin_server_ts < f.startedAt) return undefined;
  if (event.unsigned?.["redacted_because"] !== undefined) return undefined;
  const content = event.content;
  if (!content || content["msgtype"] !== "m.text" || typeof content["body"] !== "string") return undefined;
  const rel = relatesTo(event);
  if (rel?.["rel_type"] === "m.replace" || content["m.new_content"] !== undefined) return undefined;
  let body: string = content["body"];
  if (isRecord(rel?.["m.in_reply_to"])) body = stripReplyFallback(body);
  return body.trim();
}

const MATRIX_USER_ID = /^@[^:\s]{1,255}:\S{1,255}$/;
// A pill: <a href="https://matrix.to/#/@user:server">Name</a> (the id may be percent-encoded).
const PILL = /<a\s[^>]*?href\s*=\s*["']https:\/\/matrix\.to\/#\/((?:@|%40)[^"'?/]{1,600})[^"']*["'][^>]*>([^<]{0,200})<\/a>/gi;
/** The most users one message's mentions are read for. */
const MAX_MENTIONS = 20;

const unescapeHtml = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" })[e] ?? "");

/**
 * The users a message mentions: the pills of its formatted body (with the name they show) and
 * its `m.mentions.user_ids`; nixie itself left out, at most MAX_MENTIONS.
 */
export function mentionedUsers(event: RoomEvent, botUserId: string): { id: string; name?: string }[] {
  const found = new Map<string, string | undefined>();
  const content = event.content ?? {};
  const html = content["format"] === "org.matrix.custom.html" && typeof content["formatted_body"] === "string" ? content["formatted_body"].slice(0, 20_000) : "";
  for (const m of html.matchAll(PILL)) {
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      continue;
    }
    const name = unescapeHtml(m[2]!).trim();
    if (MATRIX_USER_ID.test(id) && !found.has(id)) found.set(id, name === "" ? undefined : name);
  }
  const listed = isRecord(content["m.mentions"]) ? content["m.mentions"]["user_ids"] : undefined;
  if (Array.isArray(listed)) for (const id of listed) if (typeof id === "string" && MATRIX_USER_ID.test(id) && !found.has(id)) found.set(id, undefined);
  found.delete(botUserId);
  return [...found].slice(0, MAX_MENTIONS).map(([id, name]) => (name === undefined ? { id } : { id, name }));
}

/**
 * How the reply to `event` relates to it: a plain reply, or, when `event` is in a thread, a reply
 * inside that thread (so clients show it there, not in the main timeline).
 */
export function replyRelation(event: RoomEvent & { readonly event_id: string }): ReplyRelation {
  const rel = relatesTo(event);
  if (rel?.["rel_type"] === "m.thread" && typeof rel["event_id"] === "string") {
    return { rel_type: "m.thread", event_id: rel["event_id"], is_falling_back: false, "m.in_reply_to": { event_id: event.event_id } };
  }
  return { "m.in_reply_to": { event_id: event.event_id } };
}

/** The server part of a Matrix id ("@alice:example.org" -> "example.org"), or undefined. */
export function serverOf(id: string): string | undefined {
  const i = id.indexOf(":");
  return i > 0 && i < id.length - 1 ? id.slice(i + 1) : undefined;
}

/** Whether an invite from `inviter` may be accepted: both lists empty means from anyone. */
export function inviteAllowed(inviter: string | undefined, allowed: { readonly users: readonly string[]; readonly servers: readonly string[] }): boolean {
  if (allowed.users.length === 0 && allowed.servers.length === 0) return true;
  if (inviter === undefined) return false;
  if (allowed.users.includes(inviter)) return true;
  const server = serverOf(inviter);
  return server !== undefined && allowed.servers.includes(server);
}

/** The replacement room of a tombstone (`m.room.tombstone`) event, if it names one. */
export function tombstoneTarget(event: RoomEvent): string | undefined {
  if (event.type !== "m.room.tombstone" || event.state_key !== "") return undefined;
  const target = event.content?.["replacement_room"];
  return typeof target === "string" && target.startsWith("!") ? target : undefined;
}

/** Whether the event says the room is (or now becomes) end-to-end encrypted. */
export function isEncryptionSign(event: RoomEvent): boolean {
  return event.type === "m.room.encrypted" || (event.type === "m.room.encryption" && event.state_key === "");
}
