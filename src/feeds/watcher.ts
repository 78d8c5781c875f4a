/**
 * One poll of every followed feed: fetch each URL once (conditional, bounded), note the new
 * entries, queue one post per (room, entry) in the store's outbox, then deliver the outbox with a
 * stable delivery id per post, recording each post as delivered only after its send succeeded.
 *
 * Order of writes matters for exactly-once: the outbox is written before the entries are marked
 * seen (a crash in between re-finds the entries, and the outbox ignores ids it already holds), and
 * an outbox item is removed only after its send succeeded (a crash in between re-sends it with the
 * same delivery id, which the platform recognises).
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { parseRoomKey, roomKey, type RoomRef, type SendOptions } from "../core/adapter.js";
import { UpstreamError } from "../core/errors.js";
import type { Reply } from "../core/reply.js";
import type { FeedFetcher, Validators } from "../upstream/feeds.js";
import type { FeedCatalog, FeedDef } from "./catalog.js";
import { deliveryId } from "./entries.js";
import { formatPost, formatSummary } from "./format.js";
import { rssSource, type FeedRead, type FeedSource, type PollRound, type SourceEntry } from "./source.js";
import type { FeedState, FeedStatus, OutboxItem } from "./state.js";
import type { Subscriptions } from "./subscriptions.js";

/** What a poll reports as it goes, one call per event (metrics). */
export type FeedEvent =
  | { readonly kind: "poll"; readonly feed: string; readonly outcome: "ok" | "not-modified" | "error" }
  | { readonly kind: "new-entries"; readonly feed: string; readonly count: number }
  | { readonly kind: "post"; readonly feed: string; readonly outcome: "ok" | "error" }
  | { readonly kind: "backoff"; readonly feed: string; readonly seconds: number };

export interface FeedWatcherOptions {
  readonly catalog: FeedCatalog;
  readonly subscriptions: Subscriptions;
  /** Reads the RSS/Atom feeds; the providers' feeds are read with their provider's source. */
  readonly fetcher: FeedFetcher;
  readonly state: FeedState;
  /** Sends a post to a room (the bot's sendTo). */
  send(room: RoomRef, reply: Reply, opts: SendOptions): Promise<void>;
  readonly maxPerRoomPerPoll: number;
  readonly backoffCapSeconds: number;
  readonly sendPaceMs: number;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onEvent?: (e: FeedEvent) => void;
}

/** What one poll did, for tests, logs and metrics. */
export interface PollReport {
  /** Feeds fetched this poll (304s included). */
  readonly fetched: string[];
  /** Feeds skipped because they are backing off. */
  readonly skipped: string[];
  readonly failed: string[];
  /** New entries found, over all feeds. */
  readonly newEntries: number;
  /** Posts delivered (summary lines included). */
  readonly sent: number;
}

export interface FeedWatcher {
  poll(): Promise<PollReport>;
}

/** First wait after a failure; doubles with each further failure up to the configured cap. */
export const BACKOFF_BASE_MS = 60_000;
/** A post that failed this many times is given up (the room is probably gone). */
export const MAX_ATTEMPTS = 5;
/** Posts waiting per feed (rooms × entries), so that a long outage of a platform stays bounded. */
export const MAX_OUTBOX = 200_000;
/** Outboxes up to this size are rewritten after every send (exact); larger ones in batches. */
export const EXACT_FLUSH_LIMIT = 100;
export const FLUSH_EVERY = 500;
/**
 * A batch is also written after this long. It must be well above the send pace (default 250 ms),
 * or every send would rewrite the whole outbox again; and short enough that posts re-sent after a
 * crash inside a batch are still within the platforms' de-duplication windows (Discord's nonce: a
 * few minutes).
 */
export const FLUSH_MS = 5_000;
/** Feeds fetched at the same time in one poll. */
export const POLL_CONCURRENCY = 16;

/** Milliseconds to wait after the n-th consecutive failure (n ≥ 1). */
export function backoffMs(failures: number, capSeconds: number): number {
  return Math.min(capSeconds * 1000, BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 30));
}

/** A short reason without the service name (the feed is named next to it anyway). */
const describe = (e: unknown): string => {
  if (e instanceof UpstreamError) return e.detail;
  return e instanceof Error ? e.message : String(e);
};

/** Drops undefined properties (the store keeps JSON; exactOptionalPropertyTypes wants them absent). */
function withoutUndefined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The feeds a poll looks at: the catalog's fixed and known feeds, and every followed name a
 * provider recognises (`pkg:<attr>`: no list could hold them all). Followed names that no longer
 * mean a feed (removed from config) are left alone.
 */
