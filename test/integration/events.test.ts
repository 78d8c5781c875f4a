import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const NEVER = "0 0 1 1 *";
const FIXTURES = join(import.meta.dirname, "..", "fixtures");

describe("!event and !nixhour against a loopback Discourse and YouTube", function () {
  this.timeout(20_000);
  let fake: FakeFeeds;
  let dir: string;
  let clock: Date;
  let t: TestBot;

  async function bot(config: object = {}): Promise<TestBot> {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 }, ...config }));
    return startTestBot({ NIXIE_DISCOURSE_URL: fake.url, NIXIE_NIXHOUR_FEED: fake.nixhourUrl, NIXIE_FEEDS_CRON: NEVER, NIXIE_CONFIG: file }, { now: () => clock });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-events-"));
    fake = await startFakeFeeds();
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("without the calendar plugin (Events category and local dates)", () => {
    before(async () => {
      clock = new Date("2026-11-25T12:00:00Z");
      t = await bot();
    });
    after(() => t.stop());

    it("lists upcoming events soonest first, in UTC, with how soon and the announcement", async () => {
      const lines = (await t.ask("!event")).split("\n");
      assert.equal(lines[0], "Upcoming community events:");
      assert.deepEqual(lines.slice(1), [
        "• Zero Hydra Failures 26.11 hackathon (Rapperswil-Jona & online) — 28 Nov 2026, 09:00–17:00 UTC (in 3 days) — OST campus Rapperswil-Jona — announcement <https://discourse.nixos.org/t/zero-hydra-failures-26-11-hackathon-rapperswil-jona-online/75034>",
        "• Ocean Sprint 2026 — 7–11 Dec 2026 (in 12 days) — announcement <https://discourse.nixos.org/t/ocean-sprint-2026/73544>",
        "• Nix meetup Berlin – December 2026 — 10 Dec 2026, 18:00–21:00 UTC (in 15 days) — announcement <https://discourse.nixos.org/t/nix-meetup-berlin-december-2026/74977>",
        "• Thaiger Sprint 2027 — 22–28 Feb 2027 (in 88 days) — Koh Phangan, Thailand — announcement <https://discourse.nixos.org/t/thaiger-sprint-2027/75101>",
      ]);
    });

    it("says happening now and hides what is over", async () => {
      clock = new Date("2026-12-08T12:00:00Z");
      const text = await t.ask("!event");
      assert.match(text, /^• Ocean Sprint 2026 — 7–11 Dec 2026 \(happening now\)/m);
      assert.match(text, /Nix meetup Berlin – December 2026 .*\(in 2 days\)/);
      assert.doesNotMatch(text, /Zero Hydra Failures/);
      // The curated NixCon 2025 is long past; the "thank you" topic has no date at all.
      assert.doesNotMatch(text, /NixCon/);
    });

    it("narrows the list with filter words", async () => {
      clock = new Date("2026-11-25T12:00:00Z");
      const sprint = await t.ask("!event sprint");
      assert.match(sprint, /^Upcoming events matching "sprint":/);
      assert.deepEqual(
        sprint
          .split("\n")
          .slice(1)
          .map((l) => l.split(" — ")[0]),
        ["• Ocean Sprint 2026", "• Thaiger Sprint 2027"],
      );
      const berlin = await t.ask("!event Meetup berlin");
      assert.deepEqual(
        berlin
          .split("\n")
          .slice(1)
          .map((l) => l.split(" — ")[0]),
        ["• Nix meetup Berlin – December 2026"],
      );
      assert.match(await t.ask("!event thailand"), /Thaiger Sprint 2027/);
    });

    it("says when nothing matches and links the Events category", async () => {
      assert.equal(await t.ask("!event nixcon"), `No upcoming events match "nixcon". See the Events category <${fake.url}/c/events/13> for announcements.`);
    });

    it("probes the calendar plugin only once", async () => {
      const before = fake.count("calendar").requests;
      await t.ask("!event");
      await t.ask("!event");
      assert.equal(fake.count("calendar").requests, before);
      assert.ok(before >= 1);
    });

    it("lists the latest Nix Hour episodes, newest first whatever the playlist order", async () => {
      fake.addVideo({ id: "OLDvid00001", title: "The Nix Hour #1 [an old one added to the top]", published: new Date("2022-10-18T14:00:00Z") });
      const lines = (await t.ask("!nixhour")).split("\n");
      assert.equal(lines[0], "The Nix Hour <https://www.youtube.com/playlist?list=PLyzwHTVJlRc8yjlx4VR4LU5A5O44og9in>: latest episodes");
      assert.deepEqual(lines.slice(1), [
        "• The Nix Hour #43 [adding trunk version of CPython to nixpkgs] <https://www.youtube.com/watch?v=T79B4t80QZ4> — 2023-08-16",
        "• The Nix Hour #42 [finalAttrs, NixOS arguments, unfree licenses] <https://www.youtube.com/watch?v=jb36PfG28W8> — 2023-08-02",
        "• The Nix Hour #41 [passthru attribute, using services from nixos-unstable] <https://www.youtube.com/watch?v=bJY2O8_ZNiU> — 2023-07-26",
      ]);
      assert.equal((await t.ask("!nixhour 5")).split("\n").length, 5);
    });
  });

  describe("with the calendar plugin", () => {
    before(async () => {
      clock = new Date("2026-11-25T12:00:00Z");
      fake.calendar(JSON.parse(readFileSync(join(FIXTURES, "discourse-events.json"), "utf8")));
      t = await bot();
    });
    after(async () => {
      fake.calendar(undefined);
      await t.stop();
    });

    it("uses the plugin's events instead of the category", async () => {
      const text = await t.ask("!event");
      assert.match(text, /• Ocean Sprint 2026 — 7 Dec 2026 00:00 UTC – 11 Dec 2026 23:00 UTC \(in 12 days\) — announcement <http:\/\/127\.0\.0\.1:\d+\/t\/ocean-sprint-2026\/73544>/);
      assert.match(text, /Thaiger Sprint 2027 — 21 Feb 2027 17:00 UTC – 28 Feb 2027 16:59 UTC/);
      // Only in the category feed, so not here.
      assert.doesNotMatch(text, /Zero Hydra Failures/);
    });
  });

  describe("with a curated list", () => {
    before(async () => {
      clock = new Date("2026-11-25T12:00:00Z");
      t = await bot({ events: { file: join(FIXTURES, "events-curated.json"), count: 10 } });
    });
    after(async () => {
      fake.fault("events", undefined);
      await t.stop();
    });

    it("answers from the curated list alone when Discourse fails, and says so", async () => {
      fake.fault("events", { status: 500 });
      const text = await t.ask("!event");
      assert.match(text, /Ocean Sprint 2026/);
      assert.match(text, /Test Hackathon Zürich/);
      assert.doesNotMatch(text, /Thaiger/);
      assert.match(text, /127\.0\.0\.1:\d+ did not answer, so this list may miss events announced there\./);
      fake.fault("events", undefined);
    });
    it("merges it with Discourse, one line per event", async () => {
      const text = await t.ask("!event sprint");
      const names = text
        .split("\n")
        .slice(1)
        .map((l) => l.split(" — ")[0]);
      assert.deepEqual(names, ["• Ocean Sprint 2026", "• Test Hackathon Zürich", "• Thaiger Sprint 2027"]);
      assert.match(text, /Ocean Sprint 2026 — 7–11 Dec 2026 \(in 12 days\) — Lanzarote, Canary Islands — /);
      assert.match(text, /Test Hackathon Zürich — 12 Dec 2026, 08:00–16:00 UTC/);
    });
  });
});
