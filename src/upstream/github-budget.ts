/**
 * How many GitHub requests nixie may still make: a sliding one-hour window over the requests
 * made, capped at the configured hourly budget, plus what GitHub itself said (x-ratelimit-*
 * headers, 403/429 with retry-after). Background work (tracking checks) may use only a share of
 * the window, so that commands still get answers.
 */

/** Who is asking: commands may use the whole budget, background checks only their share. */
export type BudgetUse = "command" | "background";

export interface GitHubBudget {
  /** Requests per hour. */
  readonly perHour: number;
  /** Requests per hour background work may make. */
  readonly backgroundPerHour: number;
  /** Takes one request from the budget; false (taking nothing) when it is used up for `use`. */
  take(use: BudgetUse): boolean;
  /** Requests counted in the last hour. */
  used(): number;
  /** When a request for `use` may be made again (now when it may). */
  nextAt(use: BudgetUse): Date;
  /** GitHub said no more requests until then (rate limit): nothing is asked before. */
  blockUntil(until: Date): void;
  /** Gives back a request taken for an answer GitHub does not count (a 304 with a token). */
  refund(): void;
}

export interface BudgetOptions {
  readonly perHour: number;
  /** Percent of the budget background work may use (1-100). */
  readonly backgroundPercent: number;
  readonly now?: () => number;
}

const HOUR_MS = 3_600_000;

/** The budget a config asks for: 0 means 50 an hour without a token, 4,000 with one. */
export function effectiveBudget(configured: number, hasToken: boolean): number {
  if (configured > 0) return configured;
  return hasToken ? 4000 : 50;
}

export function createGitHubBudget(opts: BudgetOptions): GitHubBudget {
  const now = opts.now ?? Date.now;
  // Times of the requests in the last hour, oldest first.
  const times: number[] = [];
  let blockedUntil = 0;
  const backgroundCap = Math.max(1, Math.floor((opts.perHour * opts.backgroundPercent) / 100));
  const capOf = (use: BudgetUse): number => (use === "command" ? opts.perHour : backgroundCap);
  const prune = (t: number): void => {
    while (times.length > 0 && times[0]! <= t - HOUR_MS) times.shift();
  };
  return {
    perHour: opts.perHour,
    backgroundPerHour: backgroundCap,
    take(use) {
      const t = now();
      if (t < blockedUntil) return false;
      prune(t);
      if (times.length >= capOf(use)) return false;
      times.push(t);
      return true;
    },
    used() {
      prune(now());
      return times.length;
    },
    nextAt(use) {
      const t = now();
      prune(t);
      const cap = capOf(use);
      // The request that has to leave the window before one more fits.
      const free = times.length < cap ? t : times[times.length - cap]! + HOUR_MS;
      return new Date(Math.max(free, blockedUntil, t));
    },
    blockUntil(until) {
      blockedUntil = Math.max(blockedUntil, until.getTime());
    },
    refund() {
      times.pop();
    },
  };
}
