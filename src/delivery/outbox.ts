/**
 * The one outbox: everything nixie posts on a schedule (feed entries, channel events, pull request
 * tracking, and whatever comes next) is a (room, delivery id, reply) handed to it. A feature
 * decides only what is new and formats its posts; the outbox guarantees the rest, the same for all:
 *
 * - **Queued before done.** `enqueue` resolves once the posts are in the store; the feature marks
 *   its own state ("seen", "posted") only after that, so a crash in between finds them again, and
 *   `enqueue` ignores delivery ids it already holds.
 * - **Removed after the platform accepted it.** A crash between the send and the removal sends the
 *   post again after the restart with the same delivery id (Matrix transaction id, Discord
 *   enforced nonce), which the platform recognises.
 * - **Bounded attempts**: a post that failed MAX_ATTEMPTS rounds is given up with a warning.
 * - **Paced per platform**: sends to one platform are at least its pace apart, however many
 *   features deliver at the same time.
 * - **Capped per room and round**: posts with a summary label (feeds) go out at most `maxPerRoom`
 *   per room in one round, then one "…and N more" line for the rest. Posts without a label
 *   (a pull request reaching a branch pings its asker) are never summarised.
 * - **Fenced**: before each send and each write the fence (the lease's term, while its last
 *   confirmed expiry less a margin lies ahead) is asked; an instance that may have lost its lease
 *   (paused past it) sends and writes nothing more in that round, even once it holds the lease
 *   again (a new term: what the round read may be stale).
 * - **Rooms that left get nothing**: the outbox is per-room state in the room registry (a room
 *   upgrade moves its queued posts, a leave drops them), and a feature may pass a `wanted` check
 *   per round (a feed drops posts of rooms that unsubscribed).
 *
 * Queues: each feature keeps its posts in queues of its own (`feed:<name>`, `pr-tracking`), one
 * store document each (./queues.ts), each reply stored once however many rooms it goes to.
 */
import type { Logger } from "pino";
import { parseRoomKey, roomKey, type Platform, type RoomRef, type SendOptions } from "../core/adapter.js";
import type { Reply } from "../core/reply.js";
import type { RoomStateKind } from "../rooms/registry.js";
import type { Store } from "../storage/store.js";
import { createQueueStore, type Item, type Post } from "./queues.js";
import { formatSummary, summaryDeliveryId, type SummaryLabel } from "./summary.js";

/** A post that failed this many rounds is given up (the room is probably gone). */
export const MAX_ATTEMPTS = 5;
/** Posts waiting per queue, so that a long outage of a platform stays bounded. */
export const MAX_QUEUE = 200_000;
/** Rounds of up to this many posts rewrite their queues after every send (exact); larger ones in batches. */
export const EXACT_FLUSH_LIMIT = 100;
export const FLUSH_EVERY = 500;
/**
 * A batch is also written after this long. It must be well above the send pace (default 250 ms),
 * or every send would rewrite the whole queue again; and short enough that posts re-sent after a
 * crash inside a batch are still within the platforms' de-duplication windows (Discord's nonce: a
 * few minutes).
 */
export const FLUSH_MS = 5_000;

/** A post handed to the outbox. */
export interface OutboxPost {
  /** roomKey() of the room. */
  readonly room: string;
  /** Stable per (room, feature, entry): see deliveryId() in ./id.ts. */
  readonly deliveryId: string;
  /** Posts handed in one enqueue with the same Reply object are stored once. */
  readonly reply: Reply;
  /** Counts against the per-room cap of a round, and is summarised past it under this label. */
  readonly summary?: SummaryLabel;
}

/** A post waiting in a queue. */
export interface QueuedPost extends OutboxPost {
  /** Rounds in which its send failed. */
  readonly attempts: number;
}

/** One queue to deliver in a round. */
export interface QueueRound {
  readonly queue: string;
  /** Whether a room still wants this queue's posts; posts of rooms that do not are dropped unsent. */
  readonly wanted?: (room: string) => boolean;
}

