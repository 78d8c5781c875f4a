/**
 * Leader election for jobs that exactly one instance may run (feed polling). Every instance runs
 * one of these; the holder of the lease renews it every ttl/3, the others retry as often. When
 * the leader dies, its lease expires and another instance takes over within the TTL.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Leases } from "../storage/lease.js";

export interface Leader {
  /** This instance's id in the lease. */
  readonly id: string;
  isLeader(): boolean;
  /**
   * Fencing: whether this instance may still act as the holder right now (send a post). True only
   * while the lease's last confirmed expiry, less a margin for the renewal's transit and one for
   * the send itself, lies ahead. A holder that was paused (a stopped process, a frozen VM) past
   * that point answers false before any renewal has run, because another instance may hold the
   * lease by then.
   */
  mayAct(): boolean;
  /**
   * The term this instance may act in now (see mayAct), or undefined. A term is one stretch of
   * holding the lease without a gap: a lease taken again after it may have lapsed (a long pause,
   * another holder meanwhile) starts a new term, so work begun in an earlier term (a delivery
   * round with posts read before the pause) knows it must stop.
   */
  term(): number | undefined;
  /** One take-or-renew round now (tests and start-up call it). */
  tick(): Promise<boolean>;
  start(): void;
  /** Stops renewing and gives the lease up, so a standby takes over at once. */
  stop(): Promise<void>;
  /**
   * Shutting down: never takes the lease from now on (a lease held is still renewed until
   * stop()), so a stopping standby does not become active on its way out.
   */
  retire(): void;
}

export interface LeaderOptions {
  readonly leases: Leases;
  readonly name: string;
  readonly ttlMs: number;
  readonly log: Logger;
  readonly id?: string;
  readonly onChange?: (leader: boolean) => void;
  /** Wall clock (ms), as the lease's expiry is (tests). */
  readonly now?: () => number;
}

export function createLeader(opts: LeaderOptions): Leader {
  const id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const now = opts.now ?? Date.now;
  // Renewals come every ttl/3, so a lease in good health is always confirmed for 2/3 of the TTL
  // ahead; the margins below leave a third of it for acting (ttl 30 s: 10 s).
  /** Taken off the confirmed expiry: the renewal may have reached the store late. */
  const storeMarginMs = Math.floor(opts.ttlMs / 6);
  /** Taken off again before a send: a send begun must be over before the lease may pass on. */
  const actMarginMs = Math.floor(opts.ttlMs / 6);
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let retiring = false;
  // no lease to take: stopped, or retiring without holding it
  const done = (): boolean => stopped || (retiring && !leader);

  const set = (now: boolean): void => {
    if (now === leader) return;
    leader = now;
    opts.log.info({ lease: opts.name, id }, now ? "took the lease: this instance runs the jobs" : "lost the lease: another instance runs the jobs");
    opts.onChange?.(now);
  };

  // Until when the lease is surely ours: the start of the last successful renewal plus the TTL,
  // less a margin for the time the renewal took to reach the store.
  let heldUntil = 0;
  let term = 0;
  const tick = async (): Promise<boolean> => {
    if (done()) return false;
    const started = now();
    try {
      const got = await opts.leases.acquire(opts.name, id, opts.ttlMs);
      if (done()) {
        // stopped while asking: a lease taken meanwhile is given back at once, and not announced
        if (got) await opts.leases.release(opts.name, id).catch(() => undefined);
        return false;
      }
      if (got) {
        // Held without a gap only when the renewal began while the last confirmed lease was valid.
        if (!leader || started >= heldUntil) term++;
        heldUntil = started + opts.ttlMs - storeMarginMs;
      }
      set(got);
    } catch (e) {
      if (done()) return false;
      // A store hiccup does not end a lease that has not expired yet; once it may have, another
      // instance may hold it, so this one steps down.
      opts.log.warn({ lease: opts.name, err: (e as Error).message }, "lease check failed");
      if (now() >= heldUntil) set(false);
    }
    return leader;
  };

  const mayAct = (): boolean => leader && !stopped && now() < heldUntil - actMarginMs;

  return {
    id,
    isLeader: () => leader && !stopped,
    mayAct,
    term: () => (mayAct() ? term : undefined),
    tick,
    start() {
      if (timer) return;
      void tick();
      timer = setInterval(() => void tick(), Math.max(50, Math.floor(opts.ttlMs / 3)));
      timer.unref();
    },
    retire() {
      retiring = true;
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (leader) {
        leader = false;
        await opts.leases.release(opts.name, id).catch(() => undefined);
      }
    },
  };
}
