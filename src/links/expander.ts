/**
 * Reference expansion: in rooms that turned it on (`!links on`), bare `nixpkgs#N`, `NixOS/nix#N`
 * and `home-manager#N` in ordinary messages get one line each: title, state, author, age, and
 * for a merged nixpkgs pull request the channels it has reached. At most a few references per
 * message, each at most once per cooldown per room. Not counted against the command rate limit;
 * GitHub's budget still applies (a reference that cannot be looked up now is left out).
 */
import type { IncomingMessage } from "../core/adapter.js";
import type { Logger } from "pino";
import { roomKey } from "../core/adapter.js";
import { UpstreamError } from "../core/errors.js";
import { throwIfPassed, type WriteBound } from "../core/deadline.js";
import { link, textBlock, type Block, type Reply, type Span } from "../core/reply.js";
import type { KV, Store } from "../storage/store.js";
import { isChannel } from "../pr-tracking/branches.js";
import type { StatusService } from "../pr-tracking/landing.js";
import { truncate } from "../render/text.js";
import type { GitHub, IssueSummary } from "../upstream/github.js";
import { findReferences } from "./references.js";

export interface LinkExpander {
  /** Whether the room has expansion on. */
  enabled(room: string): Promise<boolean>;
  /** With a command's signal, throws DeadlinePassed instead of writing once it has fired. */
  setEnabled(room: string, on: boolean, opts?: WriteBound): Promise<void>;
  /** The room's setting follows a room upgrade (room registry); resolves with 1 when it was on. */
  moveRoom(from: string, to: string): Promise<number>;
  /** Forgets the room's setting (nixie left); resolves with 1 when it was on. */
  removeRoom(room: string): Promise<number>;
  /** The expansion reply for an ordinary message, or null (off, nothing to expand, all on cooldown). */
  expand(message: IncomingMessage): Promise<Reply | null>;
}

export interface LinkExpanderOptions {
  readonly github: GitHub;
  readonly status: StatusService;
  readonly store: Store;
  readonly prefix: string;
  readonly maxPerMessage: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
  /** A failure to look a reference up (not a spent budget): the reference is left out. See expanderErrorLog. */
  readonly onError?: (e: unknown) => void;
}

/** A failure is logged once per cause in this window. */
export const EXPANDER_LOG_WINDOW_MS = 60_000;
/** Causes remembered at most (oldest dropped first). */
const MAX_LOGGED_CAUSES = 100;

/** What makes two failures the same cause: the service and failure (with its reason or status), or the error's kind. */
function causeOf(e: unknown): string {
  if (e instanceof UpstreamError) return `${e.service}|${e.failure}|${e.reason ?? e.status ?? ""}`;
  return e instanceof Error ? `${e.name}|${e.message.slice(0, 200)}` : String(e).slice(0, 200);
}

/**
 * The expander's onError: a warn line once per cause per minute (a room full of references to a
 * GitHub that is down would log one line per reference otherwise). The room hears nothing.
 */
export function expanderErrorLog(log: Pick<Logger, "warn">, now: () => number = Date.now): (e: unknown) => void {
  const last = new Map<string, number>();
  return (e) => {
    const cause = causeOf(e);
    const t = now();
    const before = last.get(cause);
    if (before !== undefined && t - before < EXPANDER_LOG_WINDOW_MS) return;
    last.delete(cause);
    last.set(cause, t);
    while (last.size > MAX_LOGGED_CAUSES) last.delete(last.keys().next().value!);
    const fields = e instanceof UpstreamError ? { service: e.service, failure: e.failure, reason: e.reason, status: e.status, err: e.detail } : { err: e instanceof Error ? e.message : String(e) };
    log.warn(fields, `reference expansion failed (logged once a minute per cause): ${cause}`);
  };
}

