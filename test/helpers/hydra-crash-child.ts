/**
 * A bot process for the Hydra feed crash test: optionally subscribes its room to `hydra:firefox`,
 * runs one Hydra sweep and one feed poll, and records every post it sends (delivery id and text,
 * one JSON line each) in POSTS_FILE. With CRASH=before-send or CRASH=after-send it kills itself
 * with SIGKILL around its first post, like a power cut: no shutdown code runs.
 */
import { appendFileSync } from "node:fs";
import pino from "pino";
import { startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import { createTestAdapter } from "./test-bot.js";

const env = process.env;
const crash = env["CRASH"] ?? "";
const loaded = loadConfig({
  env: {
    NIXIE_STORE_URL: `sqlite://${env["STORE"]}`,
    NIXIE_HYDRA_URL: env["HYDRA_URL"] ?? "",
    NIXIE_SEARCH_URL: env["SEARCH_URL"] ?? "",
    NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
    NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
    NIXIE_FEEDS_CRON: "0 0 1 1 *",
    NIXIE_CONFIG: env["CONFIG"] ?? "",
    NIXIE_EVAL: "off",
  },
  ignoreLocal: true,
});
const adapter = createTestAdapter();
const send = adapter.send.bind(adapter);
const recording = {
  ...adapter,
  async send(room: Parameters<typeof send>[0], reply: Parameters<typeof send>[1], opts: Parameters<typeof send>[2]) {
    if (crash === "before-send") process.kill(process.pid, "SIGKILL");
    await send(room, reply, opts);
    const last = adapter.sent[adapter.sent.length - 1]!;
    appendFileSync(env["POSTS_FILE"]!, `${JSON.stringify({ deliveryId: opts?.deliveryId, text: last.text })}\n`);
    if (crash === "after-send") process.kill(process.pid, "SIGKILL");
  },
};
const bot = await startBot({ loaded, log: pino({ level: "silent" }), adapters: () => [recording] });
if (env["SUBSCRIBE"]) {
  const r = await adapter.say("!subscribe hydra:firefox", { manager: true });
  if (!r || r.isError) throw new Error("!subscribe was refused");
}
await bot.hydra.sweepNow();
await bot.feeds.pollNow();
await bot.stop();
