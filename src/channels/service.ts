/**
 * What commands, the feed job and other features use of the channels: the cached snapshot, the
 * current heads, the tracker (previous revisions), and the channel feeds' source.
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { withDeadline } from "../core/deadline.js";
import { UserError } from "../core/errors.js";
import type { FeedDef } from "../feeds/feed-def.js";
import type { Store } from "../storage/store.js";
import { createChannelMirror } from "../upstream/channels.js";
import type { Http } from "../upstream/http.js";
import { createPrometheus } from "../upstream/prometheus.js";
import { createChannelFeedSource } from "./feed.js";
import { CHANNEL_FEED_PATTERN, channelFeed, channelOfFeed, channelsFeed } from "./feed-defs.js";
import type { FeedProvider } from "../feeds/provider.js";
import { channelUrls, type ChannelUrls } from "./urls.js";
import type { ChannelSnapshot } from "./snapshot.js";
import { createChannelSource } from "./source.js";
import type { TrackedChannel } from "./history.js";

export interface ChannelsService {
  /** Every channel, at most `channels.cacheSeconds` (≤ 60 s) old. */
  snapshot(): Promise<ChannelSnapshot>;
  /**
   * Current channel name -> revision (40 hex), from the same cached snapshot. For features that
   * need "which revision is in which channel" without asking GitHub (pull-request tracking).
   */
  heads(): Promise<ReadonlyMap<string, string>>;
  /** What nixie's channel feeds recorded of a channel (its previous revision), if anything. */
  tracked(channel: string): Promise<TrackedChannel | undefined>;
  readonly urls: ChannelUrls;
  /**
   * Channel names for autocomplete, current ones first: from the snapshot when it comes within
   * `timeoutMs`, else the names of the last snapshot nixie stored.
   */
  names(timeoutMs: number): Promise<string[]>;
  /**
   * The channel feeds for the feed catalog: `channels` and `channel:<name>` for every channel
   * nixie knows; a `channel:<name>` that names no channel nixie can see now is refused.
   */
  readonly feedProvider: FeedProvider;
}

export function createChannelsService(deps: { config: Config; http: Http; store: Store; log: Logger; now?: () => number }): ChannelsService {
  const c = deps.config.channels;
  const log = deps.log.child({ feature: "channels" });
  const source = createChannelSource({
    prometheus: createPrometheus({ baseUrl: c.prometheusUrl, http: deps.http }),
    mirror: createChannelMirror({ baseUrl: c.channelsUrl, http: deps.http }),
    store: deps.store,
    cacheMs: c.cacheSeconds * 1000,
    fallbackChannels: c.fallbackChannels,
    statusUrl: c.statusUrl,
    log,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const urls = channelUrls(c);
  const feedSource = createChannelFeedSource({ source, store: deps.store, urls, log, ...(deps.now ? { now: deps.now } : {}) });
  /** `channel:<name>` for every channel nixie knows, followed or not. */
  async function channelFeeds(): Promise<FeedDef[]> {
    // The last snapshot's channels, and those the tracker remembers (one may be missing for a while).
    const [known, tracker] = await Promise.all([source.known(), feedSource.tracker()]);
    const names = [...new Set([...known.all, ...Object.keys(tracker.channels)])].sort();
    return names.map((n) => channelFeed(c, `channel:${n}`)).filter((f): f is FeedDef => f !== undefined);
  }
  /** Throws a UserError when `channel:<name>` names no channel nixie can see now. */
  async function admit(feed: FeedDef): Promise<void> {
    const channel = channelOfFeed(feed.name);
    if (channel === undefined) return;
    const snap = await source.snapshot();
    if (snap.channels.some((ch) => ch.name === channel)) return;
    const names = snap.channels.filter((ch) => ch.current).map((ch) => ch.name);
    throw new UserError(`There is no channel "${channel}" now. Current channels: ${names.join(", ")}.`);
  }
  return {
    snapshot: () => source.snapshot(),
    heads: () => source.heads(),
    async tracked(channel) {
      return (await feedSource.tracker()).channels[channel];
    },
    urls,
    async names(timeoutMs) {
      const snap = await withDeadline(
        source.snapshot().catch(() => undefined),
        { ms: timeoutMs },
        () => undefined,
      );
      if (snap) return [...snap.channels].sort((a, b) => Number(b.current) - Number(a.current)).map((ch) => ch.name);
      const known = await source.known();
      return [...known.current, ...known.all.filter((n) => !known.current.includes(n))];
    },
    feedProvider: {
      kind: "channels",
      source: feedSource,
      patterns: [{ pattern: CHANNEL_FEED_PATTERN, description: "one channel's advances and stuck warnings, e.g. channel:nixos-unstable" }],
      fixed: () => [channelsFeed(c)],
      get: (name) => channelFeed(c, name.trim().toLowerCase()),
      known: channelFeeds,
      admit: async (feed) => {
        await admit(feed);
        return undefined;
      },
    },
  };
}