/** "3 days", "5 hours", "1 minute". */
export function age(fromIso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(fromIso)) / 1000);
  const [n, unit] = s >= 86_400 * 365 ? [s / (86_400 * 365), "year"] : s >= 86_400 ? [s / 86_400, "day"] : s >= 3600 ? [s / 3600, "hour"] : [Math.max(1, s / 60), "minute"];
  const k = Math.floor(n);
  return `${k} ${unit}${k === 1 ? "" : "s"}`;
}

/**
 * One issue or pull request in a line: its label linked, author, age, state (with the merge
 * date) and title. Shared by expansion and by !pr for a repository other than nixpkgs.
 */
export function referenceLine(it: IssueSummary, label: string, now: number): Span[] {
  const state = it.state === "merged" && it.mergedAt !== undefined ? `merged on ${it.mergedAt.slice(0, 10)}` : it.state;
  return [link(label, it.url), { kind: "text", text: ` (by ${it.author}, ${age(it.createdAt, now)} ago, ${state}): ${truncate(it.title, 200)}` }];
}

/** Cooldown entries kept at most (oldest dropped first). */
const MAX_COOLDOWNS = 10_000;

export function createLinkExpander(opts: LinkExpanderOptions): LinkExpander {
  const kv: KV<boolean> = opts.store.namespace<boolean>("tracking");
  const now = opts.now ?? Date.now;
  const lastShown = new Map<string, number>();

  async function line(repo: string, n: number, label: string): Promise<Block | undefined> {
    try {
      const it = await opts.github.issue(repo, n, "command");
      if (!it) return undefined;
      const parts: (Span | string)[] = referenceLine(it, label, now());
      if (repo === "NixOS/nixpkgs" && it.isPull && it.state === "merged") {
        const s = await opts.status.lookup(n, "command");
        const channels = s.rows.filter((r) => r.mark === "reached" && isChannel(r.branch)).map((r) => r.branch);
        parts.push(channels.length > 0 ? ` · in ${channels.join(", ")}` : " · in no channel yet");
      }
      return textBlock(...parts);
    } catch (e) {
      // Out of budget, or GitHub in trouble: the reference is left out, nobody asked for it.
      if (!(e instanceof UpstreamError && e.failure === "rate-limited")) opts.onError?.(e);
      return undefined;
    }
  }

  return {
    enabled: async (room) => (await kv.get(`links:${room}`)) === true,
    async setEnabled(room, on, opts = {}) {
      throwIfPassed(opts.signal, "the setting");
      if (on) await kv.set(`links:${room}`, true);
      else await kv.delete(`links:${room}`);
    },
    async moveRoom(from, to) {
      if (from === to || (await kv.get(`links:${from}`)) !== true) return 0;
      // The new room first: a crash in between leaves it on in both, never in none.
      await kv.set(`links:${to}`, true);
      await kv.delete(`links:${from}`);
      return 1;
    },
    async removeRoom(room) {
      if ((await kv.get(`links:${room}`)) !== true) return 0;
      await kv.delete(`links:${room}`);
      return 1;
    },
    async expand(message) {
      const text = message.text;
      if (text.trimStart().startsWith(opts.prefix)) return null;
      const refs = findReferences(text, opts.maxPerMessage);
      if (refs.length === 0) return null;
      const room = roomKey(message.room);
      if ((await kv.get(`links:${room}`)) !== true) return null;
      const t = now();
      const due = refs.filter((r) => t - (lastShown.get(`${room}|${r.label}`) ?? -Infinity) >= opts.cooldownMs);
      if (due.length === 0) return null;
      for (const r of due) {
        lastShown.delete(`${room}|${r.label}`);
        lastShown.set(`${room}|${r.label}`, t);
      }
      while (lastShown.size > MAX_COOLDOWNS) lastShown.delete(lastShown.keys().next().value!);
      const blocks: Block[] = [];
      for (const r of due) {
        const b = await line(r.repo, r.number, r.label);
        if (b) blocks.push(b);
      }
      return blocks.length === 0 ? null : { blocks, suppressEmbeds: true };
    },
  };
}
