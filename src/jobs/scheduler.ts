/**
 * Runs a job on a node-cron schedule, never two runs at once: a tick that comes while a run is
 * still busy is skipped. `shouldRun()` is asked before every scheduled run, so that a leader lease
 * (several instances, one polls) can gate it later without touching the job.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";

export interface SchedulerOptions {
  /** node-cron expression; a sixth leading field gives seconds. */
  readonly cron: string;
  readonly name: string;
  readonly job: () => Promise<unknown>;
  /** Asked before each scheduled run; false skips it (e.g. another instance holds the lease). */
  readonly shouldRun?: () => Promise<boolean>;
  readonly log: Logger;
}

export interface Scheduler {
  start(): void;
  /** Runs the job now (after a run in progress, if any) and resolves when it is done. */
  runNow(): Promise<void>;
  /** Stops the schedule and waits for a run in progress. Safe to call twice. */
  stop(): Promise<void>;
  /** A run is in progress. */
  readonly busy: boolean;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  let task: ScheduledTask | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = (): Promise<void> => {
    const p = (async () => {
      const started = Date.now();
      try {
        await opts.job();
      } catch (e) {
        opts.log.error({ job: opts.name, err: e instanceof Error ? e.message : String(e) }, "scheduled job failed");
      } finally {
        opts.log.debug({ job: opts.name, ms: Date.now() - started }, "scheduled job done");
      }
    })();
    running = p.finally(() => {
      if (running === tracked) running = undefined;
    });
    const tracked = running;
    return tracked;
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      opts.log.debug({ job: opts.name }, "previous run still busy; tick skipped");
      return;
    }
    if (opts.shouldRun) {
      let go = false;
      try {
        go = await opts.shouldRun();
      } catch (e) {
        opts.log.warn({ job: opts.name, err: String(e) }, "shouldRun failed; tick skipped");
      }
      if (!go || running || stopped) return;
    }
    await runOnce();
  };

  return {
    start() {
      if (task || stopped) return;
      task = cron.schedule(opts.cron, () => tick(), { name: opts.name });
    },
    async runNow() {
      while (running) await running;
      await runOnce();
    },
    async stop() {
      stopped = true;
      if (task) {
        await task.stop();
        await task.destroy();
        task = undefined;
      }
      while (running) await running;
    },
    get busy() {
      return running !== undefined;
    },
  };
}

/** A job on its schedule whose runs report what they did, and a way to run one now and wait for its report. */
export interface PollJob<R> {
  start(): void;
  stop(): Promise<void>;
  /** Runs the job now (after a run in progress, if any) and resolves with its report. */
  pollNow(): Promise<R>;
}

/** A scheduler around `poll`, keeping the report of the last run for pollNow(). */
export function createPollJob<R>(opts: Omit<SchedulerOptions, "job"> & { readonly poll: () => Promise<R> }): PollJob<R> {
  let last: R | undefined;
  const { poll, ...rest } = opts;
  const scheduler = createScheduler({
    ...rest,
    job: async () => {
      last = await poll();
    },
  });
  return {
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
    async pollNow() {
      await scheduler.runNow();
      if (last === undefined) throw new Error(`the ${opts.name} job did not run`);
      return last;
    },
  };
}
