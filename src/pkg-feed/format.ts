/** The text of package feed posts, confirmations and !subscriptions lines. */
import type { Reply } from "../core/reply.js";
import { link, textBlock } from "../core/reply.js";
import type { PostEntry } from "../feeds/state.js";
import type { PkgEvent, Seen } from "./versions.js";

/** Versions come from upstream: control characters go, and a long one is cut. */
const VERSION_MAX = 64;

export function versionText(v: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = v.replace(/[\u0000-\u001f\u007f]/gu, "").trim();
  if (clean === "") return "(no version)";
  const chars = [...clean];
  return chars.length > VERSION_MAX ? `${chars.slice(0, VERSION_MAX - 1).join("")}…` : clean;
}

/** "hyprland 0.52.1 → 0.53.0 in nixos-unstable", "… is no longer in …", "… is now in … (version …)". */
export function eventTitle(e: Pick<PkgEvent, "attr" | "channel" | "from" | "to">): string {
  if (e.to === null) return `${e.attr} is no longer in ${e.channel}`;
  if (e.from === null) return e.to === "" ? `${e.attr} is now in ${e.channel}` : `${e.attr} is now in ${e.channel} (version ${versionText(e.to)})`;
  return `${e.attr} ${versionText(e.from)} → ${versionText(e.to)} in ${e.channel}`;
}

/** The post of an event, kept in the outbox until sent. */
export function eventPost(e: PkgEvent, searchUrl: string): PostEntry {
  return { id: e.id, title: eventTitle(e), link: searchUrl, published: new Date(e.at).toISOString() };
}

/** A post: one line, and the package on search.nixos.org. */
export function formatEventPost(entry: PostEntry): Reply {
  return { blocks: [entry.link ? textBlock(`📦 ${entry.title} — `, link("search.nixos.org", entry.link)) : textBlock(`📦 ${entry.title}`)] };
}

/** "0.53.0 in nixos-unstable", "not in nixos-26.05", "nixos-26.05 not read yet". */
export function stateText(channel: string, seen: Seen | undefined): string {
  if (seen === undefined) return `${channel} not read yet`;
  if (seen === null) return `not in ${channel}`;
  return `${versionText(seen)} in ${channel}`;
}
