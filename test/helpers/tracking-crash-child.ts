/**
 * A bot process for the tracking crash test: optionally asks `!track`, runs one tracking check,
 * and records every post it sends (delivery id and text, one JSON line each) in POSTS_FILE. With
 * CRASH=before-send or CRASH=after-send it kills itself with SIGKILL around its first post, like
 * a power cut: no shutdown code runs.
 */
import { appendFileSync } from "node:fs";
import pino from "pino";
import { startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import { createTestAdapter } from "./test-bot.js";

const env = process.env;
const crash = env["CRASH"] ?? "";
const loaded = loadConfig({
  env: { NIXIE_STORE_URL: `sqlite://${env["STORE"]}`, NIXIE_GITHUB_API: env["GH_URL"] ?? "", NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9", NIXIE_CHANNELS_URL: "http://127.0.0.1:9", NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data", NIXIE_FN_NIX: "/nonexistent/nix", NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_GITHUB_BUDGET: "1000000", NIXIE_CONFIG: "" },
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
if (env["TRACK"]) {
  const r = await adapter.say(`!track ${env["TRACK"]}`, { user: "@alice:example.org" });
  if (!r || r.isError) throw new Error("!track was refused");
}
await bot.tracking.pollNow();
await bot.stop();