/** What a delivery round did. */
export interface DeliveryReport {
  /** Posts the platforms accepted (a summary line counts once). */
  sent: number;
  /** Sends that failed (kept for the next round, or given up). */
  failed: number;
  /** Posts given up after MAX_ATTEMPTS. */
  gaveUp: number;
  /** Posts dropped unsent because their room no longer wants them. */
  dropped: number;
  /** The fence stopped the round (the lease may have passed to another instance). */
  fenced: boolean;
}

/** Sends one post to a room (the bot's sendTo). */
export type Send = (room: RoomRef, reply: Reply, opts: SendOptions) => Promise<void>;

export interface OutboxOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly send: Send;
  /** The shortest time between two sends to one platform (ms; 0: no pause). */
  readonly paceMs: (platform: Platform) => number;
  /** Posts with a summary label per room and round before the summary line. */
  readonly maxPerRoom: number;
  /**
   * Asked before each send and write: the lease term this instance may act in now, or undefined
   * when it may no longer hold the lease (its last confirmed expiry, less a margin, has passed).
   * A round stops when the answer differs from the one at its start. Absent: one instance, always.
   */
  readonly fence?: () => number | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Outbox {
  /**
   * Queues posts in the store; resolves once they are stored (the caller marks its own state
   * only then). Posts whose delivery id the queue already holds are skipped. Resolves with how
   * many were added.
   */
  enqueue(queue: string, posts: readonly OutboxPost[]): Promise<number>;
  /**
   * One delivery round over the given queues, room by room in queue order: paced, capped, fenced.
   * `onSend` hears of each send (a summary line: once per queue in it).
   */
  deliver(queues: readonly QueueRound[], hooks?: { onSend?: (queue: string, ok: boolean) => void }): Promise<DeliveryReport>;
  /** The posts waiting in a queue, oldest first. */
  pending(queue: string): Promise<QueuedPost[]>;
  /** Drops a queue (its feature forgot the source: nobody follows the feed any more). */
  clear(queue: string): Promise<void>;
  /** For the room registry: queued posts follow a room upgrade, and are dropped when nixie leaves. */
  readonly roomState: RoomStateKind;
}

