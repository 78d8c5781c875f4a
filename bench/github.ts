/**
 * GitHub benchmarks. `trackingBudget`: 100 tracked nixpkgs pull requests (merged into master one
 * after another) over 24 simulated hours, each of the three master channels advancing twice,
 * checked on the default feeds schedule (every 5 minutes) without a token: GitHub requests made,
 * posts delivered and how long after the advance. `prOverhead`: `!pr` against a loopback GitHub
 * answering after 20 ms, against the same four requests made bare.
 */
import http from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig, projectRoot } from "../src/config.js";
import type { Reply } from "../src/core/reply.js";
import { openStore } from "../src/storage/store.js";
import { createTracker } from "../src/pr-tracking/poll.js";
import { createOutbox } from "../src/delivery/outbox.js";
import { createGitHubServices } from "../src/pr-tracking/wiring.js";
import type { Http, HttpRequest, HttpResponse } from "../src/upstream/http.js";
import { spawn } from "node:child_process";
import { MERGE_SHA } from "./github-fake.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, summarize, type Result } from "./lib.js";

const sha = (pos: number): string => pos.toString(16).padStart(40, "0");
const posOf = (s: string): number => parseInt(s, 16);

export async function trackingBudget(): Promise<Result[]> {
  const PRS = 100;
  const start = Date.parse("2026-12-01T00:00:00Z");
  let clock = start;
  // Channel advances (minutes after the start), on the 5-minute check schedule.
  const now = (): number => clock;
  // master is a line of commits; pull request i was merged at position i. A channel has a
  // commit when its head position is at or after it.
  const heads = new Map<string, number>([
    ["master", PRS + 10],
    ["nixos-unstable-small", 0],
    ["nixos-unstable", 0],
    ["nixpkgs-unstable", 0],
  ]);
  const advances: { at: number; branch: string; to: number }[] = [
    { at: 3 * 60 + 5, branch: "nixos-unstable-small", to: 50 },
    { at: 4 * 60 + 20, branch: "nixpkgs-unstable", to: 50 },
    { at: 5 * 60 + 50, branch: "nixos-unstable", to: 50 },
    { at: 13 * 60 + 35, branch: "nixos-unstable-small", to: PRS + 10 },
    { at: 14 * 60 + 10, branch: "nixpkgs-unstable", to: PRS + 10 },
    { at: 15 * 60 + 55, branch: "nixos-unstable", to: PRS + 10 },
  ];
  let requests = 0;
  const answer = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, body: JSON.stringify(body), cached: false });
  const fakeHttp: Http = {
    async request(req: HttpRequest) {
      requests++;
      const path = new URL(req.url).pathname;
      let m: RegExpExecArray | null;
      if ((m = /\/pulls\/(\d+)$/.exec(path))) {
        const n = Number(m[1]);
        return answer(200, {
          title: `pr ${n}`,
          state: "closed",
          merged: true,
          merged_at: new Date(start - (PRS - n) * 60_000).toISOString(),
          merge_commit_sha: sha(n),
          base: { ref: "master" },
          user: { login: "u" },
        });
      }
      if ((m = /\/branches\/(.+)$/.exec(path))) return answer(200, { commit: { sha: sha(heads.get(decodeURIComponent(m[1]!)) ?? 0) } });
      if ((m = /\/compare\/(.+)\.\.\.([0-9a-f]{40})$/.exec(path))) {
        const head = heads.get(decodeURIComponent(m[1]!)) ?? 0;
        const contained = posOf(m[2]!) <= head;
        return answer(200, { status: contained ? "behind" : "ahead", base_commit: { sha: sha(head) } });
      }
      return answer(404, { message: "Not Found" });
    },
    async json<T>(req: HttpRequest) {
      const r = await this.request(req);
      return { status: r.status, data: JSON.parse(r.body) as T, cached: false };
    },
    clearCache: () => undefined,
  };
  const { config } = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true });
  const store = await openStore("sqlite://:memory:");
  const services = createGitHubServices({ config, secrets: {}, http: fakeHttp, store, now });
  const posted = new Map<string, number>();
  const outbox = createOutbox({
    store,
    log: pino({ level: "silent" }),
    paceMs: () => 0,
    maxPerRoom: 3,
    async send(_room, reply: Reply) {
      const text = reply.blocks.map((b) => (b.kind === "text" ? b.text.map((s) => s.text).join("") : "")).join("");
      const m = /nixpkgs#(\d+) .* has reached (\S+?)\./.exec(text);
      if (m) posted.set(`${m[1]}:${m[2]}`, clock);
    },
  });
  const tracker = createTracker({
    github: services.github,
    status: services.prStatus,
    tracks: services.tracks,
    outbox,
    store,
    log: pino({ level: "silent" }),
    now,
  });
  // Tracked before the day starts: their status is known (merged into master), channels not yet asked.
  for (let n = 1; n <= PRS; n++) {
    const pull = {
      number: n,
      title: `pr ${n}`,
      url: `https://github.com/NixOS/nixpkgs/pull/${n}`,
      author: "u",
      state: "merged" as const,
      baseRef: "master",
      mergedAt: new Date(start - (PRS - n) * 60_000).toISOString(),
      mergeSha: sha(n),
    };
    await services.prStatus.check(pull, { use: "background", heads: new Map() });
    await services.tracks.add(`test:room${n % 10}`, { pr: n, asker: { id: `u${n}` }, since: new Date(start).toISOString(), done: ["master"] }, { perRoom: 1000, perUser: 1000 });
  }
  requests = 0;
  let budgetUsedMax = 0;
  for (let minute = 0; minute < 24 * 60; minute += 5) {
    clock = start + minute * 60_000;
    for (const a of advances) if (a.at === minute) heads.set(a.branch, a.to);
    await tracker.poll();
    budgetUsedMax = Math.max(budgetUsedMax, services.github.budget.used());
  }
  await store.close();
  const delays: number[] = [];
  for (const [key, at] of posted) {
    const [n, branch] = key.split(":") as [string, string];
    const adv = advances.find((a) => a.branch === branch && Number(n) <= a.to)!;
    delays.push((at - (start + adv.at * 60_000)) / 60_000);
  }
  const d = summarize(delays);
  return [
    {
      name: "GitHub requests, 100 tracked PRs, 24 simulated hours, no token",
      measured: `${requests} (at most ${budgetUsedMax} in any hour)`,
      target: "≤ 1,200 (50 an hour)",
      met: requests <= 1200 && budgetUsedMax <= 50,
    },
    {
      name: "tracking posts delivered in those 24 h",
      measured: `${posted.size} of ${PRS * 3}; delay after the channel advance p50 ${fmt(d.p50, 0)} min, max ${fmt(Math.max(...delays), 0)} min`,
      target: "every one",
      met: posted.size === PRS * 3,
    },
  ];
}

