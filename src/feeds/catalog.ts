/**
 * The configured feeds: the four built-in ones (Discourse announcements, security, events and the
 * Nix Hour) plus operator-added `feeds.extra`. Chat users choose only among these names.
 */
import { CHANNEL_FEED_PATTERN, channelFeed, channelsFeed } from "../channels/feed-defs.js";
import type { Config } from "../config.js";

/** How entries of a feed are identified and formatted. */
export type FeedKind = "discourse" | "youtube" | "generic" | "channels";

export interface FeedDef {
  /** Short name users type: `!subscribe announcements`. */
  readonly name: string;
  readonly title: string;
  readonly url: string;
  readonly kind: FeedKind;
  /** A page for people (the category, the playlist), for "and N more" lines; else the feed URL. */
  readonly siteUrl: string;
}

export interface FeedCatalog {
  /** Every configured feed, built-ins first. */
  list(): readonly FeedDef[];
  get(name: string): FeedDef | undefined;
  /** Feed names with a part users fill in, as shown in help: `channel:<name>`. */
  readonly patterns?: readonly string[];
}

/** Joins a base URL and a path without doubling or losing slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

const NIXHOUR_PLAYLIST = /[?&]playlist_id=([A-Za-z0-9_-]+)/;

function kindOf(url: string, discourseUrl: string): FeedKind {
  if (url.startsWith(discourseUrl.replace(/\/+$/, "") + "/")) return "discourse";
  try {
    const host = new URL(url).hostname;
    if (host === "youtube.com" || host.endsWith(".youtube.com")) return "youtube";
  } catch {
    // validated in config; fall through
  }
  return "generic";
}

/** Builds the catalog from config. Names are unique: an extra feed cannot replace a built-in. */
export function buildCatalog(config: Config): FeedCatalog {
  const d = config.discourse.url;
  const category = (path: string): { url: string; siteUrl: string } => ({ url: joinUrl(d, `${path}.rss`), siteUrl: joinUrl(d, path) });
  const feeds: FeedDef[] = [
    { name: "announcements", title: "NixOS Discourse: Announcements", kind: "discourse", ...category("c/announcements/8") },
    { name: "security", title: "NixOS Discourse: Security announcements", kind: "discourse", ...category("c/announcements/security/56") },
    { name: "events", title: "NixOS Discourse: Events", kind: "discourse", ...category("c/events/13") },
  ];
  const nixhour = config.feeds.nixhourUrl;
  if (nixhour !== "") {
    const playlist = NIXHOUR_PLAYLIST.exec(nixhour)?.[1];
    feeds.push({
      name: "nixhour",
      title: "The Nix Hour",
      url: nixhour,
      kind: "youtube",
      siteUrl: playlist ? `https://www.youtube.com/playlist?list=${playlist}` : nixhour,
    });
  }
  for (const extra of config.feeds.extra) {
    if (feeds.some((f) => f.name === extra.name)) continue; // config validation reports duplicates
    feeds.push({ name: extra.name, title: extra.title, url: extra.url, kind: kindOf(extra.url, d), siteUrl: extra.url });
  }
  feeds.push(channelsFeed(config.channels));
  const byName = new Map(feeds.map((f) => [f.name, f]));
  return {
    patterns: [CHANNEL_FEED_PATTERN],
    list: () => feeds,
    get: (name) => {
      const n = name.trim().toLowerCase();
      return byName.get(n) ?? channelFeed(config.channels, n);
    },
  };
}
