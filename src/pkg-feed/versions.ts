/**
 * What nixie remembers of watched packages between polls, and the events an answer of the search
 * index makes: a version changed, a package left a channel, or came (back) into it. A pure function
 * over one stored document, so a restart or another instance continues where the last poll stopped.
 *
 * Event ids carry a sequence number from the document, so a version that goes back (A -> B -> A) is
 * a new event each time, and ids never repeat: the feed watcher's seen lists, outbox and delivery ids
 * then post each event once per room.
 */

/** An attribute's state in one channel: its version ("" when the index gives none), or null when absent. */
export type Seen = string | null;

export interface ChannelState {
  /** Attribute -> what the last answer said. Only watched attributes are kept. */
  readonly versions: Readonly<Record<string, Seen>>;
  /** Unix ms of the last successful lookup. */
  readonly polledAt?: number;
  /** Unix ms of the last attempt, successful or not. */
  readonly attemptedAt?: number;
  /** Consecutive failed lookups (absent when healthy). */
  readonly failures?: number;
  readonly failingSince?: number;
  readonly lastError?: string;
}

export interface PkgEvent {
  /** `<channel>:<attr>:<sequence>`. */
  readonly id: string;
  readonly channel: string;
  readonly attr: string;
  readonly from: Seen;
  readonly to: Seen;
  /** Unix ms: when nixie saw it. */
  readonly at: number;
}

export interface PkgDoc {
  /** Channel name (`nixos-unstable`) -> its state. */
  readonly channels: Readonly<Record<string, ChannelState>>;
  /** The channels `pkg:<attr>` follows now: the rolling one and the newest stable release. */
  readonly defaults: readonly string[];
  /** Oldest first, bounded by EVENT_KEEP_MS and MAX_EVENTS. */
  readonly events: readonly PkgEvent[];
  /** The last sequence number given to an event. */
  readonly seq: number;
}

/** Events are kept a week (the watcher reads them within a poll or two; this covers long outages). */
export const EVENT_KEEP_MS = 7 * 24 * 3600_000;
/** And at most this many (one poll of every watched attribute changing in three channels fits). */
export const MAX_EVENTS = 20_000;
/**
 * An answer that holds none of at least this many attributes the channel had before is taken as a
 * broken index (mid-import, emptied), not as every package leaving the channel at once.
 */
export const SUSPICIOUS_EMPTY = 3;

export const emptyDoc = (): PkgDoc => ({ channels: {}, defaults: [], events: [], seq: 0 });

/**
 * Applies one channel's answer for the attributes watched there (`answer`: attribute -> version,
 * absent attributes are not in the channel). Attributes seen for the first time record their state
 * silently; known ones make an event when the state differs. Attributes no longer watched are
 * forgotten. Returns the new document and the events made; throws nothing.
 */
export function applyAnswer(doc: PkgDoc, channel: string, watched: ReadonlySet<string>, answer: ReadonlyMap<string, string>, now: number): { doc: PkgDoc; events: PkgEvent[] } {
  const old = doc.channels[channel];
  const before = old?.versions ?? {};
  const present = Object.values(before).filter((v) => v !== null).length;
  if (present >= SUSPICIOUS_EMPTY && answer.size === 0 && [...watched].some((a) => typeof before[a] === "string")) {
    return { doc: failChannel(doc, channel, "the index answered none of the watched packages; keeping what it said before", now), events: [] };
  }
  const versions: Record<string, Seen> = {};
  const events: PkgEvent[] = [];
  let seq = doc.seq;
  for (const attr of [...watched].sort()) {
    const to: Seen = answer.get(attr) ?? null;
    versions[attr] = to;
    if (!Object.prototype.hasOwnProperty.call(before, attr)) continue; // first sight: no event
    const from = before[attr]!;
    if (from === to) continue;
    seq++;
    events.push({ id: `${channel}:${attr}:${seq}`, channel, attr, from, to, at: now });
  }
  const state: ChannelState = { versions, polledAt: now, attemptedAt: now };
  return { doc: { ...doc, channels: { ...doc.channels, [channel]: state }, events: [...doc.events, ...events], seq }, events };
}

/** Records a failed lookup of a channel; what it knew stays. */
export function failChannel(doc: PkgDoc, channel: string, reason: string, now: number): PkgDoc {
  const old = doc.channels[channel] ?? { versions: {} };
  const state: ChannelState = { ...old, attemptedAt: now, failures: (old.failures ?? 0) + 1, failingSince: old.failingSince ?? now, lastError: reason.slice(0, 200) };
  return { ...doc, channels: { ...doc.channels, [channel]: state } };
}

/**
 * Drops channels nobody follows any more and bounds the event log. `watched` is every channel that
 * some feed follows now.
 */
export function prune(doc: PkgDoc, watched: ReadonlySet<string>, now: number): PkgDoc {
  const channels: Record<string, ChannelState> = {};
  for (const [name, state] of Object.entries(doc.channels)) if (watched.has(name)) channels[name] = state;
  const recent = doc.events.filter((e) => now - e.at <= EVENT_KEEP_MS);
  return { ...doc, channels, events: recent.slice(Math.max(0, recent.length - MAX_EVENTS)) };
}
