import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeHydra, depFailedPage, hydraFixture, type FakeBuild, type FakeHydra } from "../helpers/fake-hydra.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { startFakePrometheus } from "../helpers/fake-prometheus.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";
import { renderPlain } from "../../src/render/plain.js";
import { UpstreamError } from "../../src/core/errors.js";
import { signalAt } from "../../src/core/deadline.js";
import { createHydra } from "../../src/upstream/hydra.js";
import { createHttp } from "../../src/upstream/http.js";
import { userAgent } from "../../src/version.js";

const SYSTEMS = ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"];
const fixtureList = (): FakeBuild[] => hydraFixture<{ body: FakeBuild[] }>("hydra-api-latestbuilds.json").body;
const ok = (id: number, nixname = "firefox-150.0"): FakeBuild => ({ id, nixname, timestamp: 1795932000, buildstatus: 0 });
const bad = (id: number, buildstatus = 1): FakeBuild => ({ id, nixname: "firefox-150.0", timestamp: 1795932000 + id, buildstatus });

/** firefox on nixpkgs/unstable: built on x86_64-linux, a dependency failed on aarch64-linux, failing on x86_64-darwin, no job on aarch64-darwin. */
function serveFirefox(h: FakeHydra): void {
  h.setBuilds("nixpkgs/unstable", "firefox.x86_64-linux", "x86_64-linux", [ok(301200001, "firefox-150.0.1")]);
  h.setBuilds("nixpkgs/unstable", "firefox.aarch64-linux", "aarch64-linux", [
    { id: 301200150, nixname: "python3.13-foo-1.4.0", timestamp: 1795932000, buildstatus: 2 },
    { id: 301100020, nixname: "python3.13-foo-1.4.0", timestamp: 1795600000, buildstatus: 0 },
  ]);
  h.setPage(301200150, depFailedPage(h.url));
  h.setBuilds("nixpkgs/unstable", "firefox.x86_64-darwin", "x86_64-darwin", fixtureList());
}

/**
 * A config file with a faster pace than hydra.nixos.org's 1 a second (the burst stays 4): these
 * tests are about answers and posts; the pace has tests of its own.
 */
function fastPaceConfig(dir: string): string {
  const file = join(dir, "hydra-test.json");
  writeFileSync(file, JSON.stringify({ hydra: { requestsPerSecond: 20 } }));
  return file;
}

