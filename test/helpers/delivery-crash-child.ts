/**
 * A bot process for the delivery crash tests (test/helpers/delivery-crash.ts): says the SETUP
 * commands (a JSON list of [room, text], as a room manager), runs one round of JOB ("feeds",
 * "tracking", or "hydra": a Hydra sweep, then a feed poll), and records every scheduled post it sends (room, delivery id, text: one JSON line
 * each) in POSTS_FILE. With CRASH=before-send or CRASH=after-send it kills itself with SIGKILL
 * around its first post, like a power cut: no shutdown code runs. Each post line also has the
 * process id and the time it was sent (the fencing test). BOT_ENV (JSON) is the bot's
 * config environment (the upstream fakes' URLs); CONFIG is a config file; in it the lease lasts 3 s,
 * so that a restart after a kill takes over soon: until then the killed process's lease fences
 * every send, as it would a second instance's. LOG=debug shows the bot's log on stdout.
 */
import pino from "pino";
import { startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import { waitForLease } from "./lease-wait.js";
import { recordingAdapter } from "./recorded-posts.js";
import { createTestAdapter } from "./test-bot.js";

const env = process.env;
const crash = env["CRASH"] ?? "";
const botEnv = JSON.parse(env["BOT_ENV"] ?? "{}") as Record<string, string>;
const loaded = loadConfig({
  env: {
    NIXIE_STORE_URL: `sqlite://${env["STORE"]}`,
    NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
    NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
    NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data",
    NIXIE_FN_NIX: "/nonexistent/nix",
    NIXIE_FEEDS_CRON: "0 0 1 1 *",
    NIXIE_EVAL: "off",
    NIXIE_CONFIG: env["CONFIG"] ?? "",
    ...botEnv,
  },
  ignoreLocal: true,
});
const adapter = createTestAdapter();
const recording = recordingAdapter(adapter, env["POSTS_FILE"]!, crash);
const bot = await startBot({ loaded, log: pino({ level: env["LOG"] ?? "silent" }), adapters: () => [recording] });
// A restart waits for the killed process's lease to expire, as a real one does.
await waitForLease(bot);
for (const [room, text] of JSON.parse(env["SETUP"] ?? "[]") as [string, string][]) {
  const r = await adapter.say(text, { room, user: "@alice:example.org", manager: true });
  if (!r || r.isError) throw new Error(`${text} was refused`);
}
if (env["JOB"] === "tracking") await bot.tracking.pollNow();
else {
  if (env["JOB"] === "hydra") await bot.hydra.sweepNow();
  await bot.feeds.pollNow();
}
await bot.stop();
