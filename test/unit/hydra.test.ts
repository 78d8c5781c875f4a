import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { parseFailedSteps } from "../../src/upstream/hydra-build-page.js";
import { decodeLatestBuilds, type HydraBuild } from "../../src/upstream/hydra.js";
import { IntervalLimiter } from "../../src/upstream/cache.js";
import { jobState } from "../../src/hydra/walk.js";
import { statusWords } from "../../src/hydra/status.js";
import { channelNames, checkAttr, currentRelease, jobName, resolveChannel } from "../../src/hydra/jobsets.js";
import { emptyHistory, observe, type HydraEvent, type KnownJob } from "../../src/hydra/history.js";
import { dependencyOf } from "../../src/hydra/lookup.js";
import { sinceText, versionOf } from "../../src/hydra/format.js";
import { checkCaps, hydraFeedDef, parseHydraFeed } from "../../src/hydra/feed.js";
import { createHydra } from "../../src/upstream/hydra.js";
import type { Http } from "../../src/upstream/http.js";
import { depFailedPage, hydraFixture } from "../helpers/fake-hydra.js";

const BASE = "https://hydra.nixos.org";
const config = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true }).config;
const hc = config.hydra;
const fixtureBuilds = (): HydraBuild[] => decodeLatestBuilds(hydraFixture<{ body: unknown }>("hydra-api-latestbuilds.json").body);
const b = (id: number, buildstatus: number, timestamp = id): HydraBuild => ({ id, job: "hello.x86_64-linux", system: "x86_64-linux", nixname: "hello-2.12.2", timestamp, buildstatus });

describe("hydra: the failing-since walk", () => {
  it("walks the fixture back to the last success, skipping the cancelled build (3 failed, since 301050120)", () => {
    const s = jobState(fixtureBuilds());
    assert.equal(s.kind, "failing");
    if (s.kind !== "failing") return;
    assert.equal(s.latest.id, 301200077);
    assert.equal(s.firstBroken.id, 301050120);
    assert.equal(s.firstBroken.timestamp, 1795489800);
    assert.equal(s.failed, 3);
    assert.equal(s.lastSuccess?.id, 300990001);
    assert.equal(s.atLeast, false);
  });
  it("says 'at least' when no success is within the window", () => {
    const s = jobState([b(10, 1), b(9, 7), b(8, 2)]);
    assert.ok(s.kind === "failing" && s.atLeast && s.failed === 3 && s.firstBroken.id === 8);
  });
  it("a success on top is success; aborted and cancelled builds on top are skipped", () => {
    assert.equal(jobState([b(3, 0), b(2, 1)]).kind, "succeeded");
    const s = jobState([b(5, 3), b(4, 4), b(3, 0), b(2, 1)]);
    assert.ok(s.kind === "succeeded" && s.build.id === 3);
    assert.equal(jobState([b(5, 4), b(4, 3)]).kind, "undecided");
  });
  it("[] is no job; the order of the list does not matter", () => {
    assert.equal(jobState([]).kind, "no-job");
    const s = jobState([b(1, 0), b(3, 1), b(2, 1)]);
    assert.ok(s.kind === "failing" && s.latest.id === 3 && s.firstBroken.id === 2 && s.failed === 2);
  });
  it("words the failing-since line", () => {
    assert.equal(sinceText(1795489800, 3, false), "failing since 2026-11-24 (3 failed builds)");
    assert.equal(sinceText(1795161600, 10, true), "failing for at least 10 builds, since before 2026-11-20");
  });
});

describe("hydra: status words", () => {
  it("names every status Hydra has, and an unknown one as aborted", () => {
    const expected: Record<number, string> = {
      0: "succeeded",
      1: "failed",
      2: "dependency failed",
      3: "aborted",
      4: "cancelled",
      6: "failed with output",
      7: "timed out",
      9: "unsupported system",
      10: "log limit exceeded",
      11: "output limit exceeded",
      12: "not deterministic",
      99: "aborted",
    };
    for (const [n, w] of Object.entries(expected)) assert.equal(statusWords(Number(n)), w);
  });
  it("takes the version from nixname as Nix splits names", () => {
    assert.equal(versionOf("hello-2.12.2"), "2.12.2");
    assert.equal(versionOf("python3.13-foo-1.4.0"), "1.4.0");
    assert.equal(versionOf("noversion"), undefined);
  });
});

