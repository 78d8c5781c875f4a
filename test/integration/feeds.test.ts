import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPlain } from "../../src/render/plain.js";
import type { SentMessage, TestBot } from "../helpers/test-bot.js";
import { startTestBot } from "../helpers/test-bot.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";

/** A schedule that never fires during a test: polls happen only through pollNow(). */
const NEVER = "0 0 1 1 *";

let dir: string;
let fake: FakeFeeds;
let nextTopic = 80_000;

function configFile(over: object): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(over));
  return path;
}

async function bot(opts: { store?: string; config?: object; now?: () => Date } = {}): Promise<TestBot> {
  const env: Record<string, string> = {
    NIXIE_DISCOURSE_URL: fake.url,
    NIXIE_NIXHOUR_FEED: fake.nixhourUrl,
    NIXIE_FEEDS_CRON: NEVER,
    NIXIE_CONFIG: configFile({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, ...(opts.config ?? {}) }),
  };
  if (opts.store) env["NIXIE_STORE_URL"] = `sqlite://${opts.store}`;
  return startTestBot(env, opts.now ? { now: opts.now } : {});
}

const sentTo = (t: TestBot, room: string): SentMessage[] => t.adapter.sent.filter((m) => m.room.id === room);

function topic(title: string): { id: number; title: string; author: string; category: string; html: string } {
  const id = nextTopic++;
  return {
    id,
    title,
    author: "release-team",
    category: "Announcements",
    html: `<p>${title} is out. It has <strong>many</strong> improvements and a <a href="https://example.org/notes">changelog</a>.</p><p>Second paragraph with more words.</p>`,
  };
}

