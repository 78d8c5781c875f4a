import assert from "node:assert/strict";
import pino from "pino";
import { createSweepJob } from "../../src/hydra/sweep-job.js";
import type { SweepReport } from "../../src/hydra/service.js";

const log = pino({ level: "silent" });
const report = (): SweepReport => ({ jobs: 0, lists: 0, pages: 0, events: 0, failed: 0 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("hydra: the sweep's schedule", () => {
  it("starts the next sweep an interval after the previous start, or when it ended if it took longer", async () => {
    const starts: number[] = [];
    let duration = 10;
    const job = createSweepJob({
      intervalMs: 80,
      log,
      lastStart: async () => Date.now() - 80, // due now
      async sweep() {
        starts.push(Date.now());
        await sleep(duration);
        return report();
      },
    });
    job.start();
    await sleep(200);
    duration = 200;
    await sleep(700);
    await job.stop();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    assert.ok(starts.length >= 3, `${starts.length} sweeps`);
    // Short sweeps: one interval apart (never closer); long ones: back to back, never overlapping.
    assert.ok(
      gaps.every((g) => g >= 75),
      gaps.join(),
    );
    const long = gaps.slice(-2);
    assert.ok(
      long.every((g) => g >= 195 && g < 300),
      long.join(),
    );
  });

  it("waits a whole interval after start when no sweep ever ran, and skips while not active", async () => {
    let runs = 0;
    let active = false;
    const job = createSweepJob({
      intervalMs: 60,
      log,
      shouldRun: async () => active,
      async sweep() {
        runs++;
        return report();
      },
    });
    job.start();
    await sleep(30);
    assert.equal(runs, 0);
    await sleep(100);
    assert.equal(runs, 0, "not active: no sweep");
    active = true;
    await sleep(100);
    assert.ok(runs >= 1);
    await job.stop();
  });

  it("stop() ends a sweep between requests and waits for it", async () => {
    let seenStop = false;
    const job = createSweepJob({
      intervalMs: 10_000,
      log,
      async sweep(stopping) {
        for (let i = 0; i < 1000; i++) {
          if (stopping()) {
            seenStop = true;
            break;
          }
          await sleep(5);
        }
        return { ...report(), stopped: "stopping" };
      },
    });
    const p = job.sweepNow();
    await sleep(30);
    const t = Date.now();
    await job.stop();
    assert.ok(Date.now() - t < 200);
    assert.equal(seenStop, true);
    assert.equal((await p).stopped, "stopping");
  });
});
