/**
 * Builds the feed and event services from config (for src/services.ts) and the polling job (for
 * src/bot.ts): the job finds what is new, queues it in the outbox and delivers the feeds' queues.
 * Plain factories; nothing starts until the job is started.
 */
import type { Logger } from "pino";
import { resolveFromRoot, type Config } from "../config.js";
import type { Outbox } from "../delivery/outbox.js";
import { loadCuratedEvents } from "../events/curated.js";
import { createEventsService, type EventsService } from "../events/service.js";
import { createPollJob } from "../jobs/scheduler.js";
import type { Store } from "../storage/store.js";
import { createDiscourseEvents } from "../upstream/discourse.js";
import { createFeedFetcher, type FeedFetcher } from "../upstream/feeds.js";
import type { Http } from "../upstream/http.js";
import { buildCatalog, type FeedCatalog } from "./catalog.js";
import type { FeedProvider } from "./provider.js";
import { createFeedsService, type FeedsService } from "./service.js";
import { createFeedState } from "./state.js";
import { createSubscriptions, type Subscriptions } from "./subscriptions.js";
import { createFeedWatcher, type FeedEvent, type PollReport } from "./watcher.js";

/** How long !event and !nixhour reuse an upstream answer. */
export const READ_CACHE_MS = 10 * 60_000;

function fetcherFor(config: Pick<Config, "feeds">, http: Http): FeedFetcher {
  return createFeedFetcher({ http, maxBodyBytes: config.feeds.maxBodyBytes });
}

export function createFeedServices(deps: { config: Config; http: Http; store: Store; log: Logger; providers: readonly FeedProvider[] }): {
  subscriptions: Subscriptions;
  feeds: FeedsService;
  events: EventsService;
} {
  const { config, http, store, log } = deps;
  const fetcher = fetcherFor(config, http);
  const catalog = buildCatalog(config, deps.providers);
  const curated = config.events.file === "" ? [] : loadCuratedEvents(resolveFromRoot(config.events.file));
  return {
    subscriptions: createSubscriptions(store),
    feeds: createFeedsService({ catalog, state: createFeedState(store), fetcher, cacheTtlMs: READ_CACHE_MS }),
    events: createEventsService({
      discourse: createDiscourseEvents({ baseUrl: config.discourse.url, http, fetcher, cacheTtlMs: READ_CACHE_MS }),
      curated: () => curated,
      log,
    }),
  };
}

/** The feed poll on its schedule, and a way to run one poll now and wait for it (tests). */
export interface FeedJob {
  start(): void;
  stop(): Promise<void>;
  /** Runs one poll now (after a poll in progress, if any) and resolves with what it did. */
  pollNow(): Promise<PollReport>;
}

export interface FeedJobOptions {
  /** Its feeds.* settings: schedule, caps, backoff, pacing, body size. */
  readonly config: Pick<Config, "feeds">;
  readonly http: Http;
  readonly store: Store;
  readonly catalog: FeedCatalog;
  readonly subscriptions: Subscriptions;
  /** Where new entries are queued for delivery (src/delivery/). */
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Gate for each scheduled poll (a leader lease when several instances share a store). */
  readonly shouldRun?: () => Promise<boolean>;
  /** Observer for metrics. */
  readonly onEvent?: (e: FeedEvent) => void;
}

export function createFeedJob(opts: FeedJobOptions): FeedJob {
  const { config, http, store } = opts;
  const log = opts.log.child({ job: "feeds" });
  const watcher = createFeedWatcher({
    catalog: opts.catalog,
    subscriptions: opts.subscriptions,
    fetcher: fetcherFor(config, http),
    state: createFeedState(store),
    outbox: opts.outbox,
    backoffCapSeconds: config.feeds.backoffCapSeconds,
    log,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  return createPollJob({
    cron: config.feeds.cron,
    name: "feeds",
    poll: () => watcher.poll(),
    log,
    ...(opts.shouldRun ? { shouldRun: opts.shouldRun } : {}),
  });
}
