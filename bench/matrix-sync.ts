/**
 * Matrix at the size of the NixOS space: nixie (the compiled bot, as `npm start` runs it) starts
 * against a loopback homeserver stand-in whose first sync holds 100 joined rooms with 50,000
 * members in all. With nixie's filter the stand-in lazy-loads members, as Synapse does; the
 * comparison run ignores the filter's lazy loading and sends every member event, as Synapse did
 * for the old filter. Measured: time from spawn until the first sync is processed (nixie asks for
 * the next one), and the process's peak RSS by then.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYNC_FILTER } from "../src/adapters/matrix/adapter.js";
import { projectRoot } from "../src/config.js";
import { startFakeMatrix, type FakeMatrix } from "../test/helpers/fake-matrix.js";
import { nixieEnv } from "../test/helpers/nixie-process.js";
import { fmt, nowMs, peakRssMb, summarize, type Result } from "./lib.js";

const ROOMS = 100;
const MEMBERS = 50_000;
const RUNS = 3;

async function once(hs: FakeMatrix, dir: string): Promise<{ ms: number; peak: number }> {
  const before = hs.syncs();
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(process.execPath, ["dist/src/main.js"], {
      cwd: projectRoot,
      env: nixieEnv(dir, { NIXIE_LOG_LEVEL: "warn", MATRIX_HOMESERVER_URL: hs.url, MATRIX_ACCESS_TOKEN: hs.accessToken }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setInterval(() => {
      // the second /sync: the first one has been processed
      if (hs.syncs() < before + 2) return;
      clearInterval(timer);
      const ms = nowMs() - t0;
      const peak = peakRssMb(child.pid);
      child.kill("SIGTERM");
      child.on("close", () => resolve({ ms, peak }));
    }, 5);
    child.on("close", (code) => {
      if (hs.syncs() >= before + 2) return;
      clearInterval(timer);
      reject(new Error(`nixie exited (${String(code)}) before its first sync: ${err}`));
    });
  });
}

async function measure(ignoreLazyLoading: boolean, rooms = ROOMS, members = MEMBERS): Promise<{ ms: number; peak: number; mb: number }> {
  const hs = await startFakeMatrix({ rooms, members, timelinePerRoom: 20, ignoreLazyLoading, longPollMs: 30_000 });
  try {
    const mb = hs.firstSyncBytes(SYNC_FILTER) / 2 ** 20;
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(hs, mkdtempSync(join(tmpdir(), "nixie-bench-matrix-"))));
    return { ms: summarize(runs.map((r) => r.ms)).p50, peak: summarize(runs.map((r) => r.peak)).p50, mb };
  } finally {
    await hs.close();
  }
}

export async function matrixSync(): Promise<Result[]> {
  const lazy = await measure(false);
  const full = await measure(true);
  const empty = await measure(false, 0, 0);
  const what = `${ROOMS} rooms, ${MEMBERS.toLocaleString("en")} members`;
  return [
    {
      name: `Matrix first sync, ${what}, lazy-loaded members (${fmt(lazy.mb, 1)} MB): start to first sync processed, median of ${RUNS}`,
      measured: `${fmt(lazy.ms, 0)} ms`,
      target: "< 3000 ms",
      met: lazy.ms < 3000,
    },
    { name: "Matrix first sync, lazy-loaded members: peak RSS", measured: `${fmt(lazy.peak, 1)} MB`, target: "< 150 MB", met: lazy.peak < 150 },
    { name: `Matrix first sync, every member event (${fmt(full.mb, 1)} MB, the old filter): start to first sync processed`, measured: `${fmt(full.ms, 0)} ms`, target: "comparison", met: "n/a" },
    { name: "Matrix first sync, every member event: peak RSS", measured: `${fmt(full.peak, 1)} MB`, target: "comparison", met: "n/a" },
    {
      name: "Matrix first sync, no rooms (the start-up itself): start to first sync processed / peak RSS",
      measured: `${fmt(empty.ms, 0)} ms / ${fmt(empty.peak, 1)} MB`,
      target: "baseline",
      met: "n/a",
    },
  ];
}
