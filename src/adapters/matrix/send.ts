/**
 * Sending to Matrix: every event goes out as `PUT /rooms/{room}/send/{type}/{txnId}` with a
 * transaction id chosen before the first attempt, so a retry (after a 429, a 5xx or a dropped
 * connection) can never post twice. Sends are serialised and paced; a 429 waits `retry_after_ms`.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { IntervalLimiter } from "../../upstream/cache.js";

/** The part of a Matrix client the sender uses (matrix-bot-sdk's raw request API). */
export interface RawRequester {
  doRequest(method: string, endpoint: string, qs?: Record<string, unknown> | null, body?: unknown): Promise<unknown>;
}

export interface SenderOptions {
  readonly client: RawRequester;
  readonly log: Logger;
  /** Minimum pause between two sends (ms). */
  readonly intervalMs: number;
  /** A 429 asking for a longer wait than this fails at once instead of waiting (ms). */
  readonly maxRetryWaitMs: number;
  /** Attempts per event, the first included. */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Sender {
  /** Sends one event; resolves with its event id. */
  send(roomId: string, type: string, content: unknown, txnId: string): Promise<string>;
  /** Resolves when every queued send has finished (bounded by the caller). */
  idle(): Promise<void>;
}

/** A transaction id for a feed post: derived from its delivery id, the same on every retry. */
export function txnIdFor(deliveryId: string): string {
  return `nixie.${createHash("sha256").update(deliveryId).digest("base64url").slice(0, 32)}`;
}

interface ErrorShape {
  readonly statusCode?: unknown;
  readonly errcode?: unknown;
  readonly retryAfterMs?: unknown;
  readonly body?: unknown;
}

/** How long to wait before retrying after this error, or undefined when a retry would not help. */
export function retryDelay(err: unknown, attempt: number): number | undefined {
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorShape;
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const backoff = Math.min(30_000, 500 * 2 ** attempt);
  if (status === 429 || e.errcode === "M_LIMIT_EXCEEDED") {
    const body = (typeof e.body === "object" && e.body !== null ? e.body : {}) as Record<string, unknown>;
    const after = typeof e.retryAfterMs === "number" ? e.retryAfterMs : typeof body["retry_after_ms"] === "number" ? body["retry_after_ms"] : undefined;
    return after ?? backoff;
  }
  if (status === undefined || status === 502 || status === 503 || status === 504) {
    // no status: the request never got an answer (connection refused or reset, timeout)
    return backoff;
  }
  return undefined;
}

export function createSender(opts: SenderOptions): Sender {
  const attempts = opts.attempts ?? 4;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pace = new IntervalLimiter(opts.intervalMs > 0 ? 1000 / opts.intervalMs : Number.POSITIVE_INFINITY);
  let queue: Promise<unknown> = Promise.resolve();

  async function attempt(roomId: string, type: string, content: unknown, txnId: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnId)}`;
    for (let i = 0; ; i++) {
      await pace.wait();
      try {
        const res = (await opts.client.doRequest("PUT", path, null, content)) as { event_id?: unknown } | undefined;
        return typeof res?.event_id === "string" ? res.event_id : "";
      } catch (err) {
        const wait = retryDelay(err, i);
        if (wait === undefined || i + 1 >= attempts) throw err;
        if (wait > opts.maxRetryWaitMs) throw err;
        opts.log.info({ room: roomId, waitMs: wait, attempt: i + 1 }, "matrix send: retrying");
        await sleep(wait);
      }
    }
  }

  return {
    send(roomId, type, content, txnId) {
      const run = queue.then(() => attempt(roomId, type, content, txnId));
      queue = run.catch(() => undefined);
      return run;
    },
    async idle() {
      await queue;
    },
  };
}
