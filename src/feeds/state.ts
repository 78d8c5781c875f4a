/**
 * What the watcher remembers per feed, in the store: its poll status and validators
 * ("feed-state" namespace, `status:<feed>`) and the entries seen ("seen" namespace). Read by !feeds
 * too. Posts not yet delivered wait in the outbox (src/delivery/), queue `feed:<feed>`.
 */
import type { KV, Store } from "../storage/store.js";

export interface FeedStatus {
  /** The URL this state belongs to: when config points the feed elsewhere, the state starts over. */
  readonly url: string;
  /** The feed has been read once: everything in it then was marked seen without posting. */
  readonly initialized: boolean;
  readonly etag?: string;
  readonly lastModified?: string;
  /** ISO times. */
  readonly lastSuccessAt?: string;
  readonly lastAttemptAt?: string;
  /** Consecutive failed polls (0 when healthy). */
  readonly failures: number;
  readonly failingSince?: string;
  /** A short reason, for !feeds and logs ("HTTP 500", "not a readable feed"). */
  readonly lastError?: string;
  /** While failing: polls before this time skip the feed (exponential backoff). */
  readonly nextAttemptAt?: string;
}

/** What a post keeps of an entry when it is first seen (a provider's `format` makes the post of it). */
export interface PostEntry {
  readonly id: string;
  readonly title: string;
  readonly link?: string;
  readonly published?: string;
  readonly author?: string;
  readonly category?: string;
  readonly excerpt?: string;
  readonly thumbnail?: string;
  /** A provider's details (a Hydra failure's dependency and log), shown by its format() as card fields. */
  readonly details?: readonly PostDetail[];
}

/** One named detail of a post, with an optional link. */
export interface PostDetail {
  readonly name: string;
  readonly text: string;
  readonly url?: string;
}

/** A post as versions before src/delivery/ queued it. */
export interface LegacyOutboxItem {
  readonly room: string;
  readonly entry: PostEntry;
  readonly deliveryId: string;
}

interface LegacyOutboxDoc {
  readonly entries: Record<string, PostEntry>;
  readonly items: readonly { readonly room: string; readonly entry: string; readonly deliveryId: string }[];
}

interface SeenDoc {
  /** Entry id -> first seen (ms since epoch). */
  readonly ids: Record<string, number>;
}

/** How many seen ids are kept beyond those in the current feed document. */
const SEEN_KEEP = 1000;

export interface FeedState {
  /** The status of each feed, in one store round trip; a fresh one where none is stored for its URL. */
  statuses(feeds: readonly { readonly name: string; readonly url: string }[]): Promise<Map<string, FeedStatus>>;
  /** The stored status whatever its URL (for !feeds), or undefined when never polled. */
  peek(feed: string): Promise<FeedStatus | undefined>;
  /** peek of several feeds in one store round trip. */
  peekMany(feeds: readonly string[]): Promise<(FeedStatus | undefined)[]>;
  setStatus(feed: string, status: FeedStatus): Promise<void>;
  /**
   * When the last poll round began (ms since epoch). A healthy feed that answers "not modified"
   * keeps its stored status (one write per feed per poll cost more CPU than the rest of a poll of
   * thousands of `pkg:` feeds); its last read is this round's time, see {@link asOfRound}.
   */
  lastRound(): Promise<number | undefined>;
  setLastRound(at: number): Promise<void>;
  seen(feed: string): Promise<Map<string, number>>;
  /** Stores the seen ids, keeping every id in `current` and the newest others up to a bound. */
  setSeen(feed: string, seen: Map<string, number>, current: ReadonlySet<string>): Promise<void>;
  /** Forgets everything about a feed (nobody follows it: the next follower starts silent). */
  forget(feed: string): Promise<void>;
  /**
   * Posts left in the outbox of versions before src/delivery/ (`outbox:<feed>`), by feed, for
   * the watcher to hand to the outbox once; `dropLegacyOutbox` deletes one afterwards.
   */
  legacyOutboxes(feeds: readonly string[]): Promise<Map<string, LegacyOutboxItem[]>>;
  dropLegacyOutbox(feed: string): Promise<void>;
}

type StateDoc = FeedStatus | LegacyOutboxDoc | { readonly at: number };

/**
 * A stored status as of the last poll round: a healthy feed was read in that round (a feed that
 * failed, or whose read changed anything, had its status written then).
 */
export function asOfRound(status: FeedStatus, round: number | undefined): FeedStatus {
  if (round === undefined || status.failures > 0 || !status.initialized) return status;
  const at = new Date(round).toISOString();
  if (status.lastSuccessAt !== undefined && status.lastSuccessAt >= at) return status;
  return { ...status, lastSuccessAt: at, lastAttemptAt: at };
}

export function createFeedState(store: Store): FeedState {
  const state: KV<StateDoc> = store.namespace<StateDoc>("feed-state");
  const seenKv: KV<SeenDoc> = store.namespace<SeenDoc>("seen");
  const peek = async (feed: string): Promise<FeedStatus | undefined> => (await state.get(`status:${feed}`)) as FeedStatus | undefined;
  return {
    peek,
    peekMany: async (feeds) => (await state.getMany(feeds.map((f) => `status:${f}`))) as (FeedStatus | undefined)[],
    async statuses(feeds) {
      const docs = await state.getMany(feeds.map((f) => `status:${f.name}`));
      const out = new Map<string, FeedStatus>();
      feeds.forEach((f, i) => {
        const s = docs[i] as FeedStatus | undefined;
        out.set(f.name, s && s.url === f.url ? s : { url: f.url, initialized: false, failures: 0 });
      });
      return out;
    },
    setStatus: (feed, status) => state.set(`status:${feed}`, status),
    lastRound: async () => ((await state.get("last-round")) as { at: number } | undefined)?.at,
    setLastRound: (at) => state.set("last-round", { at }),
    async seen(feed) {
      const doc = await seenKv.get(feed);
      return new Map(Object.entries(doc?.ids ?? {}));
    },
    async setSeen(feed, seen, current) {
      const others = [...seen]
        .filter(([id]) => !current.has(id))
        .sort((a, b) => b[1] - a[1])
        .slice(0, SEEN_KEEP);
      const ids: Record<string, number> = {};
      for (const [id, at] of seen) if (current.has(id)) ids[id] = at;
      for (const [id, at] of others) ids[id] = at;
      await seenKv.set(feed, { ids });
    },
    async forget(feed) {
      await state.delete(`status:${feed}`);
      await state.delete(`outbox:${feed}`);
      await seenKv.delete(feed);
    },
    async legacyOutboxes(feeds) {
      const docs = await state.getMany(feeds.map((f) => `outbox:${f}`));
      const out = new Map<string, LegacyOutboxItem[]>();
      feeds.forEach((feed, i) => {
        const doc = docs[i] as LegacyOutboxDoc | undefined;
        if (!doc?.items) return;
        const items: LegacyOutboxItem[] = [];
        for (const it of doc.items) {
          const entry = doc.entries[it.entry];
          if (entry) items.push({ room: it.room, entry, deliveryId: it.deliveryId });
        }
        out.set(feed, items);
      });
      return out;
    },
    dropLegacyOutbox: async (feed) => void (await state.delete(`outbox:${feed}`)),
  };
}
