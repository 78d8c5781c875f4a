/**
 * Commands are data plus one async function. The dispatcher, the help text, the Discord slash
 * command JSON and argument validation all read the same option list.
 */
import type { IncomingMessage, Platform, RoomRef, UserRef } from "./adapter.js";
import { signalAt } from "./deadline.js";
import type { Reply } from "./reply.js";
import type { Services } from "./services.js";

/**
 * How long an autocomplete may take: Discord allows 3 s for the whole answer, so completions
 * (and the upstream requests behind them) give up after this.
 */
export const AUTOCOMPLETE_TIMEOUT_MS = 2500;

/**
 * A command's upstream requests end by its deadline (http.timeoutMs after the message arrived);
 * building the answer from what is known by then may take this much longer at most.
 */
export const COMMAND_GRACE_MS = 1000;

export interface Choice {
  readonly name: string;
  readonly value: string;
}

interface OptionBase {
  /** Lower-case, 1–32 characters of [a-z0-9_-] (Discord's rule, so slash commands can use it). */
  readonly name: string;
  /** One line, at most 100 characters. */
  readonly description: string;
  readonly required?: boolean;
  /**
   * Positional options are filled from the words after the command, in order; the others are
   * given as `--name value` or `--name=value`.
   */
  readonly positional?: boolean;
}

export interface StringOption extends OptionBase {
  readonly type: "string";
  /** The last positional option may take the rest of the line, spaces included. */
  readonly rest?: boolean;
  /**
   * The message's remainder exactly as typed (quotes, backslashes, spacing and lines kept; one
   * fenced or inline code block around it is removed), bounded by maxLength only: too long is an
   * error, never a cut. The command's only option. See src/core/raw-arg.ts.
   */
  readonly raw?: boolean;
  /**
   * The last positional option takes the rest of the line exactly as typed (quotes, spacing and
   * lines kept; `--words` in it are text), from its first word on. Needs `rest`.
   */
  readonly verbatim?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Autocomplete: at most 25 choices; used by Discord. */
  complete?(partial: string, ctx: CompletionContext): Promise<readonly Choice[]>;
}

