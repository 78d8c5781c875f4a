import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { renderPlain } from "../../src/render/plain.js";
import { buildCatalog, joinUrl, type FeedDef } from "../../src/feeds/catalog.js";
import type { FeedProvider } from "../../src/feeds/provider.js";
import { entryId, MAX_ENTRY_ID_LENGTH } from "../../src/feeds/entries.js";
import { capturePost, excerptOf, formatPost, MAX_URL_LENGTH } from "../../src/feeds/format.js";
import { deliveryId } from "../../src/delivery/id.js";
import { formatSummary } from "../../src/delivery/summary.js";
import { createSubscriptions } from "../../src/feeds/subscriptions.js";
import { backoffMs, BACKOFF_BASE_MS } from "../../src/feeds/watcher.js";
import { createScheduler } from "../../src/jobs/scheduler.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { parseFeed } from "../../src/upstream/feeds.js";
import { UpstreamError } from "../../src/core/errors.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const config = (env: Record<string, string> = {}) => loadConfig({ env: { NIXIE_CONFIG: "", ...env }, ignoreLocal: true }).config;

describe("feeds: parsing", () => {
  it("reads the Discourse category RSS: title, author, category, HTML, dates, guid", async () => {
    const feed = await parseFeed(fixture("discourse-announcements.rss"), "discourse.nixos.org");
    assert.equal(feed.title, "Announcements - NixOS Discourse");
    assert.equal(feed.items.length, 5);
    const first = feed.items[0]!;
    assert.equal(first.title, "Zero Hydra Failures 26.11 edition");
    assert.equal(first.author, "release-team");
    assert.deepEqual(first.categories, ["Announcements"]);
    assert.equal(first.guid, "discourse.nixos.org-topic-75012");
    assert.equal(first.published, "2026-11-20T14:03:11.000Z");
    assert.match(first.html ?? "", /<strong>Zero Hydra Failures<\/strong>/);
    assert.equal(feed.items[1]!.categories[0], "Security");
  });

  it("reads the YouTube playlist feed: video id, published, updated, thumbnail", async () => {
    const feed = await parseFeed(fixture("nixhour-youtube.xml"), "youtube.com");
    assert.equal(feed.items.length, 3);
    const ep = feed.items[0]!;
    assert.equal(ep.videoId, "bJY2O8_ZNiU");
    assert.equal(ep.link, "https://www.youtube.com/watch?v=bJY2O8_ZNiU");
    assert.equal(ep.published, "2023-07-26T13:58:21.000Z");
    assert.equal(ep.updated, "2024-02-10T03:11:40.000Z");
    assert.equal(ep.thumbnail, "https://i2.ytimg.com/vi/bJY2O8_ZNiU/hqdefault.jpg");
  });

  it("turns malformed XML and non-feeds into an UpstreamError", async () => {
    for (const bad of ["<rss><channel><item><title>x</ti", "not xml at all", "<html><body>hi</body></html>"]) {
      await assert.rejects(parseFeed(bad, "example.org"), (e: unknown) => e instanceof UpstreamError && e.failure === "bad-response" && e.service === "example.org");
    }
  });
});

