/**
 * Channel feed benchmark: 10,000 rooms follow `channels` on a loopback Prometheus (the fake of the
 * integration tests, in the recorded shapes). After the silent first poll, one channel advances and
 * one poll posts it to every room: the Prometheus requests of that poll and the bot's CPU time.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordedChannels, startFakePrometheus } from "../test/helpers/fake-prometheus.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, type Result } from "./lib.js";

export async function channelsPoll(): Promise<Result[]> {
  const now = Math.floor(Date.now() / 1000);
  const fake = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: now - 3600 })));
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  const config = join(dir, "bench.json");
  writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0 } }));
  const t = await startTestBot({ NIXIE_PROMETHEUS_URL: fake.url, NIXIE_CHANNELS_URL: fake.mirrorUrl, NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_CONFIG: config });
  try {
    const rooms = 10_000;
    for (let i = 0; i < rooms; i++) await t.bot.services.subscriptions.subscribe({ platform: "test", id: `room${i}` }, "channels");
    await t.bot.feeds.pollNow(); // first sight: silent
    const c = fake.channels.get("nixos-unstable")!;
    c.revision = "abcdef0123456789abcdef0123456789abcdef01";
    c.updateTime = now - 60;
    const q0 = fake.queries.length;
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    await t.bot.feeds.pollNow();
    const cpu = process.cpuUsage(cpu0);
    const wall = nowMs() - t0;
    const requests = fake.queries.length - q0;
    const sent = t.adapter.sent.length;
    if (sent !== rooms) throw new Error(`expected ${rooms} posts, got ${sent}`);
    const q1 = fake.queries.length;
    const cpu1 = process.cpuUsage();
    await t.bot.feeds.pollNow();
    const quiet = process.cpuUsage(cpu1);
    const quietRequests = fake.queries.length - q1;
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const quietMs = (quiet.user + quiet.system) / 1000;
    return [
      { name: `channels: 1 advance to ${rooms} rooms, Prometheus requests in that poll`, measured: String(requests), target: "≤ 3", met: requests <= 3 },
      { name: "channels: bot CPU time for that poll", measured: `${fmt(cpuS)} s (wall ${fmt(wall / 1000)} s)`, target: "< 1 s", met: cpuS < 1 },
      { name: "channels: the next poll (nothing new): requests, bot CPU", measured: `${quietRequests}, ${fmt(quietMs, 0)} ms`, target: "≤ 3", met: quietRequests <= 3 },
    ];
  } finally {
    await t.stop();
    await fake.close();
  }
}
