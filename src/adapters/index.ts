/**
 * Which chat adapters run: every platform whose credentials are configured. When none is, main.ts
 * falls back to the console adapter. A platform configured only in part is a configuration error:
 * the console fall-back would hide it (without a terminal it ends at once). A platform that
 * cannot be reached at start-up is retried in the background (resilient-start.ts).
 */
import type { Logger } from "pino";
import type { Config, Secrets } from "../config.js";
import type { Adapter, RoomRef } from "../core/adapter.js";
import type { Dispatcher } from "../core/dispatcher.js";
import { ConfigError } from "../core/errors.js";
import type { Services } from "../core/services.js";
import { discordStartFailure } from "./discord/start-failure.js";
import { matrixStartFailure } from "./matrix/start-failure.js";
import { withResilientStart } from "./resilient-start.js";

export interface AdapterDeps {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  /**
   * Told when a platform that was being retried (unreachable at start-up) fails for good, e.g.
   * its token is refused; main.ts exits.
   */
  readonly onFatal?: ((err: Error) => void) | undefined;
}

/** Whether config enables a chat platform; when none is, main.ts runs the console adapter. */
export function hasPlatform(config: Config, secrets: Secrets): boolean {
  return config.matrix.homeserverUrl !== "" || secrets.discordToken !== undefined;
}

/**
 * The Matrix and Discord adapters that config enables (possibly both, possibly none). Each SDK is
 * loaded only when its platform is configured: together they weigh some 80 MB that a console or
 * single-platform bot need not carry.
 */
export async function createPlatformAdapters(deps: AdapterDeps): Promise<Adapter[]> {
  const adapters: Adapter[] = [];
  // What a room has in the store follows the room: every kind registered with the room registry.
  const registry = deps.services.rooms;
  const rooms = {
    removeRoom: async (room: RoomRef) => (await registry.removeRoom(room)).total,
    moveRoom: async (from: RoomRef, to: RoomRef) => (await registry.moveRoom(from, to)).total,
  };
  if (deps.config.matrix.homeserverUrl !== "") {
    const { matrixAdapterFor } = await import("./matrix/index.js");
    const matrix = matrixAdapterFor({
      config: deps.config,
      secrets: deps.secrets,
      store: deps.services.store,
      log: deps.log,
      rooms,
    });
    if (!matrix) throw new ConfigError("MATRIX_HOMESERVER_URL is set, but Matrix needs MATRIX_ACCESS_TOKEN, or MATRIX_USER and MATRIX_PASSWORD, as well");
    const hs = deps.config.matrix.homeserverUrl;
    adapters.push(withResilientStart(matrix, { log: deps.log, onFatal: deps.onFatal, classify: (err) => matrixStartFailure(err, hs) }));
  }
  if (deps.secrets.discordToken !== undefined) {
    const { discordAdapterFor } = await import("./discord/index.js");
    const discord = discordAdapterFor({
      config: deps.config,
      secrets: deps.secrets,
      dispatcher: deps.dispatcher,
      log: deps.log,
      onRoomGone: (room) => rooms.removeRoom(room),
    });
    if (!discord) throw new ConfigError("DISCORD_TOKEN is set, but Discord needs DISCORD_APPLICATION_ID as well");
    adapters.push(withResilientStart(discord, { log: deps.log, onFatal: deps.onFatal, classify: discordStartFailure }));
  }
  return adapters;
}
