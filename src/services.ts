/** Builds the services commands and jobs use, from config. Plain factories, no container. */
import type { Logger } from "pino";
import { commands } from "../commands/index.js";
import type { Config, Secrets } from "./config.js";
import type { Services } from "./core/services.js";
import type { Store } from "./storage/store.js";
import { createHttp, type Http, type HttpEvent, type HttpResponse } from "./upstream/http.js";
import { createMediaWiki } from "./upstream/mediawiki.js";
import { createNixosSearch, SEARCH_SERVICE } from "./upstream/nixos-search.js";
import { GITHUB_SERVICE } from "./upstream/github.js";
import { NOOGLE } from "./upstream/noogle.js";
import { createUpstreamRegistry, type UpstreamRegistry } from "./upstream/registry.js";
import { userAgent, version } from "./version.js";
import { createFeedServices } from "./feeds/wiring.js";
import { createEvalService } from "./eval/service.js";
import { createChannelsService } from "./channels/service.js";
import { createGitHubServices } from "./pr-tracking/wiring.js";
import type { HeadsProvider } from "./pr-tracking/landing.js";
import { roomKey } from "./core/adapter.js";
import { createRoomRegistry, type RoomRegistry } from "./rooms/registry.js";
import { createFactoids } from "./factoids/store.js";
import { createOutbox, type Send } from "./delivery/outbox.js";
import type { Platform } from "./core/adapter.js";
import { createPkgFeeds } from "./pkg-feed/service.js";
import { createFnService } from "./fn/service.js";
import { createHydraService } from "./hydra/service.js";

export interface ServiceDeps {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly log: Logger;
  readonly store: Store;
  readonly adapters: () => readonly string[];
  readonly onHttpEvent?: (e: HttpEvent) => void;
  /** Replaces the HTTP layer built from config (benchmarks). */
  readonly http?: Http;
  /** Current channel revisions (branch name -> 40 hex) for the PR tracking; optional. */
  readonly channelHeads?: HeadsProvider;
  /** Sends a scheduled post (the bot's sendTo, once its adapters exist); the outbox's sender. */
  readonly send?: Send;
  /** The outbox's fence: the lease term this instance may act in, undefined once it may not (src/ops/leader.ts). */
  readonly fence?: () => number | undefined;
}

/**
 * The pause between two scheduled posts to one platform: `feeds.sendPaceMs`, and on Matrix at
 * least `matrix.sendIntervalMs` (the adapter's own pace, which would make the wait anyway).
 */
export function schedulePace(config: Config): (platform: Platform) => number {
  return (platform) => (platform === "matrix" ? Math.max(config.feeds.sendPaceMs, config.matrix.sendIntervalMs) : config.feeds.sendPaceMs);
}

/**
 * Every upstream nixie talks to, for !about. A new client adds its one entry here (its
 * `services` when its requests are not named after its URL's host).
 */
function registerUpstreams(config: Config, upstreams: UpstreamRegistry): void {
  upstreams.register({ name: "search.nixos.org", purpose: "packages, options, programs", url: config.search.url, services: [SEARCH_SERVICE] });
  upstreams.register({ name: "wiki", purpose: "wiki pages", url: config.wiki.api });
  upstreams.register({ name: "Discourse", purpose: "announcements and events", url: config.discourse.url });
  if (config.feeds.nixhourUrl !== "") upstreams.register({ name: "YouTube", purpose: "the Nix Hour", url: config.feeds.nixhourUrl });
  upstreams.register({ name: "GitHub", purpose: "pull requests", url: config.github.api, services: [GITHUB_SERVICE] });
  upstreams.register({ name: "Prometheus", purpose: "channel status", url: config.channels.prometheusUrl });
  upstreams.register({ name: "channels mirror", purpose: "channel revisions when Prometheus fails", url: config.channels.channelsUrl });
  upstreams.register({ name: "Hydra", purpose: "build status and failures", url: config.hydra.url });
  if (config.fn.url !== "") upstreams.register({ name: "Noogle", purpose: "lib and builtins functions", url: config.fn.url, services: [NOOGLE] });
  for (const feed of config.feeds.extra) upstreams.register({ name: feed.title, purpose: `the ${feed.name} feed`, url: feed.url });
}

