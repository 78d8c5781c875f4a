/**
 * Starts and stops a whole bot: store, services, dispatcher, adapters, jobs. main.ts calls it with
 * the real adapters; tests call it with a test adapter.
 */
import type { Logger } from "pino";
import type { LoadedConfig } from "./config.js";
import type { Adapter, RoomRef, SendOptions } from "./core/adapter.js";
import type { Reply } from "./core/reply.js";
import { createDispatcher, type CommandEvent, type Dispatcher } from "./core/dispatcher.js";
import { RateLimiter } from "./core/rate-limit.js";
import type { Services } from "./core/services.js";
import { createFeedJob, type FeedJob } from "./feeds/wiring.js";
import { createLeader, type Leader } from "./ops/leader.js";
import { createServices } from "./services.js";
import { openStore, type Store } from "./storage/store.js";
import type { Http, HttpEvent } from "./upstream/http.js";

export interface BotOptions {
  readonly loaded: LoadedConfig;
  readonly log: Logger;
  /** Builds the adapters once services exist (they may need the store or dispatcher). */
  readonly adapters: (services: Services, dispatcher: Dispatcher) => Adapter[];
  /** An already open store (tests); otherwise opened from config. */
  readonly store?: Store;
  readonly now?: () => Date;
  readonly onCommand?: (e: CommandEvent) => void;
  readonly onHttpEvent?: (e: HttpEvent) => void;
  /** This instance's id in the feed-jobs lease (default: host, pid and a random part). */
  readonly instanceId?: string;
  /** Replaces the HTTP layer (benchmarks use an in-memory upstream). */
  readonly http?: Http;
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
  /** Whether this instance holds the feed-jobs lease. */
  readonly leader: Pick<Leader, "isLeader" | "id">;
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
  });
  const dispatcher = createDispatcher({
    commands: services.commands,
    services,
    prefix: config.prefix,
    maxMessageLength: config.input.maxMessageLength,
    maxArgLength: config.input.maxArgLength,
    rateLimiter: new RateLimiter(config.rateLimit.burst, config.rateLimit.perMinute),
    log,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onCommand ? { onCommand: opts.onCommand } : {}),
  });
  adapters = opts.adapters(services, dispatcher);
  const handler = (m: Parameters<Dispatcher["handle"]>[0]) => dispatcher.handle(m);
  try {
    for (const a of adapters) await a.start(handler);
  } catch (e) {
    for (const a of adapters) await a.stop().catch(() => undefined);
    if (!opts.store) await store.close();
    throw e;
  }
  const sendTo = async (room: RoomRef, reply: Reply, sendOpts?: SendOptions): Promise<void> => {
    const adapter = adapters.find((a) => a.platform === room.platform);
    if (!adapter) throw new Error(`no ${room.platform} adapter is running`);
    await adapter.send(room, reply, sendOpts);
  };
  // Scheduled jobs (feeds) start here, after the adapters, and stop before them. Instances that
  // share a store take turns through a lease: only its holder polls.
  const leader = createLeader({ leases: store.leases, name: "feeds", ttlMs: config.feeds.leaseSeconds * 1000, log, ...(opts.instanceId ? { id: opts.instanceId } : {}) });
  await leader.tick();
  leader.start();
  const feedJob = createFeedJob({ services, send: sendTo, log, shouldRun: async () => leader.isLeader(), ...(opts.now ? { now: opts.now } : {}) });
  feedJob.start();
  log.info({ adapters: adapters.map((a) => a.platform), store: store.backend }, "nixie is ready");

  let stopping: Promise<void> | undefined;
  return {
    services,
    sendTo,
    dispatcher,
    adapters,
    feeds: { pollNow: () => feedJob.pollNow() },
    leader,
    stop() {
      stopping ??= (async () => {
        await feedJob.stop().catch((err: unknown) => log.warn({ err: String(err) }, "feed job did not stop cleanly"));
        await leader.stop();
        for (const a of adapters) {
          await a.stop().catch((err: unknown) => log.warn({ err: String(err), adapter: a.platform }, "adapter did not stop cleanly"));
        }
        if (!opts.store) await store.close();
        log.info("nixie stopped");
      })();
      return stopping;
    },
  };
}
