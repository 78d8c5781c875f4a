/**
 * Feed benchmarks: one new entry fanned out to 10,000 subscribed rooms through the test adapter
 * (bot CPU time and peak memory), and a poll of 200 feeds that all answer 304 after 50 ms.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeFeeds } from "../test/helpers/fake-feeds.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, rssMb, type Result } from "./lib.js";

function configFile(extra: object): string {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  const file = join(dir, "bench.json");
  writeFileSync(file, JSON.stringify(extra));
  return file;
}

/** Samples RSS every few milliseconds while `f` runs; returns the peak above the start. */
async function peakRssDuring<T>(f: () => Promise<T>): Promise<{ value: T; peakMb: number; baseMb: number }> {
  global.gc?.();
  const baseMb = rssMb();
  let peak = baseMb;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 5);
  try {
    const value = await f();
    peak = Math.max(peak, rssMb());
    return { value, peakMb: peak - baseMb, baseMb };
  } finally {
    clearInterval(timer);
  }
}

export async function fanOut(): Promise<Result[]> {
  const feeds = await startFakeFeeds();
  const t = await startTestBot({
    NIXIE_DISCOURSE_URL: feeds.url,
    NIXIE_NIXHOUR_FEED: feeds.nixhourUrl,
    NIXIE_CONFIG: configFile({ feeds: { sendPaceMs: 0 } }),
  });
  try {
    const rooms = 10_000;
    for (let i = 0; i < rooms; i++) await t.bot.services.subscriptions.subscribe({ platform: "test", id: `room${i}` }, "announcements");
    await t.bot.feeds.pollNow(); // first sight: silent
    feeds.addTopic("announcements", { id: 990_001, title: "NixOS 26.11 released" });
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    const { peakMb } = await peakRssDuring(() => t.bot.feeds.pollNow());
    const cpu = process.cpuUsage(cpu0);
    const wall = nowMs() - t0;
    const sent = t.adapter.sent.length;
    if (sent !== rooms) throw new Error(`expected ${rooms} posts, got ${sent}`);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    return [
      { name: `fan-out: 1 entry to ${rooms} rooms, bot CPU time`, measured: `${fmt(cpuS)} s (wall ${fmt(wall / 1000)} s)`, target: "< 1 s", met: cpuS < 1 },
      { name: "fan-out: peak memory above the idle bot", measured: `${fmt(peakMb, 1)} MB`, target: "< 50 MB", met: peakMb < 50 },
    ];
  } finally {
    await t.stop();
    await feeds.close();
  }
}

/** A feed server in its own process: every path is a feed; 50 ms per answer; ETag and 304. */
const FEED_SERVER = `
const http = require("node:http");
const rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title><link>http://x/</link><item><title>t</title><link>http://x/t/1</link><guid>x-1</guid></item></channel></rss>';
const s = http.createServer((req, res) => setTimeout(() => {
  const etag = '"' + req.url.replace(/\\W/g, "") + '-v1"';
  if (req.headers["if-none-match"] === etag) { res.writeHead(304, { etag }); res.end(); return; }
  res.writeHead(200, { "content-type": "application/rss+xml", etag }); res.end(rss);
}, 50));
s.listen(0, "127.0.0.1", () => process.stdout.write("http://127.0.0.1:" + s.address().port + "\\n"));
`;

export async function polling(): Promise<Result[]> {
  const child = spawn(process.execPath, ["-e", FEED_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  const count = 200;
  const extra = Array.from({ length: count }, (_, i) => ({ name: `feed${i}`, title: `Feed ${i}`, url: `${base}/feed${i}.rss` }));
  // Built-in feeds point at a closed port and have no subscribers, so they are not polled.
  const t = await startTestBot({
    NIXIE_DISCOURSE_URL: "http://127.0.0.1:9",
    NIXIE_NIXHOUR_FEED: "http://127.0.0.1:9/feed.xml",
    NIXIE_CONFIG: configFile({ feeds: { extra, sendPaceMs: 0 } }),
  });
  try {
    for (let i = 0; i < count; i++) await t.bot.services.subscriptions.subscribe({ platform: "test", id: `room${i}` }, `feed${i}`);
    await t.bot.feeds.pollNow(); // first sight: 200s with ETags, silent
    const prof = (globalThis as { __prof?: { start(): Promise<unknown>; stop(): Promise<void> } }).__prof;
    await prof?.start();
    // The median of five polls: a single one also measures one-off costs (JIT, first use of a path).
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = nowMs();
      const report = await t.bot.feeds.pollNow();
      walls.push(nowMs() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      if (report.fetched.length !== count) throw new Error(`expected ${count} feeds fetched, got ${report.fetched.length}`);
    }
    await prof?.stop();
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wall = median(walls);
    const cpuMs = median(cpus);
    return [
      { name: `polling: ${count} feeds, 50 ms each, all 304: wall time`, measured: `${fmt(wall, 0)} ms (median of 5)`, target: "< 2000 ms", met: wall < 2000 },
      { name: "polling: bot CPU for that poll", measured: `${fmt(cpuMs, 0)} ms (median of 5; ${cpus.map((c) => fmt(c, 0)).join(", ")})`, target: "< 100 ms", met: cpuMs < 100 },
    ];
  } finally {
    await t.stop();
    child.kill("SIGTERM");
  }
}