describe("!hydra against a fake Hydra", function () {
  this.timeout(30_000);
  let hydra: FakeHydra;
  let search: FakeSearch;
  let t: TestBot;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-hydra-"));
    hydra = await startFakeHydra();
    search = await startFakeSearch();
    t = await startTestBot({ NIXIE_HYDRA_URL: hydra.url, NIXIE_SEARCH_URL: search.url, NIXIE_CONFIG: fastPaceConfig(dir) });
  });
  afterEach(async () => {
    await t.stop();
    await hydra.close();
    await search.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("one line per platform: version, failing since with the dependency and its log, no job", async () => {
    serveFirefox(hydra);
    const text = await t.ask("!hydra firefox");
    assert.match(text, /Hydra: firefox in nixpkgs-unstable \(nixpkgs\/unstable/);
    assert.match(text, /x86_64-linux.*succeeded `150\.0\.1` \(build 301200001/);
    assert.match(text, /aarch64-linux.*dependency failed, failing since 2026-11-29 \(1 failed build\) · newest build 301200150/);
    assert.match(text, /dependency `python3\.13-bar-2\.0\.1` failed \(log .*\/build\/301200150\/step\/3\/log.*from build 301199500/);
    assert.match(text, /x86_64-darwin.*failed, failing since 2026-11-24 \(3 failed builds\) · newest build 301200077.*\(log .*\/build\/301200077\/log/);
    assert.match(text, /Hydra builds no job for this on aarch64-darwin/);
    assert.deepEqual(hydra.problems, []);
    // Four lists and one build page; nothing else, and every list asks for 10 builds as JSON.
    const lists = hydra.requests.filter((r) => r.path === "/api/latestbuilds");
    assert.equal(lists.length, 4);
    assert.deepEqual(lists.map((r) => r.query.get("job")).sort(), SYSTEMS.map((s) => `firefox.${s}`).sort());
    assert.ok(lists.every((r) => r.query.get("nr") === "10" && r.query.get("project") === "nixpkgs" && r.query.get("jobset") === "unstable"));
    assert.equal(hydra.requests.filter((r) => r.path.startsWith("/build/")).length, 1);
    // Asked again: all from the cache.
    const before = hydra.requests.length;
    await t.ask("!hydra firefox");
    assert.equal(hydra.requests.length, before);
  });

  it("NixOS jobsets prefix the job with nixpkgs. and build Linux only; a 302 (renamed jobset) is followed", async () => {
    hydra.rename("nixos/unstable", "nixos/unstable-renamed");
    hydra.setBuilds("nixos/unstable-renamed", "nixpkgs.firefox.x86_64-linux", "x86_64-linux", [ok(5)]);
    const text = await t.ask("!hydra firefox --channel nixos-unstable");
    assert.match(text, /x86_64-linux.*succeeded `150\.0`/);
    assert.match(text, /Hydra builds no job for this on aarch64-linux/);
    assert.doesNotMatch(text, /darwin/);
    assert.deepEqual(hydra.problems, []);
  });

  it("an unknown attribute: did you mean, and no request to Hydra; unsafe input never reaches a URL", async () => {
    assert.match(await t.ask("!hydra firef"), /There is no package firef on search\.nixos\.org\. Did you mean .*firefox/);
    assert.match(await t.ask("!hydra firefox&job=x"), /plain attribute path/);
    assert.match(await t.ask("!hydra ../../eval/1"), /plain attribute path/);
    assert.match(await t.ask("!hydra firefox --channel nowhere"), /no Hydra jobset for "nowhere"/);
    assert.equal(hydra.requests.length, 0);
  });

  it("an unknown jobset (404) and garbage are said in words", async () => {
    assert.match(await t.ask("!hydra firefox --channel nixos-20.03"), /has moved its data/);
    hydra.addJobset("nixpkgs/unstable");
    hydra.fail({ kind: "garbage" });
    assert.match(await t.ask("!hydra firefox"), /answered something nixie cannot read/);
  });

  it("a 429 stops every Hydra request for 60 s, and the answer says when to try again", async () => {
    serveFirefox(hydra);
    hydra.fail({ kind: "status", status: 429 }, 1);
    const text = await t.ask("!hydra firefox");
    // The first request got the 429; the others of the burst were already answered.
    assert.match(text, /: 127\.0\.0\.1:\d+ is rate-limiting nixie, try again after \d\d:\d\d UTC\./);
    const sent = hydra.requests.length;
    assert.ok(sent >= 1 && sent <= 4, `${sent} requests`);
    const until = t.bot.services.hydra.client.coolingUntil();
    assert.ok(until !== undefined && until - Date.now() > 58_000, "cooling for about 60 s");
    // Another package, another channel, the feed sweep: nothing goes to Hydra now.
    assert.match(await t.ask("!hydra firefox --channel nixos-unstable"), /rate-limiting nixie, try again after \d\d:\d\d UTC/);
    await t.ask("!subscribe hydra:firefox", { manager: true });
    const report = await t.bot.hydra.sweepNow();
    assert.equal(report.stopped, "cooldown");
    assert.equal(hydra.requests.length, sent);
    assert.match(await t.ask("!subscriptions"), /Hydra asked nixie to wait until \d\d:\d\d UTC/);
  });

  it("a platform whose answer is late shows 'no answer yet' while the others are shown", async () => {
    serveFirefox(hydra);
    hydra.delayJob("firefox.x86_64-darwin", 3000);
    const started = Date.now();
    const reply = await t.bot.services.hydra.report("firefox", undefined, { deadline: Date.now() + 1000 });
    const text = renderPlain(reply);
    assert.ok(Date.now() - started < 2000, "answered by the deadline");
    assert.match(text, /x86_64-darwin <[^>]*>: no answer yet/);
    assert.match(text, /x86_64-linux.*succeeded/);
    assert.match(text, /Hydra builds no job for this on aarch64-darwin/);
  });

  it("a 503 gets the same rest, worded as an outage", async () => {
    serveFirefox(hydra);
    hydra.fail({ kind: "status", status: 503 });
    assert.match(await t.ask("!hydra firefox"), /is down or restarting, try again after/);
    const sent = hydra.requests.length;
    await t.ask("!hydra firefox --channel staging-next");
    assert.equal(hydra.requests.length, sent);
  });

  it("the feed: nothing at first sight, one post when it breaks (with the dependency), one when it is fixed", async () => {
    hydra.setBuilds("nixos/unstable", "nixpkgs.firefox.x86_64-linux", "x86_64-linux", [ok(10)]);
    assert.match(await t.ask("!subscribe hydra:firefox@nixos-unstable", { manager: true }), /Subscribed/);
    let r = await t.bot.hydra.sweepNow();
    assert.equal(r.lists, 2);
    assert.equal(r.events, 0);
    await t.bot.feeds.pollNow();
    assert.equal(t.adapter.sent.length, 0);
    hydra.setBuilds("nixos/unstable", "nixpkgs.firefox.x86_64-linux", "x86_64-linux", [{ ...bad(20, 2), nixname: "python3.13-foo-1.4.0" }, ok(10)]);
    hydra.setPage(20, depFailedPage(hydra.url));
    r = await t.bot.hydra.sweepNow();
    assert.equal(r.events, 1);
    await t.bot.feeds.pollNow();
    assert.equal(t.adapter.sent.length, 1);
    assert.match(t.adapter.sent[0]!.text, /firefox broke on x86_64-linux \(nixos\/unstable\): dependency failed/);
    assert.match(t.adapter.sent[0]!.text, /python3\.13-bar-2\.0\.1 failed/);
    // Still failing, a cancelled build on top: nothing.
    hydra.setBuilds("nixos/unstable", "nixpkgs.firefox.x86_64-linux", "x86_64-linux", [bad(22, 4), bad(21), bad(20, 2), ok(10)]);
    await t.bot.hydra.sweepNow();
    await t.bot.feeds.pollNow();
    assert.equal(t.adapter.sent.length, 1);
    hydra.setBuilds("nixos/unstable", "nixpkgs.firefox.x86_64-linux", "x86_64-linux", [ok(30, "firefox-151.0"), bad(21)]);
    await t.bot.hydra.sweepNow();
    await t.bot.feeds.pollNow();
    assert.equal(t.adapter.sent.length, 2);
    assert.match(t.adapter.sent[1]!.text, /firefox is fixed on x86_64-linux[\s\S]*Version: 151\.0/);
    assert.match(await t.ask("!subscriptions"), /hydra:firefox@nixos-unstable`.*x86_64-linux ok/);
    assert.match(await t.ask("!feeds"), /hydra:<attr>/);
    assert.deepEqual(hydra.problems, []);
  });

  it("a feed under another spelling than the index's is refused with the right one (Hydra's job names are case-sensitive)", async () => {
    assert.match(await t.ask("!subscribe hydra:Firefox@nixos-unstable", { manager: true }), /spelled firefox: subscribe to hydra:firefox@nixos-unstable/);
    assert.match(await t.ask("!subscribe hydra:firef", { manager: true }), /There is no package firef/);
    assert.match(await t.ask("!subscriptions"), /follows no feeds/);
  });

  it("one request per job and platform per sweep, however many rooms follow it", async () => {
    hydra.addJobset("nixpkgs/unstable");
    for (const room of ["a", "b", "c"]) await t.ask("!subscribe hydra:firefox", { manager: true, room });
    await t.ask("!subscribe hydra:firefox@nixpkgs-unstable", { manager: true, room: "d" });
    const r = await t.bot.hydra.sweepNow();
    assert.equal(r.jobs, 1);
    assert.equal(hydra.listRequests(), 4);
  });
});

describe("hydra: feeds of a release channel", function () {
  this.timeout(30_000);
  it("refuses a release that is not a current channel (its jobset does not exist) and takes a current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-hydra-release-"));
    const hydra = await startFakeHydra();
    const search = await startFakeSearch();
    const prometheus = await startFakePrometheus();
    const t = await startTestBot({
      NIXIE_HYDRA_URL: hydra.url,
      NIXIE_SEARCH_URL: search.url,
      NIXIE_PROMETHEUS_URL: prometheus.url,
      NIXIE_CHANNELS_URL: prometheus.mirrorUrl,
      NIXIE_CONFIG: fastPaceConfig(dir),
    });
    try {
      const typo = await t.ask("!subscribe hydra:firefox@nixos-25.15", { manager: true });
      assert.match(typo, /^nixos-25\.15 is not a current channel, so Hydra builds no nixos\/release-25\.15\. Channels: .*nixos-26\.05/);
      assert.deepEqual(await t.bot.services.subscriptions.list({ platform: "test", id: "room1" }), []);
      assert.match(await t.ask("!subscribe hydra:firefox@nixos-26.05", { manager: true }), /Subscribed/);
    } finally {
      await t.stop();
      await prometheus.close();
      await hydra.close();
      await search.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Hydra client", function () {
  this.timeout(20_000);
  let fake: FakeHydra;
  beforeEach(async () => {
    fake = await startFakeHydra();
  });
  afterEach(() => fake.close());
  const client = (o: Partial<Parameters<typeof createHydra>[0]> = {}) =>
    createHydra({
      baseUrl: fake.url,
      http: createHttp({ userAgent, timeoutMs: 2000, retries: 2, maxRetryWaitMs: 10_000, maxResponseBytes: 5_000_000, cacheEntries: 100 }),
      requestsPerSecond: 2,
      burst: 1,
      timeoutMs: 2000,
      cooldownMs: 60_000,
      cacheMs: 600_000,
      noJobCacheMs: 3_600_000,
      ...o,
    });
  const ref = (job: string) => ({ project: "nixpkgs", jobset: "unstable", job: `${job}.x86_64-linux`, system: "x86_64-linux" });

  it("a command does not join the sweep's request for the same job: it ends by its own deadline", async () => {
    const h = client({ burst: 4, requestsPerSecond: 100 });
    fake.delayJob("hello.x86_64-linux", 1500);
    const sweep = h.latestBuilds(ref("hello"), { fresh: true, background: true });
    const t0 = Date.now();
    const command = await h.latestBuilds(ref("hello"), { signal: signalAt(Date.now() + 300) }).catch((e: unknown) => e);
    assert.ok(command instanceof UpstreamError && command.failure === "timeout", String(command));
    assert.ok(Date.now() - t0 < 1000, `the command waited ${Date.now() - t0} ms`);
    await sweep.catch(() => undefined); // the fake knows no such jobset: only the waits matter here
  });

  it("after a 429 sends nothing more, not even requests already waiting for their turn in the pace; Retry-After can make the rest longer", async () => {
    fake.addJobset("nixpkgs/unstable");
    fake.fail({ kind: "status", status: 429, retryAfter: "120" }, 1);
    const h = client();
    const results = await Promise.allSettled(["a", "b", "c"].map((j) => h.latestBuilds(ref(j))));
    assert.equal(fake.requests.length, 1, "one request, no retry, the queued ones dropped");
    assert.ok(results.every((r) => r.status === "rejected" && r.reason instanceof UpstreamError && r.reason.failure === "rate-limited"));
    const until = h.coolingUntil()!;
    assert.ok(until - Date.now() > 115_000 && until - Date.now() <= 120_000, String(until - Date.now()));
  });

  it("caches a job's list 10 minutes and 'no job' an hour; the sweep's fresh read asks again", async () => {
    let clock = Date.now();
    fake.setBuilds("nixpkgs/unstable", "x.x86_64-linux", "x86_64-linux", [ok(1)]);
    const h = client({ now: () => clock, burst: 10, requestsPerSecond: 100 });
    await h.latestBuilds(ref("x"));
    await h.latestBuilds(ref("none"));
    clock += 9 * 60_000;
    await h.latestBuilds(ref("x"));
    assert.equal(fake.listRequests(), 2);
    clock += 2 * 60_000;
    await h.latestBuilds(ref("x"));
    await h.latestBuilds(ref("none"));
    assert.equal(fake.listRequests(), 3, "the list again after 10 min; no job still cached");
    clock += 50 * 60_000;
    await h.latestBuilds(ref("none"));
    assert.equal(fake.listRequests(), 4);
    await h.latestBuilds(ref("x"), { fresh: true });
    assert.equal(fake.listRequests(), 5);
    assert.deepEqual(fake.problems, []);
  });
});
