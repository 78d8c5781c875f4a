/**
 * The one HTTP layer every upstream client uses: timeouts, a descriptive User-Agent, retries with
 * backoff on 429/502/503/504 that honour Retry-After, a maximum response size, a TTL cache with
 * single-flight, and typed errors (UpstreamError). Built on node:http and node:https with
 * keep-alive agents.
 *
 * A caller that must answer by a given time (a chat command) passes a `deadline`: the request, its
 * retries, its backoff and its wait for a client-side pace all end by then, whatever `timeoutMs`.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
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
  /**
   * When the caller stops waiting, as a `Date.now()` value (see {@link Deadline}): the request,
   * its retries and every wait end by then with a "timeout" UpstreamError. Each attempt still
   * ends after `timeoutMs` at most.
   */
  readonly deadline?: number;
}

/**
 * What a caller may bound a client call with. Clients take it as an optional last argument and
 * hand `deadline` to every request they make for that call.
 */
export interface Deadline {
  /** A `Date.now()` value after which the caller no longer waits for an answer. */
  readonly deadline?: number;
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

/** Only the deadline of a call's options, to spread into a request (absent stays absent). */
export function deadlineOf(opts: Deadline): Deadline {
  return opts.deadline === undefined ? {} : { deadline: opts.deadline };
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

/**
 * When a rate-limited service accepts requests again: Retry-After, else the reset of an exhausted
 * rate limit (`x-ratelimit-reset` in epoch seconds as GitHub sends it, or `ratelimit-reset` in
 * seconds from now as the IETF draft has it). Undefined when the answer does not say.
 */
export function rateLimitedUntil(headers: Readonly<Record<string, string>>, now = Date.now()): Date | undefined {
  const after = parseRetryAfter(headers["retry-after"], now);
  if (after !== undefined) return new Date(now + after);
  if (!exhausted(headers)) return undefined;
  const raw = (headers["x-ratelimit-reset"] ?? headers["ratelimit-reset"])?.trim() ?? "";
  if (!/^\d+$/.test(raw)) return undefined;
  const reset = Number(raw);
  return new Date(reset > 1_000_000_000 ? reset * 1000 : now + reset * 1000);
}

/** The answer says no requests are left in the current rate-limit window. */
function exhausted(headers: Readonly<Record<string, string>>): boolean {
  return (headers["x-ratelimit-remaining"] ?? headers["ratelimit-remaining"])?.trim() === "0";
}

/** The error for a final status that is not accepted, by cause: rate limit, credentials, other. */
function statusError(service: string, res: HttpResponse): UpstreamError {
  const status = res.status;
  const limited = status === 429 || (status === 403 && (res.headers["retry-after"] !== undefined || exhausted(res.headers)));
  if (limited) {
    const retryAt = rateLimitedUntil(res.headers);
    return new UpstreamError(service, "rate-limited", `HTTP ${status}`, { status, ...(retryAt === undefined ? {} : { retryAt }) });
  }
  if (status === 401 || status === 403) return new UpstreamError(service, "unauthorized", `HTTP ${status}`, { status });
  return new UpstreamError(service, "status", `HTTP ${status}`, { status });
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
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const method = req.method ?? (body === undefined ? "GET" : "POST");
    // One deadline for the whole exchange, redirects and body included.
    const deadline = Date.now() + timeoutMs;
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const res = await exchange(url, method, headers, body, deadline, timeoutMs, maxBytes, req.service);
      const location = res.headers["location"];
      if (method === "GET" && REDIRECTS.has(res.status) && location !== undefined && hop < MAX_REDIRECTS) {
        url = new URL(location, url).href;
        continue;
      }
      return res;
    }
  }

  /** Milliseconds left before the request's deadline (Infinity without one). */
  const leftOf = (req: HttpRequest): number => (req.deadline === undefined ? Infinity : req.deadline - Date.now());

  const late = (req: HttpRequest): UpstreamError => new UpstreamError(req.service, "timeout", "no answer by the caller's deadline");