export function createServices(deps: ServiceDeps): Services {
  const { config, log, store } = deps;
  const upstreams = createUpstreamRegistry();
  registerUpstreams(config, upstreams);
  const onHttpEvent = (e: HttpEvent): void => {
    upstreams.record(e);
    deps.onHttpEvent?.(e);
  };
  const http =
    deps.http ??
    createHttp({
      userAgent,
      timeoutMs: config.http.timeoutMs,
      retries: config.http.retries,
      maxRetryWaitMs: config.http.maxRetryWaitMs,
      maxResponseBytes: config.http.maxResponseBytes,
      cacheEntries: config.http.cacheEntries,
      sharedCache: store.namespace<HttpResponse>("cache"),
      onEvent: onHttpEvent,
    });
  const channels = createChannelsService({ config, http, store, log });
  // PR tracking re-checks a channel branch only when its head moved: the channel status already
  // knows the current channels' revisions, which saves a GitHub request per channel and check.
  const channelHeads = deps.channelHeads ?? (() => channels.heads());
  const search = createNixosSearch({ config: config.search, http, log });
  // pkg:<attr> feeds poll the attributes every room follows, from the subscriptions index.
  const pkgFeeds = createPkgFeeds({ config, search, channels, store, followed: () => feeds.subscriptions.followed(), log: log.child({ feature: "pkg-feeds" }) });
  const hydra = createHydraService({
    config,
    http,
    store,
    search,
    log,
    // "stable" is the newest current nixos-YY.MM of the channel status.
    currentChannels: async () => (await channels.snapshot()).channels.filter((ch) => ch.current).map((ch) => ch.name),
  });
  // Features that offer feeds of their own register a provider with the catalog here.
  const feeds = createFeedServices({ config, http, store, log, providers: [channels.feedProvider, hydra.feedProvider, pkgFeeds.feedProvider] });
  const github = createGitHubServices({ config, secrets: deps.secrets, http, store, channelHeads, log });
  // Everything posted on a schedule goes through this one outbox; its queued posts are per-room state.
  const outbox = createOutbox({
    store,
    log: log.child({ part: "delivery" }),
    send: deps.send ?? (() => Promise.reject(new Error("no sender: the bot has not started its adapters"))),
    paceMs: schedulePace(config),
    maxPerRoom: config.feeds.maxPerRoomPerPoll,
    ...(deps.fence ? { fence: deps.fence } : {}),
  });
  const rooms = createRoomRegistry(log);
  const factoids = createFactoids({
    store,
    defaults: config.factoids.defaults,
    maxPerRoom: config.factoids.maxPerRoom,
    commandNames: new Set(commands.flatMap((c) => [c.name, ...(c.aliases ?? [])])),
  });
  registerRoomState(rooms, feeds, github, factoids);
  rooms.register(outbox.roomState);
  return {
    config,
    log,
    store,
    http,
    search,
    wiki: createMediaWiki({ config, http, log }),
    ...feeds,
    eval: createEvalService({ config: config.eval, log }),
    ...github,
    about: { version, startedAt: new Date(), adapters: deps.adapters },
    upstreams,
    channels,
    hydra,
    rooms,
    factoids,
    outbox,
    fn: createFnService({ config: config.fn, http, store, log }),
  };
}

/** The per-room state kinds of today's features; a new feature registers its own the same way. */
function registerRoomState(rooms: RoomRegistry, feeds: Pick<Services, "subscriptions">, github: Pick<Services, "tracks" | "linkExpander">, factoids: Services["factoids"]): void {
  rooms.register({ name: "subscriptions", moveRoom: (from, to) => feeds.subscriptions.moveRoom(from, to), removeRoom: (room) => feeds.subscriptions.removeRoom(room) });
  rooms.register({ name: "tracks", moveRoom: (from, to) => github.tracks.moveRoom(roomKey(from), roomKey(to)), removeRoom: (room) => github.tracks.removeRoom(roomKey(room)) });
  rooms.register({ name: "links", moveRoom: (from, to) => github.linkExpander.moveRoom(roomKey(from), roomKey(to)), removeRoom: (room) => github.linkExpander.removeRoom(roomKey(room)) });
  rooms.register({ name: "factoids", moveRoom: (from, to) => factoids.moveRoom(from, to), removeRoom: (room) => factoids.removeRoom(room) });
}
