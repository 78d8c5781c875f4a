/**
 * Starts and stops a whole bot: store, services, dispatcher, adapters, jobs. main.ts calls it with
 * the real adapters; tests call it with a test adapter.
 */
import { addressedCommand } from "./core/addressing.js";
import type { Logger } from "pino";
import { commands } from "../commands/index.js";
import type { LoadedConfig } from "./config.js";
import type { Adapter, RoomRef, SendOptions } from "./core/adapter.js";
import type { Reply } from "./core/reply.js";
import { createDispatcher, type CommandEvent, type Dispatcher } from "./core/dispatcher.js";
import { RateLimiter } from "./core/rate-limit.js";
import type { Services } from "./core/services.js";
import type { FeedEvent } from "./feeds/watcher.js";
import { createFeedJob, type FeedJob } from "./feeds/wiring.js";
import { createTrackingJob, type TrackingJob } from "./pr-tracking/wiring.js";
import { createLeader, type Leader } from "./ops/leader.js";
import { createSweepJob, type SweepJob } from "./hydra/sweep-job.js";
import { createServices } from "./services.js";
import { factoidFallback } from "./factoids/fallback.js";
import { createFnJob } from "./fn/job.js";
import { openStore, type Store } from "./storage/store.js";
import type { Http, HttpEvent } from "./upstream/http.js";

export interface BotOptions {
  readonly loaded: LoadedConfig;
  readonly log: Logger;
  /** Builds the adapters once services exist (they may need the store or dispatcher). */
  readonly adapters: (services: Services, dispatcher: Dispatcher) => Adapter[] | Promise<Adapter[]>;
  /** An already open store (tests); otherwise opened from config. */
  readonly store?: Store;
  readonly now?: () => Date;
  readonly onCommand?: (e: CommandEvent) => void;
  readonly onHttpEvent?: (e: HttpEvent) => void;
  readonly onFeedEvent?: (e: FeedEvent) => void;
  /** This instance's id in the lease (default: host, pid and a random part). */
  readonly instanceId?: string;
  /**
   * Called when an active instance with chat adapters loses its lease (the store was out of
   * reach long enough for a standby to take over), or a standby that took the lease cannot
   * connect. main.ts exits, so a supervisor restarts it; two instances must never answer in the
   * same rooms, and a lease holder must not sit there without serving them.
   */
  readonly onLostLease?: () => void;
  /** Replaces the HTTP layer (benchmarks use an in-memory upstream). */
  readonly http?: Http;
  /**
   * Aborted when the process shuts down during start-up: start-up then stops before taking the
   * lease or connecting, and rejects with StartCancelled.
   */
  readonly signal?: AbortSignal;
}

/** Start-up was cancelled through BotOptions.signal (a shutdown asked during start-up). */
export class StartCancelled extends Error {
  override name = "StartCancelled";
  constructor() {
    super("start-up cancelled: shutting down");
  }
}

