/**
 * What commands may use. Built once in src/services.ts (the composition root's helper) and handed
 * to commands through CommandContext. Later features add their clients here. Jobs take only the
 * parts they use, and the command list reaches !help through the context (CommandContext.commands),
 * so nothing here imports the command layer.
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Store } from "../storage/store.js";
import type { Http } from "../upstream/http.js";
import type { NixosSearch } from "../upstream/nixos-search.js";
import type { MediaWiki } from "../upstream/mediawiki.js";
import type { EventsService } from "../events/service.js";
import type { FeedsService } from "../feeds/service.js";
import type { Subscriptions } from "../feeds/subscriptions.js";
import type { EvalService } from "../eval/service.js";
import type { ChannelsService } from "../channels/service.js";
import type { GitHubServices } from "../pr-tracking/wiring.js";
import type { RoomRegistry } from "../rooms/registry.js";
import type { Factoids } from "../factoids/store.js";
import type { Outbox } from "../delivery/outbox.js";
import type { UpstreamRegistry } from "../upstream/registry.js";
import type { FnService } from "../fn/service.js";
import type { HydraService } from "../hydra/service.js";

export interface AboutInfo {
  readonly version: string;
  readonly startedAt: Date;
  /** Names of the adapters running now (console, matrix, discord). */
  adapters(): readonly string[];
}

export interface Services extends GitHubServices {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly http: Http;
  /** search.nixos.org: packages, options, programs, autocomplete. */
  readonly search: NixosSearch;
  /** wiki.nixos.org: page lookup with intros, autocomplete. */
  readonly wiki: MediaWiki;
  /**
   * Every kind of per-room state, registered: adapters call its moveRoom/removeRoom when a room is
   * upgraded or nixie leaves it.
   */
  readonly rooms: RoomRegistry;
  /** The one outbox of everything posted on a schedule (registered with `rooms`). */
  readonly outbox: Outbox;
  /** Which rooms follow which feeds (registered with `rooms`). */
  readonly subscriptions: Subscriptions;
  /** The configured feeds, their poll status, their latest entries. */
  readonly feeds: FeedsService;
  /** Upcoming community events for !event. */
  readonly events: EventsService;
  /** Nix evaluation for !eval (available only after its start-up self-test passed). */
  readonly eval: EvalService;
  readonly about: AboutInfo;
  /** Every upstream nixie talks to, with its last request's outcome (for !about). */
  readonly upstreams: UpstreamRegistry;
  /** Channel status: snapshot (≤ 60 s cache), current heads, the channel feeds' source. */
  readonly channels: ChannelsService;
  /** The rooms' factoids and the configured defaults (registered with `rooms`). */
  readonly factoids: Factoids;
  /** !fn: the lib and builtins function index (Noogle's data and the local Nix's builtins). */
  readonly fn: FnService;
  /** Hydra: !hydra, the `hydra:` feeds and their sweep (one pace and cool-down for all). */
  readonly hydra: HydraService;
}
