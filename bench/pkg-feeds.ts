/**
 * Package feed benchmark, against the search fake of the integration tests (in a process of its
 * own, so the figures are the bot's CPU only) and the recorded channel status (nixos-unstable and
 * nixos-26.05 are the default channels):
 * - 2,000 watched attributes over 3 channels (every `pkg:<attr>` follows the two default channels,
 *   and `pkg:<attr>@nixos-25.11` a third, so 4,000 feeds): the search requests of one poll and the
 *   bot's CPU for it, for the whole feed poll and for the package lookup alone (requests, comparing,
 *   storing the versions);
 * - one version change fanned out to 1,000 rooms that follow `pkg:firefox`: the CPU of that poll.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { projectRoot } from "../src/config.js";
import { recordedChannels, startFakePrometheus } from "../test/helpers/fake-prometheus.js";
import { startTestBot, type TestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, type Result } from "./lib.js";

const ATTRS = 2000;
const ROOMS = 1000;
const INTERVAL_S = 60;

interface SearchProcess {
  readonly url: string;
  set(channels: string[], attrs: string[], version: string | null): Promise<void>;
  count(): Promise<{ requests: number; problems: number }>;
  close(): void;
}

async function startSearchProcess(): Promise<SearchProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/pkg-feeds-search.ts"], { cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => JSON.parse(String((await lines.next()).value)) as T;
  const ask = async <T>(cmd: unknown): Promise<T> => {
    child.stdin.write(`${JSON.stringify(cmd)}\n`);
    return next<T>();
  };
  const { url } = await next<{ url: string }>();
  return {
    url,
    set: async (channels, attrs, version) => void (await ask({ set: [channels, attrs, version] })),
    count: () => ask({ count: true }),
    close: () => child.stdin.end(),
  };
}

const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;

export async function pkgFeedsPoll(): Promise<Result[]> {
  const search = await startSearchProcess();
  const prom = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: Math.floor(Date.now() / 1000) - 3600 })));
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  const config = join(dir, "bench.json");
  writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0, maxPerRoomPerPoll: 3 }, pkgFeeds: { intervalSeconds: INTERVAL_S, maxWatched: 20_000 } }));
  let clock = Date.now();
  const tick = (): void => {
    clock += (INTERVAL_S + 1) * 1000;
  };
  const bot = (): Promise<TestBot> =>
    startTestBot(
      { NIXIE_SEARCH_URL: search.url, NIXIE_PROMETHEUS_URL: prom.url, NIXIE_CHANNELS_URL: prom.mirrorUrl, NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_CONFIG: config },
      { now: () => new Date(clock) },
    );
  const results: Result[] = [];
  try {
    // 2,000 attributes over 3 channels.
    let t = await bot();
    try {
      const attrs = Array.from({ length: ATTRS }, (_, i) => `benchPackages.pkg${i}`);
      await search.set(["unstable", "26.05", "25.11"], attrs, "1.0");
      const subs = t.bot.services.subscriptions;
      for (const [i, a] of attrs.entries()) {
        await subs.subscribe({ platform: "test", id: `watch${i % 40}` }, `pkg:${a}`);
        await subs.subscribe({ platform: "test", id: `watch${i % 40}` }, `pkg:${a}@nixos-25.11`);
      }
      await t.bot.feeds.pollNow(); // first sight: silent
      await search.set(["unstable"], attrs.slice(0, 10), "1.1"); // a few changes, 40 rooms
      tick();
      const r0 = (await search.count()).requests;
      const cpu0 = process.cpuUsage();
      const w0 = nowMs();
      await t.bot.feeds.pollNow();
      const pollCpu = cpuMs(process.cpuUsage(cpu0));
      const pollWall = nowMs() - w0;
      const requests = (await search.count()).requests - r0;
      // The package lookup alone: one round of the provider's source, as a feed poll starts it.
      tick();
      const provider = t.bot.services.feeds.catalog.providers.find((p) => p.kind === "pkg")!;
      const feed = t.bot.services.feeds.catalog.get(`pkg:${attrs[0]}`)!;
      const cpu1 = process.cpuUsage();
      await provider.source.read(feed, {}, { at: new Date(clock) });
      const lookupCpu = cpuMs(process.cpuUsage(cpu1));
      results.push(
        { name: `pkg feeds: ${ATTRS} attributes over 3 channels, search requests per poll`, measured: String(requests), target: "6", met: requests === 6 },
        { name: "pkg feeds: bot CPU for the package lookup of a poll", measured: `${fmt(lookupCpu, 0)} ms`, target: "< 200 ms", met: lookupCpu < 200 },
        {
          name: "pkg feeds: bot CPU for the whole feed poll (4,000 feeds, 10 changes)",
          measured: `${fmt(pollCpu, 0)} ms (wall ${fmt(pollWall, 0)} ms)`,
          target: "< 200 ms",
          met: pollCpu < 200,
          note: "the watcher's per-feed work shared by every kind of feed; see BENCHMARKS.md",
        },
      );
    } finally {
      await t.stop();
    }
    // One change, 1,000 rooms (a bot of its own: only these feeds).
    t = await bot();
    try {
      for (let i = 0; i < ROOMS; i++) await t.bot.services.subscriptions.subscribe({ platform: "test", id: `room${i}` }, "pkg:firefox");
      await t.bot.feeds.pollNow(); // first sight
      await search.set(["unstable"], ["firefox"], "159.0");
      tick();
      const cpu0 = process.cpuUsage();
      const w0 = nowMs();
      await t.bot.feeds.pollNow();
      const fanCpu = cpuMs(process.cpuUsage(cpu0));
      const fanWall = nowMs() - w0;
      if (t.adapter.sent.length !== ROOMS) throw new Error(`expected ${ROOMS} posts, got ${t.adapter.sent.length}`);
      results.push({ name: `pkg feeds: 1 change to ${ROOMS} rooms, bot CPU for that poll`, measured: `${fmt(fanCpu / 1000)} s (wall ${fmt(fanWall / 1000)} s)`, target: "< 0.5 s", met: fanCpu < 500 });
    } finally {
      await t.stop();
    }
    const { problems } = await search.count();
    if (problems > 0) throw new Error(`the search fake saw ${problems} bad requests`);
    return results;
  } finally {
    search.close();
    await prom.close();
  }
}
