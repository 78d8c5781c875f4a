/** Builds the services commands and jobs use, from config. Plain factories, no container. */
import type { Logger } from "pino";
import type { Config, Secrets } from "./config.js";
import type { Services } from "./core/services.js";
import type { Store } from "./storage/store.js";
import { createHttp, type Http, type HttpEvent, type HttpResponse } from "./upstream/http.js";
import { createMediaWiki } from "./upstream/mediawiki.js";
import { createNixosSearch } from "./upstream/nixos-search.js";
import { userAgent, version } from "./version.js";
import { createFeedServices } from "./feeds/wiring.js";
import { createEvalService } from "./eval/service.js";
import { createChannelsService } from "./channels/service.js";
import { createGitHubServices } from "./pr-tracking/wiring.js";
import type { HeadsProvider } from "./pr-tracking/landing.js";
import { roomKey } from "./core/adapter.js";
import { createRoomRegistry, type RoomRegistry } from "./rooms/registry.js";
import { createFnService } from "./fn/service.js";

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
}

export function createServices(deps: ServiceDeps): Services {
  const { config, log, store } = deps;
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
    ...(deps.onHttpEvent ? { onEvent: deps.onHttpEvent } : {}),
  });
  const channels = createChannelsService({ config, http, store, log });
  // PR tracking re-checks a channel branch only when its head moved: the channel status already
  // knows the current channels' revisions, which saves a GitHub request per channel and check.
  const channelHeads = deps.channelHeads ?? (() => channels.heads());
  // Features that offer feeds of their own register a provider with the catalog here.
  const feeds = createFeedServices({ config, http, store, log, providers: [channels.feedProvider] });
  const github = createGitHubServices({ config, secrets: deps.secrets, http, store, channelHeads });
  const rooms = createRoomRegistry(log);
  registerRoomState(rooms, feeds, github);
  return {
    config,
    log,
    store,
    http,
    search: createNixosSearch({ config: config.search, http, log }),
    wiki: createMediaWiki({ config, http, log }),
    ...feeds,
    eval: createEvalService({ config: config.eval, log }),
    ...github,
    about: { version, startedAt: new Date(), adapters: deps.adapters },
    channels,
    rooms,
    fn: createFnService({ config: config.fn, http, store, log }),
  };
}

/** The per-room state kinds of today's features; a new feature registers its own the same way. */
function registerRoomState(rooms: RoomRegistry, feeds: Pick<Services, "subscriptions">, github: Pick<Services, "tracks" | "linkExpander">): void {
  rooms.register({ name: "subscriptions", moveRoom: (from, to) => feeds.subscriptions.moveRoom(from, to), removeRoom: (room) => feeds.subscriptions.removeRoom(room) });
  rooms.register({ name: "tracks", moveRoom: (from, to) => github.tracks.moveRoom(roomKey(from), roomKey(to)), removeRoom: (room) => github.tracks.removeRoom(roomKey(room)) });
  rooms.register({ name: "links", moveRoom: (from, to) => github.linkExpander.moveRoom(roomKey(from), roomKey(to)), removeRoom: (room) => github.linkExpander.removeRoom(roomKey(room)) });
}
