/**
 * The Hydra sweep on its own schedule: the next sweep starts `intervalMs` after the previous one
 * started, or when it ended if it took longer (a sweep of N jobs takes N × platforms requests at
 * the paced rate). Runs only while `shouldRun()` says so (the active instance, which holds the
 * lease). Stopping ends a sweep between two requests.
 */
import type { Logger } from "pino";
import type { SweepReport } from "./service.js";

export interface SweepJob {
  start(): void;
  /** Runs one sweep now (after one in progress) and resolves with its report (tests). */
  sweepNow(): Promise<SweepReport>;
  stop(): Promise<void>;
}

export interface SweepJobOptions {
  readonly intervalMs: number;
  sweep(stopping: () => boolean): Promise<SweepReport>;
  /**
   * When the last sweep started (any instance, before a restart): the first sweep after start
   * comes an interval after it, or at once when that is past. Without one, an interval after start.
   */
  lastStart?(): Promise<number | undefined>;
  readonly shouldRun?: () => Promise<boolean>;
  readonly log: Logger;
}

export function createSweepJob(opts: SweepJobOptions): SweepJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepReport> | undefined;
  let stopped = false;
  let starting: Promise<void> | undefined;
  const stopping = (): boolean => stopped;

  const run = (): Promise<SweepReport> => {
    const p = opts.sweep(stopping).finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), Math.max(0, ms));
    timer.unref();
  };

  async function tick(): Promise<void> {
    timer = undefined;
    const started = Date.now();
    try {
      const go = running === undefined && (opts.shouldRun ? await opts.shouldRun() : true);
      if (go && !stopped) await run();
    } catch (e) {
      opts.log.error({ job: "hydra-sweep", err: e instanceof Error ? e.message : String(e) }, "hydra sweep failed");
    }
    schedule(opts.intervalMs - (Date.now() - started));
  }

  return {
    start() {
      if (stopped || timer || running || starting) return;
      // A restart (a deploy) must not push the sweep back by a whole interval each time.
      starting = (opts.lastStart ? opts.lastStart() : Promise.resolve(undefined))
        .catch(() => undefined)
        .then((last) => {
          starting = undefined;
          if (!timer && !running) schedule(last === undefined ? opts.intervalMs : last + opts.intervalMs - Date.now());
        });
    },
    async sweepNow() {
      while (running) await running.catch(() => undefined);
      return run();
    },
    async stop() {
      stopped = true;
      await starting;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (running) await running.catch(() => undefined);
    },
  };
}
