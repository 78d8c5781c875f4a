/**
 * What the watcher remembers per feed, in the store: its poll status and validators
 * ("feed-state" namespace, `status:<feed>`), the entries seen ("seen" namespace), and the outbox
 * of posts not yet delivered ("feed-state", `outbox:<feed>`). Read by !feeds too.
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

/** A post captured when its entry was first seen, so a retry needs no refetch. */
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

export interface OutboxItem {
  /** roomKey() of the room. */
  readonly room: string;
  readonly entry: PostEntry;
  readonly deliveryId: string;
  readonly attempts: number;
}

interface SeenDoc {
  /** Entry id -> first seen (ms since epoch). */
  readonly ids: Record<string, number>;
}

/** Stored compactly: each entry once, items refer to it by id (a fan-out repeats one entry per room). */
interface OutboxDoc {
  readonly entries: Record<string, PostEntry>;
  readonly items: { readonly room: string; readonly entry: string; readonly deliveryId: string; readonly attempts: number }[];
}

/** How many seen ids are kept beyond those in the current feed document. */
const SEEN_KEEP = 1000;

export interface FeedState {
  /** The status of each feed, in one store round trip; a fresh one where none is stored for its URL. */
  statuses(feeds: readonly { readonly name: string; readonly url: string }[]): Promise<Map<string, FeedStatus>>;
  /** The stored status whatever its URL (for !feeds), or undefined when never polled. */
  peek(feed: string): Promise<FeedStatus | undefined>;
  setStatus(feed: string, status: FeedStatus): Promise<void>;
  seen(feed: string): Promise<Map<string, number>>;
  /** Stores the seen ids, keeping every id in `current` and the newest others up to a bound. */
  setSeen(feed: string, seen: Map<string, number>, current: ReadonlySet<string>): Promise<void>;
  outbox(feed: string): Promise<OutboxItem[]>;
  setOutbox(feed: string, items: readonly OutboxItem[]): Promise<void>;
  /** Forgets everything about a feed (nobody follows it: the next follower starts silent). */
  forget(feed: string): Promise<void>;
}

type StateDoc = FeedStatus | OutboxDoc;

export function createFeedState(store: Store): FeedState {
  const state: KV<StateDoc> = store.namespace<StateDoc>("feed-state");
  const seenKv: KV<SeenDoc> = store.namespace<SeenDoc>("seen");
  const peek = async (feed: string): Promise<FeedStatus | undefined> => (await state.get(`status:${feed}`)) as FeedStatus | undefined;
  return {
    peek,
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
    async seen(feed) {
      const doc = await seenKv.get(feed);
      return new Map(Object.entries(doc?.ids ?? {}));
    },
    async setSeen(feed, seen, current) {
      const others = [...seen].filter(([id]) => !current.has(id)).sort((a, b) => b[1] - a[1]).slice(0, SEEN_KEEP);
      const ids: Record<string, number> = {};
      for (const [id, at] of seen) if (current.has(id)) ids[id] = at;
      for (const [id, at] of others) ids[id] = at;
      await seenKv.set(feed, { ids });
    },
    async outbox(feed) {
      const doc = (await state.get(`outbox:${feed}`)) as OutboxDoc | undefined;
      if (!doc) return [];
      const out: OutboxItem[] = [];
      for (const i of doc.items) {
        const entry = doc.entries[i.entry];
        if (entry) out.push({ room: i.room, entry, deliveryId: i.deliveryId, attempts: i.attempts });
      }
      return out;
    },
    async setOutbox(feed, items) {
      if (items.length === 0) {
        await state.delete(`outbox:${feed}`);
        return;
      }
      const entries: Record<string, PostEntry> = {};
      for (const i of items) entries[i.entry.id] ??= i.entry;
      await state.set(`outbox:${feed}`, {
        entries,
        items: items.map((i) => ({ room: i.room, entry: i.entry.id, deliveryId: i.deliveryId, attempts: i.attempts })),
      });
    },
    async forget(feed) {
      await state.delete(`status:${feed}`);
      await state.delete(`outbox:${feed}`);
      await seenKv.delete(feed);
    },
  };
}
