/**
 * Text (or a slash command's options) -> command -> Reply. Handles the prefix, aliases, typo
 * hints, rate limiting, input bounds, room-manager checks and error replies, for every adapter.
 */
import type { Logger } from "pino";
import type { IncomingMessage, Platform, RoomRef } from "./adapter.js";
import { roomKey } from "./adapter.js";
import { AUTOCOMPLETE_TIMEOUT_MS, COMMAND_GRACE_MS, availableCommands, contextFor, type Choice, type CommandDef } from "./command.js";
import { DeadlinePassed, signalAt, withDeadline } from "./deadline.js";
import { errorToReply, type Outcome } from "./error-reply.js";
import { parseArgs, splitCommand, validateArgs, type ParsedArgs } from "./parse.js";
import { RateLimiter } from "./rate-limit.js";
import { parseRawArgs, rawOption, rawRemainder } from "./raw-arg.js";
import { errorReply, textBlock, type Reply, type ReplyOutcome } from "./reply.js";
import { SLASH } from "./usage.js";
import type { Services } from "./services.js";

export interface CommandEvent {
  readonly command: string;
  readonly platform: Platform;
  readonly outcome: Outcome | ReplyOutcome | "refused" | "rate-limited";
  readonly ms: number;
}

export interface DispatcherOptions {
  readonly commands: readonly CommandDef[];
  readonly services: Services;
  readonly prefix: string;
  readonly maxMessageLength: number;
  readonly maxArgLength: number;
  readonly rateLimiter: RateLimiter;
  readonly log: Logger;
  readonly now?: () => Date;
  /**
   * Each command's budget for its upstream requests (http.timeoutMs); it answers within this plus
   * COMMAND_GRACE_MS. Default 5000.
   */
  readonly commandTimeoutMs?: number;
  /** Observer for metrics. */
  readonly onCommand?: (e: CommandEvent) => void;
  /** What `<prefix><name>` may still be when it names no command (a feature's fallback: factoids). */
  readonly unknownName?: (name: string, message: IncomingMessage) => Promise<UnknownName>;
}

/**
 * A fallback's answer for a name that is no command. `run`: the command that answers instead,
 * given the name as its first word (`!dontask bob` runs as `!fact dontask bob`: the same rate
 * limit, deadline and error replies). `names`: more names for the one "did you mean".
 */
export interface UnknownName {
  readonly run?: string;
  readonly names?: readonly string[];
}

const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