export async function prOverhead(): Promise<Result[]> {
  const N = 300;
  const mergeSha = MERGE_SHA;
  const child = spawn(process.execPath, ["--import", "tsx", "bench/github-fake.ts"], {
    cwd: projectRoot,
    env: { ...process.env, FAKE_GITHUB_CHILD: "1", FAKE_GITHUB_DELAY_MS: "20" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("error", reject);
  });
  const fake = { url, close: async () => void child.kill() };
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-gh-"));
  const cfg = join(dir, "bench.json");
  writeFileSync(cfg, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 } }));
  const bot = await startTestBot({ NIXIE_GITHUB_API: fake.url, NIXIE_GITHUB_BUDGET: "1000000", NIXIE_CONFIG: cfg });
  const agent = new http.Agent({ keepAlive: true });
  const get = (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      http
        .get(`${fake.url}${path}`, { agent, headers: { accept: "application/vnd.github+json" } }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        })
        .on("error", reject);
    });
  // The requests `!pr` needs for a merged master pull request no channel has yet.
  const paths = [
    "/repos/NixOS/nixpkgs/pulls/345678",
    ...["nixos-unstable-small", "nixos-unstable", "nixpkgs-unstable"].map((b) => `/repos/NixOS/nixpkgs/compare/${b}...${mergeSha}?per_page=1&page=100`),
  ];
  const bare: number[] = [];
  const nixie: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    let t = nowMs();
    // As !pr needs them: the pull request first, then the three channel compares together
    // (they wait only for master, the base branch).
    await get(paths[0]!);
    await Promise.all(paths.slice(1).map(get));
    const b = nowMs() - t;
    t = nowMs();
    const text = await bot.ask("!pr 345678");
    const x = nowMs() - t;
    if (!text.includes("not yet")) throw new Error(`unexpected !pr answer: ${text}`);
    if (i >= 20) {
      bare.push(b);
      nixie.push(x);
    }
  }
  agent.destroy();
  await bot.stop();
  await fake.close();
  const sb = summarize(bare);
  const sn = summarize(nixie);
  return [
    {
      name: "`!pr` (1 pulls, then 3 compares together, 20 ms each) vs the same bare requests",
      measured: `p50 ${fmt(sn.p50)} ms vs ${fmt(sb.p50)} ms: ratio ${fmt(sn.p50 / sb.p50, 3)} (p99 ${fmt(sn.p99 / sb.p99, 3)})`,
      target: "ratio ≤ 1.05 at p50",
      met: sn.p50 / sb.p50 <= 1.05,
    },
  ];
}