describe("hydra: the Failed build steps parser", () => {
  it("reads the dependency, its status, its log and the build it was propagated from (fixture)", () => {
    const steps = parseFailedSteps(depFailedPage(), BASE);
    assert.deepEqual(steps, [
      {
        stepnr: 3,
        outputs: ["/nix/store/00000000000000000000000000000010-python3.13-bar-2.0.1"],
        name: "python3.13-bar-2.0.1",
        status: "Failed",
        logUrl: "https://hydra.nixos.org/build/301200150/step/3/log",
        propagatedFrom: 301199500,
      },
    ]);
  });
  it("takes the table after the heading, not the Build Steps tab", () => {
    // Without the "Failed build steps" section only the Build Steps tab is left: nothing is guessed from it.
    const html = depFailedPage().replace(/<h3>Failed build steps<\/h3>[\s\S]*?<h3>Changes<\/h3>/, "<h3>Changes</h3>");
    assert.equal(parseFailedSteps(html, BASE), undefined);
  });
  it("several output paths separated by ,<br/>; the error after ':' is left out", () => {
    const html = `<h3>Failed build steps</h3><table><thead><tr><th>Nr</th><th>Step</th><th>Duration</th><th>Machine</th><th>Status</th></tr></thead><tbody>
      <tr><td><a href="/build/5/step/2">2</a></td><td>Build of <tt>/nix/store/00000000000000000000000000000014-baz-0.7.2,<br/>
      /nix/store/00000000000000000000000000000015-baz-0.7.2-dist</tt></td><td>1s</td><td>m</td><td><span class="error">Cached failure: <em>boom</em></span></td></tr></tbody></table>`;
    const steps = parseFailedSteps(html, BASE);
    assert.equal(steps?.length, 1);
    assert.deepEqual(steps?.[0]?.outputs, ["/nix/store/00000000000000000000000000000014-baz-0.7.2", "/nix/store/00000000000000000000000000000015-baz-0.7.2-dist"]);
    assert.equal(steps?.[0]?.name, "baz-0.7.2");
    assert.equal(steps?.[0]?.status, "Cached failure");
    assert.equal(steps?.[0]?.logUrl, undefined);
  });
  it("broken HTML: cut off, unclosed tags, other columns, no store path, garbage: undefined, never a guess", () => {
    const page = depFailedPage();
    const cut = page.slice(0, page.indexOf("python3.13-bar-2.0.1") - 10);
    assert.equal(parseFailedSteps(cut, BASE), undefined);
    assert.equal(parseFailedSteps(page.replace("<th>Status</th>", "<th>Result</th>"), BASE), undefined);
    assert.equal(parseFailedSteps(page.replaceAll("/nix/store/00000000000000000000000000000010-python3.13-bar-2.0.1", "something else"), BASE), undefined);
    assert.equal(parseFailedSteps("<<<>>><h3>Failed build steps<table><tr><td>", BASE), undefined);
    assert.equal(parseFailedSteps("", BASE), undefined);
    assert.equal(parseFailedSteps("x".repeat(2_000_000), BASE), undefined);
  });
  it("unclosed cells still parse when the structure is there", () => {
    const html = `<h3>Failed build steps</h3><table><tr><th>Nr<th>Step<th>Duration<th>Machine<th>Status</tr>
      <tr><td><a href="/build/5/step/1">1</a><td>Build of <tt>/nix/store/00000000000000000000000000000010-bar-2.0.1</tt><td>1s<td>m<td>Failed (<a href="/build/5/step/1/log">log</a>)</tr></table>`;
    const steps = parseFailedSteps(html, BASE);
    assert.equal(steps?.[0]?.name, "bar-2.0.1");
    assert.equal(steps?.[0]?.logUrl, "https://hydra.nixos.org/build/5/step/1/log");
  });
  it("drops links to other sites", () => {
    const page = depFailedPage().replace('href="https://hydra.nixos.org/build/301200150/step/3/log"', 'href="https://evil.example/build/301200150/step/3/log"');
    const steps = parseFailedSteps(page, BASE);
    assert.equal(steps?.[0]?.logUrl, undefined);
    assert.equal(steps?.[0]?.propagatedFrom, 301199500);
  });
  it("the dependency is the failed step that is not the build itself", () => {
    const steps = parseFailedSteps(depFailedPage(), BASE) ?? [];
    const own = { ...b(301200150, 2), nixname: "python3.13-foo-1.4.0" };
    assert.equal(dependencyOf(own, steps)?.name, "python3.13-bar-2.0.1");
    assert.equal(dependencyOf({ ...own, nixname: "python3.13-bar-2.0.1" }, steps), undefined);
  });
});

