/**
 * A feed provider: a feature that offers feeds of its own kind to the feed catalog, beside the
 * RSS/Atom feeds from config. The channel status provides `channels` and `channel:<name>`; later
 * features provide theirs (`hydra:<attr>`, `pkg:<attr>`) the same way. The catalog asks providers
 * for names it does not know, the watcher reads each provider's feeds with the provider's source,
 * and !subscribe lets the provider refuse a feed that cannot be followed (no such channel, a cap).
 *
 * The feature decides only what is new (its source's entries with stable ids); first sight, seen
 * ids, the outbox, delivery ids and health are the watcher's and the outbox's, the same for all.
 */
import type { RoomRef } from "../core/adapter.js";
import type { Reply, RichText } from "../core/reply.js";
import type { FeedDef } from "./feed-def.js";
import type { FeedSource } from "./source.js";
import type { PostEntry } from "./state.js";

/** A family of feed names users type, for !feeds, help and the "no such feed" message. */
export interface FeedPattern {
  /** As users type it: `channel:<name>`. */
  readonly pattern: string;
  /** One line: what a room gets, with an example name. */
  readonly description: string;
}

export interface FeedProvider {
  /** The kind of every feed it makes (FeedDef.kind); the watcher reads those with `source`. */
  readonly kind: string;
  /** Reads the entries of this provider's feeds. */
  readonly source: FeedSource;
  readonly patterns: readonly FeedPattern[];
  /**
   * The feed a name means, checked for form only (no request), or undefined when the name is not
   * one of this provider's. Names arrive trimmed and lower-cased only where the provider says so:
   * it gets the name as typed and normalises it itself.
   */
  get(name: string): FeedDef | undefined;
  /**
   * Why a name that looks like one of this provider's (`pkg:foo bar`) is not a feed, for the
   * "no such feed" message; undefined for names it does not claim.
   */
  explain?(name: string): string | undefined;
  /**
   * Autocomplete: feed names of its own that start like `partial` (`pkg:hypr`), [] for others.
   * `signal` fires at the autocomplete's deadline (pass it to upstream calls); `deadline` is the
   * same, deprecated.
   */
  complete?(partial: string, opts: { readonly deadline: number; readonly signal?: AbortSignal }): Promise<readonly string[]>;
  /** Feeds it offers whether or not a room follows them (listed by !feeds; polled when followed). */
  fixed?(): readonly FeedDef[];
  /** Feeds it knows of now beyond `fixed` (every channel nixie sees), for polling and !feeds. */
  known?(): Promise<readonly FeedDef[]>;
  /**
   * Before a room subscribes: throws a UserError when the feed cannot be followed now (no such
   * channel or package, a cap reached), naming why; may return a line for the confirmation
   * (the package's current versions). `followed` is every feed name of this provider that some
   * room follows (for per-instance caps); `roomFeeds` the feeds this room follows. `signal` fires
   * at the command's deadline (pass it to upstream calls); `deadline` is the same, deprecated.
   */
  admit?(
    feed: FeedDef,
    where: { readonly room: RoomRef; readonly roomFeeds: readonly string[]; readonly followed: readonly string[]; readonly deadline: number; readonly signal: AbortSignal },
  ): Promise<RichText | undefined>;
  /** A post of an entry of one of its feeds; the generic feed card when absent. */
  format?(feed: FeedDef, entry: PostEntry): Reply;
  /** One line of state per followed feed for !subscriptions (the last version seen), if any. */
  describe?(feed: FeedDef): Promise<string | undefined>;
}
