/**
 * One poll of every followed feed: fetch each URL once (conditional, bounded), decide what is new
 * (first sight, seen ids, backoff and health), and hand one post per (room, new entry) to the
 * outbox (src/delivery/), which delivers them with a stable delivery id each.
 *
 * Order of writes matters for exactly-once: the posts are queued in the outbox before the entries
 * are marked seen (a crash in between re-finds the entries, and the outbox ignores ids it already
 * holds); the outbox removes a post only after its send succeeded.
 */
import type { Logger } from "pino";
import { roomKey, type RoomRef } from "../core/adapter.js";
import { UpstreamError } from "../core/errors.js";
import type { Reply } from "../core/reply.js";
import { deliveryId } from "../delivery/id.js";
import type { Outbox, OutboxPost, QueueRound } from "../delivery/outbox.js";
import type { SummaryLabel } from "../delivery/summary.js";
import type { FeedFetcher, Validators } from "../upstream/feeds.js";
import type { FeedCatalog, FeedDef } from "./catalog.js";
import { formatPost } from "./format.js";
import { rssSource, type FeedRead, type FeedSource, type PollRound, type SourceEntry } from "./source.js";
import type { FeedState, FeedStatus, PostEntry } from "./state.js";
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
  /** Where the posts go: paced, capped per room and poll ("…and N more"), fenced. */
  readonly outbox: Outbox;
  readonly backoffCapSeconds: number;
  readonly log: Logger;
  readonly now?: () => Date;
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
/** Feeds fetched at the same time in one poll. */
export const POLL_CONCURRENCY = 16;

/** The outbox queue of a feed's posts. */
export const feedQueue = (feed: string): string => `feed:${feed}`;

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
  const { state, log, outbox } = opts;
  const emit = (e: FeedEvent): void => opts.onEvent?.(e);
  let legacyDone = false;
  const postOf = (feed: FeedDef, entry: PostEntry): Reply => opts.catalog.providerOf(feed)?.format?.(feed, entry) ?? formatPost(feed, entry);
  const labelOf = (feed: FeedDef): SummaryLabel => ({ key: feed.name, title: feed.title, url: feed.siteUrl });

  /**
   * Once per process: posts an older version left in its own outbox (`feed-state`, `outbox:<feed>`)
   * move to the one outbox, with their delivery ids, before that copy is deleted.
   */
  async function adoptLegacy(feeds: readonly FeedDef[]): Promise<void> {
    const left = await state.legacyOutboxes(feeds.map((f) => f.name));
    for (const feed of feeds) {
      const items = left.get(feed.name);
      if (!items) continue;
      const replies = new Map<string, Reply>();
      const posts = items.map((i): OutboxPost => {
        let reply = replies.get(i.entry.id);
        if (!reply) replies.set(i.entry.id, (reply = postOf(feed, i.entry)));
        return { room: i.room, deliveryId: i.deliveryId, reply, summary: labelOf(feed) };
      });
      await outbox.enqueue(feedQueue(feed.name), posts);
      await state.dropLegacyOutbox(feed.name);
      log.info({ feed: feed.name, posts: posts.length }, "queued posts of an earlier version moved to the outbox");
    }
    legacyDone = true;
  }
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
      // Healthy and unchanged: the stored status stands, read as of this round (state.asOfRound).
      if (status.failures === 0 && status.initialized && status.lastSuccessAt !== undefined) return;
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
      // One reply per entry, stored once in the outbox however many rooms it goes to.
      const summary = labelOf(feed);
      const posts: OutboxPost[] = [];
      for (const [id, item] of fresh) {
        const reply = postOf(feed, item.post());
        for (const room of rooms) {
          const key = roomKey(room);
          posts.push({ room: key, deliveryId: deliveryId(key, feed.name, id), reply, summary });
        }
      }
      await outbox.enqueue(feedQueue(feed.name), posts);
      for (const [id] of fresh) seen.set(id, t.getTime());
      report.newEntries += fresh.length;
      emit({ kind: "new-entries", feed: feed.name, count: fresh.length });
      log.info({ feed: feed.name, entries: fresh.length, rooms: rooms.length }, "new feed entries");
    }
    await state.setSeen(feed.name, seen, current);
    await state.setStatus(feed.name, nextStatus);
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
        if (!legacyDone) await adoptLegacy(catalog.filter((f) => (roomsByFeed.get(f.name)?.length ?? 0) > 0));
      } catch (e) {
        log.error({ err: describe(e) }, "feed poll failed: the store did not answer");
        return { ...report, failed: catalog.map((f) => f.name) };
      }
      const checkOne = async (feed: FeedDef): Promise<void> => {
        try {
          const rooms = roomsByFeed.get(feed.name) ?? [];
          if (rooms.length === 0) {
            // Nobody follows it: forget it, so that a later follower starts with a silent first read.
            if (await state.peek(feed.name)) {
              await state.forget(feed.name);
              await outbox.clear(feedQueue(feed.name));
            }
            return;
          }
          await check(feed, rooms, statuses.get(feed.name) ?? { url: feed.url, initialized: false, failures: 0 }, report, round);
          // Delivered only when the check completed: had the store failed after queuing new posts
          // but before marking their entries seen, the next poll would queue and send them again.
          followed.push({ feed, rooms: new Set(rooms.map(roomKey)) });
        } catch (e) {
          // Store trouble for one feed must not stop the others.
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
      try {
        await state.setLastRound(round.at.getTime());
      } catch (e) {
        log.error({ err: describe(e) }, "feed poll: the round's time could not be stored");
      }
      // Reports and delivery in catalog order, whatever order the fetches finished in.
      const order = new Map(catalog.map((f, i) => [f.name, i] as const));
      const byCatalog = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
      report.fetched.sort(byCatalog);
      report.skipped.sort(byCatalog);
      report.failed.sort(byCatalog);
      followed.sort((a, b) => byCatalog(a.feed.name, b.feed.name));
      try {
        // Posts of rooms that left a feed meanwhile are dropped unsent.
        const queues: QueueRound[] = followed.map(({ feed, rooms }) => ({ queue: feedQueue(feed.name), wanted: (room) => rooms.has(room) }));
        const feedOf = new Map(followed.map(({ feed }) => [feedQueue(feed.name), feed.name] as const));
        const delivered = await outbox.deliver(queues, {
          onSend: (queue, ok) => emit({ kind: "post", feed: feedOf.get(queue) ?? queue, outcome: ok ? "ok" : "error" }),
        });
        report.sent += delivered.sent;
      } catch (e) {
        log.error({ err: describe(e) }, "feed delivery failed");
      }
      log.debug(report, "feed poll done");
      return report;
    },
  };
}