async function pollable(catalog: FeedCatalog, subscriptions: Subscriptions): Promise<FeedDef[]> {
  const [known, followed] = await Promise.all([catalog.known(), subscriptions.followed()]);
  const names = new Set(known.map((f) => f.name));
  const out = [...known];
  for (const name of followed) {
    if (names.has(name)) continue;
    const feed = catalog.get(name);
    // Only a name that is the feed's own (a provider may normalise what users type).
    if (feed && feed.name === name) {
      names.add(name);
      out.push(feed);
    }
  }
  return out;
}

export function createFeedWatcher(opts: FeedWatcherOptions): FeedWatcher {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { state, log } = opts;
  const emit = (e: FeedEvent): void => opts.onEvent?.(e);
  // Feeds whose stored outbox may hold posts. Only the instance running this watcher writes
  // outboxes, so after its first delivery round (which reads them all, e.g. after a takeover)
  // the others need not be read on every poll.
  const mayHaveOutbox = new Set<string>();
  let readAllOutboxes = true;
  const rss = rssSource(opts.fetcher);
  const sourceOf = (feed: FeedDef): FeedSource => opts.catalog.providerOf(feed)?.source ?? rss;

  /** Fetches one feed and queues posts for its new entries. Never throws. */
  async function check(feed: FeedDef, rooms: readonly RoomRef[], status: FeedStatus, report: PollReport & { newEntries: number }, round: PollRound): Promise<void> {
    const t = now();
    if (status.nextAttemptAt !== undefined && Date.parse(status.nextAttemptAt) > t.getTime()) {
      report.skipped.push(feed.name);
      return;
    }
    report.fetched.push(feed.name);
    const validators: Validators = status.initialized ? withoutUndefined<Validators>({ etag: status.etag, lastModified: status.lastModified }) : {};
    let result: FeedRead;
    try {
      result = await sourceOf(feed).read(feed, validators, round);
    } catch (e) {
      report.failed.push(feed.name);
      const failures = status.failures + 1;
      const reason = describe(e);
      const next: FeedStatus = {
        ...status,
        lastAttemptAt: t.toISOString(),
        failures,
        failingSince: status.failingSince ?? t.toISOString(),
        lastError: reason,
        nextAttemptAt: new Date(t.getTime() + backoffMs(failures, opts.backoffCapSeconds)).toISOString(),
      };
      await state.setStatus(feed.name, next);
      emit({ kind: "poll", feed: feed.name, outcome: "error" });
      emit({ kind: "backoff", feed: feed.name, seconds: Math.round(backoffMs(failures, opts.backoffCapSeconds) / 1000) });
      // Once per state change: the first failure warns, later ones stay at debug.
      if (failures === 1) log.warn({ feed: feed.name, reason, retryAt: next.nextAttemptAt }, "feed is failing");
      else log.debug({ feed: feed.name, reason, failures, retryAt: next.nextAttemptAt }, "feed still failing");
      return;
    }
    if (status.failures > 0) log.info({ feed: feed.name, after: status.failures }, "feed recovered");
    emit({ kind: "poll", feed: feed.name, outcome: result.status === "not-modified" ? "not-modified" : "ok" });
    emit({ kind: "backoff", feed: feed.name, seconds: 0 });
    const healthy = { url: feed.url, initialized: status.initialized, failures: 0, lastAttemptAt: t.toISOString(), lastSuccessAt: t.toISOString() };
    if (result.status === "not-modified") {
      await state.setStatus(feed.name, withoutUndefined<FeedStatus>({ ...healthy, etag: status.etag, lastModified: status.lastModified }));
      return;
    }
    const items = new Map<string, SourceEntry>();
    for (const entry of result.entries) if (!items.has(entry.id)) items.set(entry.id, entry);
    const seen = await state.seen(feed.name);
    const current = new Set(items.keys());
    const fresh = [...items].filter(([id]) => !seen.has(id));
    const nextStatus = withoutUndefined<FeedStatus>({ ...healthy, initialized: true, ...result.validators });
    if (!status.initialized) {
      // First sight: everything there now is old news.
      for (const id of current) seen.set(id, t.getTime());
      await state.setSeen(feed.name, seen, current);
      await state.setStatus(feed.name, nextStatus);
      log.info({ feed: feed.name, entries: current.size }, "feed read for the first time; its entries are marked seen");
      return;
    }
    if (fresh.length > 0) {
      // Oldest first, so that rooms read them in the order they were written. Feeds list the newest
      // first, so entries without dates (or with the same second) go in reverse feed order.
      fresh.reverse().sort(([, a], [, b]) => (a.published ?? "").localeCompare(b.published ?? ""));
      const outbox = await state.outbox(feed.name);
      const queued = new Set(outbox.map((o) => o.deliveryId));
      for (const [id, item] of fresh) {
        const entry = item.post();
        for (const room of rooms) {
          const key = roomKey(room);
          const did = deliveryId(key, feed.name, id);
          if (queued.has(did)) continue;
          queued.add(did);
          outbox.push({ room: key, entry, deliveryId: did, attempts: 0 });
        }
      }
      if (outbox.length > MAX_OUTBOX) {
        log.warn({ feed: feed.name, dropped: outbox.length - MAX_OUTBOX }, "feed outbox full; dropping the oldest posts");
        outbox.splice(0, outbox.length - MAX_OUTBOX);
      }
      await state.setOutbox(feed.name, outbox);
      mayHaveOutbox.add(feed.name);
      for (const [id] of fresh) seen.set(id, t.getTime());
      report.newEntries += fresh.length;
      emit({ kind: "new-entries", feed: feed.name, count: fresh.length });
      log.info({ feed: feed.name, entries: fresh.length, rooms: rooms.length }, "new feed entries");
    }
    await state.setSeen(feed.name, seen, current);
    await state.setStatus(feed.name, nextStatus);
  }

  /**
   * Delivers the outboxes of the given feeds, room by room, paced and capped. Delivered posts are
   * removed from the stored outbox after every send while it is small; a large fan-out (thousands
   * of rooms) records them in batches (every FLUSH_EVERY sends or FLUSH_MS), because rewriting a
   * big outbox per send would be quadratic. A crash inside a batch re-sends those posts with the
   * same delivery ids, which Matrix (transaction id) and Discord (enforced nonce) drop as duplicates.
   */
  async function deliver(feeds: readonly { feed: FeedDef; rooms: ReadonlySet<string> }[], report: PollReport & { sent: number }): Promise<void> {
    const outboxes = new Map<string, OutboxItem[]>();
    const byRoom = new Map<string, { feed: FeedDef; item: OutboxItem }[]>();
    for (const { feed, rooms } of feeds) {
      if (!readAllOutboxes && !mayHaveOutbox.has(feed.name)) continue;
      const all = await state.outbox(feed.name);
      // Posts for rooms that left the feed meanwhile are dropped.
      const items = all.filter((i) => rooms.has(i.room));
      if (items.length !== all.length) await state.setOutbox(feed.name, items);
      if (items.length === 0) mayHaveOutbox.delete(feed.name);
      else mayHaveOutbox.add(feed.name);
      outboxes.set(feed.name, items);
      for (const item of items) {
        const list = byRoom.get(item.room) ?? [];
        list.push({ feed, item });
        byRoom.set(item.room, list);
      }
    }
    const total = [...outboxes.values()].reduce((n, items) => n + items.length, 0);
    const exact = total <= EXACT_FLUSH_LIMIT;
    const done = new Set<string>();
    const failed = new Set<string>();
    const dirty = new Set<string>();
    let pending = 0;
    let lastFlush = now().getTime();

    /** Writes each changed outbox without the delivered posts, with failed ones counted. */
    const flush = async (): Promise<void> => {
      for (const name of dirty) {
        const kept: OutboxItem[] = [];
        for (const i of outboxes.get(name) ?? []) {
          if (done.has(i.deliveryId)) continue;
          if (failed.has(i.deliveryId)) {
            if (i.attempts + 1 >= MAX_ATTEMPTS) {
              log.warn({ feed: name, room: i.room, entry: i.entry.id }, "giving up a feed post after repeated send failures");
              continue;
            }
            kept.push({ ...i, attempts: i.attempts + 1 });
          } else kept.push(i);
        }
        outboxes.set(name, kept);
        await state.setOutbox(name, kept);
        if (kept.length === 0) mayHaveOutbox.delete(name);
      }
      dirty.clear();
      done.clear();
      failed.clear();
      pending = 0;
      lastFlush = now().getTime();
    };
    const settle = async (feedName: string, id: string, ok: boolean): Promise<void> => {
      (ok ? done : failed).add(id);
      dirty.add(feedName);
      pending++;
      if (exact || !ok || pending >= FLUSH_EVERY || now().getTime() - lastFlush >= FLUSH_MS) await flush();
    };
    // One reply per (feed, entry), shared by every room it goes to.
    const formatted = new Map<string, Reply>();
    const postFor = (feed: FeedDef, item: OutboxItem): Reply => {
      const k = `${feed.name}\u0000${item.entry.id}`;
      let r = formatted.get(k);
      if (!r) {
        r = opts.catalog.providerOf(feed)?.format?.(feed, item.entry) ?? formatPost(feed, item.entry);
        formatted.set(k, r);
      }
      return r;
    };
    let first = true;
    const pace = async (): Promise<void> => {
      if (!first && opts.sendPaceMs > 0) await sleep(opts.sendPaceMs);
      first = false;
    };
    try {
      for (const [key, list] of byRoom) {
        const room = parseRoomKey(key);
        if (!room) continue;
        const posts = list.slice(0, opts.maxPerRoomPerPoll);
        const rest = list.slice(opts.maxPerRoomPerPoll);
        let ok = true;
        for (const { feed, item } of posts) {
          await pace();
          try {
            await opts.send(room, postFor(feed, item), { deliveryId: item.deliveryId });
          } catch (e) {
            ok = false;
            emit({ kind: "post", feed: feed.name, outcome: "error" });
            log.warn({ feed: feed.name, room: key, err: describe(e) }, "feed post not delivered; will retry next poll");
            await settle(feed.name, item.deliveryId, false);
            break; // this room is in trouble; try again next poll
          }
          report.sent++;
          emit({ kind: "post", feed: feed.name, outcome: "ok" });
          await settle(feed.name, item.deliveryId, true);
        }
        if (!ok || rest.length === 0) continue;
        const groups: { feed: FeedDef; count: number }[] = [];
        for (const { feed } of rest) {
          const g = groups.find((x) => x.feed.name === feed.name);
          if (g) g.count++;
          else groups.push({ feed, count: 1 });
        }
        const ids = rest.map((r) => r.item.deliveryId).sort();
        const summaryId = createHash("sha256").update(JSON.stringify([key, "summary", ids])).digest("hex").slice(0, 25);
        await pace();
        try {
          await opts.send(room, formatSummary(groups), { deliveryId: summaryId });
        } catch (e) {
          for (const g of groups) emit({ kind: "post", feed: g.feed.name, outcome: "error" });
          log.warn({ room: key, err: describe(e) }, "feed summary not delivered; will retry next poll");
          continue;
        }
        report.sent++;
        for (const g of groups) emit({ kind: "post", feed: g.feed.name, outcome: "ok" });
        for (const r of rest) await settle(r.feed.name, r.item.deliveryId, true);
      }
    } finally {
      await flush();
    }
  }

  return {
    async poll() {
      const report = { fetched: [] as string[], skipped: [] as string[], failed: [] as string[], newEntries: 0, sent: 0 };
      const followed: { feed: FeedDef; rooms: ReadonlySet<string> }[] = [];
      let catalog: readonly FeedDef[] = opts.catalog.list();
      const round: PollRound = { at: now() };
      // Who follows what, and each feed's status: two store round trips for all feeds.
      let roomsByFeed: Map<string, RoomRef[]>;
      let statuses: Map<string, FeedStatus>;
      try {
        catalog = await pollable(opts.catalog, opts.subscriptions);
        roomsByFeed = await opts.subscriptions.roomsForMany(catalog.map((f) => f.name));
        statuses = await state.statuses(catalog);
      } catch (e) {
        log.error({ err: describe(e) }, "feed poll failed: the store did not answer");
        return { ...report, failed: catalog.map((f) => f.name) };
      }
      const checkOne = async (feed: FeedDef): Promise<void> => {
        try {
          const rooms = roomsByFeed.get(feed.name) ?? [];
          if (rooms.length === 0) {
            // Nobody follows it: forget it, so that a later follower starts with a silent first read.
            if (await state.peek(feed.name)) await state.forget(feed.name);
            return;
          }
          await check(feed, rooms, statuses.get(feed.name) ?? { url: feed.url, initialized: false, failures: 0 }, report, round);
          // Delivered only when the check completed: had the store failed after queuing new posts
          // but before marking their entries seen, the next poll would queue and send them again.
          followed.push({ feed, rooms: new Set(rooms.map(roomKey)) });
        } catch (e) {
          // Store trouble for one feed must not stop the others. Its outbox is read again next time.
          mayHaveOutbox.add(feed.name);
          report.failed.push(feed.name);
          log.error({ feed: feed.name, err: describe(e) }, "feed poll failed");
        }
      };
      // A few feeds at a time: one slow server must not hold up the others, nor may a long
      // list of feeds open hundreds of connections at once.
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < catalog.length) await checkOne(catalog[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, catalog.length) }, worker));
      // Reports and delivery in catalog order, whatever order the fetches finished in.
      const order = new Map(catalog.map((f, i) => [f.name, i] as const));
      const byCatalog = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
      report.fetched.sort(byCatalog);
      report.skipped.sort(byCatalog);
      report.failed.sort(byCatalog);
      followed.sort((a, b) => byCatalog(a.feed.name, b.feed.name));
      try {
        await deliver(followed, report);
        readAllOutboxes = false;
      } catch (e) {
        log.error({ err: describe(e) }, "feed delivery failed");
      }
      log.debug(report, "feed poll done");
      return report;
    },
  };
}
