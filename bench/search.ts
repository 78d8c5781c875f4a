/**
 * Search benchmarks on a real engine (the OpenSearch node of test/e2e/servers/opensearch.sh, with
 * search.nixos.org's schema-51 mapping and the e2e corpus), side by side in one run:
 * - relevance: the share of the ranking table's queries (test/e2e/search-ranking.ts) whose expected
 *   result comes first, for nixie and for the site's own request bodies (site-query.mjs);
 * - overhead: `!pkg firefox` through the bot (answer cache off) against a bare POST of the exact
 *   body nixie sent, interleaved.
 * The engine is started on NIXIE_BENCH_SEARCH_PORT (default 19300) and stopped afterwards.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { loadConfig, projectRoot } from "../src/config.js";
import { createHttp } from "../src/upstream/http.js";
import { createNixosSearch, type NixosSearch, type OptionSource } from "../src/upstream/nixos-search.js";
import { RANKING, type RankingRow } from "../test/e2e/search-ranking.js";
import { siteOptionsBody, sitePackagesBody } from "../test/e2e/servers/opensearch/site-query.mjs";
import { PUBLIC_PASSWORD, PUBLIC_USERNAME } from "../test/helpers/fake-search.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, interleaved, summarize, type Result } from "./lib.js";

const run = promisify(execFile);
const SCRIPT = join(projectRoot, "test/e2e/servers/opensearch.sh");
const AUTH = `Basic ${Buffer.from(`${PUBLIC_USERNAME}:${PUBLIC_PASSWORD}`).toString("base64")}`;

interface Engine {
  readonly url: string;
  readonly log: string;
  stop(): Promise<void>;
}

async function startEngine(): Promise<Engine> {
  const state = mkdtempSync(join(tmpdir(), "nixie-bench-search-"));
  const env = { ...process.env, NIXIE_E2E_SEARCH_PORT: process.env["NIXIE_BENCH_SEARCH_PORT"] ?? "19300" };
  const { stdout } = await run("bash", [SCRIPT, "up", state], { env, maxBuffer: 1 << 20, timeout: 600_000 });
  const exported = new Map([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const url = exported.get("NIXIE_E2E_SEARCH_URL");
  const log = exported.get("NIXIE_E2E_SEARCH_LOG");
  if (url === undefined || log === undefined) throw new Error(`opensearch.sh printed no URL: ${stdout}`);
  return {
    url,
    log,
    async stop() {
      await run("bash", [SCRIPT, "down", state], { env });
      rmSync(state, { recursive: true, force: true });
    },
  };
}

async function postSearch(url: string, channel: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/latest-51-nixos-${channel}/_search`, {
    method: "POST",
    headers: { authorization: AUTH, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`engine answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const sourceOf = (kind: RankingRow["kind"]): OptionSource => (kind === "option" ? "nixos" : kind === "home-manager-option" ? "home-manager" : "darwin");

/** nixie's first result for a row, through its client. */
async function nixieTop(search: NixosSearch, row: RankingRow): Promise<string | undefined> {
  if (row.kind === "packages") return (await search.packages(row.query)).hits[0]?.attrName;
  if (row.kind === "programs") return (await search.programs(row.query)).hits[0]?.attrName;
  return (await search.options(row.query, { source: sourceOf(row.kind) })).hits[0]?.name;
}

/** The site's first result for a row, with its own body (it has no program search: its package search). */
async function siteTop(url: string, row: RankingRow): Promise<string | undefined> {
  const body = row.kind === "packages" || row.kind === "programs" ? sitePackagesBody(row.query) : siteOptionsBody(row.kind, row.query);
  const data = await postSearch(url, "unstable", body);
  const hits = (data["hits"] as { hits?: { _source?: Record<string, unknown> }[] } | undefined)?.hits ?? [];
  const s = hits[0]?._source;
  const name = s?.["package_attr_name"] ?? s?.["option_name"];
  return typeof name === "string" ? name : undefined;
}

