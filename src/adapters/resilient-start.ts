/**
 * A chat platform that cannot be reached at start-up does not stop nixie: the adapter's start is
 * retried with backoff in the background while the other platforms and the feeds run, and health
 * checks see it disconnected meanwhile. Only a failure no retry can mend (a token the platform
 * refuses) ends start-up, or, when it comes on a later attempt, is reported through `onFatal`.
 */
import type { Logger } from "pino";
import type { Adapter, MessageHandler } from "../core/adapter.js";
import { withDeadline } from "../core/deadline.js";

/** What a start failure means, in words that name the platform. */
export interface StartFailure {
  /** Whether trying again later can work (the platform is unreachable or overloaded). */
  readonly retry: boolean;
  /** One line naming the platform, e.g. "Matrix: homeserver https://… unreachable". */
  readonly line: string;
}

export interface ResilientStartOptions {
  readonly log: Logger;
  /** Classifies a start failure of this adapter. */
  readonly classify: (err: unknown) => StartFailure;
  /** Told when a later attempt fails for good; main.ts exits. */
  readonly onFatal?: ((err: Error) => void) | undefined;
  /** First wait between attempts (ms), doubled each time up to `maxDelayMs`. Default 2000. */
  readonly firstDelayMs?: number;
  /** Default 60000. */
  readonly maxDelayMs?: number;
  /**
   * start() resolves after at most this long (ms; default 10000) even when the first attempt is
   * still waiting (a homeserver that drops packets answers nothing for a minute): the attempt
   * goes on in the background, and the other platforms need not wait for it.
   */
  readonly firstAttemptMs?: number;
}

/** The error start-up ends with: one line that names the platform, the original as its cause. */
export class PlatformStartError extends Error {
  override name = "PlatformStartError";
}

/** Wraps an adapter so that an unreachable platform is retried instead of ending start-up. */
export function withResilientStart(inner: Adapter, opts: ResilientStartOptions): Adapter {
  const first = opts.firstDelayMs ?? 2000;
  const max = opts.maxDelayMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let started = false;
  // the attempt in flight, so that stop() waits for it before stopping the inner adapter
  let attempt: Promise<void> | undefined;

  const fatal = (failure: StartFailure, err: unknown): PlatformStartError => new PlatformStartError(failure.line, { cause: err });

  /** One attempt; resolves true when started, false when a retry is scheduled, throws when fatal. */
  async function tryStart(handler: MessageHandler, delayMs: number): Promise<boolean> {
    try {
      await inner.start(handler);
      started = true;
      return true;
    } catch (err) {
      const failure = opts.classify(err);
      if (!failure.retry) throw fatal(failure, err);
      if (stopped) return false;
      opts.log.warn({ err: errText(err) }, `${failure.line}, retrying in ${Math.round(delayMs / 1000)} s`);
      timer = setTimeout(() => {
        timer = undefined;
        attempt = retry(handler, Math.min(max, delayMs * 2));
      }, delayMs);
      return false;
    }
  }

  /** A failure no retry mends, after start() has resolved: logged, and main.ts is told. */
  function reportFatal(err: unknown): void {
    opts.log.fatal({ err: errText((err as Error).cause) }, (err as Error).message);
    opts.onFatal?.(err as Error);
  }

  async function retry(handler: MessageHandler, nextDelayMs: number): Promise<void> {
    if (stopped) return;
    try {
      if (await tryStart(handler, nextDelayMs)) opts.log.info(`${inner.platform}: connected after retrying`);
    } catch (err) {
      reportFatal(err);
    }
  }

  return {
    platform: inner.platform,
    async start(handler) {
      stopped = false;
      const run = tryStart(handler, first);
      attempt = run.then(
        () => undefined,
        () => undefined,
      );
      const graceMs = opts.firstAttemptMs ?? 10_000;
      if ((await withDeadline(run, { ms: graceMs }, () => "slow" as const)) !== "slow") return;
      opts.log.warn(`${inner.platform}: no answer yet after ${Math.round(graceMs / 1000)} s; still trying, the rest of nixie goes on`);
      run.then((ok) => ok && opts.log.info(`${inner.platform}: connected`), reportFatal);
    },
    send: (room, reply, sendOpts) => inner.send(room, reply, sendOpts),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await attempt;
      // an adapter that never started may still hold a half-made client
      await inner.stop();
      started = false;
    },
    isConnected: () => started && inner.isConnected(),
  };
}

/** The error's message, or its string form. */
function errText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
