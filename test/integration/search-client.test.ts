import assert from "node:assert/strict";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { UpstreamError } from "../../src/core/errors.js";
import { createHttp, type Http } from "../../src/upstream/http.js";
import { createNixosSearch, type NixosSearch } from "../../src/upstream/nixos-search.js";
import { PUBLIC_PASSWORD, PUBLIC_USERNAME, startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";

interface Setup {
  readonly fake: FakeSearch;
  readonly search: NixosSearch;
  readonly http: Http;
  readonly logs: Record<string, unknown>[];
}

async function setup(opts: { schema?: number; timeoutMs?: number; delayMs?: number } = {}): Promise<Setup> {
  const fake = await startFakeSearch({ ...(opts.schema === undefined ? {} : { schema: opts.schema }), ...(opts.delayMs === undefined ? {} : { delayMs: opts.delayMs }) });
  const { config } = loadConfig({ env: { NIXIE_CONFIG: "", NIXIE_SEARCH_URL: fake.url }, ignoreLocal: true });
  const http = createHttp({
    userAgent: "nixie-test",
    timeoutMs: opts.timeoutMs ?? 2000,
    retries: 2,
    maxRetryWaitMs: 1000,
    maxResponseBytes: 1_000_000,
    cacheEntries: 100,
  });
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  return { fake, http, logs, search: createNixosSearch({ config: config.search, http, log }) };
}

const isUpstream =
  (failure: string, check: (e: UpstreamError) => void = () => undefined) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof UpstreamError, `expected an UpstreamError, got ${String(e)}`);
    assert.equal(e.failure, failure);
    check(e);
    return true;
  };

