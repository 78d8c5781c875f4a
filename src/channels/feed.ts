/**
 * The channel feeds' source for the feed watcher. Once per poll it takes a fresh snapshot (three
 * Prometheus requests however many rooms and channel feeds), applies it to the stored tracker, and
 * stores the result; then each channel feed reads the events of its channels from the tracker's
 * event log. Entry ids are the events' ids, so the watcher's seen lists, outbox and delivery ids
 * make every post happen exactly once, as for the RSS feeds.
 */
import type { Logger } from "pino";
import type { FeedDef } from "../feeds/feed-def.js";
import type { FeedSource, PollRound, SourceEntry } from "../feeds/source.js";
import type { PostEntry } from "../feeds/state.js";
import type { KV, Store } from "../storage/store.js";
import { CHANNELS_FEED, channelOfFeed } from "./feed-defs.js";
import type { ChannelUrls } from "./urls.js";
import type { ChannelSource } from "./source.js";
import { intervalText, shortRev, utcMinute } from "./thresholds.js";
import { emptyTracker, track, type ChannelEvent, type TrackerDoc } from "./history.js";

export const TRACKER_KEY = "tracker";

/** The post of one event: a title linking to the comparison (or the commit), for the generic feed card. */
export function eventPost(e: ChannelEvent, urls: ChannelUrls): PostEntry {
  const published = new Date(e.at).toISOString();
  if (e.kind === "stuck") {
    return {
      id: e.id,
      title: `${e.channel} is stuck: no update for 10 days (still at ${shortRev(e.from)}, since ${utcMinute(e.fromTime)})`,
      link: urls.status,
      published,
    };
  }
  const to = e.to ?? "";
  const after = intervalText((e.toTime ?? e.at) - e.fromTime);
  const verb = e.kind === "recovered" ? "recovered after being stuck" : "advanced";
  return {
    id: e.id,
    title: `${e.channel} ${verb}: ${shortRev(e.from)} → ${shortRev(to)}, ${after} after the previous one`,
    link: urls.compare(e.from, to),
    published,
  };
}

export interface ChannelFeedSource extends FeedSource {
  /** The tracker as last stored (for !channel's "previous revision"). */
  tracker(): Promise<TrackerDoc>;
}

export function createChannelFeedSource(deps: { source: ChannelSource; store: Store; urls: ChannelUrls; log: Logger; now?: () => number }): ChannelFeedSource {
  const now = deps.now ?? Date.now;
  const kv: KV<TrackerDoc> = deps.store.namespace<TrackerDoc>("channels");
  const rounds = new WeakMap<PollRound, Promise<TrackerDoc>>();
  const load = async (): Promise<TrackerDoc> => (await kv.get(TRACKER_KEY)) ?? emptyTracker();

  /** One fresh snapshot per poll, applied to the tracker and stored before any feed reads it. */
  async function update(): Promise<TrackerDoc> {
    const snap = await deps.source.snapshot({ maxAgeMs: 0 });
    const { doc, events } = track(await load(), snap, now());
    await kv.set(TRACKER_KEY, doc);
    for (const e of events) deps.log.info({ channel: e.channel, event: e.kind, id: e.id }, "channel event");
    return doc;
  }

  return {
    tracker: load,
    async read(feed: FeedDef, _validators, round) {
      let p = rounds.get(round);
      if (!p) {
        p = update();
        rounds.set(round, p);
      }
      const doc = await p;
      const channel = channelOfFeed(feed.name);
      const mine = doc.events.filter((e) => (channel === undefined ? feed.name === CHANNELS_FEED && e.current : e.channel === channel));
      // Newest first, as a feed lists its entries.
      const entries: SourceEntry[] = mine
        .slice()
        .reverse()
        .map((e) => ({ id: e.id, published: new Date(e.at).toISOString(), post: () => eventPost(e, deps.urls) }));
      return { status: "ok", entries, validators: {} };
    },
  };
}
