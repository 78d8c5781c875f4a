/**
 * Which chat adapters run: every platform whose credentials are configured. When none is, main.ts
 * falls back to the console adapter.
 */
import type { Logger } from "pino";
import type { Config, Secrets } from "../config.js";
import type { Adapter } from "../core/adapter.js";
import type { Dispatcher } from "../core/dispatcher.js";
import type { Services } from "../core/services.js";
import { discordAdapterFor } from "./discord/index.js";
import { matrixAdapterFor } from "./matrix/index.js";

export interface AdapterDeps {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
}

/** The Matrix and Discord adapters that config enables (possibly both, possibly none). */
export function createPlatformAdapters(deps: AdapterDeps): Adapter[] {
  const adapters: Adapter[] = [];
  // Matrix (issue "Matrix adapter") and Discord (issue "Discord adapter") register here.
  const matrix = matrixAdapterFor({
    config: deps.config,
    secrets: deps.secrets,
    store: deps.services.store,
    log: deps.log,
    subscriptions: deps.services.subscriptions,
  });
  if (matrix) adapters.push(matrix);
  const discord = discordAdapterFor({
    config: deps.config,
    secrets: deps.secrets,
    dispatcher: deps.dispatcher,
    log: deps.log,
    onRoomGone: (room) => deps.services.subscriptions.removeRoom(room),
  });
  if (discord) adapters.push(discord);
  return adapters;
}
