/**
 * Where a feed's entries come from. The watcher does the rest the same way for every source: first
 * sight, seen ids, the outbox, delivery ids, backoff and health. RSS/Atom feeds are one source;
 * others (channel status) produce entries with stable ids from their own upstream.
 */
import type { FeedFetcher, Validators } from "../upstream/feeds.js";
import type { FeedDef } from "./feed-def.js";
import { entryId } from "./entries.js";
import { capturePost } from "./format.js";
import type { PostEntry } from "./state.js";

/** One entry of a read: its stable id, and its post, built only when the entry is new. */
export interface SourceEntry {
  readonly id: string;
  /** ISO time, for ordering a burst oldest first. */
  readonly published?: string;
  post(): PostEntry;
}

export type FeedRead = { readonly status: "not-modified" } | { readonly status: "ok"; readonly entries: readonly SourceEntry[]; readonly validators: Validators };

/**
 * The same object is handed to every read of one poll, so that a source whose feeds share one
 * upstream (every channel feed reads the same snapshot) can ask it once per poll.
 */
export interface PollRound {
  readonly at: Date;
}

export interface FeedSource {
  /** Reads the feed's current entries, newest first as a feed lists them; throws when it cannot. */
  read(feed: FeedDef, validators: Validators, round: PollRound): Promise<FeedRead>;
}

/** RSS and Atom feeds, fetched by URL with their validators. */
export function rssSource(fetcher: FeedFetcher): FeedSource {
  return {
    async read(feed, validators) {
      const result = await fetcher.fetch(feed.url, validators);
      if (result.status === "not-modified") return result;
      const entries: SourceEntry[] = [];
      const ids = new Set<string>();
      for (const item of result.feed.items) {
        const id = entryId(item, feed.kind);
        if (id === undefined || ids.has(id)) continue;
        ids.add(id);
        entries.push({ id, ...(item.published ? { published: item.published } : {}), post: () => capturePost(item, id) });
      }
      return { status: "ok", entries, validators: result.validators };
    },
  };
}
