/**
 * Command benchmarks: overhead of !pkg over a bare request to the same slow backend, cache-hit
 * latency, throughput through dispatcher and renderers with an in-memory upstream, and
 * single-flight under 100 concurrent identical queries.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/config.js";
import type { Http, HttpRequest, HttpResponse } from "../src/upstream/http.js";
import { renderDiscord } from "../src/render/discord.js";
import { renderMatrix } from "../src/render/matrix.js";
import { startFakeSearch, PUBLIC_PASSWORD, PUBLIC_USERNAME } from "../test/helpers/fake-search.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, summarize, type Result } from "./lib.js";

/** A config file: no answer cache (every command is a miss) and no rate limit for the one bench user. */
function configFile(cacheTtlSeconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  const file = join(dir, "bench.json");
  writeFileSync(file, JSON.stringify({ search: { cacheTtlSeconds }, rateLimit: { burst: 1000, perMinute: 10000 }, http: { cacheEntries: cacheTtlSeconds > 0 ? 2000 : 0 } }));
  return file;
}

/** The fake backend in a process of its own, so its work does not share the bot's event loop. */
async function fakeInChild(delayMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/fake-search.ts"], {
    cwd: projectRoot,
    env: { ...process.env, FAKE_SEARCH_DELAY_MS: String(delayMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("error", reject);
  });
  return { url, child };
}

export async function overhead(): Promise<Result[]> {
  const { url, child } = await fakeInChild(20);
  const results: Result[] = [];
  try {
    const miss = await startTestBot({ NIXIE_SEARCH_URL: url, NIXIE_CONFIG: configFile(0) });
    const auth = `Basic ${Buffer.from(`${PUBLIC_USERNAME}:${PUBLIC_PASSWORD}`).toString("base64")}`;
    // The exact body the bot sends, recorded once by an in-process fake, to replay it bare.
    const recorder = await startFakeSearch();
    const probe = await startTestBot({ NIXIE_SEARCH_URL: recorder.url, NIXIE_CONFIG: configFile(0) });
    await probe.ask("!pkg firefox");
    await probe.stop();
    await recorder.close();
    const body = JSON.stringify(recorder.requests[0]?.body);
    const bare = async (): Promise<void> => {
      const res = await fetch(`${url}/latest-51-nixos-unstable/_search`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body });
      await res.text();
    };
    const botTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      await bare();
      await miss.ask("!pkg firefox");
    }
    for (let i = 0; i < 1000; i++) {
      // Interleaved, so both see the same machine load.
      let t = nowMs();
      await bare();
      bareTimes.push(nowMs() - t);
      t = nowMs();
      const text = await miss.ask("!pkg firefox");
      botTimes.push(nowMs() - t);
      if (!text.startsWith("firefox")) throw new Error(`unexpected answer: ${text.slice(0, 80)}`);
    }
    await miss.stop();
    const b = summarize(botTimes);
    const r = summarize(bareTimes);
    results.push(
      {
        name: "overhead: !pkg miss vs bare request, p50 ratio (20 ms backend)",
        measured: `${fmt(b.p50 / r.p50, 3)} (${fmt(b.p50)} vs ${fmt(r.p50)} ms)`,
        target: "≤ 1.05",
        met: b.p50 / r.p50 <= 1.05,
      },
      { name: "overhead: !pkg miss vs bare request, p99 ratio", measured: `${fmt(b.p99 / r.p99, 3)} (${fmt(b.p99)} vs ${fmt(r.p99)} ms)`, target: "≤ 1.05", met: b.p99 / r.p99 <= 1.05 },
    );

    const hit = await startTestBot({ NIXIE_SEARCH_URL: url, NIXIE_CONFIG: configFile(600) });
    await hit.ask("!pkg firefox");
    const hitTimes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = nowMs();
      await hit.ask("!pkg firefox");
      hitTimes.push(nowMs() - t);
    }
    await hit.stop();
    const h = summarize(hitTimes.slice(200));
    results.push({ name: "cache hit: !pkg latency p50 / p99", measured: `${fmt(h.p50, 3)} / ${fmt(h.p99, 3)} ms`, target: "p99 < 1 ms", met: h.p99 < 1 });
  } finally {
    child.kill("SIGTERM");
  }
  return results;
}

/** An upstream that answers from memory: the fixture for every search. */
function memoryHttp(): Http {
  const answer = readFileSync(join(projectRoot, "test", "fixtures", "es-packages-firefox.json"), "utf8");
  const res: HttpResponse = { status: 200, headers: { "content-type": "application/json" }, body: answer, cached: false };
  const request = async (_req: HttpRequest): Promise<HttpResponse> => res;
  return {
    request,
    async json<T>(req: HttpRequest) {
      const r = await request(req);
      return { status: r.status, data: JSON.parse(r.body) as T, cached: false };
    },
    clearCache: () => undefined,
  };
}

export async function throughput(): Promise<Result[]> {
  const t = await startTestBot({ NIXIE_CONFIG: configFile(0) }, { http: memoryHttp() });
  const run = async (ms: number): Promise<number> => {
    const end = nowMs() + ms;
    let n = 0;
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    while (nowMs() < end) {
      const reply = await t.adapter.say("!pkg firefox", { user: `u${n % 500}` });
      if (!reply) throw new Error("no reply");
      renderDiscord(reply);
      renderMatrix(reply);
      n++;
    }
    const cpu = process.cpuUsage(cpu0);
    // Per CPU second: the bot is single-threaded, so this is the one-core rate.
    return n / ((cpu.user + cpu.system) / 1e6 || (nowMs() - t0) / 1000);
  };
  await run(500); // warm-up
  const rate = await run(3000);
  await t.stop();
  return [
    { name: "throughput: !pkg through dispatcher + Matrix and Discord renderers, in-memory upstream", measured: `${fmt(rate, 0)} commands per CPU second`, target: "≥ 5000/s", met: rate >= 5000 },
  ];
}

export async function singleFlight(): Promise<Result[]> {
  const fake = await startFakeSearch({ delayMs: 20 });
  const t = await startTestBot({ NIXIE_SEARCH_URL: fake.url, NIXIE_CONFIG: configFile(600) });
  await Promise.all(Array.from({ length: 100 }, (_, i) => t.ask("!pkg firefox", { user: `user${i}` })));
  const made = fake.requests.length;
  await t.stop();
  await fake.close();
  return [{ name: "single-flight: 100 concurrent identical !pkg, upstream requests", measured: String(made), target: "1", met: made === 1 }];
}
