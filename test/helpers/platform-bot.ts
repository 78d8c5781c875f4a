/**
 * A whole bot with the real platform adapters (Matrix, Discord) that its environment enables,
 * as main.ts builds it, for suites that talk to fakes or real servers. Feeds poll only when a
 * test asks (bot.feeds.pollNow()); the store is a SQLite file in `dir`.
 */
import { join } from "node:path";
import pino from "pino";
import { createPlatformAdapters } from "../../src/adapters/index.js";
import { startBot, type Bot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import type { Adapter } from "../../src/core/adapter.js";

export async function startPlatformBot(dir: string, env: Record<string, string>, extra: readonly Adapter[] = []): Promise<Bot> {
  const loaded = loadConfig({
    env: {
      NIXIE_CONFIG: "",
      NIXIE_DATA_DIR: join(dir, "data"),
      NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`,
      NIXIE_FEEDS_CRON: "0 0 1 1 *",
      // upstreams a test does not name are a closed loopback port: tests never reach the internet
      NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
      NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
      NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data",
      NIXIE_FN_NIX: "/nonexistent/nix",
      NIXIE_GITHUB_API: "http://127.0.0.1:9",
      ...env,
    },
    ignoreLocal: true,
  });
  const log = pino({ level: process.env["NIXIE_TEST_LOG"] ?? "silent" });
  return startBot({
    loaded,
    log,
    adapters: async (services, dispatcher) => [...extra, ...(await createPlatformAdapters({ config: loaded.config, secrets: loaded.secrets, services, dispatcher, log }))],
  });
}