export interface Dispatcher {
  readonly prefix: string;
  /** A chat message; resolves with the reply, or null when nixie should stay silent. */
  handle(message: IncomingMessage): Promise<Reply | null>;
  /** A command whose options arrive already split (Discord slash commands). */
  invoke(message: IncomingMessage, name: string, raw: ReadonlyMap<string, string | number | boolean>): Promise<Reply | null>;
  /** Autocomplete for one option: at most 25 choices; never throws. */
  complete(name: string, option: string, partial: string, platform: Platform, others?: Readonly<Record<string, string | number | boolean>>, room?: RoomRef): Promise<readonly Choice[]>;
  find(name: string): CommandDef | undefined;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions). Three rolling
 * rows, no allocation per cell: a "did you mean" compares a word with every command and every
 * factoid of the room (200 and more).
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let prev2 = new Uint16Array(n + 1);
  let prev = Uint16Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Uint16Array(n + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const byName = new Map<string, CommandDef>();
  for (const c of opts.commands) {
    for (const n of [c.name, ...(c.aliases ?? [])]) {
      if (byName.has(n)) throw new Error(`command name ${n} is used twice`);
      byName.set(n, c);
    }
  }
  /** A command by name or alias, unless it does not work here (see CommandDef.available). */
  const lookup = (name: string): CommandDef | undefined => {
    const c = byName.get(name);
    return c && (c.available?.(opts.services) ?? true) ? c : undefined;
  };
  const now = opts.now ?? (() => new Date());
  const limits = { maxArgLength: opts.maxArgLength };
  const prefix = opts.prefix;
  const budgetMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  /** Services whose refusal of nixie's credentials has been logged (once each). */
  const refused = new Set<string>();

  /**
   * Runs a command, bounded: a command that overruns its deadline and the grace (a store or a
   * homeserver that hangs, a client that does not pass the deadline on) is answered for.
   */
  function bounded(shown: string, cmd: CommandDef, run: () => Promise<Reply>, deadline: number, logCtx: Record<string, unknown>): Promise<Reply> {
    // By then the command's signal has fired (at the deadline): whatever it still does changes nothing.
    return withDeadline(run(), { ms: deadline + COMMAND_GRACE_MS - Date.now() }, () => {
      opts.log.warn({ ...logCtx, budgetMs }, "command overran its deadline");
      return lateReply(shown, cmd);
    });
  }

  /** The answer when a command did not finish by its deadline. */
  const lateReply = (shown: string, cmd: CommandDef): Reply => ({ ...errorReply(`${shown}${cmd.name} could not finish in time, try again in a minute.`), outcome: "timeout" });

  const wordRe = /^[a-z][a-z0-9_-]{0,31}$/;

  /** The one closest command (or `extra` name, such as a factoid) within a small distance. */
  function suggest(name: string, extra: readonly string[] = []): string | undefined {
    if (!wordRe.test(name)) return undefined;
    let best: { n: string; d: number } | undefined;
    for (const n of byName.keys()) {
      if (!lookup(n)) continue;
      const d = editDistance(name, n);
      if (!best || d < best.d) best = { n: byName.get(n)!.name, d };
    }
    for (const n of extra) {
      // The distance is at least the difference in length: most names need no comparison.
      if (Math.abs(n.length - name.length) > 2) continue;
      const d = editDistance(name, n);
      if (!best || d < best.d) best = { n, d };
    }
    if (!best) return undefined;
    const allowed = name.length <= 4 ? 1 : 2;
    return best.d <= allowed ? best.n : undefined;
  }

  /** Asks the fallback about a name that is no command; a failing fallback is as good as none. */
  async function askUnknown(name: string, message: IncomingMessage): Promise<UnknownName> {
    if (!opts.unknownName || !wordRe.test(name)) return {};
    try {
      return await opts.unknownName(name, message);
    } catch (err) {
      opts.log.warn({ name, err: err instanceof Error ? err.message : String(err) }, "unknown-name fallback failed");
      return {};
    }
  }

  /** Rate limit: undefined means go ahead; a reply or null means answer that instead. */
  function limit(message: IncomingMessage, command: string): Reply | null | undefined {
    // The console is one local person at their own machine: nobody to share with.
    if (message.room.platform === "console") return undefined;
    const who = `${roomKey(message.room)}|${message.user.id}`;
    const decision = opts.rateLimiter.take(who);
    if (decision === "allow") return undefined;
    opts.onCommand?.({ command, platform: message.room.platform, outcome: "rate-limited", ms: 0 });
    if (decision === "silent") return null;
    const secs = Math.max(1, Math.ceil(opts.rateLimiter.waitMs(who) / 1000));
    return errorReply(`Slow down, please: nixie will answer you again in about ${secs} s; it does not answer your commands before then.`);
  }

  async function run(cmd: CommandDef, message: IncomingMessage, parse: () => ParsedArgs, shown: string = prefix): Promise<Reply | null> {
    const started = Date.now();
    const limited = limit(message, cmd.name);
    if (limited !== undefined) return limited;
    const logCtx = { command: cmd.name, platform: message.room.platform, room: message.room.id };
    let outcome: CommandEvent["outcome"] = "ok";
    try {
      const { args, notes } = parse();
      if (cmd.needsManager && message.direct) {
        outcome = "refused";
        return errorReply(`${shown}${cmd.name} works in rooms, not in direct messages.`);
      }
      if (cmd.needsManager && !(await message.canManageRoom())) {
        outcome = "refused";
        return errorReply(`Only room managers (moderators) can use ${shown}${cmd.name} here.`);
      }
      const deadline = started + budgetMs;
      // Availability is decided at start (the evaluator's self-test), so it is read per command.
      const ctx = contextFor(message, opts.services, shown, now, deadline, availableCommands(opts.commands, opts.services), signalAt(deadline));
      const reply = await bounded(shown, cmd, () => cmd.run(args, ctx), deadline, logCtx);
      if (reply.outcome) outcome = reply.outcome; // an answer that tells of a failure (eval time-out)
      return notes.length === 0 ? reply : { ...reply, blocks: [...reply.blocks, ...notes.map((n) => textBlock(n))] };
    } catch (err) {
      if (err instanceof DeadlinePassed) {
        // A write refused because the deadline passed: the same answer as a command that overran.
        opts.log.warn({ ...logCtx, budgetMs, err: err.message }, "command stopped at its deadline");
        outcome = "timeout";
        return lateReply(shown, cmd);
      }
      const r = errorToReply(err, opts.log, logCtx, refused);
      outcome = r.outcome;
      return r.reply;
    } finally {
      const ms = Date.now() - started;
      opts.onCommand?.({ command: cmd.name, platform: message.room.platform, outcome, ms });
      opts.log.debug({ ...logCtx, outcome, ms }, "command");
    }
  }

  return {
    prefix,
    find: (name) => lookup(name.toLowerCase()),

    async handle(message) {
      let text = message.text;
      if (!text.trimStart().startsWith(prefix)) return null;
      let cutNote = false;
      if (text.length > opts.maxMessageLength) {
        text = text.slice(0, opts.maxMessageLength);
        cutNote = true;
      }
      const inv = splitCommand(text, prefix);
      if (!inv) return null;
      const cmd = lookup(inv.name);
      if (!cmd) {
        const other = await askUnknown(inv.name, message);
        const instead = other.run === undefined ? undefined : lookup(other.run);
        if (instead) return run(instead, message, () => parseArgs(instead, [{ value: inv.name, quoted: true }, ...inv.tokens], prefix, limits));
        const guess = suggest(inv.name, other.names);
        if (guess === undefined) return null;
        const limited = limit(message, "unknown");
        if (limited !== undefined) return limited;
        return errorReply(`Unknown command ${prefix}${inv.name.slice(0, 32)}, did you mean ${prefix}${guess}?`);
      }
      // A raw option reads the message as sent: its own maxLength bounds it, never a cut.
      const raw = rawOption(cmd);
      const parse = raw ? () => parseRawArgs(cmd, raw, rawRemainder(message.text, prefix, inv.name), prefix) : () => parseArgs(cmd, inv.tokens, prefix, limits);
      const reply = await run(cmd, message, parse);
      if (reply && cutNote && !raw) {
        return { ...reply, blocks: [...reply.blocks, textBlock(`Your message was long, so only its first ${opts.maxMessageLength} characters were read.`)] };
      }
      return reply;
    },

    async invoke(message, name, raw) {
      const cmd = lookup(name.toLowerCase());
      if (!cmd) return errorReply(`Unknown command ${name.slice(0, 32)}.`);
      // Slash commands see usage and hints in slash syntax.
      const shown = message.slash ? SLASH : prefix;
      const rawOpt = rawOption(cmd);
      const parse = rawOpt ? () => parseRawArgs(cmd, rawOpt, String(raw.get(rawOpt.name) ?? ""), shown) : () => validateArgs(cmd, raw, shown, limits);
      return run(cmd, message, parse, shown);
    },

    async complete(name, option, partial, platform, others = {}, room) {
      const cmd = lookup(name.toLowerCase());
      const opt = cmd?.options.find((o) => o.name === option);
      if (!opt) return [];
      if (opt.type === "choice") {
        const p = partial.toLowerCase();
        return opt.choices
          .filter((c) => c.toLowerCase().startsWith(p))
          .slice(0, 25)
          .map((c) => ({ name: c, value: c }));
      }
      if (opt.type !== "string" || !opt.complete) return [];
      try {
        const given = Object.fromEntries(
          Object.entries(others)
            .filter(([k]) => k !== option && cmd!.options.some((o) => o.name === k))
            .map(([k, v]) => [k, typeof v === "string" ? v.slice(0, opts.maxArgLength) : v]),
        );
        const deadline = Date.now() + AUTOCOMPLETE_TIMEOUT_MS;
        const choices = await opt.complete(partial.slice(0, opts.maxArgLength), {
          services: opts.services,
          platform,
          now,
          others: given,
          deadline,
          signal: signalAt(deadline),
          ...(room ? { room } : {}),
        });
        return choices
          .filter((c) => c.name !== "" && c.value !== "")
          .slice(0, 25)
          .map((c) => ({ name: [...c.name].slice(0, 100).join(""), value: [...c.value].slice(0, 100).join("") }));
      } catch (err) {
        opts.log.debug({ command: name, option, err: (err as Error).message }, "autocomplete failed");
        return [];
      }
    },
  };
}