describe("feeds: polling, dedup and delivery", function () {
  this.timeout(20_000);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-feeds-"));
    fake = await startFakeFeeds();
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("one bot", () => {
    let t: TestBot;
    before(async () => {
      t = await bot();
    });
    after(async () => {
      await t.stop();
    });

    it("refuses !subscribe and !unsubscribe to people who cannot manage the room", async () => {
      assert.match(await t.ask("!subscribe announcements", { room: "room1" }), /Only room managers/);
      assert.match(await t.ask("!unsubscribe announcements", { room: "room1" }), /Only room managers/);
      assert.deepEqual(await t.bot.services.subscriptions.list({ platform: "test", id: "room1" }), []);
    });

    it("offers only configured feeds", async () => {
      const text = await t.ask("!subscribe https://evil.example/feed.xml", { room: "room1", manager: true });
      assert.match(text, /There is no feed/);
      assert.match(text, /announcements, security, events, nixhour/);
    });

    it("subscribes, and subscribing twice is not an error", async () => {
      assert.match(await t.ask("!subscribe announcements", { room: "room1", manager: true }), /Subscribed: new entries of NixOS Discourse: Announcements/);
      assert.match(await t.ask("!subscribe announcements", { room: "room1", manager: true }), /already follows/);
      assert.match(await t.ask("!subscribe announcements", { room: "room2", manager: true }), /Subscribed/);
      assert.match(await t.ask("!subscribe security", { room: "room3", manager: true }), /Subscribed/);
      assert.match(await t.ask("!subscriptions", { room: "room1" }), /`announcements` — NixOS Discourse: Announcements/);
      assert.match(await t.ask("!subscriptions", { room: "room9" }), /follows no feeds/);
    });

    it("hints in slash syntax to Discord slash commands", async () => {
      const slash = async (name: string, args: [string, string][], room: string): Promise<string> => {
        const message = { room: { platform: "test" as const, id: room }, user: { id: "slasher" }, text: "", canManageRoom: async () => true, slash: true };
        const reply = await t.bot.dispatcher.invoke(message, name, new Map(args));
        assert.ok(reply, "a reply");
        return renderPlain(reply);
      };
      assert.match(await slash("subscribe", [["feed", "nixhour"]], "slash-room"), /will be posted here\. \/unsubscribe feed:nixhour stops them\.$/);
      assert.match(await slash("unsubscribe", [["feed", "nixhour"]], "slash-room"), /Unsubscribed/);
      assert.match(await slash("subscriptions", [], "slash-room"), /\/feeds lists them; \/subscribe feed:<feed> adds one\.$/);
      assert.match(await slash("feeds", [], "slash-room"), /^Feeds \(\/subscribe feed:<feed> to follow one here\):/);
      assert.match(await t.ask("!subscriptions", { room: "slash-room" }), /!feeds lists them; !subscribe <feed> adds one\.$/);
    });

    it("stays silent on the first poll: what is in a feed then is old news", async () => {
      const report = await t.bot.feeds.pollNow();
      assert.deepEqual(report.fetched.sort(), ["announcements", "security"]);
      assert.equal(report.sent, 0);
      assert.equal(t.adapter.sent.length, 0);
    });

    it("posts a new entry once to each subscribed room and never to others", async () => {
      const tp = topic("Nix 2.34.0 released");
      fake.addTopic("announcements", tp);
      const report = await t.bot.feeds.pollNow();
      assert.equal(report.newEntries, 1);
      const r1 = sentTo(t, "room1");
      const r2 = sentTo(t, "room2");
      assert.equal(r1.length, 1);
      assert.equal(r2.length, 1);
      assert.equal(sentTo(t, "room3").length, 0);
      const text = r1[0]!.text;
      assert.match(text, new RegExp(`^Nix 2\\.34\\.0 released <${fake.url}/t/nix-2-34-0-released/${tp.id}>`));
      assert.match(text, /Category: Announcements/);
      assert.match(text, /Author: release-team/);
      assert.match(text, /It has many improvements and a changelog\./);
      assert.doesNotMatch(text, /<strong>|Read full topic|participant/);
      const ids = [r1[0]!.opts?.deliveryId, r2[0]!.opts?.deliveryId];
      for (const id of ids) assert.match(id ?? "", /^[A-Za-z0-9]{1,25}$/);
      assert.notEqual(ids[0], ids[1]);
      // The next poll finds nothing new.
      const again = await t.bot.feeds.pollNow();
      assert.equal(again.sent, 0);
      assert.equal(t.adapter.sent.length, 2);
    });

    it("sends the validators back, and a 304 is no work", async () => {
      const before = fake.count("announcements");
      const report = await t.bot.feeds.pollNow();
      const after = fake.count("announcements");
      assert.equal(after.requests, before.requests + 1);
      assert.equal(after.notModified, before.notModified + 1);
      assert.equal(report.sent, 0);
    });

    it("does not post an entry again when its title changes", async () => {
      const tp = topic("Typo in the title");
      fake.addTopic("announcements", tp);
      await t.bot.feeds.pollNow();
      const count = t.adapter.sent.length;
      fake.retitle("announcements", tp.id, "No typo in the title");
      const report = await t.bot.feeds.pollNow();
      assert.equal(report.newEntries, 0);
      assert.equal(t.adapter.sent.length, count);
    });

    it("gives a room that subscribes later only entries first seen after it subscribed", async () => {
      const before = sentTo(t, "room4").length;
      assert.equal(before, 0);
      await t.ask("!subscribe announcements", { room: "room4", manager: true });
      await t.bot.feeds.pollNow();
      assert.equal(sentTo(t, "room4").length, 0);
      fake.addTopic("announcements", topic("After room4 subscribed"));
      await t.bot.feeds.pollNow();
      assert.deepEqual(
        sentTo(t, "room4").map((m) => m.text.split(" <")[0]),
        ["After room4 subscribed"],
      );
    });

    it("caps a burst at 3 posts per room and poll, plus one line for the rest", async () => {
      const start = sentTo(t, "room1").length;
      for (let i = 1; i <= 10; i++) fake.addTopic("announcements", topic(`Burst entry ${i}`));
      await t.bot.feeds.pollNow();
      const got = sentTo(t, "room1").slice(start);
      assert.equal(got.length, 4);
      // Oldest first: they were added in order within the same second, so the feed lists them newest first.
      assert.deepEqual(
        got.slice(0, 3).map((m) => m.text.split(" <")[0]),
        ["Burst entry 1", "Burst entry 2", "Burst entry 3"],
      );
      assert.equal(got[3]!.text, `…and 7 more new posts: NixOS Discourse: Announcements <${fake.url}/c/announcements/8>`);
      assert.match(got[3]!.opts?.deliveryId ?? "", /^[0-9a-f]{25}$/);
      const next = await t.bot.feeds.pollNow();
      assert.equal(next.sent, 0);
    });

    it("stops posting to a room that unsubscribed", async () => {
      assert.match(await t.ask("!unsubscribe announcements", { room: "room2", manager: true }), /Unsubscribed/);
      assert.match(await t.ask("!unsubscribe announcements", { room: "room2", manager: true }), /does not follow/);
      const before = sentTo(t, "room2").length;
      fake.addTopic("announcements", topic("Only for those still subscribed"));
      await t.bot.feeds.pollNow();
      assert.equal(sentTo(t, "room2").length, before);
      assert.equal(sentTo(t, "room1").at(-1)?.text.split(" <")[0], "Only for those still subscribed");
    });

    it("keeps other feeds and the bot going when a feed answers malformed XML", async () => {
      fake.fault("announcements", { malformed: true });
      fake.addTopic("security", { ...topic("Security advisory: libfoo"), category: "Security" });
      const report = await t.bot.feeds.pollNow();
      assert.deepEqual(report.failed, ["announcements"]);
      assert.equal(sentTo(t, "room3").at(-1)?.text.split(" <")[0], "Security advisory: libfoo");
      assert.match(await t.ask("!feeds", { room: "room1" }), /`announcements` — .* ⚠ failing since .*not a readable feed/);
      fake.fault("announcements", undefined);
    });

    it("lists every feed in !feeds with how many rooms follow it", async () => {
      const text = await t.ask("!feeds", { room: "room1" });
      assert.match(text, /`announcements` — NixOS Discourse: Announcements <[^>]+> — 2 rooms \(this one too\) — last read just now/);
      assert.match(text, /`security` — .* — 1 room — last read/);
      assert.match(text, /`nixhour` — The Nix Hour <https:\/\/www\.youtube\.com\/playlist\?list=PLyzwHTVJlRc8yjlx4VR4LU5A5O44og9in> — 0 rooms/);
    });
  });

  describe("failures", () => {
    let t: TestBot;
    let clock = new Date("2026-11-25T12:00:00Z");
    before(async () => {
      t = await bot({ now: () => clock, config: { http: { timeoutMs: 400, retries: 0 }, feeds: { sendPaceMs: 0, maxBodyBytes: 100_000 } } });
      await t.ask("!subscribe events", { room: "r1", manager: true });
      await t.ask("!subscribe nixhour", { room: "r1", manager: true });
      await t.bot.feeds.pollNow();
    });
    after(async () => {
      fake.fault("events", undefined);
      fake.fault("nixhour", undefined);
      await t.stop();
    });

    it("backs off a feed answering 500, says so in !feeds, and recovers", async () => {
      fake.fault("events", { status: 500 });
      const first = await t.bot.feeds.pollNow();
      assert.deepEqual(first.failed, ["events"]);
      assert.match(await t.ask("!feeds", { room: "r1" }), /`events` — .* ⚠ failing since 2026-11-25 12:00 UTC: HTTP 500; next try 2026-11-25 12:01 UTC/);
      // Within the backoff: not even asked.
      const asked = fake.count("events").requests;
      const second = await t.bot.feeds.pollNow();
      assert.deepEqual(second.skipped, ["events"]);
      assert.equal(fake.count("events").requests, asked);
      // After it: asked again, fails again, waits twice as long.
      clock = new Date(clock.getTime() + 61_000);
      await t.bot.feeds.pollNow();
      assert.match(await t.ask("!feeds", { room: "r1" }), /next try 2026-11-25 12:03 UTC/);
      // Recovery: the entry published meanwhile is posted once.
      fake.fault("events", undefined);
      fake.addTopic("events", { ...topic("Nix meetup Zürich"), category: "Events" });
      clock = new Date(clock.getTime() + 121_000);
      const ok = await t.bot.feeds.pollNow();
      assert.deepEqual(ok.failed, []);
      assert.equal(ok.sent, 1);
      assert.doesNotMatch(await t.ask("!feeds", { room: "r1" }), /failing/);
    });

    it("refuses an oversized body without stopping the other feeds", async () => {
      fake.fault("events", { hugeBytes: 1_000_000 });
      fake.addVideo({ id: "NEWvid00001", title: "The Nix Hour #44 [overlays]", published: new Date("2026-11-24T14:00:00Z") });
      const report = await t.bot.feeds.pollNow();
      assert.deepEqual(report.failed, ["events"]);
      assert.match(await t.ask("!feeds", { room: "r1" }), /`events` — .*over the limit of 100000 bytes/);
      const post = t.adapter.sent.at(-1)!;
      assert.match(post.text, /^The Nix Hour #44 \[overlays\] <https:\/\/www\.youtube\.com\/watch\?v=NEWvid00001>/);
      assert.match(post.text, /Published: 2026-11-24/);
      assert.match(post.text, /Image: https:\/\/i2\.ytimg\.com\/vi\/NEWvid00001\/hqdefault\.jpg/);
    });

    it("treats a timeout like any failure", async () => {
      fake.fault("nixhour", { delayMs: 1500 });
      clock = new Date(clock.getTime() + 7 * 3600_000);
      const report = await t.bot.feeds.pollNow();
      assert.ok(report.failed.includes("nixhour"));
      assert.match(await t.ask("!feeds", { room: "r1" }), /`nixhour` — .*no answer within 400 ms/);
      fake.fault("nixhour", undefined);
      assert.match(await t.ask("!help"), /!subscribe/);
    });
  });

  describe("restarts and crashes", () => {
    /** Runs `fn` with a bot that is stopped afterwards, whatever happens. */
    async function withBot(opts: Parameters<typeof bot>[0], fn: (t: TestBot) => Promise<void>): Promise<void> {
      const t = await bot(opts);
      try {
        await fn(t);
      } finally {
        await t.stop();
      }
    }
    /** A room follows security, and the silent first read is done. */
    async function follow(t: TestBot, room: string): Promise<void> {
      await t.ask("!subscribe security", { room, manager: true });
      await t.bot.feeds.pollNow();
    }

    it("posts nothing again after a restart with the same store", async () => {
      const store = join(dir, "restart.sqlite");
      await withBot({ store }, async (a) => {
        await follow(a, "x");
        fake.addTopic("security", { ...topic("Advisory before restart"), category: "Security" });
        await a.bot.feeds.pollNow();
        assert.equal(a.adapter.sent.length, 1);
      });
      await withBot({ store }, async (b) => {
        const report = await b.bot.feeds.pollNow();
        assert.equal(report.sent, 0);
        assert.equal(b.adapter.sent.length, 0);
        fake.addTopic("security", { ...topic("Advisory after restart"), category: "Security" });
        await b.bot.feeds.pollNow();
        assert.deepEqual(
          b.adapter.sent.map((m) => m.text.split(" <")[0]),
          ["Advisory after restart"],
        );
      });
    });

    it("retries with the same delivery id after a crash between send and record", async () => {
      const store = join(dir, "crash.sqlite");
      const delivered: (string | undefined)[] = [];
      await withBot({ store }, async (a) => {
        await follow(a, "y");
        fake.addTopic("security", { ...topic("Advisory during a crash"), category: "Security" });
        // The platform accepts the post, then the bot dies before it can record the delivery.
        const send = a.adapter.send.bind(a.adapter);
        a.adapter.send = async (room, reply, opts) => {
          await send(room, reply, opts);
          delivered.push(opts?.deliveryId);
          throw new Error("connection reset after the send");
        };
        await a.bot.feeds.pollNow();
      });
      await withBot({ store }, async (b) => {
        await b.bot.feeds.pollNow();
        assert.equal(delivered.length, 1);
        assert.equal(b.adapter.sent.length, 1);
        assert.equal(b.adapter.sent[0]!.opts?.deliveryId, delivered[0]);
        assert.match(b.adapter.sent[0]!.text, /^Advisory during a crash/);
        await b.bot.feeds.pollNow();
        assert.equal(b.adapter.sent.length, 1);
      });
    });

    it("keeps a post whose send failed and delivers it on the next poll", async () => {
      await withBot({}, async (t) => {
        await follow(t, "z");
        fake.addTopic("security", { ...topic("Advisory while the room is unreachable"), category: "Security" });
        t.adapter.failSends(true);
        const failed = await t.bot.feeds.pollNow();
        assert.equal(failed.sent, 0);
        t.adapter.failSends(false);
        const ok = await t.bot.feeds.pollNow();
        assert.equal(ok.sent, 1);
        assert.match(t.adapter.sent[0]!.text, /^Advisory while the room is unreachable/);
      });
    });

    it("starts silent again when a feed nobody followed gets a follower", async () => {
      await withBot({}, async (t) => {
        await follow(t, "w");
        await t.ask("!unsubscribe security", { room: "w", manager: true });
        await t.bot.feeds.pollNow();
        fake.addTopic("security", { ...topic("Advisory nobody followed"), category: "Security" });
        await t.ask("!subscribe security", { room: "w", manager: true });
        const report = await t.bot.feeds.pollNow();
        assert.equal(report.sent, 0);
        assert.equal(t.adapter.sent.length, 0);
      });
    });
  });
});
