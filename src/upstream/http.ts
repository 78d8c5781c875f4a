/**
 * The one HTTP layer every upstream client uses: timeouts, a descriptive User-Agent, retries with
 * backoff on 429/502/503/504 that honour Retry-After, a maximum response size, a TTL cache with
 * single-flight, and typed errors (UpstreamError). Built on node:http and node:https with
 * keep-alive agents.
 *
 * A caller that must answer by a given time (a chat command) passes its `signal` (see
 * src/core/deadline.ts): the request, its retries, its backoff and its wait for a client-side pace
 * all end when it fires, whatever `timeoutMs`, with a "timeout" UpstreamError.
 *
 * Redirects are followed for GET only; one that leaves the origin (scheme, host or port) drops
 * Authorization, Proxy-Authorization, Cookie and the request's `credentialHeaders`, and https is
 * never followed to http (as curl and fetch do).
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { anySignal, hasPassed, msLeft, signalAt, spanOf, withDeadline } from "../core/deadline.js";
import { UpstreamError, type NetworkReason } from "../core/errors.js";
import { SingleFlight, TtlCache, type IntervalLimiter } from "./cache.js";

export interface HttpRequest {
  /** Service name shown to users in errors: "search.nixos.org", "wiki.nixos.org", … */
  readonly service: string;
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Names of headers in `headers` that carry credentials besides Authorization and Cookie (an
   * API key header, say): they are dropped, like those, on a redirect to another origin.
   */
  readonly credentialHeaders?: readonly string[];
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
   * The caller stops waiting when this fires (a command's `ctx.signal`): the request, its retries
   * and every wait end then with a "timeout" UpstreamError. Each attempt still ends after
   * `timeoutMs` at most.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Deprecated, use `signal`: the same bound as a `Date.now()` value. Still honoured (both may be
   * given; the first to pass ends the request).
   */
  readonly deadline?: number;
}

/**
 * What a caller may bound a client call with. Clients take it as an optional last argument and
 * hand it on to every request they make for that call ({@link deadlineOf}).
 */
