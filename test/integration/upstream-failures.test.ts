// Upstream failures phrased by cause: rate limiting (with when to try again), refused
// credentials (logged once per service), answers nixie cannot read, and outages as before.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpstreamError } from "../../src/core/errors.js";
import { createHttp, rateLimitedUntil } from "../../src/upstream/http.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { sendJson, startLoopback, type Loopback } from "../helpers/loopback.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const SITE = "Search on the site: https://search.nixos.org/packages?channel=unstable&query=firefox";

describe("upstream failures phrased by cause, through the bot", function () {
  let fake: FakeSearch;
  let t: TestBot;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nixie-failures-"));
  });
  afterEach(async () => {
    await t?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<void> {
    fake = await startFakeSearch();
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 } }));
    t = await startTestBot({ NIXIE_SEARCH_URL: fake.url, NIXIE_CONFIG: file, ...env });
  }

  it("the search backend refusing the configured pair (401) gives the credentials message", async () => {
    await start({ NIXIE_SEARCH_PASSWORD: "not-the-password" });
    assert.equal(await t.ask("!pkg firefox"), `search.nixos.org refused nixie's credentials. The operators have been told. ${SITE}`);
    assert.equal(fake.requests[0]!.status, 401);
  });

  it("the search backend answering 403 gives the credentials message too", async () => {
    await start();
    fake.fail({ kind: "status", status: 403 });
    assert.equal(await t.ask("!pkg firefox"), `search.nixos.org refused nixie's credentials. The operators have been told. ${SITE}`);
  });

  it("a 429 with Retry-After: 3600 says when to try again, not in a minute", async () => {
    await start();
    fake.fail({ kind: "status", status: 429, retryAfter: "3600" });
    const before = Date.now();
    const text = await t.ask("!pkg firefox");
    const m = /^search\.nixos\.org is rate-limiting nixie, try again after (?:(\d{4}-\d{2}-\d{2}) )?(\d{2}):(\d{2}) UTC\. /.exec(text);
    assert.ok(m, text);
    const said = Date.parse(`${m[1] ?? new Date(before + 3_600_000).toISOString().slice(0, 10)}T${m[2]}:${m[3]}:00Z`);
    assert.ok(said >= before + 3_600_000 && said <= Date.now() + 3_660_000, `${new Date(said).toISOString()}`);
    assert.equal(fake.requests.length, 1, "an hour is too long to wait for a retry");
  });

  it("outages keep the did-not-answer wording", async () => {
    await start();
    fake.fail({ kind: "status", status: 500 });
    assert.equal(await t.ask("!pkg firefox"), `search.nixos.org did not answer, try again in a minute. ${SITE}`);
  });
});

describe("HTTP statuses classified by cause", () => {
  let srv: Loopback;
  const http = createHttp({ userAgent: "nixie-test/1.0", timeoutMs: 2000, retries: 0, maxRetryWaitMs: 1000, maxResponseBytes: 10_000, cacheEntries: 0 });
  const failureOf = async (status: number, headers: Record<string, string> = {}): Promise<UpstreamError> => {
    srv.handle((_req, res) => sendJson(res, status, {}, headers));
    try {
      await http.request({ service: "api.example", url: `${srv.url}/x` });
    } catch (e) {
      assert.ok(e instanceof UpstreamError);
      return e;
    }
    throw new Error("no error");
  };
  before(async () => {
    srv = await startLoopback((_req, res) => sendJson(res, 200, {}));
  });
  after(() => srv.close());

  it("401 and a plain 403 are refused credentials", async () => {
    assert.equal((await failureOf(401)).failure, "unauthorized");
    assert.equal((await failureOf(403)).failure, "unauthorized");
  });

  it("a 403 with an exhausted rate limit is rate limiting, until its reset", async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    const e = await failureOf(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) });
    assert.equal(e.failure, "rate-limited");
    assert.equal(e.retryAt?.getTime(), reset * 1000);
    assert.equal((await failureOf(403, { "retry-after": "60" })).failure, "rate-limited");
  });

  it("a 429 without a time is rate limiting with no time to say", async () => {
    const e = await failureOf(429);
    assert.equal(e.failure, "rate-limited");
    assert.equal(e.retryAt, undefined);
  });

  it("reads the reset of a rate limit in epoch seconds or in seconds from now", () => {
    assert.equal(rateLimitedUntil({ "retry-after": "30" }, 1000)?.getTime(), 31_000);
    assert.equal(rateLimitedUntil({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000000" }, 0)?.getTime(), 1_800_000_000_000);
    assert.equal(rateLimitedUntil({ "ratelimit-remaining": "0", "ratelimit-reset": "90" }, 1000)?.getTime(), 91_000);
    assert.equal(rateLimitedUntil({ "x-ratelimit-remaining": "12", "x-ratelimit-reset": "1800000000" }), undefined, "not exhausted");
  });
});
