/** The channel feeds as the feed catalog knows them: `channels` (every current channel) and `channel:<name>`. */
import type { Config } from "../config.js";
import type { FeedDef } from "../feeds/feed-def.js";
import { CHANNEL_NAME } from "../upstream/channels.js";

export const CHANNELS_FEED = "channels";
export const CHANNEL_FEED_PREFIX = "channel:";
export const CHANNEL_FEED_PATTERN = `${CHANNEL_FEED_PREFIX}<name>`;

type ChannelsConfig = Config["channels"];

export function channelsFeed(c: ChannelsConfig): FeedDef {
  return { name: CHANNELS_FEED, title: "NixOS channels", url: `${c.prometheusUrl}#${CHANNELS_FEED}`, kind: "channels", siteUrl: c.statusUrl };
}

/** The `channel:<name>` feed, or undefined when `feed` is not of that form. */
export function channelFeed(c: ChannelsConfig, feed: string): FeedDef | undefined {
  const channel = channelOfFeed(feed);
  if (channel === undefined) return undefined;
  return { name: feed, title: `Channel ${channel}`, url: `${c.prometheusUrl}#${feed}`, kind: "channels", siteUrl: c.statusUrl };
}

/** "channel:nixos-unstable" -> "nixos-unstable"; undefined for other names. */
export function channelOfFeed(feed: string): string | undefined {
  if (!feed.startsWith(CHANNEL_FEED_PREFIX)) return undefined;
  const name = feed.slice(CHANNEL_FEED_PREFIX.length);
  return CHANNEL_NAME.test(name) ? name : undefined;
}