export interface Bot {
  readonly services: Services;
  /** Sends a reply to a room through the adapter of the room's platform (feed posts). */
  sendTo(room: RoomRef, reply: Reply, opts?: SendOptions): Promise<void>;
  readonly dispatcher: Dispatcher;
  readonly adapters: readonly Adapter[];
  /**
   * The feed poll job. `pollNow()` runs one poll at once and resolves when it is done (tests use it
   * instead of waiting for the schedule).
   */
  readonly feeds: Pick<FeedJob, "pollNow">;
  /** The pull request tracking check (on the feeds' schedule); `pollNow()` for tests. */
  readonly tracking: Pick<TrackingJob, "pollNow">;
  /** The Hydra sweep (its own interval); `sweepNow()` for tests. */
  readonly hydra: Pick<SweepJob, "sweepNow">;
  /** Whether this instance holds the lease (and so runs the feed jobs). */
  readonly leader: Pick<Leader, "isLeader" | "id">;
  /** "standby" while another instance with the same store serves the chat platforms. */
  role(): "active" | "standby";
  /** Stops jobs, then adapters, then closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startBot(opts: BotOptions): Promise<Bot> {
  const { config, secrets } = opts.loaded;
  const log = opts.log;
  const store =
    opts.store ??
    (await openStore(config.store.url, {
      onError: (err) => log.error({ err: err.message }, "store error"),
    }));
  let adapters: Adapter[] = [];
  const services = createServices({
    config,
    secrets,
    log,
    store,
    adapters: () => adapters.map((a) => a.platform),
    ...(opts.onHttpEvent ? { onHttpEvent: opts.onHttpEvent } : {}),
    ...(opts.http ? { http: opts.http } : {}),
    // Both are called only once jobs run, when the adapters and the leader exist.
    send: (room, reply, sendOpts) => sendTo(room, reply, sendOpts),
    // Fencing: a holder paused past its lease sends nothing once the lease may belong to another.
    fence: () => leader.term(),
  });
  const dispatcher = createDispatcher({
    commands,
    services,
    prefix: config.prefix,
    maxMessageLength: config.input.maxMessageLength,
    maxArgLength: config.input.maxArgLength,
    rateLimiter: new RateLimiter(config.rateLimit.burst, config.rateLimit.perMinute),
    log,
    commandTimeoutMs: config.http.timeoutMs,
    unknownName: factoidFallback(services.factoids),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onCommand ? { onCommand: opts.onCommand } : {}),
  });
  // !fn's data loads in the background (stored copy, builtins dump, a fetch when due).
  services.fn.start();
  const fnJob = createFnJob({ fn: services.fn, log });
  try {
    // The evaluator's self-test decides whether !eval exists (in !help, for the dispatcher).
    await services.eval.start();
    adapters = await opts.adapters(services, dispatcher);
  } catch (e) {
    // A half-configured platform, say: the store opened here must not outlive the failed start.
    await services.fn.stop();
    if (!opts.store) await store.close();
    throw e;
  }
  // A message that addresses nixie by name ("nixie: help") is a command on every platform.
  const addressed = (m: Parameters<Dispatcher["handle"]>[0]): Parameters<Dispatcher["handle"]>[0] => {
    const text = addressedCommand(m.text, config.prefix, config.botName);
    return text === undefined ? m : { ...m, text };
  };
  // Commands first; an ordinary message may get its references expanded (outside the rate limit).
  const handler = async (m: Parameters<Dispatcher["handle"]>[0]) =>
    (await dispatcher.handle(addressed(m))) ??
    (await services.linkExpander.expand(m).catch((err: unknown) => {
      log.warn({ err: String(err) }, "reference expansion failed");
      return null;
    }));
  const sendTo = async (room: RoomRef, reply: Reply, sendOpts?: SendOptions): Promise<void> => {
    const adapter = adapters.find((a) => a.platform === room.platform);
    if (!adapter) throw new Error(`no ${room.platform} adapter is running`);
    await adapter.send(room, reply, sendOpts);
  };
  // Jobs get the parts of the services they use, not the whole bag.
  const feedJob = createFeedJob({
    config,
    http: services.http,
    store,
    catalog: services.feeds.catalog,
    subscriptions: services.subscriptions,
    outbox: services.outbox,
    log,
    shouldRun: async () => leader.isLeader(),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onFeedEvent ? { onEvent: opts.onFeedEvent } : {}),
  });
  const trackingJob = createTrackingJob({
    github: services.github,
    prStatus: services.prStatus,
    tracks: services.tracks,
    ...(services.channelHeads ? { channelHeads: services.channelHeads } : {}),
    store,
    cron: config.feeds.cron,
    outbox: services.outbox,
    log,
    shouldRun: async () => leader.isLeader(),
  });
  const hydraJob = createSweepJob({
    intervalMs: config.hydra.sweepIntervalSeconds * 1000,
    sweep: async (stopping) => services.hydra.sweep(await services.subscriptions.followed(), stopping),
    lastStart: () => services.hydra.lastSweepStart(),
    shouldRun: async () => leader.isLeader(),
    log,
  });

  // Instances sharing a store take turns through one lease. Its holder is active: it connects to
  // the chat platforms and runs the feed jobs. The others are standbys: they wait, and the first
  // to take the lease after the holder is gone becomes active. Local adapters (console, tests)
  // never wait; only their feed jobs follow the lease.
  const chatAdapters = adapters.some((a) => a.platform === "matrix" || a.platform === "discord");
  let role: "active" | "standby" = "standby";
  let activating: Promise<void> | undefined;
  let stopped = false;
  let starting = true;
  const activate = (): Promise<void> =>
    (activating ??= (async () => {
      try {
        for (const a of adapters) await a.start(handler);
      } catch (e) {
        for (const a of adapters) await a.stop().catch(() => undefined);
        throw e;
      }
      role = "active";
      feedJob.start();
      trackingJob.start();
      hydraJob.start();
      log.info({ adapters: adapters.map((a) => a.platform), store: store.backend, instance: leader.id }, "nixie is ready");
    })());
  const leader = createLeader({
    leases: store.leases,
    name: "nixie",
    ttlMs: config.feeds.leaseSeconds * 1000,
    log,
    ...(opts.instanceId ? { id: opts.instanceId } : {}),
    onChange: (isLeader) => {
      if (stopped || starting || !chatAdapters) return;
      if (isLeader && role === "standby") {
        log.info({ instance: leader.id }, "taking over from the instance that was active");
        activate().catch((e: unknown) => {
          // Holding the lease without serving the rooms would leave them without a bot.
          log.error({ err: String(e) }, "taking over failed");
          opts.onLostLease?.();
        });
      } else if (!isLeader && role === "active") {
        log.error({ instance: leader.id }, "lost the lease while active: another instance may be serving the rooms now");
        opts.onLostLease?.();
      }
    },
  });
  const cancelled = (): boolean => opts.signal?.aborted === true;
  opts.signal?.addEventListener("abort", () => leader.retire(), { once: true });
  try {
    if (cancelled()) throw new StartCancelled();
    await leader.tick();
    starting = false;
    if (cancelled()) throw new StartCancelled();
    if (!chatAdapters || leader.isLeader()) await activate();
    else
      log.info(
        { instance: leader.id, leaseSeconds: config.feeds.leaseSeconds },
        `standby: another instance holds the lease; waiting up to ${config.feeds.leaseSeconds} s for the previous instance's lease (for as long as it runs, if it still does)`,
      );
  } catch (e) {
    await leader.stop();
    await services.fn.stop();
    if (!opts.store) await store.close();
    throw e;
  }
  leader.start();
  fnJob.start();

  let stopping: Promise<void> | undefined;
  return {
    services,
    sendTo,
    dispatcher,
    adapters,
    feeds: { pollNow: () => feedJob.pollNow() },
    tracking: { pollNow: () => trackingJob.pollNow() },
    hydra: { sweepNow: () => hydraJob.sweepNow() },
    leader,
    role: () => role,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        leader.retire();
        await activating?.catch(() => undefined);
        await feedJob.stop().catch((err: unknown) => log.warn({ err: String(err) }, "feed job did not stop cleanly"));
        await trackingJob.stop().catch((err: unknown) => log.warn({ err: String(err) }, "tracking job did not stop cleanly"));
        await hydraJob.stop().catch((err: unknown) => log.warn({ err: String(err) }, "hydra sweep did not stop cleanly"));
        await leader.stop();
        await fnJob.stop();
        await services.fn.stop();
        services.eval.stop();
        // A standby never started its adapters.
        if (activating) {
          for (const a of adapters) {
            await a.stop().catch((err: unknown) => log.warn({ err: String(err), adapter: a.platform }, "adapter did not stop cleanly"));
          }
        }
        if (!opts.store) await store.close();
        log.info("nixie stopped");
      })();
      return stopping;
    },
  };
}
