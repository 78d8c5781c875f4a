/**
 * The refresh job of `!fn`'s data: every hour it asks the service to refresh, which fetches
 * Noogle's data file only when the copy in use is fn.refreshHours old (and takes a newer copy
 * another instance stored). Every instance runs it, standbys too, so each has an index ready.
 */
import type { Logger } from "pino";
import { createScheduler, type Scheduler } from "../jobs/scheduler.js";
import type { FnService } from "./service.js";

/** Hourly, at a minute away from the feeds' and other jobs' round minutes. */
export const FN_REFRESH_CRON = "23 * * * *";

export function createFnJob(opts: { readonly fn: Pick<FnService, "refresh">; readonly log: Logger }): Scheduler {
  return createScheduler({ cron: FN_REFRESH_CRON, name: "fn-refresh", job: () => opts.fn.refresh(), log: opts.log });
}