describe("feeds: identity and delivery ids", () => {
  it("identifies Discourse topics by the id in the guid, old and new style, or in the link", () => {
    assert.equal(entryId({ guid: "discourse.nixos.org-topic-75012", categories: [] }, "discourse"), "topic:75012");
    assert.equal(entryId({ guid: "topic-123", categories: [] }, "discourse"), "topic:123");
    assert.equal(entryId({ link: "https://discourse.nixos.org/t/some-slug/4567", categories: [] }, "discourse"), "topic:4567");
    assert.equal(entryId({ link: "https://discourse.nixos.org/t/some-slug/4567/3", categories: [] }, "discourse"), "topic:4567");
    // The same topic with a changed title keeps its identity.
    assert.equal(
      entryId({ guid: "discourse.nixos.org-topic-1", title: "Old", categories: [] }, "discourse"),
      entryId({ guid: "discourse.nixos.org-topic-1", title: "New", link: "https://x/t/new/1", categories: [] }, "discourse"),
    );
  });

  it("identifies YouTube videos by id, others by guid, else link", () => {
    assert.equal(entryId({ videoId: "abcDEF12345", guid: "yt:video:abcDEF12345", categories: [] }, "youtube"), "video:abcDEF12345");
    assert.equal(entryId({ link: "https://www.youtube.com/watch?v=abcDEF12345", categories: [] }, "youtube"), "video:abcDEF12345");
    assert.equal(entryId({ guid: "urn:x:1", link: "https://a/1", categories: [] }, "generic"), "guid:urn:x:1");
    assert.equal(entryId({ link: "https://a/1", categories: [] }, "generic"), "link:https://a/1");
    assert.equal(entryId({ categories: [] }, "generic"), undefined);
    // A generic feed's /t/ link is not a Discourse topic.
    assert.equal(entryId({ link: "https://blog.example/t/x/12", categories: [] }, "generic"), "link:https://blog.example/t/x/12");
  });

  it("bounds ids: a guid or link too long to keep becomes a hash, the same for the same text", () => {
    const long = `urn:x:${"a".repeat(100_000)}`;
    const id = entryId({ guid: long, categories: [] }, "generic")!;
    assert.match(id, /^guid#[0-9a-f]{64}$/);
    assert.equal(entryId({ guid: long, title: "edited", categories: [] }, "generic"), id);
    assert.notEqual(entryId({ guid: `${long}b`, categories: [] }, "generic"), id);
    assert.match(entryId({ link: `https://a/${"p".repeat(5000)}`, categories: [] }, "generic")!, /^link#[0-9a-f]{64}$/);
    const short = `urn:x:${"a".repeat(MAX_ENTRY_ID_LENGTH - "guid:urn:x:".length)}`;
    assert.equal(entryId({ guid: short, categories: [] }, "generic"), `guid:${short}`);
  });

  it("makes delivery ids stable, at most 25 characters of [A-Za-z0-9], different per room, feed and entry", () => {
    const id = deliveryId("matrix:!a:example.org", "announcements", "topic:1");
    assert.match(id, /^[A-Za-z0-9]{1,25}$/);
    assert.equal(id, deliveryId("matrix:!a:example.org", "announcements", "topic:1"));
    const others = [
      deliveryId("matrix:!b:example.org", "announcements", "topic:1"),
      deliveryId("matrix:!a:example.org", "security", "topic:1"),
      deliveryId("matrix:!a:example.org", "announcements", "topic:2"),
    ];
    assert.equal(new Set([id, ...others]).size, 4);
  });
});

describe("feeds: post format", () => {
  const catalog = buildCatalog(config());
  const announcements = catalog.get("announcements")!;
  const nixhour = catalog.get("nixhour")!;

  it("cuts the excerpt to about 280 plain characters without Discourse's trailer", async () => {
    const feed = await parseFeed(fixture("discourse-announcements.rss"), "d");
    for (const item of feed.items) {
      const ex = excerptOf(item.html ?? "");
      assert.ok([...ex].length <= 280, ex);
      assert.doesNotMatch(ex, /<\/?[a-z]|Read full topic|participants?$/i);
    }
    const zhf = excerptOf(feed.items[0]!.html ?? "");
    assert.match(zhf, /^The 26\.11 branch-off is approaching, which means it is time for Zero Hydra Failures!/);
  });

  it("reads an excerpt from a huge post in linear time", () => {
    const started = process.hrtime.bigint();
    const ex = excerptOf(`<p>${"1".repeat(150_000)}</p><p>1 post - 1 participant</p><p><a href="https://x/t/1">Read full topic</a></p>`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal([...ex].length, 280);
    // Quadratic backtracking took minutes here; linear work takes milliseconds.
    assert.ok(ms < 2000, `${ms} ms`);
    assert.equal(excerptOf('<p>Short news.</p><p>3 posts - 2 participants</p><p><a href="https://x/t/1">Read full topic</a></p>'), "Short news.");
  });

  it("shows a Discourse entry as title, link, excerpt, category and author", async () => {
    const feed = await parseFeed(fixture("discourse-announcements.rss"), "d");
    const post = capturePost(feed.items[1]!, "topic:74988");
    const text = renderPlain(formatPost(announcements, post));
    const lines = text.split("\n");
    assert.equal(lines[0], `Security advisory: libexample heap overflow (CVE-2026-41234) <${feed.items[1]!.link}>`);
    assert.match(text, /^ {2}A heap overflow in `?libexample`? < 3\.4\.2 allows remote code execution\./m);
    assert.match(text, /^ {2}Category: Security$/m);
    assert.match(text, /^ {2}Author: security-team$/m);
    assert.match(text, /^ {2}NixOS Discourse: Announcements$/m);
  });

  it("shows a Nix Hour episode as title, link, date and thumbnail", async () => {
    const feed = await parseFeed(fixture("nixhour-youtube.xml"), "y");
    const text = renderPlain(formatPost(nixhour, capturePost(feed.items[2]!, "video:T79B4t80QZ4")));
    assert.equal(
      text,
      [
        "The Nix Hour #43 [adding trunk version of CPython to nixpkgs] <https://www.youtube.com/watch?v=T79B4t80QZ4>",
        "  Published: 2023-08-16",
        "  Image: https://i2.ytimg.com/vi/T79B4t80QZ4/hqdefault.jpg",
        "  The Nix Hour",
      ].join("\n"),
    );
  });

  it("leaves out a link or image too long for a post, and cuts long titles and names", () => {
    const huge = `https://news.example/${"x".repeat(MAX_URL_LENGTH)}`;
    const post = capturePost({ title: "t".repeat(10_000), link: huge, thumbnail: huge, author: "a".repeat(10_000), categories: ["c".repeat(10_000)] }, "guid:1");
    assert.equal(post.link, undefined);
    assert.equal(post.thumbnail, undefined);
    assert.ok(JSON.stringify(post).length < 600, JSON.stringify(post).slice(0, 100));
    const ok = `https://news.example/${"x".repeat(100)}`;
    assert.equal(capturePost({ link: ok, thumbnail: ok, categories: [] }, "guid:2").link, ok);
  });

  it("sums up the rest of a burst in one line with links", () => {
    const label = (f: FeedDef) => ({ key: f.name, title: f.title, url: f.siteUrl });
    assert.equal(renderPlain(formatSummary([{ label: label(announcements), count: 1 }])), `…and 1 more new post: NixOS Discourse: Announcements <${announcements.siteUrl}>`);
    assert.equal(
      renderPlain(
        formatSummary([
          { label: label(announcements), count: 2 },
          { label: label(nixhour), count: 3 },
        ]),
      ),
      `…and 5 more new posts: NixOS Discourse: Announcements (2) <${announcements.siteUrl}>, The Nix Hour (3) <${nixhour.siteUrl}>`,
    );
  });
});

describe("feeds: catalog", () => {
  it("takes a provider's fixed feeds, its pattern names and its patterns; config names come first", async () => {
    const made: FeedDef[] = [];
    const provider: FeedProvider = {
      kind: "thing",
      source: { read: async () => ({ status: "ok", entries: [], validators: {} }) },
      patterns: [{ pattern: "thing:<name>", description: "one thing" }],
      fixed: () => [
        { name: "things", title: "All things", url: "x:things", kind: "thing", siteUrl: "https://things.example" },
        { name: "announcements", title: "clash", url: "x:a", kind: "thing", siteUrl: "https://x.example" },
      ],
      get: (name) => {
        const m = /^thing:([a-z]+)$/.exec(name.trim());
        if (!m) return undefined;
        const f = { name: `thing:${m[1]}`, title: `Thing ${m[1]}`, url: `x:${m[1]}`, kind: "thing", siteUrl: "https://things.example" };
        made.push(f);
        return f;
      },
      known: async () => [{ name: "thing:a", title: "Thing a", url: "x:a", kind: "thing", siteUrl: "https://things.example" }],
    };
    const c = buildCatalog(config({}), [provider]);
    assert.ok(c.list().some((f) => f.name === "things"));
    assert.equal(c.get("announcements")?.kind, "discourse", "a provider cannot replace a configured feed");
    assert.equal(c.get(" thing:b ")?.name, "thing:b");
    assert.equal(c.get("thing:B!"), undefined);
    assert.equal(c.providerOf(c.get("thing:b")!), provider);
    assert.equal(c.providerOf(c.get("announcements")!), undefined);
    assert.deepEqual(
      c.patterns.map((p) => p.pattern),
      ["thing:<name>"],
    );
    assert.deepEqual((await c.known()).map((f) => f.name).slice(-2), ["things", "thing:a"]);
  });

  it("builds the four built-in feeds from discourse.url and feeds.nixhourUrl", () => {
    const c = buildCatalog(config({ NIXIE_DISCOURSE_URL: "http://127.0.0.1:9/forum/" }));
    assert.deepEqual(
      c.list().map((f) => [f.name, f.url, f.kind]),
      [
        ["announcements", "http://127.0.0.1:9/forum/c/announcements/8.rss", "discourse"],
        ["security", "http://127.0.0.1:9/forum/c/announcements/security/56.rss", "discourse"],
        ["events", "http://127.0.0.1:9/forum/c/events/13.rss", "discourse"],
        ["nixhour", "https://www.youtube.com/feeds/videos.xml?playlist_id=PLyzwHTVJlRc8yjlx4VR4LU5A5O44og9in", "youtube"],
      ],
    );
    assert.equal(c.get(" Announcements ")?.name, "announcements");
    assert.equal(c.get("https://evil.example/feed"), undefined);
    assert.equal(joinUrl("https://a/b/", "/c"), "https://a/b/c");
  });

  it("adds operators' extra feeds, whose names must not clash", () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-cat-"));
    try {
      const file = join(dir, "c.json");
      const withExtra = (extra: object[]) => {
        writeFileSync(file, JSON.stringify({ feeds: { extra } }));
        return config({ NIXIE_CONFIG: file });
      };
      const c = buildCatalog(withExtra([{ name: "blog", title: "NixOS blog", url: "https://nixos.org/blog/feed.xml" }]));
      assert.deepEqual(c.get("blog"), { name: "blog", title: "NixOS blog", url: "https://nixos.org/blog/feed.xml", kind: "generic", siteUrl: "https://nixos.org/blog/feed.xml" });
      assert.throws(() => withExtra([{ name: "security", title: "x", url: "https://a/x" }]), /feeds\.extra\[0\]\.name" must be a name not used by a built-in or earlier feed/);
      assert.throws(
        () =>
          withExtra([
            { name: "a", title: "x", url: "https://a/x" },
            { name: "a", title: "y", url: "https://a/y" },
          ]),
        /feeds\.extra\[1\]\.name/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drops the Nix Hour when its URL is empty", () => {
    const c = config();
    assert.equal(buildCatalog({ ...c, feeds: { ...c.feeds, nixhourUrl: "" } }).get("nixhour"), undefined);
  });
});

describe("feeds: backoff", () => {
  it("doubles from one minute up to the cap", () => {
    assert.equal(backoffMs(1, 21_600), BACKOFF_BASE_MS);
    assert.equal(backoffMs(2, 21_600), 2 * BACKOFF_BASE_MS);
    assert.equal(backoffMs(5, 21_600), 16 * BACKOFF_BASE_MS);
    assert.equal(backoffMs(50, 21_600), 21_600_000);
    assert.equal(backoffMs(3, 90), 90_000);
  });
});

describe("feeds: subscriptions", () => {
  let dir: string;
  let store: Store;
  const room = (id: string, platform: "matrix" | "discord" = "matrix") => ({ platform, id });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-subs-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("subscribes once, lists, finds rooms per feed, unsubscribes", async () => {
    const s = createSubscriptions(store, () => new Date("2026-11-25T10:00:00Z"));
    assert.equal(await s.subscribe(room("!a:x"), "announcements"), true);
    assert.equal(await s.subscribe(room("!a:x"), "announcements"), false);
    assert.equal(await s.subscribe(room("!a:x"), "nixhour"), true);
    assert.equal(await s.subscribe(room("123", "discord"), "announcements"), true);
    assert.deepEqual(await s.list(room("!a:x")), ["announcements", "nixhour"]);
    assert.deepEqual(await s.roomsFor("announcements"), [room("!a:x"), room("123", "discord")]);
    assert.deepEqual(await s.since(room("!a:x"), "nixhour"), new Date("2026-11-25T10:00:00Z"));
    assert.equal(await s.unsubscribe(room("!a:x"), "announcements"), true);
    assert.equal(await s.unsubscribe(room("!a:x"), "announcements"), false);
    assert.deepEqual(await s.roomsFor("announcements"), [room("123", "discord")]);
  });

  it("keeps an index of the feeds some room follows (pattern feeds such as pkg:<attr> are found by it)", async () => {
    const s = createSubscriptions(store);
    const before = await s.followed();
    await s.subscribe(room("!i:x"), "thing:a");
    await s.subscribe(room("!j:x"), "thing:a");
    await s.subscribe(room("!j:x"), "thing:b");
    assert.deepEqual(
      (await s.followed()).filter((n) => !before.includes(n)),
      ["thing:a", "thing:b"],
    );
    await s.unsubscribe(room("!i:x"), "thing:a");
    assert.ok((await s.followed()).includes("thing:a"), "still followed by !j");
    await s.removeRoom(room("!j:x"));
    assert.deepEqual(
      (await s.followed()).filter((n) => n.startsWith("thing:")),
      [],
    );
    await s.subscribe(room("!k:x"), "thing:c");
    await s.moveRoom(room("!k:x"), room("!l:x"));
    assert.ok((await s.followed()).includes("thing:c"), "a move keeps the feed followed");
  });

  it("keeps every change of concurrent subscriptions", async () => {
    const s = createSubscriptions(store);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.subscribe(room(`!r${i}:x`), "security")));
    assert.equal((await s.roomsFor("security")).length, 20);
  });

  it("removes a room (kicked, channel gone) from every feed", async () => {
    const s = createSubscriptions(store);
    await s.subscribe(room("!a:x"), "announcements");
    await s.subscribe(room("!a:x"), "security");
    await s.subscribe(room("!b:x"), "security");
    assert.equal(await s.removeRoom(room("!a:x")), 2);
    assert.deepEqual(await s.list(room("!a:x")), []);
    assert.deepEqual(await s.roomsFor("announcements"), []);
    assert.deepEqual(await s.roomsFor("security"), [room("!b:x")]);
    assert.equal(await s.removeRoom(room("!a:x")), 0);
  });

  it("moves a room's subscriptions to its successor (room upgrade), keeping their dates", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const s = createSubscriptions(store, () => now);
    await s.subscribe(room("!old:x"), "announcements");
    now = new Date("2026-06-01T00:00:00Z");
    await s.subscribe(room("!new:x"), "nixhour");
    assert.equal(await s.moveRoom(room("!old:x"), room("!new:x")), 1);
    assert.deepEqual(await s.list(room("!new:x")), ["nixhour", "announcements"]);
    assert.deepEqual(await s.list(room("!old:x")), []);
    assert.deepEqual(await s.roomsFor("announcements"), [room("!new:x")]);
    assert.deepEqual(await s.since(room("!new:x"), "announcements"), new Date("2026-01-01T00:00:00Z"));
  });
});

describe("jobs: scheduler", () => {
  const log = pino({ level: "silent" });
  /** A scheduler of `job` whose schedule never fires unless `cron` says otherwise. */
  const scheduler = (job: () => Promise<void>, extra: { cron?: string; shouldRun?: () => Promise<boolean> } = {}) => createScheduler({ cron: "0 0 1 1 *", name: "t", log, job, ...extra });

  it("never runs two polls at once, and runNow waits for the one in progress", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const s = scheduler(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 20));
      runs++;
      active--;
    });
    await Promise.all([s.runNow(), s.runNow(), s.runNow()]);
    assert.equal(runs, 3);
    assert.equal(maxActive, 1);
    await s.stop();
  });

  it("keeps going after a failing run and waits for a run in progress when stopped", async () => {
    let done = false;
    const s = scheduler(async () => {
      await new Promise((r) => setTimeout(r, 30));
      done = true;
      throw new Error("boom");
    });
    s.start();
    const run = s.runNow();
    assert.equal(s.busy, true);
    await s.stop();
    assert.equal(done, true);
    await run;
    assert.equal(s.busy, false);
  });

  it("asks shouldRun before each scheduled run", async () => {
    let asked = 0;
    let runs = 0;
    const s = scheduler(
      async () => {
        runs++;
      },
      {
        cron: "* * * * * *",
        shouldRun: async () => {
          asked++;
          return false;
        },
      },
    );
    s.start();
    for (let i = 0; i < 50 && asked === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await s.stop();
    assert.ok(asked >= 1, `asked ${asked}`);
    assert.equal(runs, 0);
  });
});