async function relevance(engine: Engine): Promise<Result[]> {
  const { config } = loadConfig({ env: { NIXIE_SEARCH_URL: engine.url, NIXIE_CONFIG: "" }, ignoreLocal: true });
  const http = createHttp({ userAgent: "nixie-bench/1.0", timeoutMs: 10_000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 5_000_000, cacheEntries: 0 });
  const search = createNixosSearch({ config: { ...config.search, cacheTtlSeconds: 0 }, http, log: pino({ level: "silent" }) });
  let nixie = 0;
  let site = 0;
  const siteMisses: string[] = [];
  const nixieMisses: string[] = [];
  for (const row of RANKING) {
    const label = `${row.kind === "packages" ? "pkg" : row.kind === "programs" ? "locate" : row.kind} ${row.query}`;
    if ((await nixieTop(search, row)) === row.expected) nixie++;
    else nixieMisses.push(label);
    const s = await siteTop(engine.url, row);
    if (s === row.expected) site++;
    else siteMisses.push(`${label} → ${s ?? "nothing"}`);
  }
  const n = RANKING.length;
  const pct = (k: number): string => `${fmt((100 * k) / n, 0)} % (${k}/${n})`;
  process.stderr.write(`bench: site's misses: ${siteMisses.join("; ")}\n`);
  if (nixieMisses.length > 0) process.stderr.write(`bench: nixie's misses: ${nixieMisses.join("; ")}\n`);
  return [
    { name: "relevance: ranking table, expected result first, nixie (real engine)", measured: pct(nixie), target: "100 %", met: nixie === n },
    { name: "relevance: the same table with the site's own query (site-query.mjs)", measured: pct(site), target: "nixie ahead", met: nixie > site },
  ];
}

async function overheadReal(engine: Engine): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  const file = join(dir, "bench.json");
  writeFileSync(file, JSON.stringify({ search: { cacheTtlSeconds: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, http: { cacheEntries: 0 } }));
  const bot = await startTestBot({ NIXIE_SEARCH_URL: engine.url, NIXIE_CONFIG: file });
  try {
    // The exact body the bot sends, from the engine's request log, to replay it bare.
    const logLines = (): string[] => readFileSync(engine.log, "utf8").trim().split("\n");
    const before = logLines().length;
    await bot.ask("!pkg firefox");
    // The engine's proxy logs a request after answering it: wait for the bot's line, else the
    // last line is an earlier request (a relevance query) and the bare side replays the wrong body.
    for (let i = 0; i < 100 && logLines().length <= before; i++) await new Promise((r) => setTimeout(r, 20));
    const lines = logLines();
    if (lines.length <= before) throw new Error("the engine did not log the bot's request");
    const body = (JSON.parse(lines.at(-1)!) as { body: string }).body;
    if (!body.includes("package_attr_name")) throw new Error("the logged request is not a package search");
    // The bare request goes through the bot's own HTTP layer and connections: the same transport,
    // so the ratio is nixie's own work (query, decoding, card, rendering) and not a difference
    // between two clients' connection handling (this engine's proxy can stall a keep-alive
    // connection by a delayed ACK, about 40 ms, for one client and not the other).
    const json = JSON.parse(body) as unknown;
    const bare = async (): Promise<void> => {
      const res = await bot.bot.services.http.request({ service: "bench", url: `${engine.url}/latest-51-nixos-unstable/_search`, method: "POST", headers: { authorization: AUTH }, json });
      if (res.status !== 200) throw new Error(`engine answered ${res.status}`);
      JSON.parse(res.body);
    };
    const times = await interleaved(1000, 30, bare, async () => {
      const text = await bot.ask("!pkg firefox");
      if (!text.startsWith("firefox")) throw new Error(`unexpected answer: ${text.slice(0, 80)}`);
    });
    const b = summarize(times.b);
    const r = summarize(times.a);
    return [
      {
        name: "overhead on the real engine: !pkg (cards) vs bare request, p50 ratio",
        measured: `${fmt(b.p50 / r.p50, 3)} (${fmt(b.p50)} vs ${fmt(r.p50)} ms)`,
        target: "≤ 1.05",
        met: b.p50 / r.p50 <= 1.05,
      },
    ];
  } finally {
    await bot.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both search benchmarks on one engine start. */
export async function searchEngine(): Promise<Result[]> {
  let engine: Engine;
  try {
    engine = await startEngine();
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n").slice(-3).join(" ") : String(e);
    return [{ name: "search on the real engine", measured: "not measured: the engine did not start", target: "", met: "n/a", note: why.slice(0, 200) }];
  }
  try {
    return [...(await relevance(engine)), ...(await overheadReal(engine))];
  } finally {
    await engine.stop();
  }
}
