import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { startFakePrometheus } from "../helpers/fake-prometheus.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

/** A schedule that never fires during a test: checks happen only through pollNow(). */
const NEVER = "0 0 1 1 *";
const PULLS = "/repos/NixOS/nixpkgs/pulls";
const COMPARE = "/repos/NixOS/nixpkgs/compare";
const BRANCH = "/repos/NixOS/nixpkgs/branches";

let dir: string;
let gh: FakeGitHub;
let nextPr = 300_000;

async function bot(opts: { env?: Record<string, string>; config?: object; store?: string } = {}): Promise<TestBot> {
  const cfg = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(cfg, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, ...(opts.config ?? {}) }));
  return startTestBot({
    NIXIE_GITHUB_API: gh.url,
    NIXIE_FEEDS_CRON: NEVER,
    NIXIE_CONFIG: cfg,
    NIXIE_GITHUB_BUDGET: "1000000",
    ...(opts.store ? { NIXIE_STORE_URL: `sqlite://${opts.store}` } : {}),
    ...(opts.env ?? {}),
  });
}

/** The marks of the branch table in a plain-text answer, e.g. { master: "reached" }. */
function marks(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^\s+([a-z0-9.-]+): \S+ (reached|not yet|not on its way)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe("GitHub: !pr, !track and the fake GitHub computed by git", function () {
  this.timeout(30_000);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-pr-"));
    gh = await startFakeGitHub();
  });
  after(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => gh.mode("ok"));

  describe("!pr", () => {
    let t: TestBot;
    before(async () => {
      t = await bot();
    });
    after(() => t.stop());

    it("shows a merged master pull request with each branch reached or not yet, and costs one pulls plus one compare per unknown branch", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "hello: 2.12.1 -> 2.12.2", base: "master", author: "alice-gh" });
      await gh.advance("nixos-unstable-small", "master");
      const before = gh.requests.length;
      const text = await t.ask(`!pr ${n}`);
      assert.match(text, new RegExp(`#${n} hello: 2.12.1 -> 2.12.2 <https://github.com/NixOS/nixpkgs/pull/${n}>`));
      assert.match(text, /by alice-gh .* merged on 2026-11-21 · into master/);
      assert.deepEqual(marks(text), { master: "reached", "nixos-unstable-small": "reached", "nixos-unstable": "not yet", "nixpkgs-unstable": "not yet" });
      const made = gh.requests.slice(before).map((r) => r.path);
      assert.equal(made.filter((p) => p.startsWith(PULLS)).length, 1);
      // master is the base (no request); the three channels are compared once each.
      assert.equal(made.filter((p) => p.startsWith(COMPARE)).length, 3);
      // Asked again: nixos-unstable-small is known to contain it forever, so it is not compared again.
      const again = gh.requests.length;
      await t.ask(`!pr nixpkgs#${n}`);
      assert.deepEqual(
        gh.requests
          .slice(again)
          .filter((r) => r.path.startsWith(COMPARE))
          .map((r) => r.path.split("/")[5]!.split("...")[0]),
        ["nixos-unstable", "nixpkgs-unstable"],
      );
    });

    it("follows a staging pull request through staging-next and master, by URL too", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "openssl: 3.0.1 -> 3.0.2", base: "staging" });
      await gh.advance("staging-next", "staging", "merge");
      let m = marks(await t.ask(`!pr https://github.com/NixOS/nixpkgs/pull/${n}`));
      assert.deepEqual(m, { staging: "reached", "staging-next": "reached", master: "not yet", "nixos-unstable-small": "not yet", "nixos-unstable": "not yet", "nixpkgs-unstable": "not yet" });
      await gh.commit("master", "unrelated change on master");
      await gh.advance("master", "staging-next", "merge");
      m = marks(await t.ask(`!pr ${n}`));
      assert.equal(m["master"], "reached");
      assert.equal(m["nixos-unstable"], "not yet");
    });

    it("an open pull request costs only the pulls request; a closed one is not on its way", async () => {
      const n = nextPr++;
      gh.open(n, { title: "python3Packages.foo: init at 1.0", base: "staging", draft: true });
      const before = gh.requests.length;
      const text = await t.ask(`!pr ${n}`);
      assert.equal(gh.requests.length - before, 1);
      assert.match(text, /draft · into staging/);
      assert.equal(marks(text)["staging"], "not yet");
      gh.pulls.set(n, { ...gh.pulls.get(n)!, state: "closed", draft: false });
      const closed = await t.ask(`!pr ${n}`);
      assert.match(closed, /closed without merge/);
      assert.ok(Object.values(marks(closed)).every((v) => v === "not on its way"));
    });

    it("release branches lead to their channels", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "[26.05] firefox: 140 -> 141", base: "release-26.05" });
      await gh.advance("nixpkgs-26.05-darwin", "release-26.05");
      assert.deepEqual(marks(await t.ask(`!pr ${n}`)), {
        "release-26.05": "reached",
        "nixos-26.05-small": "not yet",
        "nixos-26.05": "not yet",
        "nixpkgs-26.05-darwin": "reached",
      });
    });

    it("answers bad input clearly and asks GitHub nothing for it", async () => {
      gh.issues.set(4242, { title: "an issue", state: "open" });
      const before = gh.requests.length;
      assert.match(await t.ask("!pr 123456789012345678901"), /not a pull request number/);
      // A repository reference expansion does not know (home-manager and NixOS/nix get their line).
      assert.match(await t.ask("!pr https://github.com/NixOS/nixos-hardware/pull/123"), /Only pull requests of NixOS\/nixpkgs/);
      assert.match(await t.ask("!pr hello"), /is not a pull request/);
      assert.equal(gh.requests.length, before);
      assert.match(await t.ask("!pr 999999"), /There is no pull request #999999 in NixOS\/nixpkgs/);
      assert.match(await t.ask("!pr 4242"), /#4242 is an issue of NixOS\/nixpkgs, not a pull request/);
    });

    it("shows a title with HTML, markdown or @room literally in plain text and escaped in HTML, and pings nobody", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "<b>x</b> **y** @room <script>", base: "master" });
      const r = await t.adapter.say(`!pr ${n}`);
      assert.ok(r);
      assert.match(renderPlain(r), /<b>x<\/b> \*\*y\*\* @room <script>/);
      const m = renderMatrix(r);
      assert.match(m.formatted_body, /&lt;b&gt;x&lt;\/b&gt; \*\*y\*\* @room &lt;script&gt;/);
      assert.doesNotMatch(m.formatted_body, /<script>/);
      assert.match(m.formatted_body, /<ul><li><strong>master<\/strong>: ✅ reached<\/li>/);
      assert.deepEqual(m["m.mentions"], {});
      const d = renderDiscord(r);
      assert.deepEqual(d.allowedMentions, { parse: [] });
      assert.equal(d.embeds[0]!.fields!.length, 4);
      assert.equal(d.embeds[0]!.fields![0]!.name, "master");
    });

    it("a merged pull request without merge commit shows only its base branch, with a note", async () => {
      const n = nextPr++;
      gh.pulls.set(n, { title: "ancient", base: "master", state: "closed", merged: true, mergeSha: null });
      const text = await t.ask(`!pr ${n}`);
      assert.deepEqual(marks(text), { master: "reached" });
      assert.match(text, /no merge commit/);
    });

    it("asks the branches that wait for the same one together, and answers by the deadline with what it knows", async () => {
      const slowBot = await bot({ config: { http: { timeoutMs: 1500 } } });
      try {
        const n = nextPr++;
        await gh.merge(n, { title: "slow github", base: "master" });
        await gh.advance("nixos-unstable-small", "master");
        // The three channels wait only for master (the base): one round of compares, not three.
        gh.slow(COMPARE, 400);
        const text = await slowBot.ask(`!pr ${n}`);
        assert.deepEqual(marks(text), { master: "reached", "nixos-unstable-small": "reached", "nixos-unstable": "not yet", "nixpkgs-unstable": "not yet" });
        assert.equal(gh.maxInFlight(COMPARE), 3, "the three channel compares in flight together");
        // A GitHub slower than the deadline: the pull request and the branches known, on time.
        const m = nextPr++;
        await gh.merge(m, { title: "slower github", base: "master" });
        gh.slow(COMPARE, 5000);
        const t0 = Date.now();
        const late = await slowBot.ask(`!pr ${m}`);
        assert.ok(Date.now() - t0 < 1500 + 1000, "answered within the deadline and its grace");
        assert.match(late, /slower github/);
        assert.equal(marks(late)["master"], "reached");
        assert.match(late, /GitHub was slow to answer/);
      } finally {
        gh.slow(COMPARE, 0);
        await slowBot.stop();
      }
    });

    it("GitHub answering 5xx or garbage gives a clear error", async () => {
      const n = nextPr++;
      gh.open(n, { title: "x", base: "master" });
      gh.mode("error");
      assert.match(await t.ask(`!pr ${n}`), /GitHub did not answer, try again in a minute/);
      gh.mode("garbage");
      assert.match(await t.ask(`!pr ${n}`), /GitHub answered something nixie cannot read/);
    });
  });

  describe("rate limits and the budget", () => {
    it("a 403 rate limit stops every request until the reset; !pr answers from the cache with its time, or says when GitHub can be asked", async () => {
      const t = await bot();
      try {
        const n = nextPr++;
        await gh.merge(n, { title: "cached one", base: "master" });
        await t.ask(`!pr ${n}`);
        gh.mode("rate-limited");
        const limitedText = await t.ask(`!pr ${n}`);
        assert.match(limitedText, /cached one/);
        assert.match(limitedText, /As of \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        const before = gh.requests.length;
        gh.mode("ok");
        // GitHub said remaining 0 until the reset: nixie does not ask before then.
        assert.match(await t.ask(`!pr ${nextPr++}`), /GitHub can be asked again at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        assert.equal(gh.requests.length, before);
      } finally {
        await t.stop();
      }
    });

    it("a 429 with retry-after is honoured too", async () => {
      const t = await bot();
      try {
        gh.mode("secondary-limit");
        assert.match(await t.ask(`!pr ${nextPr++}`), /GitHub can be asked again at/);
        gh.mode("ok");
        const before = gh.requests.length;
        await t.ask(`!pr ${nextPr++}`);
        assert.equal(gh.requests.length, before);
      } finally {
        await t.stop();
      }
    });

    it("never spends more than the configured budget", async () => {
      const t = await bot({ env: { NIXIE_GITHUB_BUDGET: "3" } });
      try {
        const n = nextPr++;
        await gh.merge(n, { title: "budget", base: "master" });
        const before = gh.requests.length;
        // 1 pulls + 3 compares would be needed: the budget allows 3 requests an hour in all.
        const text = await t.ask(`!pr ${n}`);
        assert.match(text, /could not be checked now/);
        assert.match(await t.ask(`!pr ${nextPr++}`), /GitHub can be asked again at/);
        assert.equal(gh.requests.length - before, 3);
        assert.equal(t.bot.services.github.budget.used(), 3);
      } finally {
        await t.stop();
      }
    });

    it("tracking checks use at most their share of the budget, leaving the rest for commands", async () => {
      const t = await bot({ env: { NIXIE_GITHUB_BUDGET: "10" }, config: { github: { trackingPercent: 50, maxTracksPerRoom: 100, maxTracksPerUser: 100 } } });
      try {
        const ns: number[] = [];
        for (let i = 0; i < 8; i++) {
          const n = nextPr++;
          ns.push(n);
          gh.open(n, { title: `share ${i}`, base: "master" });
          await t.bot.services.tracks.add("test:room1", { pr: n, asker: { id: "kim" }, since: "2026-11-21T10:00:00Z", done: [] }, { perRoom: 100, perUser: 100 });
        }
        const before = gh.requests.length;
        for (let i = 0; i < 3; i++) await t.bot.tracking.pollNow();
        // 8 open pull requests to refresh, but the checks may make only 5 requests an hour.
        assert.equal(gh.requests.length - before, 5);
        // The other half is still there for commands.
        assert.match(await t.ask(`!pr ${ns[0]}`), /share 0/);
        assert.equal(gh.requests.length - before, 6);
      } finally {
        await t.stop();
      }
    });

    it("with a token, asks conditionally: a 304 does not count against the budget", async () => {
      const t = await bot({ env: { GITHUB_TOKEN: "test-token", NIXIE_GITHUB_BUDGET: "2" } });
      try {
        const n = nextPr++;
        gh.open(n, { title: "etag", base: "master" });
        await t.ask(`!pr ${n}`);
        for (let i = 0; i < 3; i++) assert.match(await t.ask(`!pr ${n}`), /etag/);
        const mine = gh.requests.filter((r) => r.path === `${PULLS}/${n}`);
        assert.equal(mine.length, 4);
        assert.equal(mine[0]!.headers["authorization"], "Bearer test-token");
        assert.ok(mine.slice(1).every((r) => typeof r.headers["if-none-match"] === "string"));
        assert.equal(t.bot.services.github.budget.used(), 1);
      } finally {
        await t.stop();
      }
    });
  });

  describe("!track and its deadline: after the timeout answer nothing changes", () => {
    let t: TestBot;
    before(async () => {
      t = await bot({ config: { http: { timeoutMs: 600 } } });
    });
    after(async () => {
      gh.slow(PULLS, 0);
      gh.slow(COMPARE, 0);
      await t.stop();
    });

    it("a GitHub whose pull request answer comes after the deadline: the timeout answer, and nothing tracked", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "late pull", base: "master" });
      gh.slow(PULLS, 1200);
      const reply = await t.ask(`!track ${n}`);
      assert.equal(reply, "GitHub did not answer in 0.6 s, try again in a minute.");
      // The late answer arrives; still nothing is tracked.
      await new Promise((r) => setTimeout(r, 900));
      gh.slow(PULLS, 0);
      assert.match(await t.ask("!tracked"), /tracks no pull request/);
    });

    it("a GitHub whose branch answers come after the deadline: the timeout answer instead of a track made late", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "late compare", base: "master" });
      gh.slow(COMPARE, 1200);
      const reply = await t.ask(`!track ${n}`);
      assert.equal(reply, "!track could not finish in time, try again in a minute.");
      await new Promise((r) => setTimeout(r, 900));
      gh.slow(COMPARE, 0);
      assert.match(await t.ask("!tracked"), /tracks no pull request/);
      // What !pr knows by its deadline is still answered (it changes nothing).
      gh.slow(COMPARE, 1200);
      assert.match(await t.ask(`!pr ${n}`), /late compare/);
      gh.slow(COMPARE, 0);
    });
  });

  describe("!track", () => {
    let t: TestBot;
    before(async () => {
      // With a token, branch heads are asked every check (unchanged ones are free 304s).
      t = await bot({ env: { GITHUB_TOKEN: "test-token" } });
    });
    after(() => t.stop());

    it("sends tracking posts an earlier version left in its own outbox, with their delivery ids, once", async () => {
      const b = await bot();
      // As an earlier version left it, before this bot's first check.
      const reply = { blocks: [{ kind: "text", text: [{ kind: "text", text: "nixpkgs#1 has reached nixos-unstable." }] }] };
      await b.bot.services.store.namespace("tracking").set("outbox", [{ room: "test:legacy", deliveryId: "abcdefabcdefabcdefabcdef0", reply, attempts: 1 }]);
      try {
        await b.bot.tracking.pollNow();
        await b.bot.tracking.pollNow();
        assert.deepEqual(
          b.adapter.sent.map((m) => [m.room.id, m.opts?.deliveryId, m.text]),
          [["legacy", "abcdefabcdefabcdefabcdef0", "nixpkgs#1 has reached nixos-unstable."]],
        );
        assert.equal(await b.bot.services.store.namespace("tracking").get("outbox"), undefined);
      } finally {
        await b.stop();
      }
    });

    it("posts once per branch reached later, pinging only the asker, and ends when all are reached", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "track me", base: "master" });
      const reply = await t.ask(`!track ${n}`, { user: "@alice:example.org" });
      assert.match(reply, /Tracking nixpkgs#\d+/);
      assert.equal(marks(reply)["master"], "reached");
      let report = await t.bot.tracking.pollNow();
      assert.equal(report.queued, 0);
      const posts = () => t.adapter.sent.filter((m) => m.text.includes(`nixpkgs#${n}`));
      assert.equal(posts().length, 0);
      await gh.advance("nixos-unstable-small", "master");
      report = await t.bot.tracking.pollNow();
      assert.equal(report.queued, 1);
      assert.equal(posts().length, 1);
      assert.match(posts()[0]!.text, /^@alice:example.org: nixpkgs#\d+ <[^>]+> \(track me\) has reached nixos-unstable-small\.$/);
      assert.deepEqual(posts()[0]!.reply.mentions, ["@alice:example.org"]);
      assert.deepEqual(renderMatrix(posts()[0]!.reply)["m.mentions"], { user_ids: ["@alice:example.org"] });
      assert.ok(posts()[0]!.opts?.deliveryId);
      // Nothing moved: no post, and no compare either (the heads are unchanged).
      const compares = gh.count(COMPARE);
      await t.bot.tracking.pollNow();
      assert.equal(posts().length, 1);
      assert.equal(gh.count(COMPARE), compares);
      await gh.advance("nixos-unstable", "master");
      await gh.advance("nixpkgs-unstable", "master");
      await t.bot.tracking.pollNow();
      assert.deepEqual(
        posts().map((p) => /has reached (\S+?)\./.exec(p.text)![1]),
        ["nixos-unstable-small", "nixos-unstable", "nixpkgs-unstable"],
      );
      assert.match(posts()[2]!.text, /Tracking ends\.$/);
      assert.match(await t.ask("!tracked"), /tracks no pull request/);
    });

    it("--until posts only for that branch; a branch not on the way is refused", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "until", base: "staging" });
      assert.match(await t.ask(`!track ${n} --until nixos-26.05`), /not on the way of nixpkgs#\d+ \(into staging\)/);
      assert.match(await t.ask(`!track ${n} --until nixos-unstable`, { user: "bob" }), /when it reaches nixos-unstable/);
      const tracked = await t.ask("!tracked");
      assert.match(tracked, new RegExp(`nixpkgs#${n} <[^>]+> until · merged on 2026-11-21 · reached staging · until nixos-unstable · for bob`));
      await gh.advance("staging-next", "staging", "merge");
      await gh.advance("master", "staging-next", "merge");
      await t.bot.tracking.pollNow();
      await gh.advance("nixos-unstable-small", "master");
      await t.bot.tracking.pollNow();
      await gh.advance("nixos-unstable", "master");
      await t.bot.tracking.pollNow();
      await t.bot.tracking.pollNow();
      const posts = t.adapter.sent.filter((m) => m.text.includes(`nixpkgs#${n}`));
      assert.equal(posts.length, 1);
      assert.match(posts[0]!.text, /^bob: .*has reached nixos-unstable\. Tracking ends\.$/);
    });

    it("a pull request closed without merge gets one post and the tracking ends", async () => {
      const n = nextPr++;
      gh.open(n, { title: "doomed", base: "master" });
      await t.ask(`!track ${n}`, { user: "carol" });
      await t.bot.tracking.pollNow();
      gh.pulls.set(n, { ...gh.pulls.get(n)!, state: "closed" });
      await t.bot.tracking.pollNow();
      await t.bot.tracking.pollNow();
      const posts = t.adapter.sent.filter((m) => m.text.includes(`nixpkgs#${n}`));
      assert.equal(posts.length, 1);
      assert.match(posts[0]!.text, /^carol: .*was closed without being merged\. Tracking ends\.$/);
    });

    it("an open pull request that gets merged is noticed and posted", async () => {
      const n = nextPr++;
      gh.open(n, { title: "later", base: "master" });
      await t.ask(`!track ${n}`, { user: "dave" });
      await gh.merge(n, { title: "later", base: "master" });
      await t.bot.tracking.pollNow();
      const posts = t.adapter.sent.filter((m) => m.text.includes(`nixpkgs#${n}`));
      assert.deepEqual(
        posts.map((p) => /has reached (\S+?)\./.exec(p.text)![1]),
        ["master"],
      );
      await t.ask(`!untrack ${n}`, { user: "dave" });
    });

    it("caps tracks per person and per room; !untrack by the asker or a room manager only", async () => {
      const t2 = await bot({ config: { github: { maxTracksPerRoom: 3, maxTracksPerUser: 2 } } });
      try {
        const ns = [nextPr++, nextPr++, nextPr++, nextPr++];
        for (const n of ns) gh.open(n, { title: `cap ${n}`, base: "master" });
        assert.match(await t2.ask(`!track ${ns[0]}`, { user: "erin" }), /Tracking/);
        assert.match(await t2.ask(`!track ${ns[0]}`, { user: "erin" }), /already track/);
        assert.match(await t2.ask(`!track ${ns[1]}`, { user: "erin" }), /Tracking/);
        assert.match(await t2.ask(`!track ${ns[2]}`, { user: "erin" }), /already track 2 pull requests, the most one person may/);
        assert.match(await t2.ask(`!track ${ns[2]}`, { user: "frank" }), /Tracking/);
        assert.match(await t2.ask(`!track ${ns[3]}`, { user: "gina" }), /already tracks 3 pull requests, the most it may/);
        assert.match(await t2.ask(`!untrack ${ns[0]}`, { user: "frank" }), /Only the person who asked for it, or a room manager/);
        assert.match(await t2.ask(`!untrack ${ns[0]}`, { user: "mod", manager: true }), /Stopped tracking/);
        assert.match(await t2.ask(`!untrack ${ns[1]}`, { user: "erin" }), /Stopped tracking/);
        assert.match(await t2.ask(`!untrack ${ns[1]}`, { user: "erin" }), /is not tracked in this room/);
        assert.match(await t2.ask("!tracked"), new RegExp(`Tracked in this room \\(1\\):\\n• nixpkgs#${ns[2]} `));
      } finally {
        await t2.stop();
      }
    });

    it("infers containment from merge order: pull requests merged into one base need only a binary search of compares", async () => {
      const t2 = await bot({ config: { github: { maxTracksPerRoom: 100, maxTracksPerUser: 100 } } });
      try {
        const ns: number[] = [];
        for (let i = 0; i < 9; i++) {
          const n = nextPr++;
          ns.push(n);
          await gh.merge(n, { title: `ordered ${i}`, base: "release-26.05", mergedAt: `2026-11-21T09:0${i}:00Z` });
          // The fourth is the newest in the channel.
          if (i === 3) await gh.advance("nixos-26.05-small", "release-26.05");
        }
        // Tracked with no GitHub request yet for the channels (as if tracked long ago).
        for (const n of ns) {
          await t2.bot.services.prStatus.check(await t2.bot.services.github.pull(n), { use: "background", heads: new Map() });
          await t2.bot.services.tracks.add(
            "test:room1",
            { pr: n, asker: { id: "ivy" }, until: "nixos-26.05-small", since: "2026-11-21T10:00:00Z", done: ["release-26.05"] },
            { perRoom: 100, perUser: 100 },
          );
        }
        const before = gh.requests.length;
        await t2.bot.tracking.pollNow();
        const compares = gh.requests.slice(before).filter((r) => r.path.startsWith(`${COMPARE}/nixos-26.05-small...`)).length;
        const posted = t2.adapter.sent.map((m) => Number(/nixpkgs#(\d+)/.exec(m.text)![1])).sort();
        assert.deepEqual(posted, ns.slice(0, 4));
        assert.ok(compares <= 4, `${compares} compares for 9 pull requests`);
      } finally {
        await t2.stop();
      }
    });

    it("!tracked with a full room fits one Discord message and says how many it left out", async () => {
      const tracks = t.bot.services.tracks;
      for (let i = 0; i < 25; i++) {
        const track = { pr: 500_000 + i, asker: { id: `p${i}`, name: `person ${i}` }, since: "2026-11-21T10:00:00Z", done: [] };
        assert.equal(await tracks.add("test:full", track, { perRoom: 25, perUser: 5 }), "added");
      }
      const reply = (await t.adapter.say("!tracked", { room: "full" }))!;
      const content = renderDiscord(reply).content ?? "";
      assert.ok(content.length <= 2000, `${content.length} characters`);
      assert.match(renderPlain(reply), /Tracked in this room \(25\)/);
      assert.match(content, /… and 15 more/);
      assert.doesNotMatch(content, /…$/, "not cut by the renderer");
      await tracks.removeRoom("test:full");
    });

    it("the per-person cap counts the person's tracks in every room", async () => {
      const tracks = t.bot.services.tracks;
      const caps = { perRoom: 5, perUser: 2 };
      const track = (pr: number) => ({ pr, asker: { id: "mo" }, since: "2026-11-21T10:00:00Z", done: [] });
      assert.equal(await tracks.add("test:cap-a", track(11), caps), "added");
      assert.equal(await tracks.add("test:cap-b", track(12), caps), "added");
      assert.equal(await tracks.add("test:cap-c", track(13), caps), "user-full");
      await tracks.removeRoom("test:cap-a");
      await tracks.removeRoom("test:cap-b");
    });

    it("tracks follow their room: moved on a room upgrade, dropped when nixie leaves", async () => {
      const tracks = t.bot.services.tracks;
      const track = { pr: 1, asker: { id: "lee" }, since: "2026-11-21T10:00:00Z", done: [] };
      await tracks.add("test:old", track, { perRoom: 5, perUser: 5 });
      await tracks.add("test:new", { ...track, pr: 2 }, { perRoom: 5, perUser: 5 });
      assert.equal(await tracks.moveRoom("test:old", "test:new"), 1);
      assert.deepEqual(
        (await tracks.list("test:new")).map((x) => x.pr),
        [2, 1],
      );
      assert.deepEqual(await tracks.list("test:old"), []);
      assert.equal(await tracks.removeRoom("test:new"), 2);
      assert.ok((await tracks.all()).every((r) => r.room !== "test:new" && r.room !== "test:old"));
    });

    it("takes channel heads from the channel status (Prometheus), and asks nothing when nothing is tracked", async () => {
      const prom = await startFakePrometheus([]);
      const b = await bot({ env: { NIXIE_PROMETHEUS_URL: prom.url, NIXIE_CHANNELS_URL: prom.mirrorUrl } });
      try {
        await b.bot.tracking.pollNow();
        assert.deepEqual(prom.queries, [], "no track: no channel status asked");
        const n = nextPr++;
        await gh.merge(n, { title: "channel heads", base: "master" });
        for (const name of ["nixos-unstable-small", "nixos-unstable", "nixpkgs-unstable"])
          prom.channels.set(name, { name, revision: await gh.head(name), updateTime: Math.floor(Date.now() / 1000) - 3600, current: true, status: "rolling" });
        await b.ask(`!track ${n}`, { user: "ines" });
        const before = gh.requests.length;
        await b.bot.tracking.pollNow();
        assert.ok(
          prom.queries.some((q) => q === "channel_revision"),
          "the channel status was asked",
        );
        const branchAsks = gh.requests
          .slice(before)
          .map((r) => r.path)
          .filter((p) => p.startsWith(BRANCH));
        assert.deepEqual(branchAsks, [], "no channel head asked from GitHub");
      } finally {
        await b.stop();
        await prom.close();
      }
    });

    it("uses the channel heads provider instead of asking GitHub for those heads", async () => {
      const n = nextPr++;
      await gh.merge(n, { title: "heads", base: "master" });
      await t.ask(`!track ${n}`, { user: "hana" });
      const before = gh.requests.length;
      const heads = new Map([["nixos-unstable-small", await gh.head("nixos-unstable-small")]]);
      (t.bot.services as { channelHeads?: () => Promise<ReadonlyMap<string, string>> }).channelHeads = async () => heads;
      // The provider is read by the job built at start; a fresh status check with these heads:
      const s = await t.bot.services.prStatus.check((await t.bot.services.prStatus.cached(n))!.pull, { use: "background", heads });
      assert.equal(s.rows.find((r) => r.branch === "nixos-unstable-small")!.mark, "not yet");
      const made = gh.requests.slice(before).map((r) => r.path);
      assert.ok(made.every((p) => !p.startsWith(BRANCH)));
      // Same head again: the stored negative is not asked again.
      const compares = gh.count(COMPARE);
      await t.bot.services.prStatus.check((await t.bot.services.prStatus.cached(n))!.pull, { use: "background", heads });
      assert.equal(gh.count(COMPARE), compares);
      await t.ask(`!untrack ${n}`, { user: "hana" });
    });
  });
});
