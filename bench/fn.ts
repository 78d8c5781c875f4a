/**
 * !fn benchmarks on a data file of the real size: 2,100 documents generated from the shapes of the
 * fixture (test/fixtures/noogle-data.json), each under its own name, aliases renamed alike.
 * - the parse: on the main thread (what a worker saves the event loop from), for that file and for
 *   one at the 30 MB bound; and the event loop's longest stall while the worker parses;
 * - the index: build time, and its memory (RSS and heap in a child process, after GC);
 * - `!fn` through the test adapter from memory: p50/p99 for exact names, path endings and typos;
 *   and autocomplete.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { projectRoot } from "../src/config.js";
import { mergeBuiltins } from "../src/fn/entries.js";
import { FnIndex } from "../src/fn/index.js";
import { parseInWorker, parseToEntries } from "../src/fn/parse.js";
import { startLoopback } from "../test/helpers/loopback.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, summarize, type Result } from "./lib.js";

type Doc = { meta: { path: string[]; aliases: string[][] | null; title: string }; [k: string]: unknown };

/** `count` documents in the fixture's shapes, each with a name of its own (mapAttrs -> mapAttrs17). */
export function generateData(count: number): string {
  const fixture = JSON.parse(readFileSync(join(projectRoot, "test", "fixtures", "noogle-data.json"), "utf8")) as { data: Doc[] } & Record<string, unknown>;
  const rename = (p: string[], i: number): string[] => [...p.slice(0, -1), `${p[p.length - 1]}${i}`];
  const data = Array.from({ length: count }, (_, i) => {
    const d = structuredClone(fixture.data[i % fixture.data.length]!);
    d.meta.path = rename(d.meta.path, i);
    d.meta.title = d.meta.path.join(".");
    if (d.meta.aliases) d.meta.aliases = d.meta.aliases.map((a) => rename(a, i));
    return d;
  });
  return JSON.stringify({ ...fixture, data });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeParse(body: string, rounds: number): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = nowMs();
    parseToEntries(body);
    times.push(nowMs() - t);
  }
  return median(times);
}

/**
 * What loading keeps, in a child process with --expose-gc, the way the service loads: the body
 * read, parsed in the worker thread (which then ends), the index built, the rest dropped, GC.
 */
function indexMemory(file: string): { rss: number; heap: number; rss10: number; heap10: number } {
  const script = `
    import { readFileSync } from "node:fs";
    import { parseInWorker } from ${JSON.stringify(join(projectRoot, "dist/src/fn/parse.js"))};
    import { FnIndex } from ${JSON.stringify(join(projectRoot, "dist/src/fn/index.js"))};
    const settle = () => { for (let i = 0; i < 4; i++) globalThis.gc(); };
    const load = async () => {
      const parsed = await parseInWorker(readFileSync(${JSON.stringify(file)}, "utf8"));
      await new Promise((r) => setTimeout(r, 200));
      return new FnIndex(parsed.entries);
    };
    settle();
    const before = process.memoryUsage();
    let index = await load();
    settle();
    const one = process.memoryUsage();
    // Nine more loads (a refresh replaces the index): what the process keeps at its high-water mark.
    for (let i = 0; i < 9; i++) index = await load();
    settle();
    const ten = process.memoryUsage();
    if (index.size < 1) throw new Error("empty index");
    const mb = (a, b) => (a - b) / 2 ** 20;
    process.stdout.write(JSON.stringify({ rss: mb(one.rss, before.rss), heap: mb(one.heapUsed, before.heapUsed), rss10: mb(ten.rss, before.rss), heap10: mb(ten.heapUsed, before.heapUsed) }));
  `;
  // The compiled code (npm run bench builds it first), as production runs it.
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: projectRoot, encoding: "utf8" });
  return JSON.parse(out) as { rss: number; heap: number; rss10: number; heap10: number };
}

