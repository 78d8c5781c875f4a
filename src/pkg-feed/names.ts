/**
 * The names of package feeds, checked for form only: `pkg:<attr>` (the default channels) and
 * `pkg:<attr>@<channel>` (one channel). An attribute is a plain attribute path; anything else is
 * refused with a message before any request.
 *
 * Channels have two spellings: the channel's name (`nixos-unstable`, `nixos-26.05`), which users
 * and the channel status use, and the search index's channel id (`unstable`, `26.05`, config
 * `search.channels`), which names the index `latest-<schema>-nixos-<id>`. The index only holds
 * `nixos-` channels, so `nixos-<id>` <-> `<id>` is the whole mapping.
 */
import { CHANNEL_NAME } from "../upstream/channels.js";

export const PKG_PREFIX = "pkg:";
export const PKG_PATTERN = `${PKG_PREFIX}<attr>`;
export const ATTR_MAX_CHARS = 200;
/** Letters, digits, `_`, `-`, `+`, dot-separated, no empty part. */
export const ATTR_PATH = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*$/;
/** The channel that every `pkg:<attr>` feed follows beside the newest stable release. */
export const ROLLING_CHANNEL = "nixos-unstable";
/** A NixOS release channel: `nixos-26.05` (not `-small`, not `nixpkgs-`: the index has neither). */
export const RELEASE_CHANNEL = /^nixos-(\d{2})\.(\d{2})$/;

export interface PkgFeedName {
  readonly attr: string;
  /** The one channel the feed follows; undefined: the default channels. */
  readonly channel: string | undefined;
}

/** `pkg:hyprland@unstable` -> {attr: hyprland, channel: nixos-unstable}; undefined when not well formed. */
export function parsePkgFeed(name: string): PkgFeedName | undefined {
  const n = name.trim();
  if (n.slice(0, PKG_PREFIX.length).toLowerCase() !== PKG_PREFIX) return undefined;
  const rest = n.slice(PKG_PREFIX.length);
  const at = rest.indexOf("@");
  const attr = at < 0 ? rest : rest.slice(0, at);
  if (!isAttrPath(attr)) return undefined;
  if (at < 0) return { attr, channel: undefined };
  const channel = channelName(rest.slice(at + 1));
  return channel === undefined ? undefined : { attr, channel };
}

/** The canonical feed name: the one stored in subscriptions. */
export function pkgFeedName(f: PkgFeedName): string {
  return f.channel === undefined ? `${PKG_PREFIX}${f.attr}` : `${PKG_PREFIX}${f.attr}@${f.channel}`;
}

export function isAttrPath(attr: string): boolean {
  return attr.length <= ATTR_MAX_CHARS && ATTR_PATH.test(attr);
}

/** A channel as typed, lower-cased; an index id (`unstable`, `26.05`) becomes its channel name. */
export function channelName(input: string): string | undefined {
  const c = input.trim().toLowerCase();
  if (c === "unstable" || /^\d{2}\.\d{2}$/.test(c)) return `nixos-${c}`;
  return CHANNEL_NAME.test(c) ? c : undefined;
}

/** `nixos-unstable` -> `unstable`, `nixos-26.05` -> `26.05`; undefined for channels the index does not hold. */
export function indexIdOf(channel: string): string | undefined {
  if (channel === ROLLING_CHANNEL) return "unstable";
  return RELEASE_CHANNEL.test(channel) ? channel.slice("nixos-".length) : undefined;
}

/**
 * Why a name that starts like a package feed is not one, for the "no such feed" message; undefined
 * for names that are not package feeds at all (or are well formed).
 */
export function whyNotPkgFeed(name: string): string | undefined {
  const n = name.trim();
  if (n.slice(0, PKG_PREFIX.length).toLowerCase() !== PKG_PREFIX || parsePkgFeed(n) !== undefined) return undefined;
  const rest = n.slice(PKG_PREFIX.length);
  const at = rest.indexOf("@");
  const attr = at < 0 ? rest : rest.slice(0, at);
  if (attr === "") return `Which package? Give its attribute path: ${PKG_PREFIX}hyprland or ${PKG_PREFIX}python313Packages.requests.`;
  if (attr.length > ATTR_MAX_CHARS) return `An attribute path has at most ${ATTR_MAX_CHARS} characters.`;
  if (!ATTR_PATH.test(attr)) return `A package feed is ${PKG_PREFIX}<attribute path>: letters, digits, _, -, + and dots between names, e.g. ${PKG_PREFIX}python313Packages.requests.`;
  return `After @ comes a channel, e.g. ${PKG_PREFIX}${attr.slice(0, 40)}@${ROLLING_CHANNEL}.`;
}