export interface IntegerOption extends OptionBase {
  readonly type: "integer";
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanOption extends OptionBase {
  readonly type: "boolean";
}

export interface ChoiceOption extends OptionBase {
  readonly type: "choice";
  readonly choices: readonly string[];
  readonly rest?: boolean;
}

/**
 * A person. In a message: what was typed (a name, or a mention the platform's client made, such
 * as a Matrix pill or Discord's `<@id>`); from a slash command: the platform's user id. Either
 * way the command resolves it against `ctx.mentions`, the users the platform says the message
 * mentions, and never pings anyone on a typed name alone.
 */
export interface UserOption extends OptionBase {
  readonly type: "user";
  /** The last positional option may take the rest of the line (display names have spaces). */
  readonly rest?: boolean;
}

export type OptionDef = StringOption | IntegerOption | BooleanOption | ChoiceOption | UserOption;

export type OptionValue = string | number | boolean;

/** Parsed, validated arguments by option name. Missing optional options are absent. */
export type Args = Readonly<Record<string, OptionValue | undefined>>;

/** What a command may know about the request: who asked where, and the services. */
export interface CommandContext {
  readonly platform: Platform;
  readonly room: RoomRef;
  readonly user: UserRef;
  readonly services: Services;
  /** The command prefix in use, for usage lines ("!pkg firefox"). */
  readonly prefix: string;
  canManageRoom(): Promise<boolean>;
  /** Leave this room after replying; absent where the platform cannot (see IncomingMessage). */
  readonly leaveRoom?: () => void;
  now(): Date;
  /** The users the message mentions, as the platform identified them (see IncomingMessage.mentions). */
  readonly mentions: readonly UserRef[];
  /** A direct (one-to-one) conversation rather than a room (see IncomingMessage.direct). */
  readonly direct: boolean;
  /**
   * Fires at the command's deadline (see src/core/deadline.ts and docs/architecture.md, "The deadline of a command").
   * Pass it to every client call (`{ signal: ctx.signal }`), answer with what is known when it
   * fires, and call `throwIfPassed(ctx.signal)` (or hand it to the store) right before any write:
   * after the deadline a command changes nothing more.
   */
  readonly signal: AbortSignal;
  /**
   * Deprecated, use `signal`: the same deadline as a `Date.now()` value. Clients still honour
   * `{ deadline: ctx.deadline }`.
   */
  readonly deadline: number;
  /** The commands that work here, in the dispatcher's order (for !help); set by the dispatcher. */
  readonly commands: readonly CommandDef[];
}

export type CompletionContext = Pick<CommandContext, "services" | "platform" | "now" | "deadline" | "signal"> & {
  /** Where the user is typing, when the platform says (Discord: the channel). */
  readonly room?: RoomRef;
  /** What the user has typed so far into the command's other options (raw, not yet validated). */
  readonly others: Readonly<Record<string, string | number | boolean>>;
};

export interface CommandDef {
  /** Lower-case, 1–32 characters of [a-z0-9_-]. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line, at most 100 characters: used in !help and as the slash command description. */
  readonly summary: string;
  /** Extra help shown by `!help <command>`. */
  readonly details?: string;
  readonly examples?: readonly string[];
  readonly options: readonly OptionDef[];
  /** Only room managers may run it (checked by the dispatcher). */
  readonly needsManager?: boolean;
  /** Calls an upstream service: adapters acknowledge first (Discord defers). */
  readonly slow?: boolean;
  /**
   * Whether the command works here (decided at start, e.g. by a self-test). When false it is
   * unknown to the dispatcher, left out of !help and not registered as a slash command.
   */
  available?(services: Pick<Services, "eval">): boolean;
  run(args: Args, ctx: CommandContext): Promise<Reply>;
}

const NAME_RE = /^[a-z0-9_-]{1,32}$/;

/** Checks a command definition once, at load time, so mistakes fail fast and in tests. */
export function defineCommand(def: CommandDef): CommandDef {
  const problems: string[] = [];
  if (!NAME_RE.test(def.name)) problems.push(`name "${def.name}" must match ${NAME_RE}`);
  for (const a of def.aliases ?? []) if (!NAME_RE.test(a)) problems.push(`alias "${a}" must match ${NAME_RE}`);
  if (def.summary.length === 0 || def.summary.length > 100) problems.push("summary must be 1-100 characters");
  if (def.options.length > 25) problems.push("at most 25 options");
  const seen = new Set<string>();
  let sawOptionalPositional = false;
  def.options.forEach((o, i) => {
    if (!NAME_RE.test(o.name)) problems.push(`option "${o.name}" must match ${NAME_RE}`);
    if (seen.has(o.name)) problems.push(`option "${o.name}" is defined twice`);
    seen.add(o.name);
    if (o.description.length === 0 || o.description.length > 100) problems.push(`option "${o.name}": description must be 1-100 characters`);
    if ((o.type === "string" || o.type === "choice" || o.type === "user") && o.rest) {
      const laterPositional = def.options.slice(i + 1).some((p) => p.positional);
      if (!o.positional || laterPositional) problems.push(`option "${o.name}": only the last positional option may take the rest of the line`);
    }
    if (o.type === "string" && o.raw && (def.options.length !== 1 || !o.positional || !o.rest || o.maxLength === undefined))
      problems.push(`option "${o.name}": a raw option is the only option, positional, takes the rest and has a maxLength`);
    if (o.type === "string" && o.verbatim && (!o.positional || !o.rest)) problems.push(`option "${o.name}": a verbatim option is positional and takes the rest`);
    if (o.type === "choice" && (o.choices.length === 0 || o.choices.length > 25)) problems.push(`option "${o.name}": 1-25 choices`);
    if (o.positional) {
      if (o.required && sawOptionalPositional) problems.push(`option "${o.name}": a required positional option cannot follow an optional one`);
      if (!o.required) sawOptionalPositional = true;
    }
  });
  if (problems.length > 0) throw new Error(`command ${def.name}: ${problems.join("; ")}`);
  return def;
}

/** The commands that work here, in the same order. */
export function availableCommands(commands: readonly CommandDef[], services: Pick<Services, "eval">): CommandDef[] {
  return commands.filter((c) => c.available?.(services) ?? true);
}

/**
 * Turns an incoming message into the context a command sees; `deadline` and `commands` as in
 * CommandContext, and its signal (made from the deadline when not given).
 */
export function contextFor(
  message: IncomingMessage,
  services: Services,
  prefix: string,
  now: () => Date,
  deadline: number,
  commands: readonly CommandDef[],
  signal: AbortSignal = signalAt(deadline),
): CommandContext {
  return {
    deadline,
    signal,
    commands,
    platform: message.room.platform,
    room: message.room,
    user: message.user,
    services,
    prefix,
    canManageRoom: () => message.canManageRoom(),
    mentions: message.mentions ?? [],
    direct: message.direct === true,
    ...(message.leaveRoom ? { leaveRoom: message.leaveRoom } : {}),
    now,
  };
}
