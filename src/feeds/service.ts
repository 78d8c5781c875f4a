/** What commands see of the feeds: the catalog, each feed's poll status, and recent entries. */
import type { FeedFetcher } from "../upstream/feeds.js";
import type { Deadline } from "../upstream/http.js";
import type { FeedCatalog, FeedDef } from "./catalog.js";
import { entryId } from "./entries.js";
import { capturePost } from "./format.js";
import { asOfRound, type FeedState, type FeedStatus, type PostEntry } from "./state.js";

export interface FeedsService {
  readonly catalog: FeedCatalog;
  /**
   * The last poll status of each feed that has one (feeds nobody follows have none), in two store
   * round trips however many feeds (for !feeds, !subscriptions).
   */
  statuses(feeds: readonly FeedDef[]): Promise<Map<string, FeedStatus>>;
  /** The newest entries of a feed by publication date (read live, cached for a few minutes). */
  latest(feed: FeedDef, count: number, opts?: Deadline): Promise<PostEntry[]>;
}

export function createFeedsService(deps: { catalog: FeedCatalog; state: FeedState; fetcher: FeedFetcher; cacheTtlMs: number }): FeedsService {
  return {
    catalog: deps.catalog,
    async statuses(feeds) {
      const [docs, round] = await Promise.all([deps.state.peekMany(feeds.map((f) => f.name)), deps.state.lastRound()]);
      const out = new Map<string, FeedStatus>();
      feeds.forEach((f, i) => {
        const s = docs[i];
        if (s && s.url === f.url) out.set(f.name, asOfRound(s, round));
      });
      return out;
    },
    async latest(feed, count, opts = {}) {
      const parsed = await deps.fetcher.read(feed.url, deps.cacheTtlMs, opts);
      const entries: PostEntry[] = [];
      for (const item of parsed.items) {
        const id = entryId(item, feed.kind);
        if (id !== undefined) entries.push(capturePost(item, id));
      }
      // Playlist feeds list entries in playlist order, not newest first: sort ourselves.
      entries.sort((a, b) => (b.published ?? "").localeCompare(a.published ?? ""));
      return entries.slice(0, count);
    },
  };
}
