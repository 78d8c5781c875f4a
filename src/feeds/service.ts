/** What commands see of the feeds: the catalog, each feed's poll status, and recent entries. */
import type { FeedFetcher } from "../upstream/feeds.js";
import type { Deadline } from "../upstream/http.js";
import type { FeedCatalog, FeedDef } from "./catalog.js";
import { entryId } from "./entries.js";
import { capturePost } from "./format.js";
import { asOfRound, type FeedState, type FeedStatus, type PostEntry } from "./state.js";

export interface FeedsService {
  readonly catalog: FeedCatalog;
  /** The last poll status, or undefined when the feed has not been polled (nobody follows it). */
  status(name: string): Promise<FeedStatus | undefined>;
  /** The newest entries of a feed by publication date (read live, cached for a few minutes). */
  latest(feed: FeedDef, count: number, opts?: Deadline): Promise<PostEntry[]>;
}

export function createFeedsService(deps: { catalog: FeedCatalog; state: FeedState; fetcher: FeedFetcher; cacheTtlMs: number }): FeedsService {
  return {
    catalog: deps.catalog,
    async status(name) {
      const feed = deps.catalog.get(name);
      const [s, round] = await Promise.all([deps.state.peek(name), deps.state.lastRound()]);
      return feed && s && s.url === feed.url ? asOfRound(s, round) : undefined;
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