describe("hydra: the channel -> jobset map (defaults)", () => {
  it("maps every default channel as the issue says", () => {
    const r = (c?: string, rel?: string) => resolveChannel(hc, c, rel);
    assert.deepEqual(r(undefined), {
      channel: "nixpkgs-unstable",
      project: "nixpkgs",
      jobset: "unstable",
      jobPrefix: "",
      systems: ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"],
    });
    assert.deepEqual(r("nixos-unstable"), { channel: "nixos-unstable", project: "nixos", jobset: "unstable", jobPrefix: "nixpkgs.", systems: ["x86_64-linux", "aarch64-linux"] });
    assert.equal(r("nixos-unstable-small").jobset, "unstable-small");
    assert.deepEqual([r("NIXOS-26.05").project, r("nixos-26.05").jobset], ["nixos", "release-26.05"]);
    assert.deepEqual(
      [r("nixpkgs-26.05-darwin").project, r("nixpkgs-26.05-darwin").jobset, r("nixpkgs-26.05-darwin").systems.join()],
      ["nixpkgs", "nixpkgs-26.05-darwin", "x86_64-darwin,aarch64-darwin"],
    );
    assert.equal(r("staging-next").jobset, "staging-next");
    assert.equal(r("stable", "26.05").jobset, "release-26.05");
    assert.throws(() => r("stable"), /current stable release/);
    assert.throws(() => r("nixos-2605"), /no Hydra jobset for "nixos-2605"/);
  });
  it("builds job names with the jobset's prefix", () => {
    assert.equal(jobName(resolveChannel(hc, undefined), "hello", "x86_64-linux"), "hello.x86_64-linux");
    assert.equal(jobName(resolveChannel(hc, "nixos-unstable"), "python3Packages.requests", "aarch64-linux"), "nixpkgs.python3Packages.requests.aarch64-linux");
  });
  it("the current release from the channel status, and the names for completion", () => {
    assert.equal(currentRelease(["nixos-unstable", "nixos-25.11", "nixos-26.05", "nixos-26.05-small"]), "26.05");
    assert.equal(currentRelease(["nixos-unstable"]), undefined);
    assert.ok(channelNames(hc, "26.05").includes("nixos-26.05"));
    assert.ok(channelNames(hc).includes("nixos-YY.MM"));
  });
  it("accepts only plain attribute paths", () => {
    assert.equal(checkAttr(" python3Packages.requests "), "python3Packages.requests");
    assert.equal(checkAttr("gtk+3"), "gtk+3");
    for (const bad of ["", "a b", "../x", "a..b", ".a", "-a", "a.+b", "a&job=x", "a/b", "ä", "x".repeat(101), "a?b", "a#b"]) assert.throws(() => checkAttr(bad), /attribute/);
  });
  it("config validation refuses a bad map and names the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-hydra-config-"));
    const load = (hydra: Record<string, unknown>): void => {
      const file = join(dir, "local.json");
      writeFileSync(file, JSON.stringify({ hydra: { ...hc, ...hydra } }));
      loadConfig({ env: { NIXIE_CONFIG: file } });
    };
    try {
      const one = hc.jobsets[0]!;
      assert.throws(() => load({ jobsets: [{ ...one, jobset: "nixpkgs/unstable?x=1" }] }), /hydra\.jobsets\[0\]\.jobset/);
      assert.throws(() => load({ jobsets: [{ ...one, channel: "nixos-{release}" }] }), /hydra\.jobsets\[0\]\.jobset.*\{release\}/);
      assert.throws(() => load({ jobsets: [{ ...one, jobPrefix: "nixpkgs" }] }), /hydra\.jobsets\[0\]\.jobPrefix/);
      assert.throws(() => load({ jobsets: [{ ...one, systems: ["x86_64 linux"] }] }), /hydra\.jobsets\[0\]\.systems/);
      assert.throws(() => load({ defaultChannel: "nowhere" }), /hydra\.defaultChannel/);
      assert.throws(() => load({ sweepIntervalSeconds: 1 }), /hydra\.sweepIntervalSeconds/);
      assert.doesNotThrow(() => load({ sweepIntervalSeconds: 2 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("hydra: feed names and caps", () => {
  const hydra = createHydra({ baseUrl: BASE, http: {} as Http, requestsPerSecond: 1, burst: 4, timeoutMs: 1000, cooldownMs: 60_000, cacheMs: 0, noJobCacheMs: 0 });
  it("hydra:<attr> and hydra:<attr>@<channel>; the attribute keeps its case", () => {
    assert.equal(hydraFeedDef(hydra, hc, "hydra:hello")?.name, "hydra:hello");
    assert.equal(hydraFeedDef(hydra, hc, "HYDRA:SDL2@NixOS-Unstable")?.name, "hydra:SDL2@nixos-unstable");
    assert.equal(parseHydraFeed(hc, "hydra:hello@nixos-26.05")?.target.jobset, "release-26.05");
    for (const bad of ["hydra:", "hydra:a b", "hydra:hello@nowhere", "hydra:hello@stable", "channel:x", "hydra:../x"]) assert.equal(hydraFeedDef(hydra, hc, bad), undefined, bad);
  });
  it("refuses past the per-room and per-instance caps, and says so", () => {
    const t = parseHydraFeed(hc, "hydra:hello")!;
    const room = Array.from({ length: 25 }, (_, i) => `hydra:p${i}`);
    assert.throws(() => checkCaps(hc, t, room, room), /25 hydra: feeds, the most nixie allows per room \(25\)/);
    const many = Array.from({ length: 500 }, (_, i) => `hydra:p${i}`);
    assert.throws(() => checkCaps(hc, t, [], many), /watches 500 Hydra jobs, the most it watches at once \(500\)/);
    // An already watched job does not count again (another room, or the same job by its channel name).
    assert.doesNotThrow(() => checkCaps(hc, t, [], [...many.slice(1), "hydra:hello@nixpkgs-unstable"]));
  });
});

describe("hydra: transitions (the sweep's history)", () => {
  const obs = (state: ReturnType<typeof jobState>) => ({ project: "nixpkgs", jobset: "unstable", attr: "hello", system: "x86_64-linux", job: "hello.x86_64-linux", state });
  it("nothing at first sight; broke once on success -> failure, keyed by build id; fixed once; cancelled builds change nothing", () => {
    const jobs: Record<string, KnownJob> = { ...emptyHistory().jobs };
    const events: HydraEvent[] = [];
    assert.equal(observe(jobs, events, obs(jobState([b(2, 0)])), 1), undefined);
    assert.equal(observe(jobs, events, obs(jobState([b(3, 4), b(2, 0)])), 2), undefined);
    const broke = observe(jobs, events, obs(jobState([b(4, 1), b(2, 0)])), 3);
    assert.equal(broke?.id, "hydra:nixpkgs/unstable|hello.x86_64-linux#4:broke");
    assert.equal(broke?.failed, 1);
    assert.equal(observe(jobs, events, obs(jobState([b(4, 1), b(2, 0)])), 4), undefined);
    assert.equal(observe(jobs, events, obs(jobState([b(5, 2), b(4, 1), b(2, 0)])), 5), undefined, "still failing: no post");
    const fixed = observe(jobs, events, obs(jobState([b(6, 0), b(5, 2)])), 6);
    assert.equal(fixed?.id, "hydra:nixpkgs/unstable|hello.x86_64-linux#6:fixed");
    assert.equal(observe(jobs, events, obs(jobState([])), 7), undefined);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["broke", "fixed"],
    );
  });
  it("the same transition observed twice (a crash before the state was stored) is one event", () => {
    const jobs: Record<string, KnownJob> = { "nixpkgs/unstable|hello.x86_64-linux": { buildId: 2, green: true, seenAt: 0 } };
    const events: HydraEvent[] = [];
    observe({ ...jobs }, events, obs(jobState([b(4, 1), b(2, 0)])), 1);
    observe({ ...jobs }, events, obs(jobState([b(4, 1), b(2, 0)])), 2);
    assert.equal(events.length, 1);
  });
});

describe("hydra: the pace", () => {
  it("lets a burst of 4 through at once, then one a second", async () => {
    const l = new IntervalLimiter(1, 4);
    const now: boolean[] = [];
    // maxWaitMs 0: only what may start now.
    for (let i = 0; i < 6; i++) now.push(await l.wait(0));
    assert.deepEqual(now, [true, true, true, true, false, false]);
    const started = Date.now();
    assert.equal(await l.wait(5000), true);
    assert.ok(Date.now() - started >= 900, "the fifth waits about a second");
  });
  it("background work (the sweep) leaves the burst to commands", async () => {
    const l = new IntervalLimiter(1, 4);
    assert.equal(await l.wait(0, true), true);
    assert.equal(await l.wait(0, true), false, "the sweep's next request waits its second");
    // A command arriving meanwhile still gets most of the burst at once.
    const now: boolean[] = [];
    for (let i = 0; i < 4; i++) now.push(await l.wait(0));
    assert.deepEqual(now, [true, true, true, false]);
    assert.equal(await l.wait(0, true), false);
  });
});
