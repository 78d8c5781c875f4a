/**
 * `npm run bench`: every benchmark, side by side in one run, printed as a Markdown table with the
 * machine and date. `npm run bench -- --write` also replaces the results in BENCHMARKS.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/config.js";
import { channelsPoll } from "./channels.js";
import { pkgFeedsPoll } from "./pkg-feeds.js";
import { overhead, singleFlight, throughput } from "./commands.js";
import { fanOut, polling } from "./feeds.js";
import { footprint } from "./footprint.js";
import { evalBench } from "./eval.js";
import { fnBench } from "./fn.js";
import { searchEngine } from "./search.js";
import { prOverhead, trackingBudget } from "./github.js";
import { table, type Result } from "./lib.js";
import { matrixSync } from "./matrix-sync.js";
import { hydraOverhead, hydraSweep } from "./hydra.js";

const suites: Record<string, () => Promise<Result[]>> = {
  overhead,
  throughput,
  singleFlight,
  fanOut,
  polling,
  footprint,
  eval: evalBench,
  searchEngine,
  channelsPoll,
  pkgFeedsPoll,
  matrixSync,
  trackingBudget,
  prOverhead,
  fn: fnBench,
  hydraOverhead,
  hydraSweep,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const results: Result[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    results.push(...(await run()));
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`;
  const out = `${header}\n\n${table(results)}\n`;
  process.stdout.write(out);
  if (process.argv.includes("--write")) {
    const file = join(projectRoot, "BENCHMARKS.md");
    const doc = readFileSync(file, "utf8");
    const start = doc.indexOf("<!-- results -->");
    const end = doc.indexOf("<!-- /results -->");
    if (start < 0 || end < 0) throw new Error("BENCHMARKS.md lacks the results markers");
    writeFileSync(file, `${doc.slice(0, start + "<!-- results -->".length)}\n${out}${doc.slice(end)}`);
  }
  if (results.some((r) => r.met === false)) process.exitCode = 0; // figures, not a test: misses are reported, not failed
}

void main();