  async function withRetries(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retries ?? opts.retries;
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      // The wait for the client-side pace counts against the deadline, or without one against the
      // timeout: a burst of requests cannot leave one queued far longer than its caller waits.
      const queued = Date.now();
      if (req.limiter && !(await req.limiter.wait(Math.min(timeoutMs, leftOf(req))))) {
        throw new UpstreamError(req.service, "timeout", `its turn in the ${req.service} pace comes after the caller stops waiting`);
      }
      const left = Math.min(req.deadline === undefined ? timeoutMs - (Date.now() - queued) : timeoutMs, leftOf(req));
      if (left <= 0) throw late(req);
      const started = Date.now();
      let res: HttpResponse;
      try {
        res = await once(left === timeoutMs ? req : { ...req, timeoutMs: Math.max(1, left) });
      } catch (e) {
        opts.onEvent?.({ service: req.service, outcome: "error", ms: Date.now() - started });
        // Network errors are retried like 503; timeouts are not (the user is already waiting).
        if (e instanceof UpstreamError && e.failure === "network" && attempt < retries) {
          const wait = backoff(attempt);
          if (wait < leftOf(req)) {
            await sleep(wait);
            continue;
          }
        }
        throw e;
      }
      const ok = (res.status >= 200 && res.status < 300) || (req.accept ?? []).includes(res.status);
      opts.onEvent?.({ service: req.service, outcome: ok ? "ok" : "error", status: res.status, ms: Date.now() - started });
      if (ok) return res;
      if (RETRYABLE.has(res.status) && attempt < retries) {
        const wait = parseRetryAfter(res.headers["retry-after"]) ?? backoff(attempt);
        if (wait <= opts.maxRetryWaitMs && wait < leftOf(req)) {
          await sleep(wait);
          continue;
        }
      }
      throw statusError(req.service, res);
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

  /**
   * A request, bounded by its deadline even when it shares a flight started by a caller that
   * waits longer.
   */
  function request(req: HttpRequest): Promise<HttpResponse> {
    if (req.deadline === undefined) return cachedRequest(req);
    const deadline = req.deadline;
    return new Promise<HttpResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(late(req)), Math.max(0, deadline - Date.now()));
      cachedRequest(req).then(
        (res) => {
          clearTimeout(timer);
          resolve(res);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  async function cachedRequest(req: HttpRequest): Promise<HttpResponse> {
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

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

// Keep-alive connections, a bounded number per host: node:http costs a fraction of fetch's CPU
// per request, which matters when a poll asks hundreds of feeds.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 16, timeout: 30_000 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 16, timeout: 30_000 }),
};

/** One request and its bounded answer; timeouts, size and network trouble become UpstreamError. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  deadline: number,
  timeoutMs: number,
  maxBytes: number,
  service: string,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new UpstreamError(service, "network", `not a URL: ${url}`));
      return;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      reject(new UpstreamError(service, "network", `unsupported URL scheme ${u.protocol}`));
      return;
    }
    const mod = u.protocol === "https:" ? https : http;
    let settled = false;
    const fail = (e: UpstreamError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new UpstreamError(service, "timeout", `no answer within ${timeoutMs} ms`)), Math.max(1, deadline - Date.now()));
    const req = mod.request(u, { method, headers, agent: agents[u.protocol] }, (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers["content-length"] ?? "NaN");
      if (declared > maxBytes) {
        fail(new UpstreamError(service, "too-large", `answer of ${declared} bytes is over the limit of ${maxBytes}`, { status }));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on("data", (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > maxBytes) {
          fail(new UpstreamError(service, "too-large", `answer is over the limit of ${maxBytes} bytes`, { status }));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const hdrs: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hdrs[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ status, headers: hdrs, body: Buffer.concat(chunks).toString("utf8"), cached: false });
      });
      res.on("error", (e) => fail(new UpstreamError(service, "network", describeNetworkError(e), { cause: e })));
      res.on("aborted", () => fail(new UpstreamError(service, "network", "the connection closed in the middle of the answer")));
    });
    req.on("error", (e) => fail(new UpstreamError(service, "network", describeNetworkError(e), { cause: e })));
    req.end(body);
  });
}

function describeNetworkError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? (e instanceof Error ? e.message : String(e));
}