export interface Deadline {
  /** Fires when the caller no longer waits for an answer (a command's `ctx.signal`). */
  readonly signal?: AbortSignal | undefined;
  /** Deprecated, use `signal`: a `Date.now()` value after which the caller no longer waits. */
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

/** Only the signal and deadline of a call's options, to spread into a request (absent stays absent). */
export function deadlineOf(opts: Deadline): Deadline {
  return { ...(opts.signal === undefined ? {} : { signal: opts.signal }), ...(opts.deadline === undefined ? {} : { deadline: opts.deadline }) };
}

/** The host (with its port when not the default) of a URL, for errors; undefined when not a URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
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

/** Request headers that carry credentials, whatever the request says (lower case). */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/** The same origin: scheme, host and port (URL.origin spells default ports out of it). */
const sameOrigin = (a: URL, b: URL): boolean => a.origin === b.origin;

/**
 * The request headers for a redirect from `from` to `to`: unchanged within the origin; without
 * any credential header when it leaves it. Throws on https -> http.
 */
export function redirectHeaders(from: URL, to: URL, headers: Readonly<Record<string, string>>, credentialHeaders: readonly string[] = [], service = from.host): Record<string, string> {
  if (from.protocol === "https:" && to.protocol !== "https:") {
    throw new UpstreamError(service, "moved", `redirected from https to ${to.protocol} (not followed)`, { host: from.host });
  }
  if (sameOrigin(from, to)) return { ...headers };
  const drop = new Set([...CREDENTIAL_HEADERS, ...credentialHeaders.map((h) => h.toLowerCase())]);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

export function createHttp(opts: HttpOptions): Http {
  const cache = new TtlCache<HttpResponse>(opts.cacheEntries);
  const flights = new SingleFlight<HttpResponse>();
  const sleep = opts.sleep ?? defaultSleep;
  /** A wait between retries that ends (rejecting) when the caller stops waiting. */
  const pause = (ms: number, req: HttpRequest): Promise<void> =>
    withDeadline(sleep(ms), { signal: req.signal }, () => {
      throw late(req);
    });

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
    let sent = headers;
    for (let hop = 0; ; hop++) {
      const res = await exchange(url, method, sent, body, deadline, timeoutMs, maxBytes, req.service, req.signal);
      const location = res.headers["location"];
      if (method === "GET" && REDIRECTS.has(res.status) && location !== undefined && hop < MAX_REDIRECTS) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new UpstreamError(req.service, "bad-response", "redirected to something that is not a URL", { status: res.status, host: hostOf(url) });
        }
        // Credentials stay with the origin they were meant for; https never goes down to http.
        sent = redirectHeaders(new URL(url), next, sent, req.credentialHeaders, req.service);
        url = next.href;
        continue;
      }
      return res;
    }
  }

  /** Milliseconds left before the caller stops waiting (Infinity when unknown). */
  const leftOf = (req: HttpRequest): number => msLeft(req.signal);

  /**
   * The caller's deadline passed. It waited the whole span of its signal (a command's budget)
   * when known, else since it asked (`since`), when known.
   */
  const late = (req: HttpRequest, since?: number): UpstreamError => {
    const host = hostOf(req.url);
    const waitedMs = spanOf(req.signal) ?? (since === undefined ? undefined : Date.now() - since);
    return new UpstreamError(req.service, "timeout", "no answer by the caller's deadline", {
      ...(host === undefined ? {} : { host }),
      ...(waitedMs === undefined ? {} : { waitedMs }),
    });
  };

  async function withRetries(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retries ?? opts.retries;
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      // The wait for the client-side pace counts against the deadline, or without one against the
      // timeout: a burst of requests cannot leave one queued far longer than its caller waits.
      const queued = Date.now();
      if (req.limiter && !(await req.limiter.wait(Math.min(timeoutMs, leftOf(req)), false, req.signal).catch(() => false))) {
        throw new UpstreamError(req.service, "timeout", `its turn in the ${req.service} pace comes after the caller stops waiting`, { ...hostField(req.url) });
      }
      const left = Math.min(req.signal === undefined ? timeoutMs - (Date.now() - queued) : timeoutMs, leftOf(req));
      if (left <= 0 || hasPassed(req.signal)) throw late(req);
      const started = Date.now();
      let res: HttpResponse;
      try {
        res = await once(left === timeoutMs ? req : { ...req, timeoutMs: Math.max(1, left) });
      } catch (e) {
        opts.onEvent?.({ service: req.service, outcome: "error", ms: Date.now() - started });
        // Network errors are retried like 503; timeouts are not (the user is already waiting), nor
        // a certificate that was not accepted (it will not be the next time either).
        if (e instanceof UpstreamError && e.failure === "network" && e.reason !== "tls" && attempt < retries) {
          const wait = backoff(attempt);
          if (wait < leftOf(req)) {
            await pause(wait, req);
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
          await pause(wait, req);
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
    // The deprecated `deadline` becomes a signal too: from here on only the signal counts.
    const signal = anySignal(req.signal, req.deadline === undefined ? undefined : signalAt(req.deadline));
    if (signal === undefined) return cachedRequest(req);
    const started = Date.now();
    const bounded: HttpRequest = { ...req, signal };
    return withDeadline(cachedRequest(bounded), { signal }, () => {
      throw late(bounded, started);
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
  signal: AbortSignal | undefined,
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
      reject(new UpstreamError(service, "network", `unsupported URL scheme ${u.protocol}`, { host: u.host }));
      return;
    }
    const host = u.host;
    const started = Date.now();
    if (signal?.aborted) {
      // Fired between two hops of a redirect: nothing more is asked.
      reject(new UpstreamError(service, "timeout", "no answer by the caller's deadline", { host, ...(spanOf(signal) === undefined ? {} : { waitedMs: spanOf(signal) }) }));
      return;
    }
    const mod = u.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
    };
    const fail = (e: UpstreamError): void => {
      if (settled) return;
      finish();
      req.destroy();
      reject(e);
    };
    const networkError = (e: unknown): UpstreamError => {
      const { reason, detail } = describeNetworkError(e);
      return new UpstreamError(service, "network", detail, { host, cause: e, ...(reason === undefined ? {} : { reason }) });
    };
    // The caller stopped waiting: the connection goes, and nothing more is read.
    function stop(): void {
      fail(new UpstreamError(service, "timeout", "no answer by the caller's deadline", { host, waitedMs: spanOf(signal) ?? Date.now() - started }));
    }
    const timer = setTimeout(() => fail(new UpstreamError(service, "timeout", `no answer within ${timeoutMs} ms`, { host, waitedMs: timeoutMs })), Math.max(1, deadline - Date.now()));
    signal?.addEventListener("abort", stop, { once: true });
    const req = mod.request(u, { method, headers, agent: agents[u.protocol] }, (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers["content-length"] ?? "NaN");
      if (declared > maxBytes) {
        fail(new UpstreamError(service, "too-large", `answer of ${declared} bytes is over the limit of ${maxBytes}`, { status, host }));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on("data", (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > maxBytes) {
          fail(new UpstreamError(service, "too-large", `answer is over the limit of ${maxBytes} bytes`, { status, host }));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (settled) return;
        finish();
        const hdrs: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hdrs[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ status, headers: hdrs, body: Buffer.concat(chunks).toString("utf8"), cached: false });
      });
      res.on("error", (e) => fail(networkError(e)));
      res.on("aborted", () => fail(new UpstreamError(service, "network", "the connection closed in the middle of the answer", { host, reason: "reset" })));
    });
    req.on("error", (e) => fail(networkError(e)));
    req.end(body);
  });
}

/** The `host` option of an UpstreamError for a URL (nothing when it is not one). */
function hostField(url: string): { host?: string } {
  const host = hostOf(url);
  return host === undefined ? {} : { host };
}

/** TLS failures node reports by code (certificate checks, handshake). */
const TLS_CODES = /CERT|^ERR_TLS_|^ERR_SSL_|^UNABLE_TO_VERIFY_LEAF_SIGNATURE$|^UNABLE_TO_GET_ISSUER/;

/**
 * What a socket error means, in words for logs (with node's code) and as a reason chat can
 * word: DNS, refused, TLS, reset, unreachable. Unknown errors keep their message only.
 */
export function describeNetworkError(e: unknown): { reason?: NetworkReason; detail: string } {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (code === undefined) return { detail: message };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL" || code === "EAI_NONAME") return { reason: "dns", detail: `DNS lookup failed (${code})` };
  if (code === "ECONNREFUSED") return { reason: "refused", detail: `connection refused (${code})` };
  if (code === "ECONNRESET" || code === "EPIPE") return { reason: "reset", detail: `connection reset (${code})` };
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENETDOWN" || code === "EHOSTDOWN" || code === "ETIMEDOUT") {
    return { reason: "unreachable", detail: `no route to the host (${code})` };
  }
  if (TLS_CODES.test(code)) return { reason: "tls", detail: `TLS certificate not accepted (${code}: ${message})` };
  return { detail: `${message} (${code})` };
}
