/**
 * Admission for evaluations: at most `maxConcurrent` at once, a bounded FIFO queue behind them,
 * and one evaluation per person per cooldown. Refusals are answers, never waits: a full queue is
 * "busy" at once, and a place in line is given up when the caller's `waitUntil` comes first.
 */

export interface GateOptions {
  readonly maxConcurrent: number;
  /** Waiting evaluations beyond the running ones; more are refused as busy. */
  readonly queue: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
  /** Bound on remembered people; the oldest entries go first. */
  readonly maxPeople?: number;
}

export type Admission =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly reason: "busy" }
  | { readonly ok: false; readonly reason: "cooldown"; readonly waitMs: number }
  /** It waited in line until `waitUntil` without getting a turn; `ahead` were before it then. */
  | { readonly ok: false; readonly reason: "waited"; readonly waitedMs: number; readonly ahead: number };

export interface EnterOptions {
  /** A `Date.now()` value: give up the place in line then. Absent: wait for a turn. */
  readonly waitUntil?: number;
  /** Apply the per-person cooldown (default true; the console, one local person, has none). */
  readonly cooldown?: boolean;
}

export class EvalGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly lastStart = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxPeople: number;

  constructor(private readonly opts: GateOptions) {
    this.now = opts.now ?? Date.now;
    this.maxPeople = opts.maxPeople ?? 10_000;
  }

  /** Evaluations running now. */
  get active(): number {
    return this.running;
  }

  /** Evaluations waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Admits `who` (a platform-qualified user id): resolves once a slot is free, with `release` to
   * call when the evaluation is over; or at once with the reason it is refused.
   */
  async enter(who: string, opts: EnterOptions = {}): Promise<Admission> {
    const t = this.now();
    const cooldown = opts.cooldown ?? true;
    const last = cooldown ? this.lastStart.get(who) : undefined;
    if (last !== undefined && t - last < this.opts.cooldownMs) return { ok: false, reason: "cooldown", waitMs: this.opts.cooldownMs - (t - last) };
    if (this.running >= this.opts.maxConcurrent && this.waiting.length >= this.opts.queue) return { ok: false, reason: "busy" };
    if (cooldown) this.remember(who, t);
    if (this.running >= this.opts.maxConcurrent) {
      const ahead = this.running + this.waiting.length;
      if (!(await this.wait(opts.waitUntil))) {
        // It never ran: the cooldown does not count, the person may try again at once.
        if (cooldown && this.lastStart.get(who) === t) this.lastStart.delete(who);
        return { ok: false, reason: "waited", waitedMs: this.now() - t, ahead };
      }
    } else this.running++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        // The slot passes straight to the next in line, so `running` stays the same.
        if (next) next();
        else this.running--;
      },
    };
  }

  /** Waits for a turn in line; false when `until` (a Date.now() value) came first. */
  private wait(until: number | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const turn = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiting.push(turn);
      if (until === undefined) return;
      timer = setTimeout(
        () => {
          const i = this.waiting.indexOf(turn);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve(false);
        },
        Math.max(0, until - Date.now()),
      );
    });
  }

  private remember(who: string, t: number): void {
    this.lastStart.delete(who);
    if (this.lastStart.size >= this.maxPeople) {
      for (const [k, v] of this.lastStart) {
        if (t - v >= this.opts.cooldownMs || this.lastStart.size >= this.maxPeople) this.lastStart.delete(k);
        else break;
      }
    }
    this.lastStart.set(who, t);
  }
}
