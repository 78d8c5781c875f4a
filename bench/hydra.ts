/**
 * Hydra benchmarks. `hydraOverhead`: `!hydra` with four platforms through the test bot against a
 * loopback fake Hydra and fake search answering in 20 ms, against the same requests made bare (the
 * search check's two requests together, then the four build lists together). `hydraSweep`: one
 * sweep of 500 watched jobs on four platforms over an in-memory Hydra: the requests it makes, the
 * bot's CPU time (run at an unthrottled pace), and the duration the default pace implies.
 */
import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../src/config.js";
import { createHydraService } from "../src/hydra/service.js";
import { createNixosSearch } from "../src/upstream/nixos-search.js";
import type { Http, HttpRequest, HttpResponse } from "../src/upstream/http.js";
import { openStore } from "../src/storage/store.js";
import { startFakeHydra } from "../test/helpers/fake-hydra.js";
import { PUBLIC_PASSWORD, PUBLIC_USERNAME, startFakeSearch } from "../test/helpers/fake-search.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, summarize, type Result } from "./lib.js";

const SYSTEMS = ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"];

export async function hydraOverhead(): Promise<Result[]> {
  const N = 300;
  const hydra = await startFakeHydra();
  const search = await startFakeSearch({ delayMs: 20 });
  hydra.delay(20);
  for (const [i, s] of SYSTEMS.entries()) hydra.setBuilds("nixpkgs/unstable", `firefox.${s}`, s, [{ id: 100 + i, nixname: "firefox-150.0", timestamp: 1795932000, buildstatus: 0 }]);
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-hydra-"));
  const cfg = join(dir, "bench.json");
  // No cache (every ask goes to the fake), and a pace that does not hold back 300 asks in a row.
  writeFileSync(
    cfg,
    JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 }, search: { cacheTtlSeconds: 0 }, hydra: { cacheMinutes: 0, noJobCacheMinutes: 0, requestsPerSecond: 1000, burst: 100 } }),
  );
  const bot = await startTestBot({ NIXIE_HYDRA_URL: hydra.url, NIXIE_SEARCH_URL: search.url, NIXIE_CONFIG: cfg });
  const agent = new http.Agent({ keepAlive: true });
  const call = (url: string, opts: http.RequestOptions, body?: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { agent, ...opts }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end(body);
    });
  try {
    // The search requests !hydra makes (the versions check in both channels), captured once.
    const s0 = search.requests.length;
    const first = await bot.ask("!hydra firefox");
    if (!first.includes("succeeded")) throw new Error(`unexpected !hydra answer: ${first}`);
    const searchCalls = search.requests.slice(s0).map((r) => ({ path: r.path, body: JSON.stringify(r.body) }));
    if (searchCalls.length !== 2) throw new Error(`expected 2 search requests, saw ${searchCalls.length}`);
    const auth = `Basic ${Buffer.from(`${PUBLIC_USERNAME}:${PUBLIC_PASSWORD}`).toString("base64")}`;
    const lists = SYSTEMS.map((s) => `${hydra.url}/api/latestbuilds?nr=10&project=nixpkgs&jobset=unstable&job=${encodeURIComponent(`firefox.${s}`)}&system=${s}`);
    const bare: number[] = [];
    const nixie: number[] = [];
    for (let i = 0; i < N + 20; i++) {
      let t = nowMs();
      await Promise.all(searchCalls.map((c) => call(`${search.url}${c.path}`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" } }, c.body)));
      await Promise.all(lists.map((u) => call(u, { headers: { accept: "application/json" } })));
      const b = nowMs() - t;
      t = nowMs();
      const text = await bot.ask("!hydra firefox");
      const x = nowMs() - t;
      if (!text.includes("succeeded")) throw new Error(`unexpected !hydra answer: ${text}`);
      if (i >= 20) {
        bare.push(b);
        nixie.push(x);
      }
    }
    const sb = summarize(bare);
    const sn = summarize(nixie);
    return [
      {
        name: "`!hydra` (2 search, then 4 Hydra requests together, 20 ms each) vs the same bare requests",
        measured: `p50 ${fmt(sn.p50)} ms vs ${fmt(sb.p50)} ms: ratio ${fmt(sn.p50 / sb.p50, 3)} (p99 ${fmt(sn.p99 / sb.p99, 3)})`,
        target: "ratio ≤ 1.1 at p50",
        met: sn.p50 / sb.p50 <= 1.1,
      },
    ];
  } finally {
    agent.destroy();
    await bot.stop();
    await hydra.close();
    await search.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function hydraSweep(): Promise<Result[]> {
  const JOBS = 500;
  const { config: base } = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true });
  let requests = 0;
  let serial = 1000;
  let failing = new Set<string>();
  const answer = (status: number, body: string): HttpResponse => ({ status, headers: {}, body, cached: false });
  // An in-memory Hydra: the CPU measured is the bot's alone.
  const fakeHttp: Http = {
    async request(req: HttpRequest) {
      requests++;
      const u = new URL(req.url);
      if (u.pathname === "/api/latestbuilds") {
        const job = u.searchParams.get("job") ?? "";
        const system = u.searchParams.get("system") ?? "";
        // New build ids every sweep: a build row per evaluation.
        const id = (serial += 2);
        const rows = [
          { id: id + 1, project: "nixpkgs", jobset: "unstable", job, system, nixname: "pkg-1.0", finished: 1, timestamp: 1795932000, buildstatus: failing.has(job) ? 1 : 0 },
          { id, project: "nixpkgs", jobset: "unstable", job, system, nixname: "pkg-1.0", finished: 1, timestamp: 1795900000, buildstatus: 0 },
        ];
        return answer(200, JSON.stringify(rows));
      }
      return answer(404, "{}");
    },
    async json<T>(req: HttpRequest) {
      const r = await this.request(req);
      return { status: r.status, data: JSON.parse(r.body) as T, cached: false };
    },
    clearCache: () => undefined,
  };
  // The pace is lifted only to measure CPU; its duration at the default pace is computed below.
  const config = { ...base, hydra: { ...base.hydra, requestsPerSecond: 1_000_000, burst: 1_000_000 } };
  const store = await openStore("sqlite://:memory:");
  const log = pino({ level: "silent" });
  const service = createHydraService({ config, http: fakeHttp, store, log, search: createNixosSearch({ config: config.search, http: fakeHttp, log }), currentChannels: async () => [] });
  const followed = Array.from({ length: JOBS }, (_, i) => `hydra:pkg${i}`);
  try {
    await service.sweep(followed); // first sight
    // A tenth of the jobs break on one platform: status 1 builds need no build page.
    failing = new Set(Array.from({ length: JOBS / 10 }, (_, i) => `pkg${i * 10}.x86_64-linux`));
    requests = 0;
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    const report = await service.sweep(followed);
    const cpu = process.cpuUsage(cpu0);
    const wall = nowMs() - t0;
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const expected = JOBS * SYSTEMS.length;
    const rps = base.hydra.requestsPerSecond;
    // The sweep leaves the burst to commands: one request per 1/rps seconds from the first.
    const durationS = expected / rps;
    return [
      {
        name: `Hydra sweep of ${JOBS} watched jobs × 4 platforms: requests`,
        measured: `${requests} (${report.events} broke events)`,
        target: `= ${expected}`,
        met: requests === expected && report.lists === expected,
      },
      { name: "Hydra sweep: bot CPU time (pace lifted)", measured: `${fmt(cpuS)} s (wall ${fmt(wall / 1000)} s)`, target: "< 1 s", met: cpuS < 1 },
      {
        name: "Hydra sweep: duration at the default pace (computed)",
        measured: `${fmt(durationS / 60, 1)} min (${expected} requests at ${rps}/s; the burst is left to commands)`,
        target: `next sweep ${base.hydra.sweepIntervalSeconds / 60} min after the start or at the end, whichever is later`,
        met: "n/a",
      },
    ];
  } finally {
    await store.close();
  }
}
