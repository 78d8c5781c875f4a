/**
 * The feeds users can follow: the built-in RSS/Atom ones (Discourse announcements, security,
 * events and the Nix Hour), operator-added `feeds.extra`, and the feeds of the providers that
 * features register (channels, …; see provider.ts). Chat users choose only among these names.
 */
import type { Config } from "../config.js";
import type { FeedDef, FeedKind } from "./feed-def.js";
import type { FeedPattern, FeedProvider } from "./provider.js";

export type { FeedDef, FeedKind } from "./feed-def.js";

export interface FeedCatalog {
  /** Every configured feed, built-ins first, then the providers' fixed feeds. */
  list(): readonly FeedDef[];
  /** The feed a name means: a configured one, or one a provider makes of it (`channel:<name>`). */
  get(name: string): FeedDef | undefined;
  /** Feed names with a part users fill in, as shown in help and !feeds: `channel:<name>`. */
  readonly patterns: readonly FeedPattern[];
  readonly providers: readonly FeedProvider[];
  /** The provider whose kind the feed is, or undefined for an RSS/Atom feed. */
  providerOf(feed: FeedDef): FeedProvider | undefined;
  /** `list()` plus the feeds providers know of now (every channel nixie sees). */
  known(): Promise<FeedDef[]>;
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

/**
 * Builds the catalog from config and the providers. Names are unique: an extra feed cannot
 * replace a built-in, and a provider's names (with their `:`) cannot clash with config names.
 */
export function buildCatalog(config: Config, providers: readonly FeedProvider[] = []): FeedCatalog {
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
  return catalogOf(feeds, providers);
}

/** A catalog of the given RSS/Atom feeds and the providers' feeds (tests build one directly). */
export function catalogOf(configured: readonly FeedDef[], providers: readonly FeedProvider[] = []): FeedCatalog {
  const feeds = [...configured];
  for (const p of providers) for (const f of p.fixed?.() ?? []) if (!feeds.some((x) => x.name === f.name)) feeds.push(f);
  const byName = new Map(feeds.map((f) => [f.name, f]));
  const byKind = new Map(providers.map((p) => [p.kind, p]));
  return {
    patterns: providers.flatMap((p) => p.patterns),
    providers,
    list: () => feeds,
    get: (name) => {
      const fixed = byName.get(name.trim().toLowerCase());
      if (fixed) return fixed;
      for (const p of providers) {
        const f = p.get(name);
        if (f) return f;
      }
      return undefined;
    },
    providerOf: (feed) => byKind.get(feed.kind),
    async known() {
      const extra = (await Promise.all(providers.map((p) => (p.known ? p.known() : Promise.resolve([]))))).flat();
      const out = [...feeds];
      const names = new Set(feeds.map((f) => f.name));
      for (const f of extra) {
        if (names.has(f.name)) continue;
        names.add(f.name);
        out.push(f);
      }
      return out;
    },
  };
}