export function createOutbox(opts: OutboxOptions): Outbox {
  const { log } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const stored = createQueueStore(opts.store);
  const { serial, read, write } = stored;
  // The queues a round is delivering, as this process holds them: while a round runs, every change
  // to such a queue (enqueue, room moved or removed) is made to this list and written from it.
  const live = new Map<string, Item[]>();
  // Rooms moved or removed while a round runs: the round sends them nothing more.
  const left = new Set<string>();
  let rounds = 0;
  // Next free send slot per platform (ms): shared by every round, so concurrent rounds keep the pace.
  const nextSlot = new Map<Platform, number>();

  // The lease term of the last fenced action: a new term means another instance may have written
  // the queues meanwhile, so what this process knew of them is forgotten.
  let lastTerm: number | undefined;
  /** The term this instance may act in now (0 without a fence), or undefined when it may not. */
  const currentTerm = (): number | undefined => {
    if (!opts.fence) return 0;
    const t = opts.fence();
    if (t !== undefined && t !== lastTerm) {
      if (lastTerm !== undefined) stored.forgetCache();
      lastTerm = t;
    }
    return t;
  };
  const fencedLine = "the lease may have passed to another instance: this one sends and queues nothing until it holds the lease again";

  /** Rewrites one queue through `fn` (under its lock, on the live list when a round holds it). */
  const change = (queue: string, fn: (items: Item[]) => Item[] | undefined): Promise<void> =>
    serial(queue, async () => {
      const items = live.get(queue) ?? (await read(queue));
      const next = fn(items);
      if (next === undefined) return;
      if (live.has(queue)) live.set(queue, next);
      await write(queue, next);
    });

  /** Takes the platform's next send slot; returns how long to wait for it (ms). */
  const reserve = (platform: Platform): number => {
    const pace = opts.paceMs(platform);
    if (pace <= 0) return 0;
    const t = now();
    const slot = Math.max(t, nextSlot.get(platform) ?? t);
    nextSlot.set(platform, slot + pace);
    return slot - t;
  };

  async function deliver(queues: readonly QueueRound[], hooks: { onSend?: (queue: string, ok: boolean) => void } = {}): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, failed: 0, gaveUp: 0, dropped: 0, fenced: false };
    const mine: string[] = [];
    // The whole round runs in the term it began in: after a pause past the lease, what it read
    // may be stale, and it neither sends nor writes any more.
    const term = currentTerm();
    if (term === undefined) {
      log.warn(fencedLine);
      return { ...report, fenced: true };
    }
    const fenced = (): boolean => {
      if (report.fenced) return true;
      if (currentTerm() === term) return false;
      log.warn(fencedLine);
      report.fenced = true;
      return true;
    };
    rounds++;
    try {
      const byRoom = new Map<string, { queue: string; item: Item }[]>();
      for (const { queue, wanted } of queues) {
        if (live.has(queue) || stored.mayHave(queue) === false) continue;
        const items = await serial(queue, async () => {
          const all = await read(queue);
          const kept = wanted ? all.filter((i) => wanted(i.room)) : all;
          if (kept.length !== all.length) {
            report.dropped += all.length - kept.length;
            await write(queue, kept);
          } else stored.noteMayHave(queue, kept.length > 0);
          live.set(queue, kept);
          return kept;
        });
        mine.push(queue);
        for (const item of items) {
          const list = byRoom.get(item.room) ?? [];
          list.push({ queue, item });
          byRoom.set(item.room, list);
        }
      }
      const total = [...byRoom.values()].reduce((n, l) => n + l.length, 0);
      if (total === 0) return report;
      const exact = total <= EXACT_FLUSH_LIMIT;
      const done = new Set<Item>();
      const failed = new Set<Item>();
      const dirty = new Set<string>();
      let pending = 0;
      let lastFlush = now();

      /** Writes each changed queue without the delivered posts, with failed ones counted. */
      const flush = async (): Promise<void> => {
        // Left to the instance that holds the lease now: it sends again what this one sent unrecorded.
        if (fenced()) return;
        for (const queue of dirty) {
          await change(queue, (items) => {
            const kept: Item[] = [];
            for (const i of items) {
              if (done.has(i)) continue;
              if (failed.has(i)) {
                if (i.attempts + 1 >= MAX_ATTEMPTS) {
                  report.gaveUp++;
                  log.warn({ queue, room: i.room, deliveryId: i.deliveryId }, "giving up a scheduled post after repeated send failures");
                  continue;
                }
                kept.push({ ...i, attempts: i.attempts + 1 });
              } else kept.push(i);
            }
            return kept;
          });
        }
        dirty.clear();
        done.clear();
        failed.clear();
        pending = 0;
        lastFlush = now();
      };
      const settle = async (queue: string, item: Item, ok: boolean): Promise<void> => {
        (ok ? done : failed).add(item);
        dirty.add(queue);
        pending++;
        if (exact || !ok || pending >= FLUSH_EVERY || now() - lastFlush >= FLUSH_MS) await flush();
      };
      /** The platform's pace, then the fence: false when nothing more may be sent. */
      const ready = async (platform: Platform): Promise<boolean> => {
        const wait = reserve(platform);
        if (wait > 0) await sleep(wait);
        return !fenced();
      };
      const send = async (queue: string, room: RoomRef, key: string, reply: Reply, id: string): Promise<boolean> => {
        try {
          await opts.send(room, reply, { deliveryId: id });
          return true;
        } catch (e) {
          report.failed++;
          log.warn({ queue, room: key, err: e instanceof Error ? e.message : String(e) }, "scheduled post not delivered; will retry next round");
          return false;
        }
      };

      try {
        for (const [key, list] of byRoom) {
          if (report.fenced) break;
          const room = parseRoomKey(key);
          if (!room) {
            for (const { queue, item } of list) await settle(queue, item, true); // no such platform: nothing to send to
            continue;
          }
          const posts: typeof list = [];
          const rest: typeof list = [];
          let capped = 0;
          for (const e of list) (e.item.post.summary && capped++ >= opts.maxPerRoom ? rest : posts).push(e);
          let ok = true;
          for (const { queue, item } of posts) {
            if (left.has(key) || !(await ready(room.platform))) break;
            ok = await send(queue, room, key, item.post.reply, item.deliveryId);
            hooks.onSend?.(queue, ok);
            if (ok) report.sent++;
            await settle(queue, item, ok);
            if (!ok) break; // this room is in trouble; try again next round
          }
          if (!ok || rest.length === 0 || report.fenced || left.has(key)) continue;
          const groups: { label: SummaryLabel; queue: string; count: number }[] = [];
          for (const { queue, item } of rest) {
            const label = item.post.summary!;
            const g = groups.find((x) => x.label.key === label.key);
            if (g) g.count++;
            else groups.push({ label, queue, count: 1 });
          }
          if (!(await ready(room.platform))) break;
          const sent = await send(
            groups[0]!.queue,
            room,
            key,
            formatSummary(groups),
            summaryDeliveryId(
              key,
              rest.map((r) => r.item.deliveryId),
            ),
          );
          for (const g of groups) hooks.onSend?.(g.queue, sent);
          if (!sent) continue;
          report.sent++;
          for (const { queue, item } of rest) await settle(queue, item, true);
        }
      } finally {
        await flush();
      }
      return report;
    } finally {
      for (const q of mine) live.delete(q);
      if (--rounds === 0) left.clear();
    }
  }

  async function eachQueue(fn: (queue: string) => Promise<number>): Promise<number> {
    let n = 0;
    for (const queue of await stored.names()) n += await fn(queue);
    return n;
  }

  return {
    async enqueue(queue, posts) {
      if (posts.length === 0) return 0;
      if (currentTerm() === undefined) throw new Error(fencedLine);
      // Before the write: should it fail half way, the queue is read again next round.
      stored.noteMayHave(queue, true);
      let added = 0;
      await change(queue, (items) => {
        const ids = new Set(items.map((i) => i.deliveryId));
        const shared = new Map<Reply, Post>();
        const next = [...items];
        for (const p of posts) {
          if (ids.has(p.deliveryId)) continue;
          ids.add(p.deliveryId);
          let post = shared.get(p.reply);
          if (!post) {
            post = p.summary ? { reply: p.reply, summary: p.summary } : { reply: p.reply };
            shared.set(p.reply, post);
          }
          next.push({ room: p.room, deliveryId: p.deliveryId, post, attempts: 0 });
          added++;
        }
        if (added === 0) return undefined;
        if (next.length > MAX_QUEUE) {
          log.warn({ queue, dropped: next.length - MAX_QUEUE }, "outbox queue full; dropping the oldest posts");
          next.splice(0, next.length - MAX_QUEUE);
        }
        return next;
      });
      return added;
    },
    deliver,
    async pending(queue) {
      const items = live.get(queue) ?? (await read(queue));
      return items.map((i) => ({ room: i.room, deliveryId: i.deliveryId, reply: i.post.reply, attempts: i.attempts, ...(i.post.summary ? { summary: i.post.summary } : {}) }));
    },
    clear: (queue) => change(queue, (items) => (items.length === 0 && stored.mayHave(queue) === false ? undefined : [])),
    roomState: {
      name: "outbox",
      async removeRoom(ref) {
        const room = roomKey(ref);
        if (rounds > 0) left.add(room);
        return eachQueue(async (queue) => {
          let n = 0;
          await change(queue, (items) => {
            const kept = items.filter((i) => i.room !== room);
            n = items.length - kept.length;
            return n === 0 ? undefined : kept;
          });
          return n;
        });
      },
      async moveRoom(fromRef, toRef) {
        const from = roomKey(fromRef);
        const to = roomKey(toRef);
        if (from === to) return 0;
        if (rounds > 0) left.add(from);
        return eachQueue(async (queue) => {
          let n = 0;
          await change(queue, (items) => {
            // A post the new room has queued already (it followed the same feed) is not queued twice.
            const there = new Set(items.filter((i) => i.room === to).map((i) => i.post));
            const next: Item[] = [];
            for (const i of items) {
              if (i.room !== from) next.push(i);
              else {
                n++;
                // The delivery id stays: it names this post, and a platform scopes it per room.
                if (!there.has(i.post)) next.push({ ...i, room: to });
              }
            }
            return n === 0 ? undefined : next;
          });
          return n;
        });
      },
    },
  };
}