/** `!fn` through the test adapter, the index loaded from a loopback Noogle serving `body`. */
async function latency(body: string, dir: string): Promise<Result[]> {
  const results: Result[] = [];
  const noogle = await startLoopback((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  const config = join(dir, "bench.json");
  writeFileSync(config, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10_000 } }));
  const t = await startTestBot({ NIXIE_FN_URL: `${noogle.url}/api/v1/data`, NIXIE_CONFIG: config });
  try {
    await t.bot.services.fn.ready();
    const names = parseToEntries(body).entries.map((e) => e.path);
    const kinds: Record<string, (i: number) => string> = {
      exact: (i) => names[i % names.length]!,
      ending: (i) => names[i % names.length]!.split(".").pop()!,
      typo: (i) => names[i % names.length]!.split(".").pop()!.slice(1),
    };
    for (const [kind, query] of Object.entries(kinds)) {
      const times: number[] = [];
      let cpu = process.cpuUsage();
      for (let i = 0; i < 2200; i++) {
        if (i === 200) cpu = process.cpuUsage();
        const q = query(i);
        const s = nowMs();
        const reply = await t.adapter.say(`!fn ${q}`, { user: `u${i % 50}` });
        const ms = nowMs() - s;
        if (!reply || (kind !== "typo" && reply.isError === true)) throw new Error(`!fn ${q}: no function found`);
        if (i >= 200) times.push(ms);
      }
      const used = process.cpuUsage(cpu);
      const s = summarize(times);
      // CPU per command is what nixie spends; wall-clock tails also hold the machine's other load.
      const cpuMs = (used.user + used.system) / 1000 / times.length;
      results.push({
        name: `fn: !fn latency from memory, ${kind} (${kind === "typo" ? "first letter dropped: did you mean" : kind === "ending" ? "bare name" : "full path"}), p50 / p99; CPU per command`,
        measured: `${fmt(s.p50, 3)} / ${fmt(s.p99, 3)} ms; ${fmt(cpuMs, 3)} ms`,
        target: "p99 < 1 ms",
        met: s.p99 < 1,
      });
    }
    const times: number[] = [];
    for (let i = 0; i < 2200; i++) {
      const s = nowMs();
      await t.bot.dispatcher.complete("fn", "function", names[i % names.length]!.split(".").pop()!.slice(0, 4), "discord");
      if (i >= 200) times.push(nowMs() - s);
    }
    const c = summarize(times);
    results.push({ name: "fn: /fn autocomplete (4 letters), p50 / p99", measured: `${fmt(c.p50, 3)} / ${fmt(c.p99, 3)} ms`, target: "—", met: "n/a" });
  } finally {
    await t.stop();
    await noogle.close();
  }
  return results;
}

export async function fnBench(): Promise<Result[]> {
  const results: Result[] = [];
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-fn-"));
  try {
    const body = generateData(2100);
    const file = join(dir, "data.json");
    writeFileSync(file, body);
    results.push(...(await latency(body, dir)));
    const bound = generateData(Math.ceil((2100 * 30_000_000) / Buffer.byteLength(body)));
    const boundBytes = Buffer.byteLength(bound);
    const parseReal = timeParse(body, 7);
    const parseBound = timeParse(bound, 3);
    results.push({
      name: `fn: parse on the main thread, data file of 2,100 documents (${fmt(Buffer.byteLength(body) / 1e6, 1)} MB) / at the bound (${fmt(boundBytes / 1e6, 1)} MB)`,
      measured: `${fmt(parseReal, 1)} ms / ${fmt(parseBound, 0)} ms (median)`,
      target: "> 100 ms at the bound: parse in a worker",
      met: "n/a",
    });

    // The worker: the event loop's longest stall while it parses the file at the bound.
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = nowMs();
    const parsed = await parseInWorker(bound);
    const workerMs = nowMs() - t0;
    h.disable();
    results.push({
      name: `fn: worker parse of the ${fmt(boundBytes / 1e6, 1)} MB file: wall time; longest event-loop stall meanwhile`,
      measured: `${fmt(workerMs, 0)} ms; ${fmt(h.max / 1e6, 1)} ms (${parsed.entries.length} entries handed back)`,
      target: "stall < 100 ms",
      met: h.max / 1e6 < 100,
    });

    const entries = parseToEntries(body).entries;
    const builds: number[] = [];
    let index = new FnIndex(entries);
    for (let i = 0; i < 10; i++) {
      const t = nowMs();
      index = new FnIndex(mergeBuiltins(entries, {}));
      builds.push(nowMs() - t);
    }
    const mem = indexMemory(file);
    results.push({ name: "fn: index build, 2,100 documents", measured: `${fmt(median(builds), 1)} ms (median of 10; ${index.size} functions)`, target: "—", met: "n/a" });
    results.push({
      name: "fn: memory kept after loading 2,100 documents (worker parse, index built, GC): RSS / heap above before",
      measured: `${fmt(mem.rss, 1)} / ${fmt(mem.heap, 1)} MB`,
      target: "RSS ≤ 30 MB",
      met: mem.rss <= 30,
    });
    results.push({
      name: "fn: the same after 10 loads (daily refreshes): RSS / heap above before",
      measured: `${fmt(mem.rss10, 1)} / ${fmt(mem.heap10, 1)} MB`,
      target: "RSS ≤ 30 MB",
      met: mem.rss10 <= 30,
      note: "heap flat: allocator high water, not a leak",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
