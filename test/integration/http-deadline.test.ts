// A caller's deadline bounds a request, its retries, its pace wait and a flight it shares.
import assert from "node:assert/strict";
import { signalAt } from "../../src/core/deadline.js";
import { upstreamSentence } from "../../src/core/error-reply.js";
import { UpstreamError } from "../../src/core/errors.js";
import { IntervalLimiter } from "../../src/upstream/cache.js";
import { createHttp } from "../../src/upstream/http.js";
import { sendJson, startLoopback, type Loopback } from "../helpers/loopback.js";

const sleeps: number[] = [];
const make = (timeoutMs = 10_000) =>
  createHttp({
    userAgent: "nixie-test/1.0",
    timeoutMs,
    retries: 2,
    maxRetryWaitMs: 5000,
    maxResponseBytes: 10_000,
    cacheEntries: 100,
    // Retry waits are recorded and take no time: only the deadline can stop a retry.
    sleep: async (ms) => void sleeps.push(ms),
  });

const isTimeout = (e: unknown): boolean => e instanceof UpstreamError && e.failure === "timeout" && e.service === "test";

describe("shared HTTP layer with a deadline", () => {
  let srv: Loopback;
  beforeEach(async () => {
    sleeps.length = 0;
    srv = await startLoopback((_req, res) => sendJson(res, 200, { ok: true }));
  });
  afterEach(() => srv.close());

  it("ends a request at the deadline, however long the timeout", async () => {
    srv.handle(() => undefined); // never answers
    await assert.rejects(make(60_000).request({ service: "test", url: `${srv.url}/hang`, deadline: Date.now() + 200 }), isTimeout);
  });

  it("does not retry when the wait for the retry ends after the deadline", async () => {
    srv.handle((_req, res) => sendJson(res, 503, {}, { "retry-after": "2" }));
    await assert.rejects(make().request({ service: "test", url: `${srv.url}/busy`, deadline: Date.now() + 1000 }), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(sleeps, []);
    // Without a deadline the same answer is retried (the wait is within maxRetryWaitMs).
    await assert.rejects(make().request({ service: "test", url: `${srv.url}/busy` }));
    assert.equal(srv.requests.length, 4);
  });

  it("refuses at once a request whose turn in the pace comes after the deadline", async () => {
    const http = make();
    const limiter = new IntervalLimiter(0.5); // one every 2 s
    await http.request({ service: "test", url: `${srv.url}/first`, limiter });
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/second`, limiter, deadline: Date.now() + 500 }), isTimeout);
    assert.equal(srv.requests.length, 1, "the refused request never reaches the server");
  });

  it("holds no caller past its own deadline when it shares a flight with a more patient one", async () => {
    let release: (() => void) | undefined;
    srv.handle((_req, res) => {
      release = () => sendJson(res, 200, { late: true });
    });
    const http = make();
    const patient = http.request({ service: "test", url: `${srv.url}/shared`, cacheTtlMs: 60_000 });
    await assert.rejects(http.request({ service: "test", url: `${srv.url}/shared`, cacheTtlMs: 60_000, deadline: Date.now() + 200 }), isTimeout);
    assert.equal(srv.requests.length, 1, "one request for both callers");
    release?.();
    assert.equal((await patient).status, 200);
  });
});

describe("shared HTTP layer with a signal", () => {
  let srv: Loopback;
  beforeEach(async () => {
    sleeps.length = 0;
    srv = await startLoopback((_req, res) => sendJson(res, 200, { ok: true }));
  });
  afterEach(() => srv.close());

  it("a signal that fires mid-request ends it at once and closes the connection", async () => {
    let closed = false;
    srv.handle((_req, res) => {
      res.on("close", () => (closed = true));
    });
    const c = new AbortController();
    const p = make(60_000).request({ service: "test", url: `${srv.url}/hang`, signal: c.signal });
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    c.abort();
    await assert.rejects(p, isTimeout);
    assert.ok(Date.now() - t < 100);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed, "the connection was left open");
  });

  it("a command's signal (signalAt) says how long the command waited", async () => {
    srv.handle(() => undefined);
    const e = await make(60_000)
      .request({ service: "test", url: `${srv.url}/hang`, signal: signalAt(Date.now() + 300) })
      .catch((x: unknown) => x);
    assert.ok(isTimeout(e));
    // signalAt measures from its own call, a millisecond or so after the test's Date.now().
    const waited = (e as UpstreamError).waitedMs ?? 0;
    assert.ok(waited > 290 && waited <= 300, String(waited));
    assert.equal(upstreamSentence(e as UpstreamError), "test did not answer in 0.3 s, try again in a minute.");
  });

  it("an already fired signal asks nothing", async () => {
    const c = new AbortController();
    c.abort();
    await assert.rejects(make().request({ service: "test", url: `${srv.url}/x`, signal: c.signal }), isTimeout);
    assert.equal(srv.requests.length, 0);
  });

  it("a wait between retries ends when the signal fires", async () => {
    srv.handle((_req, res) => sendJson(res, 503, {}, { "retry-after": "3" }));
    const http = createHttp({ userAgent: "nixie-test/1.0", timeoutMs: 10_000, retries: 2, maxRetryWaitMs: 5000, maxResponseBytes: 10_000, cacheEntries: 0 });
    const c = new AbortController();
    const p = http.request({ service: "test", url: `${srv.url}/busy`, signal: c.signal });
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    c.abort();
    await assert.rejects(p, isTimeout);
    assert.ok(Date.now() - t < 100);
    assert.equal(srv.requests.length, 1);
  });

  it("a pace wait ends when the signal fires", async () => {
    const http = make();
    const limiter = new IntervalLimiter(1); // one a second
    await http.request({ service: "test", url: `${srv.url}/first`, limiter });
    const c = new AbortController();
    const p = http.request({ service: "test", url: `${srv.url}/second`, limiter, signal: c.signal });
    await new Promise((r) => setTimeout(r, 50));
    c.abort();
    await assert.rejects(p, isTimeout);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(srv.requests.length, 1, "the request went out after the signal fired");
  });
});
