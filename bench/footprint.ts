/** Start-up time to "ready" and idle RSS of the console bot, as `npm start` runs it. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/config.js";
import { fmt, nowMs, rssMb, summarize, type Result } from "./lib.js";

async function once(dir: string, i: number): Promise<{ readyMs: number; rss: number }> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    // The compiled bot, as `npm start` runs it (npm run bench builds it first).
    const child = spawn(process.execPath, ["dist/src/main.js"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, `f${i}.sqlite`)}` },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let readyMs = NaN;
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (Number.isNaN(readyMs) && err.includes("nixie is ready")) {
        readyMs = nowMs() - t0;
        // Idle: let start-up garbage settle, then read the resident size.
        setTimeout(() => {
          const rss = rssMb(child.pid);
          child.kill("SIGTERM");
          child.on("close", () => resolve({ readyMs, rss }));
        }, 1500);
      }
    });
    child.on("error", reject);
    setTimeout(() => reject(new Error(`no ready line: ${err}`)), 20_000).unref();
  });
}

export async function footprint(): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-"));
  await once(dir, 0); // warm the tsx compile cache, as any second start would be
  const runs = [];
  for (let i = 1; i <= 5; i++) runs.push(await once(dir, i));
  const ready = summarize(runs.map((r) => r.readyMs));
  const rss = summarize(runs.map((r) => r.rss));
  return [
    { name: "footprint: start-up to ready (console, median of 5)", measured: `${fmt(ready.p50, 0)} ms`, target: "< 1500 ms", met: ready.p50 < 1500 },
    { name: "footprint: idle RSS (console, median of 5)", measured: `${fmt(rss.p50, 1)} MB`, target: "< 80 MB", met: rss.p50 < 80 },
  ];
}
