import assert from "node:assert/strict";
import { UpstreamError } from "../../src/core/errors.js";
import { IntervalLimiter } from "../../src/upstream/cache.js";
import { createHttp, parseRetryAfter, type HttpEvent, type HttpResponse } from "../../src/upstream/http.js";
import { sendJson, startLoopback, type Loopback } from "../helpers/loopback.js";

const sleeps: number[] = [];
const make = (over: Partial<Parameters<typeof createHttp>[0]> = {}) => {
  const events: HttpEvent[] = [];
  const http = createHttp({
    userAgent: "nixie-test/1.0 (+https://example.org/nixie)",
    timeoutMs: 300,
    retries: 2,
    maxRetryWaitMs: 2000,
    maxResponseBytes: 10_000,
    cacheEntries: 100,
    onEvent: (e) => events.push(e),
    // Waits are recorded, and kept short so tests stay fast.
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setTimeout(r, 5));
    },
    ...over,
  });
  return { http, events };
};

const upstreamError = (failure: string, status?: number) => (e: unknown) => e instanceof UpstreamError && e.failure === failure && e.status === status && e.service === "test";

describe("shared HTTP layer", () => {
  let srv: Loopback;
  beforeEach(async () => {
    sleeps.length = 0;
    srv = await startLoopback((_req, res) => sendJson(res, 200, { ok: true }));
  });
  afterEach(async () => {
    await srv.close();
  });

  it("sends a descriptive User-Agent and JSON bodies", async () => {
    const { http } = make();
    const r = await http.json<{ ok: boolean }>({ service: "test", url: `${srv.url}/x`, method: "POST", json: { q: 'a "b" \\ c' } });
    assert.deepEqual(r.data, { ok: true });
    const req = srv.requests[0]!;
    assert.equal(req.headers["user-agent"], "nixie-test/1.0 (+https://example.org/nixie)");
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(req.body), { q: 'a "b" \\ c' });
  });

  it("times out with a typed error and does not retry a timeout", async () => {
    srv.handle(() => undefined); // never answers
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/slow` }), upstreamError("timeout"));
    assert.equal(srv.requests.length, 1);
  });

  it("retries 503 and 429 with backoff, honouring Retry-After in seconds", async () => {
    let n = 0;
    srv.handle((_req, res) => {
      n++;
      if (n === 1) return sendJson(res, 503, { error: "busy" });
      if (n === 2) return sendJson(res, 429, { error: "slow" }, { "retry-after": "1" });
      sendJson(res, 200, { ok: n });
    });
    const { http } = make();
    const r = await http.json<{ ok: number }>({ service: "test", url: `${srv.url}/r` });
    assert.deepEqual(r.data, { ok: 3 });
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0]! >= 250 && sleeps[0]! < 400, `backoff ${sleeps[0]}`);
    assert.equal(sleeps[1], 1000);
  });

  it("gives up after the configured retries with the last status", async () => {
    srv.handle((_req, res) => sendJson(res, 502, {}));
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/bad` }), upstreamError("status", 502));
    assert.equal(srv.requests.length, 3);
  });

  it("fails at once when Retry-After asks for longer than it may wait", async () => {
    srv.handle((_req, res) => sendJson(res, 429, {}, { "retry-after": "3600" }));
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/limited` }), upstreamError("rate-limited", 429));
    assert.equal(srv.requests.length, 1);
  });

  it("does not retry other client errors, and returns statuses the caller accepts", async () => {
    srv.handle((_req, res) => sendJson(res, 404, { error: "index_not_found_exception" }));
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/missing` }), upstreamError("status", 404));
    const r = await http.request({ service: "test", url: `${srv.url}/missing`, accept: [404] });
    assert.equal(r.status, 404);
    assert.equal(srv.requests.length, 2);
  });

  it("refuses answers over the size limit, declared or streamed", async () => {
    srv.handle((req, res) => {
      if (req.path === "/declared") return sendJson(res, 200, { big: "x".repeat(20_000) });
      res.writeHead(200, { "content-type": "application/json" }); // chunked: no content-length
      for (let i = 0; i < 30; i++) res.write("x".repeat(1000));
      res.end();
    });
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/declared` }), upstreamError("too-large", 200));
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/streamed` }), upstreamError("too-large", 200));
  });

  it("reports a body that is not JSON as a bad response", async () => {
    srv.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{ not json");
    });
    const { http } = make();
    await assert.rejects(http.json({ service: "test", url: `${srv.url}/broken` }), upstreamError("bad-response", 200));
  });

  it("reports a closed port as a network error after retrying", async () => {
    const url = srv.url;
    await srv.close();
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${url}/gone` }), upstreamError("network"));
    assert.equal(sleeps.length, 2);
    srv = await startLoopback((_req, res) => sendJson(res, 200, {}));
  });

  it("serves repeated requests from the cache within the TTL", async () => {
    const { http, events } = make();
    const a = await http.request({ service: "test", url: `${srv.url}/c`, cacheTtlMs: 60_000 });
    const b = await http.request({ service: "test", url: `${srv.url}/c`, cacheTtlMs: 60_000 });
    assert.equal(a.cached, false);
    assert.equal(b.cached, true);
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(
      events.map((e) => e.outcome),
      ["ok", "cache-hit"],
    );
    await http.request({ service: "test", url: `${srv.url}/c`, method: "POST", json: { other: 1 }, cacheTtlMs: 60_000 });
    assert.equal(srv.requests.length, 2, "a different body is a different cache entry");
  });

  it("makes one upstream request for many identical requests in flight", async () => {
    srv.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 50));
      sendJson(res, 200, { ok: true });
    });
    const { http } = make();
    const all = await Promise.all(Array.from({ length: 50 }, () => http.json({ service: "test", url: `${srv.url}/sf`, cacheTtlMs: 60_000 })));
    assert.equal(all.length, 50);
    assert.equal(srv.requests.length, 1);
  });

  it("shares cached answers between instances through the shared cache level", async () => {
    const shared = new Map<string, HttpResponse>();
    const sharedCache = {
      get: async (k: string) => shared.get(k),
      set: async (k: string, v: HttpResponse) => void shared.set(k, v),
    };
    const a = make({ sharedCache }).http;
    const b = make({ sharedCache }).http;
    await a.request({ service: "test", url: `${srv.url}/shared`, cacheTtlMs: 60_000 });
    await new Promise((r) => setTimeout(r, 10));
    const r = await b.request({ service: "test", url: `${srv.url}/shared`, cacheTtlMs: 60_000 });
    assert.equal(r.cached, true);
    assert.equal(srv.requests.length, 1);
    assert.ok(
      [...shared.keys()].every((k) => !k.includes("127.0.0.1")),
      "keys are hashes",
    );
  });

  it("goes upstream when the shared cache fails", async () => {
    const sharedCache = {
      get: async () => {
        throw new Error("store down");
      },
      set: async () => {
        throw new Error("store down");
      },
    };
    const { http } = make({ sharedCache });
    const r = await http.json<{ ok: boolean }>({ service: "test", url: `${srv.url}/down`, cacheTtlMs: 60_000 });
    assert.deepEqual(r.data, { ok: true });
  });

  it("follows redirects of GET requests, a bounded number of times", async () => {
    srv.handle((req, res) => {
      const n = Number(req.path.slice(1));
      if (n < 3) return void res.writeHead(302, { location: `/${n + 1}` }).end();
      if (n === 3) return sendJson(res, 200, { at: n });
      res.writeHead(301, { location: `/${n + 1}` }).end(); // 10 onwards: an endless loop
    });
    const { http } = make();
    const r = await http.json<{ at: number }>({ service: "test", url: `${srv.url}/0` });
    assert.deepEqual(r.data, { at: 3 });
    const loop = await http.request({ service: "test", url: `${srv.url}/10`, accept: [301] });
    assert.equal(loop.status, 301, "gives up after five hops");
    assert.equal(srv.requests.filter((q) => Number(q.path.slice(1)) >= 10).length, 6);
  });

  it("does not cache errors", async () => {
    let n = 0;
    srv.handle((_req, res) => (++n === 1 ? sendJson(res, 400, {}) : sendJson(res, 200, { n })));
    const { http } = make();
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/e`, cacheTtlMs: 60_000 }));
    const r = await http.json<{ n: number }>({ service: "test", url: `${srv.url}/e`, cacheTtlMs: 60_000 });
    assert.deepEqual(r.data, { n: 2 });
  });

  it("counts the wait for the pace against the timeout, and refuses a request whose turn is too far off", async () => {
    const { http } = make({ timeoutMs: 300 });
    const limiter = new IntervalLimiter(5); // one every 200 ms
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => http.request({ service: "test", url: `${srv.url}/q${i}`, limiter })));
    // Turns at 0, 200, 400, 600 ms: the last two are beyond the 300 ms timeout.
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "fulfilled", "rejected", "rejected"],
    );
    const refused = results[2] as PromiseRejectedResult;
    assert.ok(refused.reason instanceof UpstreamError && refused.reason.failure === "timeout");
    assert.equal(srv.requests.length, 2, "refused requests never reach the server");
  });

  it("paces requests through a limiter", async () => {
    const { http } = make();
    const limiter = new IntervalLimiter(20); // one every 50 ms
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) await http.request({ service: "test", url: `${srv.url}/p${i}`, limiter });
    assert.ok(Date.now() - t0 >= 140, "four requests at 20/s take at least 150 ms");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    assert.equal(parseRetryAfter("2"), 2000);
    assert.equal(parseRetryAfter("0.5"), 500);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter("soon"), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
