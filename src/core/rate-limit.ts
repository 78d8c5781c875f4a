/**
 * Per-user token buckets. A command refused for lack of a token is never silent on its own: the
 * first refusal is a "slow down" notice that says when the next command will be answered (the
 * window), and only the refusals within that window are silent. A refusal after the window gets
 * a notice of its own.
 */
export type RateDecision = "allow" | "warn" | "silent";

interface Bucket {
  tokens: number;
  updated: number;
  /** End of the window announced by the last notice; refusals before it are silent. */
  quietUntil: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perMinute: number,
    private readonly now: () => number = Date.now,
    /** Bound on remembered users; idle full buckets are forgotten first. */
    private readonly maxUsers = 50_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(user: string): RateDecision {
    const t = this.now();
    let b = this.buckets.get(user);
    if (!b) {
      if (this.buckets.size >= this.maxUsers) this.prune(t);
      b = { tokens: this.burst, updated: t, quietUntil: 0 };
      this.buckets.set(user, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (t - b.updated) * this.perMs);
    b.updated = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return "allow";
    }
    if (t < b.quietUntil) return "silent";
    b.quietUntil = t + this.waitMs(user);
    return "warn";
  }

  /** Milliseconds until the user has one token again. */
  waitMs(user: string): number {
    const b = this.buckets.get(user);
    if (!b || b.tokens >= 1) return 0;
    return Math.ceil((1 - b.tokens) / this.perMs);
  }

  private prune(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (t - b.updated) * this.perMs >= this.burst) this.buckets.delete(k);
    }
    if (this.buckets.size >= this.maxUsers) this.buckets.clear();
  }
}
