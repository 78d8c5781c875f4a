/**
 * Admission for evaluations: at most `maxConcurrent` at once, a bounded FIFO queue behind them,
 * and one evaluation per person per cooldown. Refusals are answers, never waits.
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
  | { readonly ok: false; readonly reason: "cooldown"; readonly waitMs: number };

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
  async enter(who: string): Promise<Admission> {
    const t = this.now();
    const last = this.lastStart.get(who);
    if (last !== undefined && t - last < this.opts.cooldownMs) return { ok: false, reason: "cooldown", waitMs: this.opts.cooldownMs - (t - last) };
    if (this.running >= this.opts.maxConcurrent && this.waiting.length >= this.opts.queue) return { ok: false, reason: "busy" };
    this.remember(who, t);
    if (this.running >= this.opts.maxConcurrent) await new Promise<void>((r) => this.waiting.push(r));
    else this.running++;
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
