import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordedChannels, startFakePrometheus, type FakePrometheus } from "../helpers/fake-prometheus.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { startTestBot, type SentMessage, type TestBot } from "../helpers/test-bot.js";

const NEVER = "0 0 1 1 *";
const INTERVAL_S = 60;

describe("package feeds (pkg:<attr>): one post per version change and room, exactly once", function () {
  this.timeout(60_000);
  let dir: string;
  let store: string;
  let search: FakeSearch;
  let prom: FakePrometheus;
  let t: TestBot | undefined;
  // The bot's clock: each poll that should look the packages up again moves it past the interval.
  let clock = Date.parse("2026-12-07T12:00:00Z");
  const tick = (): void => {
    clock += (INTERVAL_S + 1) * 1000;
  };

  async function bot(): Promise<TestBot> {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        feeds: { sendPaceMs: 0 },
        rateLimit: { burst: 1000, perMinute: 10000 },
        http: { retries: 0, timeoutMs: 2000 },
        channels: { cacheSeconds: 0 },
        pkgFeeds: { intervalSeconds: INTERVAL_S, maxPerRoom: 3, maxWatched: 5 },
      }),
    );
    return startTestBot(
      { NIXIE_SEARCH_URL: search.url, NIXIE_PROMETHEUS_URL: prom.url, NIXIE_CHANNELS_URL: prom.mirrorUrl, NIXIE_FEEDS_CRON: NEVER, NIXIE_CONFIG: path, NIXIE_STORE_URL: `sqlite://${store}` },
      { now: () => new Date(clock) },
    );
  }
  const sentTo = (room: string): SentMessage[] => t!.adapter.sent.filter((m) => m.room.id === room);
  const termsRequests = (): { channel: string | undefined; attrs: string[] }[] =>
    search.requests
      .filter((r) => JSON.stringify(r.body).includes("watched_attrs"))
      .map((r) => {
        const filter = (r.body as { query: { bool: { filter: { terms?: { package_attr_name: string[] } }[] } } }).query.bool.filter;
        return { channel: r.channel, attrs: filter.find((f) => f.terms)!.terms!.package_attr_name };
      });
  const poll = async (): Promise<void> => {
    const report = await t!.bot.feeds.pollNow();
    assert.deepEqual(report.failed, []);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-pkg-feeds-"));
    store = join(dir, "nixie.sqlite");
    search = await startFakeSearch({ channels: ["unstable", "26.05", "26.11"] });
    prom = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: Math.floor(Date.now() / 1000) - 3600 })));
    t = await bot();
  });
  after(async () => {
    await t?.stop();
    await search.close();
    await prom.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("subscribing answers the current version per channel; a nested attribute works; @unstable means nixos-unstable", async () => {
    const text = await t!.ask("!subscribe pkg:firefox", { room: "r1", manager: true });
    assert.match(text, /Subscribed: new entries of Package firefox/);
    assert.match(text, /firefox now: 158\.0\.1 in nixos-unstable, 158\.0\.1 in nixos-26\.05\./);
    assert.match(await t!.ask("!subscribe pkg:python313Packages.ripgrepy", { room: "r2", manager: true }), /python313Packages\.ripgrepy now: 2\.2\.0 in nixos-unstable, 2\.2\.0 in nixos-26\.05/);
    assert.match(
      await t!.ask("!subscribe pkg:firefox@unstable", { room: "r3", manager: true }),
      /Subscribed: new entries of Package firefox in nixos-unstable.*firefox now: 158\.0\.1 in nixos-unstable\./s,
    );
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r3" }), ["pkg:firefox@nixos-unstable"]);
    assert.deepEqual(search.problems, []);
  });

  it("a typo gets 'no package … did you mean …' from the search, and nothing is subscribed", async () => {
    const text = await t!.ask("!subscribe pkg:firefx", { room: "r4", manager: true });
    assert.match(text, /No package firefx in nixos-unstable or nixos-26\.05\. Did you mean pkg:firefox/);
    // attribute names are case-sensitive, as in nixpkgs
    assert.match(await t!.ask("!subscribe pkg:Firefox", { room: "r4", manager: true }), /No package Firefox in .*Did you mean pkg:firefox/);
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r4" }), []);
  });

  it("bad input is refused with a clear message and never reaches the search", async () => {
    const before = search.requests.length;
    assert.match(await t!.ask("!subscribe pkg:firefox;rm", { room: "r4", manager: true }), /A package feed is pkg:<attribute path>: letters, digits, _, -, \+ and dots/);
    assert.match(await t!.ask("!subscribe pkg:a..b", { room: "r4", manager: true }), /A package feed is pkg:<attribute path>/);
    assert.match(await t!.ask(`!subscribe pkg:${"a".repeat(201)}`, { room: "r4", manager: true }), /at most 200 characters/);
    assert.match(await t!.ask("!subscribe pkg:", { room: "r4", manager: true }), /Which package\?/);
    assert.match(await t!.ask("!subscribe pkg:firefox@Nix Pkgs", { room: "r4", manager: true }), /./);
    assert.equal(search.requests.length, before);
    // a channel the search index does not hold
    assert.match(
      await t!.ask("!subscribe pkg:firefox@nixpkgs-unstable", { room: "r4", manager: true }),
      /Package feeds follow the channels search\.nixos\.org indexes: nixos-26\.05, nixos-unstable\. nixpkgs-unstable is not one of them\./,
    );
    assert.equal(search.requests.length, before);
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r4" }), []);
  });

  it("the first poll posts nothing; one request per channel covers every watched attribute", async () => {
    search.requests.length = 0;
    await poll();
    assert.deepEqual(t!.adapter.sent, []);
    const asked = termsRequests();
    assert.deepEqual(asked.map((r) => r.channel).sort(), ["26.05", "unstable"]);
    for (const r of asked) assert.deepEqual([...r.attrs].sort(), ["firefox", "python313Packages.ripgrepy"]);
    assert.deepEqual(search.problems, []);
  });

  it("a version change in one channel: one post in each room that follows it; the other channel posts nothing", async () => {
    search.setPackage("unstable", "firefox", "159.0");
    tick();
    await poll();
    for (const room of ["r1", "r3"]) {
      assert.equal(sentTo(room).length, 1, room);
      assert.match(
        sentTo(room)[0]!.text,
        /^📦 firefox 158\.0\.1 → 159\.0 in nixos-unstable — search\.nixos\.org <https:\/\/search\.nixos\.org\/packages\?channel=unstable&query=firefox&show=firefox>$/,
      );
      assert.match(sentTo(room)[0]!.opts?.deliveryId ?? "", /^[0-9a-f]{25}$/);
    }
    assert.equal(sentTo("r2").length, 0);
    assert.notEqual(sentTo("r1")[0]!.opts?.deliveryId, sentTo("r3")[0]!.opts?.deliveryId);
    // Within the interval: no request, nothing posted; after it: the same version posts nothing.
    search.requests.length = 0;
    await poll();
    assert.equal(termsRequests().length, 0);
    tick();
    await poll();
    assert.equal(termsRequests().length, 2);
    assert.equal(t!.adapter.sent.length, 2);
  });

  it("a package that leaves a channel and comes back: one post each", async () => {
    search.setPackage("26.05", "firefox", null);
    tick();
    await poll();
    assert.equal(sentTo("r1").length, 2);
    assert.match(sentTo("r1")[1]!.text, /^📦 firefox is no longer in nixos-26\.05 — /);
    assert.equal(sentTo("r3").length, 1, "r3 follows nixos-unstable only");
    search.setPackage("26.05", "firefox", "158.0.1");
    tick();
    await poll();
    assert.equal(sentTo("r1").length, 3);
    assert.match(
      sentTo("r1")[2]!.text,
      /^📦 firefox is now in nixos-26\.05 \(version 158\.0\.1\) — search\.nixos\.org <https:\/\/search\.nixos\.org\/packages\?channel=26\.05&query=firefox&show=firefox>$/,
    );
  });

  it("a revert (A → B → A → B) is a change like any other, each with its own delivery id", async () => {
    const before = sentTo("r3").length;
    for (const v of ["158.0.1", "159.0"]) {
      search.setPackage("unstable", "firefox", v);
      tick();
      await poll();
    }
    const posts = sentTo("r3").slice(before);
    assert.deepEqual(
      posts.map((p) => /firefox (\S+ → \S+)/.exec(p.text)?.[1]),
      ["159.0 → 158.0.1", "158.0.1 → 159.0"],
    );
    const ids = sentTo("r3").map((p) => p.opts?.deliveryId);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("!subscriptions shows the last version seen per channel; !feeds shows the pattern", async () => {
    const subs = await t!.ask("!subscriptions", { room: "r1" });
    assert.match(
      subs,
      /`pkg:firefox` — Package firefox <https:\/\/search\.nixos\.org\/packages\?channel=unstable&query=firefox&show=firefox> \(since .*\) — last seen: 159\.0 in nixos-unstable, 158\.0\.1 in nixos-26\.05/,
    );
    const feeds = await t!.ask("!feeds", { room: "r1" });
    assert.match(feeds, /`pkg:<attr>` — a package's version changes in nixos-unstable and the newest stable release, e\.g\. pkg:hyprland/);
    assert.match(feeds, /`pkg:<attr>@<channel>` — the same in one channel/);
  });

  it("after a restart nothing is posted again", async () => {
    const sent = t!.adapter.sent.length;
    await t!.stop();
    t = await bot();
    tick();
    await poll();
    assert.equal(t.adapter.sent.length, 0, `before the restart ${sent} posts`);
  });

  it("a failing search marks the feeds failing (and says so); its recovery posts nothing old", async () => {
    search.fail({ kind: "status", status: 500 });
    tick();
    const report = await t!.bot.feeds.pollNow();
    assert.ok(report.failed.includes("pkg:firefox"), JSON.stringify(report));
    assert.match(await t!.ask("!subscriptions", { room: "r1" }), /lookups failing: HTTP 500.*⚠ failing/);
    // subscribing now: the search's failure is the answer, and nothing is subscribed
    assert.match(await t!.ask("!subscribe pkg:librewolf", { room: "r7", manager: true }), /search\.nixos\.org/);
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r7" }), []);
    search.fail(null);
    search.setPackage("unstable", "firefox", "160.0");
    clock += 10 * 60_000; // past the feed's backoff too
    await poll();
    assert.equal(sentTo("r1").length, 1);
    assert.match(sentTo("r1")[0]!.text, /firefox 159\.0 → 160\.0 in nixos-unstable/);
    assert.doesNotMatch(await t!.ask("!subscriptions", { room: "r1" }), /failing/);
  });

  it("caps: package feeds per room and watched attributes per instance; the refusals say so", async () => {
    for (const attr of ["firefox-bin", "firefox-esr", "librewolf"]) assert.match(await t!.ask(`!subscribe pkg:${attr}`, { room: "r5", manager: true }), /Subscribed/);
    assert.match(await t!.ask("!subscribe pkg:firefox", { room: "r5", manager: true }), /This room follows 3 package feeds, the most one room may \(3\)\. Unsubscribe one first\./);
    // firefox, python313Packages.ripgrepy, firefox-bin, firefox-esr, librewolf: 5 attributes
    assert.match(await t!.ask("!subscribe pkg:ripgrep", { room: "r6", manager: true }), /nixie already watches 5 packages, the most it may \(5\); it cannot watch another one\./);
    assert.match(await t!.ask("!subscribe pkg:librewolf@nixos-26.05", { room: "r6", manager: true }), /Subscribed/, "a watched attribute in another feed is no new attribute");
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r6" }), ["pkg:librewolf@nixos-26.05"]);
  });

  it("a new stable release is followed from then on, with no post for the switch", async () => {
    tick();
    await poll(); // the new feeds' first sight
    const sent = t!.adapter.sent.length;
    prom.channels.set("nixos-26.11", { ...prom.channels.get("nixos-26.05")!, name: "nixos-26.11", revision: "2".repeat(40) });
    search.setPackage("26.11", "firefox", "161.0");
    search.requests.length = 0;
    tick();
    await poll();
    assert.equal(t!.adapter.sent.length, sent, "no post for the switch");
    assert.deepEqual([...new Set(termsRequests().map((r) => r.channel))].sort(), ["26.05", "26.11", "unstable"], "26.05 only for pkg:librewolf@nixos-26.05");
    assert.deepEqual((await t!.ask("!subscriptions", { room: "r1" })).match(/last seen: .*/)?.[0], "last seen: 160.0 in nixos-unstable, 161.0 in nixos-26.11");
    search.setPackage("26.11", "firefox", "161.0.1");
    search.setPackage("26.05", "firefox", "158.0.2");
    tick();
    await poll();
    assert.equal(sentTo("r1").length, 2);
    assert.match(sentTo("r1")[1]!.text, /firefox 161\.0 → 161\.0\.1 in nixos-26\.11/);
  });

  it("autocomplete of a feed name completes pkg:<attr> from the search, and the fixed feeds as before", async () => {
    const choices = await t!.bot.dispatcher.complete("subscribe", "feed", "pkg:firef", "discord");
    assert.ok(
      choices.some((c) => c.value === "pkg:firefox"),
      JSON.stringify(choices),
    );
    assert.ok(choices.every((c) => c.value.startsWith("pkg:") && c.name.length <= 100));
    assert.deepEqual(
      (await t!.bot.dispatcher.complete("subscribe", "feed", "announ", "discord")).map((c) => c.value),
      ["announcements", "security"],
      "by name or title",
    );
  });

  it("!feeds lists this room's package feeds and a few others by name, and counts the rest", async () => {
    for (let i = 0; i < 14; i++) await t!.bot.services.subscriptions.subscribe({ platform: "test", id: `many${i}` }, `pkg:many${i}`);
    const text = await t!.ask("!feeds", { room: "r1" });
    assert.match(text, /`pkg:firefox` — .* \(this one too\)/);
    const others = (await t!.bot.services.subscriptions.followed()).filter((n) => n.startsWith("pkg:") && n !== "pkg:firefox").length;
    assert.match(text, new RegExp(`… and ${others - 10} more feeds followed in other rooms`));
    assert.ok(!text.includes("pkg:many13"));
  });

  it("a room upgrade takes its package feeds along; leaving a room drops them", async () => {
    const rooms = t!.bot.services.rooms;
    const before = { r2: sentTo("r2").length, r3: sentTo("r3").length };
    await rooms.moveRoom({ platform: "test", id: "r3" }, { platform: "test", id: "r3-upgraded" });
    await rooms.removeRoom({ platform: "test", id: "r2" });
    search.setPackage("unstable", "firefox", "162.0");
    search.setPackage("unstable", "python313Packages.ripgrepy", "2.3.0");
    tick();
    await poll();
    assert.equal(sentTo("r3").length, before.r3);
    assert.equal(sentTo("r2").length, before.r2, "r2 followed python313Packages.ripgrepy");
    assert.equal(sentTo("r3-upgraded").length, 1);
    assert.match(sentTo("r3-upgraded")[0]!.text, /firefox 160\.0 → 162\.0 in nixos-unstable/);
  });

  it("a clock set back does not stop the lookups", async () => {
    tick();
    await poll();
    clock -= 3_600_000;
    search.requests.length = 0;
    await poll();
    assert.ok(termsRequests().length > 0);
  });
});