describe("nixos-search client against the fake backend", () => {
  let s: Setup;
  afterEach(async () => {
    assert.deepEqual(s.fake.problems, []);
    await s.fake.close();
  });

  it("finds packages with the configured count and the total, sending auth and a type filter", async () => {
    s = await setup();
    const page = await s.search.packages("firefox");
    assert.deepEqual(
      page.hits.map((h) => h.attrName),
      ["firefox", "firefox-esr", "firefox-bin"],
    );
    assert.equal(page.total, 7);
    assert.equal(page.hits[0]!.version, "158.0.1");
    assert.deepEqual(page.hits[0]!.homepages, ["http://www.mozilla.com/en-US/firefox/"]);
    assert.equal(page.searchUrl, "https://search.nixos.org/packages?channel=unstable&query=firefox");
    const req = s.fake.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/latest-51-nixos-unstable/_search");
  });

  it("excludes -words like the site", async () => {
    s = await setup();
    const page = await s.search.packages("firefox -esr -bin");
    assert.ok(!page.hits.some((h) => /esr|bin/.test(h.attrName)));
    assert.equal(page.total, 5);
  });

  it("ranks programs: exact names first, then the more popular (rank features), then shorter attribute names", async () => {
    s = await setup();
    const page = await s.search.programs("RG");
    assert.deepEqual(
      page.hits.map((h) => [h.attrName, h.exact, h.program]),
      [
        ["ripgrep", true, "rg"],
        ["ripgrep-static", true, "rg"],
        ["ripgrep-all", false, "rga"],
      ],
    );
    assert.equal(page.total, 4);
  });

  it("probes newer schemas on 404 in one round, remembers the one that works and logs the change once", async () => {
    s = await setup({ schema: 53 });
    const page = await s.search.packages("firefox");
    assert.equal(page.hits[0]!.attrName, "firefox");
    const schemas = (): (number | undefined)[] => s.fake.requests.map((r) => r.schema);
    // The probes go out together: all three ahead are asked, whichever arrives first.
    assert.deepEqual([schemas()[0], ...schemas().slice(1).sort()], [51, 52, 53, 54]);
    assert.equal(s.search.schemaFor("unstable"), 53);
    await s.search.packages("ripgrep");
    assert.deepEqual(schemas().slice(4), [53], "the next search goes straight to 53");
    const moved = s.logs.filter((l) => l["msg"] === "search index moved to a newer schema; using it from now on");
    assert.equal(moved.length, 1);
    assert.deepEqual([moved[0]!["from"], moved[0]!["to"]], [51, 53]);
  });

  it("says the index moved, with a link to the site, when no newer schema exists either", async () => {
    s = await setup({ schema: 60 });
    await assert.rejects(
      s.search.options("nginx"),
      isUpstream("moved", (e) => {
        assert.equal(e.hintUrl, "https://search.nixos.org/options?channel=unstable&query=nginx");
      }),
    );
    assert.deepEqual(
      s.fake.requests.map((r) => r.schema),
      [51, 52, 53, 54],
    );
    assert.equal(s.search.schemaFor("unstable"), 51);
  });

  it("retries 429 and 503 (honouring Retry-After) and then answers", async () => {
    s = await setup();
    s.fake.fail({ kind: "status", status: 429, retryAfter: "0" }, 1);
    assert.equal((await s.search.packages("firefox")).hits.length, 3);
    s.fake.fail({ kind: "status", status: 503, retryAfter: "0" }, 2);
    assert.equal((await s.search.packages("ripgrep")).hits[0]!.attrName, "ripgrep");
    assert.deepEqual(
      s.fake.requests.map((r) => r.status),
      [429, 200, 503, 503, 200],
    );
  });

  it("gives up after the retries with an error that links the site search", async () => {
    s = await setup();
    s.fake.fail({ kind: "status", status: 502, retryAfter: "0" });
    await assert.rejects(
      s.search.packages("firefox"),
      isUpstream("status", (e) => assert.equal(e.hintUrl, "https://search.nixos.org/packages?channel=unstable&query=firefox")),
    );
    assert.equal(s.fake.requests.length, 3);
  });

  it("does not retry a 500 and reports it", async () => {
    s = await setup();
    s.fake.fail({ kind: "status", status: 500 });
    await assert.rejects(
      s.search.packages("firefox"),
      isUpstream("status", (e) => assert.equal(e.status, 500)),
    );
    assert.equal(s.fake.requests.length, 1);
  });

  it("times out with a link to the site search", async () => {
    s = await setup({ timeoutMs: 200 });
    s.fake.fail({ kind: "hang" });
    await assert.rejects(
      s.search.packages("firefox"),
      isUpstream("timeout", (e) => assert.match(e.hintUrl ?? "", /query=firefox/)),
    );
  });

  it("reports malformed JSON and a wrong shape as bad responses", async () => {
    s = await setup();
    s.fake.fail({ kind: "malformed" }, 1);
    await assert.rejects(s.search.packages("firefox"), isUpstream("bad-response"));
    s.fake.fail({ kind: "bad-shape" }, 1);
    await assert.rejects(
      s.search.packages("ripgrep"),
      isUpstream("bad-response", (e) => assert.ok(e.hintUrl)),
    );
  });

  it("refuses a huge answer", async () => {
    s = await setup();
    s.fake.fail({ kind: "huge", bytes: 3_000_000 });
    await assert.rejects(s.search.packages("firefox"), isUpstream("too-large"));
  });

  it("caches answers and shares one request between identical searches in flight", async () => {
    s = await setup({ delayMs: 30 });
    const pages = await Promise.all(Array.from({ length: 20 }, () => s.search.packages("firefox")));
    assert.equal(s.fake.requests.length, 1);
    assert.ok(pages.every((p) => p.hits.length === 3));
    await s.search.packages("firefox");
    assert.equal(s.fake.requests.length, 1, "the second search is a cache hit");
    await s.search.packages("firefox", { channel: "26.05" });
    assert.equal(s.fake.requests.length, 2, "another channel is another request");
    assert.equal(s.fake.requests[1]!.path, "/latest-51-nixos-26.05/_search");
  });

  it("package feeds: exact attribute versions per channel, 1,000 names per request, never from the cache", async () => {
    s = await setup();
    const attrs = ["firefox", "python313Packages.ripgrepy", "Firefox", "no-such-package", ...Array.from({ length: 2496 }, (_, i) => `pkg${i}`)];
    const found = await s.search.attrVersions("unstable", attrs);
    assert.deepEqual([...found].sort(), [
      ["firefox", "158.0.1"],
      ["python313Packages.ripgrepy", "2.2.0"],
    ]);
    assert.equal(s.fake.requests.length, 3, "2,500 names: three requests");
    const sizes = s.fake.requests.map((r) => (r.body as { size: number }).size);
    assert.deepEqual(sizes, [1000, 1000, 500]);
    assert.ok(s.fake.requests.every((r) => r.path === "/latest-51-nixos-unstable/_search"));
    await s.search.attrVersions("unstable", ["firefox"]);
    await s.search.attrVersions("unstable", ["firefox"]);
    assert.equal(s.fake.requests.length, 5, "a poll always asks the backend");
    s.fake.setPackage("unstable", "firefox", "");
    assert.deepEqual([...(await s.search.attrVersions("unstable", ["firefox"]))], [["firefox", ""]], "a package without a version");
    // an index channel id need not be configured (a new release), but must look like one
    await assert.rejects(s.search.attrVersions("26.11", ["firefox"]), (e: unknown) => e instanceof Error && /moved/.test(String((e as { failure?: string }).failure)));
    await assert.rejects(s.search.attrVersions("../x", ["firefox"]), /not a channel of the search index/);
  });

  it("the fake records a query it cannot evaluate as a problem and answers 400, never 200", async () => {
    s = await setup();
    const auth = `Basic ${Buffer.from(`${PUBLIC_USERNAME}:${PUBLIC_PASSWORD}`).toString("base64")}`;
    // function_score passes the key check (the rescore uses it) but is no query the bot sends.
    const body = { query: { bool: { filter: [{ term: { type: { value: "package" } } }], must: [{ function_score: {} }] } } };
    const res = await fetch(`${s.fake.url}/latest-51-nixos-unstable/_search`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 400);
    assert.equal(s.fake.problems.length, 1);
    assert.match(s.fake.problems[0]!, /unknown query \[function_score\]/);
    s.fake.problems.length = 0;
  });

  it("autocompletes names: at most 25, cached, nothing for one character", async () => {
    s = await setup();
    const names = await s.search.complete("package", "Fire");
    assert.equal(names[0], "firefox");
    assert.ok(names.indexOf("firefox-esr") > 0);
    assert.ok(names.indexOf("librewolf") > names.indexOf("firefox-esr"), "a description match ranks after name matches");
    assert.ok(names.length <= 25 && names.every((n) => n.length <= 100));
    await s.search.complete("package", "fire");
    assert.equal(s.fake.requests.length, 1, "same partial (any case) is cached");
    assert.deepEqual(await s.search.complete("package", "f"), []);
    assert.equal(s.fake.requests.length, 1);
    const programs = await s.search.complete("program", "rg");
    assert.ok(programs.includes("rg") && programs.includes("rga") && programs.includes("rgbasm"), programs.join(","));
    assert.ok(programs.every((p) => p.startsWith("rg")));
    assert.equal(new Set(programs).size, programs.length);
    assert.ok((await s.search.complete("home-manager", "programs.g")).includes("programs.git.enable"));
  });
});
