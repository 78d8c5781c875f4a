/**
 * The one HTTP layer every upstream client uses: timeouts, a descriptive User-Agent, retries with
 * backoff on 429/502/503/504 that honour Retry-After, a maximum response size, a TTL cache with
 * single-flight, and typed errors (UpstreamError). Built on Node's fetch.
 */
import { createHash } from "node:crypto";
import { UpstreamError } from "../core/errors.js";
import { SingleFlight, TtlCache, type IntervalLimiter } from "./cache.js";

export interface HttpRequest {
  /** Service name shown to users in errors: "search.nixos.org", "wiki.nixos.org", … */
  readonly service: string;
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (serialised with JSON.stringify, never by string concatenation). */
  readonly json?: unknown;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Statuses returned to the caller instead of thrown (2xx always are). */
  readonly accept?: readonly number[];
  /** Cache successful answers for this long; identical requests in flight share one request. */
  readonly cacheTtlMs?: number;
  /** Retries for this request (default from the client's options). */
  readonly retries?: number;
  /** A client-side pace for this service. */
  readonly limiter?: IntervalLimiter;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The answer came from the cache. */
  readonly cached: boolean;
}

export interface HttpEvent {
  readonly service: string;
  readonly outcome: "ok" | "cache-hit" | "error";
  readonly status?: number;
  readonly ms: number;
}

export interface HttpOptions {
  readonly userAgent: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxRetryWaitMs: number;
  readonly maxResponseBytes: number;
  readonly cacheEntries: number;
  /** Observer for metrics. */
  readonly onEvent?: (e: HttpEvent) => void;
  /**
   * A second cache level shared by every instance (the store's "cache" namespace). Asked on a
   * miss of the in-memory cache; its failures only cost the upstream request they would have saved.
   */
  readonly sharedCache?: {
    get(key: string): Promise<HttpResponse | undefined>;
    set(key: string, value: HttpResponse, ttlMs: number): Promise<void>;
  };
  /** Injected for tests: how to wait between retries. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Http {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** request() and JSON.parse, with a typed error when the body is not JSON. */
  json<T>(req: HttpRequest): Promise<{ status: number; data: T; cached: boolean }>;
  /** Drops every cached answer. */
  clearCache(): void;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** Seconds or an HTTP date -> milliseconds to wait, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function cacheKeyOf(req: HttpRequest): string {
  const raw = JSON.stringify([req.method ?? "GET", req.url, req.json ?? null, req.headers ?? null]);
  // Hashed: keys stay short in the shared store, and credentials in headers never appear in it.
  return createHash("sha256").update(raw).digest("base64url");
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createHttp(opts: HttpOptions): Http {
  const cache = new TtlCache<HttpResponse>(opts.cacheEntries);
  const flights = new SingleFlight<HttpResponse>();
  const sleep = opts.sleep ?? defaultSleep;

  async function once(req: HttpRequest): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs;
    const maxBytes = req.maxBytes ?? opts.maxResponseBytes;
    const headers: Record<string, string> = { "user-agent": opts.userAgent, accept: "application/json, */*;q=0.5", ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers["content-type"] = "application/json";
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(req.url, { method: req.method ?? (body === undefined ? "GET" : "POST"), headers, body: body ?? null, signal: controller.signal, redirect: "follow" });
      } catch (e) {
        if (controller.signal.aborted) throw new UpstreamError(req.service, "timeout", `no answer within ${timeoutMs} ms`, { cause: e });
        throw new UpstreamError(req.service, "network", describeNetworkError(e), { cause: e });
      }
      const declared = Number(res.headers.get("content-length") ?? "NaN");
      if (declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new UpstreamError(req.service, "too-large", `answer of ${declared} bytes is over the limit of ${maxBytes}`, { status: res.status });
      }
      const text = await readBounded(res, maxBytes, req.service, controller);
      const hdrs: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        hdrs[k] = v;
      });
      return { status: res.status, headers: hdrs, body: text, cached: false };
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      if (controller.signal.aborted) throw new UpstreamError(req.service, "timeout", `no answer within ${timeoutMs} ms`, { cause: e });
      throw new UpstreamError(req.service, "network", describeNetworkError(e), { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  async function withRetries(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retries ?? opts.retries;
    for (let attempt = 0; ; attempt++) {
      await req.limiter?.wait();
      const started = Date.now();
      let res: HttpResponse;
      try {
        res = await once(req);
      } catch (e) {
        opts.onEvent?.({ service: req.service, outcome: "error", ms: Date.now() - started });
        // Network errors are retried like 503; timeouts are not (the user is already waiting).
        if (e instanceof UpstreamError && e.failure === "network" && attempt < retries) {
          await sleep(backoff(attempt));
          continue;
        }
        throw e;
      }
      const ok = (res.status >= 200 && res.status < 300) || (req.accept ?? []).includes(res.status);
      opts.onEvent?.({ service: req.service, outcome: ok ? "ok" : "error", status: res.status, ms: Date.now() - started });
      if (ok) return res;
      if (RETRYABLE.has(res.status) && attempt < retries) {
        const wait = parseRetryAfter(res.headers["retry-after"]) ?? backoff(attempt);
        if (wait <= opts.maxRetryWaitMs) {
          await sleep(wait);
          continue;
        }
      }
      const failure = res.status === 429 ? "rate-limited" : "status";
      throw new UpstreamError(req.service, failure, `HTTP ${res.status}`, { status: res.status });
    }
  }

  async function sharedGet(key: string): Promise<HttpResponse | undefined> {
    if (!opts.sharedCache) return undefined;
    try {
      return await opts.sharedCache.get(key);
    } catch {
      return undefined;
    }
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const ttl = req.cacheTtlMs ?? 0;
    const key = cacheKeyOf(req);
    if (ttl > 0) {
      const hit = cache.get(key);
      if (hit) {
        opts.onEvent?.({ service: req.service, outcome: "cache-hit", ms: 0 });
        return { ...hit, cached: true };
      }
    }
    return flights.run(key, async () => {
      const shared = ttl > 0 ? await sharedGet(key) : undefined;
      if (shared) {
        // The shared entry's own expiry is unknown here; keep it locally for a short while only.
        cache.set(key, shared, Math.min(ttl, 60_000));
        opts.onEvent?.({ service: req.service, outcome: "cache-hit", ms: 0 });
        return { ...shared, cached: true };
      }
      const res = await withRetries(req);
      if (ttl > 0 && res.status >= 200 && res.status < 300) {
        cache.set(key, res, ttl);
        void opts.sharedCache?.set(key, { ...res, cached: false }, ttl).catch(() => undefined);
      }
      return res;
    });
  }

  return {
    request,
    async json<T>(req: HttpRequest) {
      const res = await request(req);
      let data: T;
      try {
        data = JSON.parse(res.body) as T;
      } catch {
        throw new UpstreamError(req.service, "bad-response", `answer is not JSON (HTTP ${res.status})`, { status: res.status });
      }
      return { status: res.status, data, cached: res.cached };
    },
    clearCache: () => cache.clear(),
  };
}

function backoff(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 4000) + Math.floor(Math.random() * 100);
}

async function readBounded(res: Response, maxBytes: number, service: string, controller: AbortController): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw new UpstreamError(service, "too-large", `answer is over the limit of ${maxBytes} bytes`, { status: res.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}
