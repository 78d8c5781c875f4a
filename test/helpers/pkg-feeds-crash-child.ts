/**
 * A bot process for the package feed crash test: optionally subscribes a room to a package feed,
 * runs one feed poll at the clock CLOCK (ms), and records every post it sends (delivery id and text,
 * one JSON line each) in POSTS_FILE. With CRASH=before-send or CRASH=after-send it kills itself
 * with SIGKILL around its first post, like a power cut: no shutdown code runs.
 */
import { writeFileSync } from "node:fs";
import pino from "pino";
import { startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import { waitForLease } from "./lease-wait.js";
import { recordingAdapter } from "./recorded-posts.js";
import { createTestAdapter } from "./test-bot.js";

const env = process.env;
const crash = env["CRASH"] ?? "";
const config = `${env["POSTS_FILE"]}.config.json`;
writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0, leaseSeconds: 3 }, http: { retries: 0, timeoutMs: 2000 }, pkgFeeds: { intervalSeconds: 60 } }));
const loaded = loadConfig({
  env: {
    NIXIE_STORE_URL: `sqlite://${env["STORE"]}`,
    NIXIE_SEARCH_URL: env["SEARCH_URL"] ?? "",
    // No channel status: the package feeds then follow config's channels (nixos-unstable, nixos-26.05).
    NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
    NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
    NIXIE_FEEDS_CRON: "0 0 1 1 *",
    NIXIE_CONFIG: config,
  },
  ignoreLocal: true,
});
const adapter = createTestAdapter();
const recording = recordingAdapter(adapter, env["POSTS_FILE"]!, crash);
const clock = Number(env["CLOCK"]);
const bot = await startBot({ loaded, log: pino({ level: "silent" }), adapters: () => [recording], now: () => new Date(clock) });
// The killed process\'s lease fences every send until it expires (test/helpers/lease-wait.ts).
await waitForLease(bot);
for (const [i, feed] of (env["SUBSCRIBE"] ?? "").split(",").filter(Boolean).entries()) {
  const r = await adapter.say(`!subscribe ${feed}`, { room: `room${i}`, manager: true });
  if (!r || r.isError) throw new Error(`!subscribe ${feed} was refused`);
}
await bot.feeds.pollNow();
await bot.stop();
