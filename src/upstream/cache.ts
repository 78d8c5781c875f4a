/** A bounded in-memory TTL cache (least recently used goes first) and single-flight for promises. */
import { sleep, throwIfPassed } from "../core/deadline.js";

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert so that Map order is least-recently-used first.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.maxEntries <= 0 || ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Runs one producer per key at a time; concurrent callers for the same key share its promise. */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  run(key: string, produce: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = produce().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  get size(): number {
    return this.inFlight.size;
  }
}

/**
 * Spaces calls so that at most `perSecond` start in any second on average (a polite client-side
 * limit); up to `burst` calls may start at once after a quiet spell (a token bucket, kept as the
 * time the next call would be due).
 */
export class IntervalLimiter {
  private next = 0;
  private readonly interval: number;
  private readonly slack: number;
  constructor(perSecond: number, burst = 1) {
    this.interval = 1000 / perSecond;
    this.slack = (Math.max(1, Math.floor(burst)) - 1) * this.interval;
  }

  /**
   * Resolves true when the caller may start; false at once (taking no slot) when its turn would
   * come later than `maxWaitMs` from now. `leaveBurst`: start only as if the burst were 1, so
   * that background work (a sweep) leaves the burst to callers someone waits for. Rejects with
   * DeadlinePassed when `signal` fires during the wait (the slot stays taken: the pace errs on
   * the slow side).
   */
  async wait(maxWaitMs = Infinity, leaveBurst = false, signal?: AbortSignal): Promise<boolean> {
    const now = Date.now();
    const due = Math.max(now, this.next);
    const start = leaveBurst ? due : Math.max(now, due - this.slack);
    if (start - now > maxWaitMs) return false;
    throwIfPassed(signal, "its turn");
    this.next = due + this.interval;
    if (start > now) await sleep(start - now, signal);
    return true;
  }
}
