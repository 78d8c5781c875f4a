/**
 * What nixie remembers of each channel between polls, and the events a new snapshot makes: a
 * channel advanced, crossed the stuck threshold, or advanced again after being stuck. A pure
 * function over a stored document, so a restart or another instance continues where it stopped.
 */
import type { ChannelSnapshot } from "./snapshot.js";
import { STUCK_MS } from "./thresholds.js";

export interface TrackedChannel {
  readonly revision: string;
  /** Unix ms. */
  readonly updatedAt: number;
  readonly current: boolean;
  /** The revision nixie saw before this one. */
  readonly previous?: { readonly revision: string; readonly updatedAt: number };
  /**
   * This revision has crossed the stuck threshold: "posted" when nixie made a stuck post (its
   * advance will then be a recovery), "seen" when it was already stuck when nixie first saw it or
   * the channel was not current (no post either way).
   */
  readonly stuck?: "posted" | "seen";
  /** The last snapshot did not have the channel (unix ms since when). Never a reason to say "stuck". */
  readonly missingSince?: number;
}

export type ChannelEventKind = "advance" | "stuck" | "recovered";

export interface ChannelEvent {
  /** `<channel>@<revision>`, `<channel>@<revision>:stuck`, `<channel>@<revision>:recovered`. */
  readonly id: string;
  readonly kind: ChannelEventKind;
  readonly channel: string;
  /** Whether the channel was current when the event happened (the `channels` feed posts only these). */
  readonly current: boolean;
  /** The revision before (advance, recovered) or the stuck one. */
  readonly from: string;
  readonly fromTime: number;
  readonly to?: string;
  readonly toTime?: number;
  /** When it happened (unix ms): the new update time, or the moment the threshold was crossed. */
  readonly at: number;
}

export interface TrackerDoc {
  readonly channels: Readonly<Record<string, TrackedChannel>>;
  /** The latest events, oldest first, at most MAX_EVENTS. */
  readonly events: readonly ChannelEvent[];
}

/** Events kept: far more than can happen between two polls. */
export const MAX_EVENTS = 200;

export const emptyTracker = (): TrackerDoc => ({ channels: {}, events: [] });

/** Applies a snapshot: the new document and the events it made (already appended to the document). */
export function track(doc: TrackerDoc, snap: ChannelSnapshot, now: number): { doc: TrackerDoc; events: ChannelEvent[] } {
  const channels: Record<string, TrackedChannel> = { ...doc.channels };
  const events: ChannelEvent[] = [];
  const seen = new Set<string>();
  for (const c of snap.channels) {
    seen.add(c.name);
    const old = channels[c.name];
    const stuckNow = now - c.updatedAt >= STUCK_MS;
    if (!old) {
      // First sight: no post, even when it is already stuck.
      channels[c.name] = { revision: c.revision, updatedAt: c.updatedAt, current: c.current, ...(stuckNow ? { stuck: "seen" as const } : {}) };
      continue;
    }
    if (c.revision === old.revision) {
      const t = { ...old, current: c.current, updatedAt: c.updatedAt } as { -readonly [K in keyof TrackedChannel]: TrackedChannel[K] };
      delete t.missingSince;
      if (stuckNow && !old.stuck) {
        t.stuck = c.current ? "posted" : "seen";
        if (c.current) events.push({ id: `${c.name}@${c.revision}:stuck`, kind: "stuck", channel: c.name, current: true, from: c.revision, fromTime: c.updatedAt, at: c.updatedAt + STUCK_MS });
      } else if (!stuckNow && old.stuck) delete t.stuck; // the same revision re-published later
      channels[c.name] = t;
      continue;
    }
    // Channels never go back in time; an older answer (a lagging source) changes nothing.
    if (c.updatedAt < old.updatedAt) continue;
    const kind: ChannelEventKind = old.stuck === "posted" ? "recovered" : "advance";
    events.push({
      id: kind === "recovered" ? `${c.name}@${c.revision}:recovered` : `${c.name}@${c.revision}`,
      kind,
      channel: c.name,
      current: c.current,
      from: old.revision,
      fromTime: old.updatedAt,
      to: c.revision,
      toTime: c.updatedAt,
      at: c.updatedAt,
    });
    channels[c.name] = {
      revision: c.revision,
      updatedAt: c.updatedAt,
      current: c.current,
      previous: { revision: old.revision, updatedAt: old.updatedAt },
      ...(stuckNow ? { stuck: "seen" as const } : {}),
    };
  }
  for (const [name, old] of Object.entries(channels)) {
    if (!seen.has(name) && old.missingSince === undefined) channels[name] = { ...old, missingSince: now };
  }
  const all = [...doc.events, ...events];
  return { doc: { channels, events: all.slice(Math.max(0, all.length - MAX_EVENTS)) }, events };
}
