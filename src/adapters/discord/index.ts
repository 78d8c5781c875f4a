/**
 * Builds the Discord adapter from config when Discord is configured. discord.js is loaded only
 * when the adapter starts, so a bot without Discord does not pay for it (about 160 ms and 40 MB).
 */
import type { Logger } from "pino";
import type { Config, Secrets } from "../../config.js";
import type { Adapter, RoomRef } from "../../core/adapter.js";
import type { Dispatcher } from "../../core/dispatcher.js";
import type { DiscordAdapterOptions } from "./adapter.js";

export interface DiscordDeps {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  /** Removes a channel's state through the room registry (the channel is gone or forbids nixie). */
  readonly onRoomGone?: ((room: RoomRef) => Promise<number>) | undefined;
}

/** Whether config asks for Discord: a bot token and the application id. */
export function discordConfigured(config: Config, secrets: Secrets): boolean {
  return secrets.discordToken !== undefined && config.discord.applicationId !== "";
}

/** The Discord adapter, or undefined when Discord is not configured. */
export function discordAdapterFor(deps: DiscordDeps): Adapter | undefined {
  const token = deps.secrets.discordToken;
  if (token === undefined || !discordConfigured(deps.config, deps.secrets)) return undefined;
  const options: DiscordAdapterOptions = {
    token,
    applicationId: deps.config.discord.applicationId,
    apiUrl: deps.config.discord.apiUrl,
    prefixCommands: deps.config.discord.prefixCommands,
    dispatcher: deps.dispatcher,
    log: deps.log,
    sendPaceMs: deps.config.feeds.sendPaceMs,
    ...(deps.onRoomGone ? { onRoomGone: deps.onRoomGone } : {}),
  };
  let inner: Adapter | undefined;
  return {
    platform: "discord",
    async start(handler) {
      const { createDiscordAdapter } = await import("./adapter.js");
      const adapter = createDiscordAdapter(options);
      await adapter.start(handler);
      inner = adapter;
    },
    send: (room, reply, opts) => (inner ? inner.send(room, reply, opts) : Promise.reject(new Error("the Discord adapter is not started"))),
    stop: async () => {
      await inner?.stop();
      inner = undefined;
    },
    isConnected: () => inner?.isConnected() ?? false,
  };
}
