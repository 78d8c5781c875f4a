/**
 * One deadline, carried as an AbortSignal. The dispatcher makes one per command
 * ({@link signalAt}); upstream requests, pace waits and store writes honour it, so that after the
 * deadline a command changes nothing more. The same small helpers bound every other wait in
 * nixie ({@link withDeadline}, {@link sleep}) instead of hand-made timer races.
 */

/** The deadline passed before a step that would change something (a store write): it was not made. */
export class DeadlinePassed extends Error {
  override name = "DeadlinePassed";
  constructor(message = "the deadline passed") {
    super(message);
  }
}

/**
 * When each signal made by signalAt was made and fires, so that waits can tell beforehand whether
 * they fit, and a timeout can say how long the caller waited.
 */
const spans = new WeakMap<AbortSignal, { readonly start: number; readonly end: number }>();

/**
 * A signal that fires at `at` (a `Date.now()` value) with a DeadlinePassed reason. Its timer does
 * not keep the process alive.
 */
export function signalAt(at: number): AbortSignal {
  const controller = new AbortController();
  const start = Date.now();
  spans.set(controller.signal, { start, end: at });
  const ms = at - start;
  if (ms <= 0) controller.abort(new DeadlinePassed());
  else setTimeout(() => controller.abort(new DeadlinePassed()), ms).unref();
  return controller.signal;
}

/**
 * When a signal fires, when known: a signal made by signalAt, or the earliest of those a
 * {@link anySignal} combines. Undefined for other signals (they may still fire at any time).
 */
export function endOf(signal: AbortSignal | undefined): number | undefined {
  return signal === undefined ? undefined : spans.get(signal)?.end;
}

/** How long a signal made by signalAt lets its caller wait in all (end minus making), when known. */
export function spanOf(signal: AbortSignal | undefined): number | undefined {
  const s = signal === undefined ? undefined : spans.get(signal);
  return s === undefined ? undefined : s.end - s.start;
}

/** The first of several signals to fire (absent ones ignored); its end is the earliest known end. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  if (given.length <= 1) return given[0];
  const combined = AbortSignal.any(given);
  const known = given.map((s) => spans.get(s)).filter((e) => e !== undefined);
  const first = known.sort((a, b) => a.end - b.end)[0];
  if (first !== undefined) spans.set(combined, first);
  return combined;
}

/** Milliseconds until the signal fires: Infinity when unknown, 0 once it has fired. */
export function msLeft(signal: AbortSignal | undefined): number {
  if (signal?.aborted) return 0;
  const end = endOf(signal);
  return end === undefined ? Infinity : Math.max(0, end - Date.now());
}

/**
 * Whether the signal has fired, or its end has come (its timer may run a moment after a timer
 * set for the same end elsewhere, e.g. a request's).
 */
export function hasPassed(signal: AbortSignal | undefined): boolean {
  if (signal === undefined) return false;
  if (signal.aborted) return true;
  const end = endOf(signal);
  return end !== undefined && Date.now() >= end;
}

/**
 * Throws DeadlinePassed when the signal has fired (or its end has come). Call it right before a
 * write a command makes, so that nothing changes after the person was told the command did not
 * finish in time.
 */
export function throwIfPassed(signal: AbortSignal | undefined, what = "the change"): void {
  if (hasPassed(signal)) throw new DeadlinePassed(`the deadline passed before ${what} was made`);
}

/**
 * Settles like `p`, unless the bound comes first: `ms` milliseconds pass, or `signal` fires. Then
 * it settles with `onLate()` (its value, or what it throws). `p` goes on; its outcome is ignored.
 * No timer or listener outlives the race.
 */
export function withDeadline<T, L = never>(p: Promise<T>, bound: { readonly ms?: number; readonly signal?: AbortSignal | undefined }, onLate: () => L): Promise<T | L> {
  const { ms, signal } = bound;
  return new Promise<T | L>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", late);
    };
    function late(): void {
      done();
      try {
        resolve(onLate());
      } catch (e) {
        reject(e);
      }
    }
    p.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
    if (signal?.aborted) {
      late();
      return;
    }
    signal?.addEventListener("abort", late, { once: true });
    if (ms !== undefined && ms !== Infinity) timer = setTimeout(late, Math.max(0, ms));
  });
}

/** Waits `ms` milliseconds; rejects with DeadlinePassed at once when the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const passed = (): DeadlinePassed => new DeadlinePassed("the deadline passed during a wait");
    if (signal?.aborted) {
      reject(passed());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(passed());
    };
    const t = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * What a store write made for a command takes: the command's signal. The store checks it right
 * before it writes (after waiting its turn), so a write queued behind others is not made late.
 */
export interface WriteBound {
  readonly signal?: AbortSignal | undefined;
}
