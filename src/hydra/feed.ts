/**
 * The `hydra:<attr>` and `hydra:<attr>@<channel>` feeds: names, the caps checked before a room
 * subscribes, and the source the feed watcher reads. The source makes no request: it serves the
 * events the sweep stored (one stored read per poll however many `hydra:` feeds are followed).
 */
import type { Config } from "../config.js";
import { UserError } from "../core/errors.js";
import type { FeedDef } from "../feeds/feed-def.js";
import type { FeedSource, PollRound, SourceEntry } from "../feeds/source.js";
import type { Hydra } from "../upstream/hydra.js";
import { eventPost } from "./format.js";
import type { HydraEvent } from "./history.js";
import { checkAttr, resolveChannel, type HydraTarget } from "./jobsets.js";

export const HYDRA_FEED_KIND = "hydra";
const PREFIX = "hydra:";

/** A `hydra:` feed's attribute and jobset. */
export interface HydraFeedTarget {
  readonly attr: string;
  readonly target: HydraTarget;
}

/**
 * What a `hydra:` name means, or undefined when it is not one (or not a valid one). The prefix and
 * channel are case-insensitive; the attribute keeps its case (`SDL2` is not `sdl2`). "stable" is
 * not accepted here: a feed follows one jobset, so it names the release.
 */
export function parseHydraFeed(config: Config["hydra"], name: string): HydraFeedTarget | undefined {
  const n = name.trim();
  if (n.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return undefined;
  const rest = n.slice(PREFIX.length);
  const at = rest.indexOf("@");
  const attrPart = at < 0 ? rest : rest.slice(0, at);
  const channelPart = at < 0 ? undefined : rest.slice(at + 1).toLowerCase();
  if (channelPart === "stable" || channelPart === "nixos-stable") return undefined;
  try {
    return { attr: checkAttr(attrPart), target: resolveChannel(config, channelPart === undefined || channelPart === "" ? undefined : channelPart) };
  } catch {
    return undefined;
  }
}

/** The feed's own name: the channel is written only when given (so `hydra:hello` stays `hydra:hello`). */
export function hydraFeedDef(hydra: Hydra, config: Config["hydra"], name: string): FeedDef | undefined {
  const t = parseHydraFeed(config, name);
  if (!t) return undefined;
  const given = name.trim().includes("@");
  const canonical = given ? `${PREFIX}${t.attr}@${t.target.channel}` : `${PREFIX}${t.attr}`;
  return {
    name: canonical,
    title: `Hydra: ${t.attr} in ${t.target.channel}`,
    // What the watcher's stored state belongs to: the jobset and attribute.
    url: `${hydra.jobUrl(t.target.project, t.target.jobset)}#${encodeURIComponent(t.attr)}`,
    kind: HYDRA_FEED_KIND,
    siteUrl: hydra.jobUrl(t.target.project, t.target.jobset),
  };
}

/** `project/jobset|attr`: two feed names for the same job count once toward the instance cap. */
export const watchedKey = (t: HydraFeedTarget): string => `${t.target.project}/${t.target.jobset}|${t.attr}`;

/** Refuses a subscription that would pass a cap, saying which. */
export function checkCaps(config: Config["hydra"], feed: HydraFeedTarget, roomFeeds: readonly string[], followed: readonly string[]): void {
  const inRoom = roomFeeds.filter((n) => n.toLowerCase().startsWith(PREFIX)).length;
  if (inRoom >= config.maxSubscriptionsPerRoom)
    throw new UserError(`This room follows ${inRoom} hydra: feeds, the most nixie allows per room (${config.maxSubscriptionsPerRoom}). Unsubscribe from one first.`);
  const watched = new Set(followed.flatMap((n) => parseHydraFeed(config, n) ?? []).map(watchedKey));
  if (!watched.has(watchedKey(feed)) && watched.size >= config.maxWatchedJobs)
    throw new UserError(`nixie already watches ${watched.size} Hydra jobs, the most it watches at once (${config.maxWatchedJobs}). Ask the operators, or follow one that is watched already.`);
}

/** The source: the stored events of the feed's jobset and attribute, newest first. */
export function createHydraFeedSource(deps: { hydra: Hydra; config: Config["hydra"]; events: () => Promise<readonly HydraEvent[]> }): FeedSource {
  const rounds = new WeakMap<PollRound, Promise<readonly HydraEvent[]>>();
  return {
    async read(feed, _validators, round) {
      const t = parseHydraFeed(deps.config, feed.name);
      if (!t) throw new Error(`${feed.name} is not a hydra: feed`);
      let p = rounds.get(round);
      if (!p) {
        p = deps.events();
        rounds.set(round, p);
      }
      const mine = (await p).filter((e) => e.project === t.target.project && e.jobset === t.target.jobset && e.attr === t.attr);
      const entries: SourceEntry[] = mine
        .slice()
        .reverse()
        .map((e) => ({ id: e.id, published: new Date(e.at).toISOString(), post: () => eventPost(deps.hydra, e) }));
      return { status: "ok", entries, validators: {} };
    },
  };
}
