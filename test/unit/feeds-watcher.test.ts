import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { RoomRef } from "../../src/core/adapter.js";
import { UpstreamError } from "../../src/core/errors.js";
import { catalogOf, type FeedCatalog, type FeedDef } from "../../src/feeds/catalog.js";
import { createFeedState } from "../../src/feeds/state.js";
import { createFeedsService } from "../../src/feeds/service.js";
import { createSubscriptions, type Subscriptions } from "../../src/feeds/subscriptions.js";
import { createFeedWatcher, type FeedWatcher, type FeedWatcherOptions } from "../../src/feeds/watcher.js";
import { createOutbox, EXACT_FLUSH_LIMIT, MAX_ATTEMPTS, type Outbox, type Send } from "../../src/delivery/outbox.js";
import { openStore, type KV, type Store } from "../../src/storage/store.js";
import type { FeedFetcher, FeedItem } from "../../src/upstream/feeds.js";
import type { FeedProvider } from "../../src/feeds/provider.js";
import { textReply } from "../../src/core/reply.js";
import { renderPlain } from "../../src/render/plain.js";

const FEED: FeedDef = { name: "news", title: "News", url: "https://news.example/feed.xml", kind: "generic", siteUrl: "https://news.example/" };
const catalog: FeedCatalog = catalogOf([FEED]);
const room = (id: string): RoomRef => ({ platform: "test", id });
const silent = pino({ level: "silent" });

/** A watcher over an outbox of its own; the outbox sends with `send`, paced on a clock its sleeps move. */
function watcherWith(
  store: Store,
  o: Omit<FeedWatcherOptions, "outbox" | "backoffCapSeconds" | "log"> & { send: Send; sendPaceMs?: number; maxPerRoom?: number; clock?: { ms: number }; sleeps?: number[] },
): { watcher: FeedWatcher; outbox: Outbox } {
  const clock = o.clock ?? { ms: Date.parse("2026-11-25T00:00:00Z") };
  const outbox = createOutbox({
    store,
    log: silent,
    send: o.send,
    paceMs: () => o.sendPaceMs ?? 0,
    maxPerRoom: o.maxPerRoom ?? 3,
    now: () => clock.ms,
    sleep: async (ms) => {
      o.sleeps?.push(ms);
      clock.ms += ms;
    },
  });
  const { send: _send, sendPaceMs: _p, maxPerRoom: _m, clock: _c, sleeps: _s, ...rest } = o;
  return { watcher: createFeedWatcher({ ...rest, outbox, backoffCapSeconds: 3600, log: silent }), outbox };
}

describe("feeds: the watcher with a scripted feed", () => {
  let dir: string;
  let store: Store;
  let subs: Subscriptions;
  let items: FeedItem[];
  let fail: Error | undefined;
  let sent: { room: string; id: string | undefined }[];
  let sleeps: number[];
  let refuse: Set<string>;
  let watcher: FeedWatcher;
  let outbox: Outbox;

  const fetcher: FeedFetcher = {
    async fetch() {
      if (fail) throw fail;
      return { status: "ok", feed: { items: [...items] }, validators: {} };
    },
    async read() {
      return { items };
    },
  };
  const add = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const id = items.length + 1;
      items.unshift({ guid: `g${id}`, title: `Entry ${id}`, link: `https://news.example/${id}`, published: new Date(Date.UTC(2026, 0, id)).toISOString(), categories: [] });
    }
  };
  const recordingSend: Send = async (r, _reply, opts) => {
    if (refuse.has(r.id)) throw new Error("forbidden");
    sent.push({ room: r.id, id: opts.deliveryId });
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-watch-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    subs = createSubscriptions(store);
    items = [];
    fail = undefined;
    sent = [];
    sleeps = [];
    refuse = new Set();
    ({ watcher, outbox } = watcherWith(store, { catalog, subscriptions: subs, fetcher, state: createFeedState(store), send: recordingSend, sendPaceMs: 250, sleeps }));
    add(2);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("does not fetch a feed nobody follows", async () => {
    const report = await watcher.poll();
    assert.deepEqual(report.fetched, []);
  });

  it("paces sends: a pause before every send but the first", async () => {
    for (const r of ["a", "b", "c"]) await subs.subscribe(room(r), "news");
    await watcher.poll();
    add(2);
    const report = await watcher.poll();
    assert.equal(report.sent, 6);
    assert.deepEqual(sleeps, [250, 250, 250, 250, 250]);
    assert.deepEqual(
      sent.map((s) => s.room),
      ["a", "a", "b", "b", "c", "c"],
    );
  });

  it("posts new entries oldest first, also when the feed gives no dates", async () => {
    await subs.subscribe(room("a"), "news");
    items = [];
    await watcher.poll();
    // Newest first, as feeds list them, without dates.
    items.unshift({ guid: "u1", title: "Undated 1", categories: [] }, { guid: "u0", title: "Undated 0", categories: [] });
    items.unshift({ guid: "u3", title: "Undated 3", categories: [] }, { guid: "u2", title: "Undated 2", categories: [] });
    const titles: string[] = [];
    ({ watcher } = watcherWith(store, {
      catalog,
      subscriptions: subs,
      fetcher,
      state: createFeedState(store),
      async send(_r, reply) {
        const b = reply.blocks[0];
        titles.push(b?.kind === "card" ? b.card.title : "summary");
      },
      maxPerRoom: 10,
    }));
    await watcher.poll();
    assert.deepEqual(titles, ["Undated 0", "Undated 1", "Undated 2", "Undated 3"]);
  });

  it("caps posts per room and poll, and sums up the rest in one line with its own delivery id", async () => {
    await subs.subscribe(room("a"), "news");
    await watcher.poll();
    add(5);
    const texts: string[] = [];
    ({ watcher } = watcherWith(store, {
      catalog,
      subscriptions: subs,
      fetcher,
      state: createFeedState(store),
      async send(_r, reply, opts) {
        texts.push(renderPlain(reply));
        sent.push({ room: "a", id: opts.deliveryId });
      },
    }));
    const report = await watcher.poll();
    assert.equal(report.sent, 4);
    assert.deepEqual(
      texts.slice(0, 3).map((t) => t.split(" <")[0]),
      ["Entry 3", "Entry 4", "Entry 5"],
    );
    assert.equal(texts[3], "…and 2 more new posts: News <https://news.example/>");
    assert.equal(new Set(sent.map((s) => s.id)).size, 4);
    assert.deepEqual(await outbox.pending("feed:news"), []);
  });

  it("sends nothing of a feed whose new entries could not be marked seen, and sends them once when they can", async () => {
    const state = createFeedState(store);
    let seenFails = false;
    ({ watcher } = watcherWith(store, {
      catalog,
      subscriptions: subs,
      fetcher,
      state: {
        ...state,
        setSeen: async (feed, seen, current) => {
          if (seenFails) throw new Error("store hiccup");
          return state.setSeen(feed, seen, current);
        },
      },
      send: recordingSend,
    }));
    await subs.subscribe(room("a"), "news");
    await watcher.poll();
    add(1);
    seenFails = true;
    const failed = await watcher.poll();
    assert.deepEqual(failed.failed, ["news"]);
    assert.equal(sent.length, 0);
    seenFails = false;
    await watcher.poll();
    await watcher.poll();
    assert.deepEqual(
      sent.map((s) => s.room),
      ["a"],
    );
  });

  it("after a takeover, delivers what the previous instance left even when the first check of that feed fails", async () => {
    await subs.subscribe(room("a"), "news");
    refuse.add("a");
    await watcher.poll();
    add(1);
    await watcher.poll();
    assert.equal((await outbox.pending("feed:news")).length, 1);
    refuse.delete("a");
    // A new instance (its own outbox), whose first poll cannot read the seen list.
    const state = createFeedState(store);
    let seenFails = true;
    ({ watcher } = watcherWith(store, {
      catalog,
      subscriptions: subs,
      fetcher,
      state: {
        ...state,
        seen: async (feed) => {
          if (seenFails) throw new Error("store hiccup");
          return state.seen(feed);
        },
      },
      send: recordingSend,
    }));
    await watcher.poll();
    seenFails = false;
    await watcher.poll();
    assert.deepEqual(
      sent.map((s) => s.room),
      ["a"],
    );
  });

  it("gives up a post after repeated failures, and keeps delivering to the other rooms", async () => {
    await subs.subscribe(room("ok"), "news");
    await subs.subscribe(room("dead"), "news");
    refuse.add("dead");
    await watcher.poll();
    add(1);
    for (let i = 0; i < MAX_ATTEMPTS + 1; i++) await watcher.poll();
    assert.deepEqual(
      sent.map((s) => s.room),
      ["ok"],
    );
    assert.deepEqual(await outbox.pending("feed:news"), []);
    refuse.delete("dead");
    await watcher.poll();
    assert.deepEqual(
      sent.map((s) => s.room),
      ["ok"],
    );
  });

  it("drops queued posts of a room that unsubscribed before they went out", async () => {
    await subs.subscribe(room("a"), "news");
    await subs.subscribe(room("b"), "news");
    refuse.add("b");
    await watcher.poll();
    add(1);
    await watcher.poll();
    await subs.unsubscribe(room("b"), "news");
    refuse.delete("b");
    await watcher.poll();
    assert.deepEqual(
      sent.map((s) => s.room),
      ["a"],
    );
    assert.deepEqual(await outbox.pending("feed:news"), []);
  });

  it("forgets the queued posts of a feed nobody follows any more", async () => {
    await subs.subscribe(room("a"), "news");
    refuse.add("a");
    await watcher.poll();
    add(1);
    await watcher.poll();
    assert.equal((await outbox.pending("feed:news")).length, 1);
    await subs.unsubscribe(room("a"), "news");
    await watcher.poll();
    assert.deepEqual(await outbox.pending("feed:news"), []);
  });

  it("moves posts an earlier version left in its own outbox to the one outbox, with their delivery ids", async () => {
    await subs.subscribe(room("a"), "news");
    await watcher.poll();
    const entry = { id: "guid:g1", title: "Left behind", link: "https://news.example/1" };
    await store.namespace("feed-state").set("outbox:news", { entries: { [entry.id]: entry }, items: [{ room: "test:a", entry: entry.id, deliveryId: "0123456789abcdef012345678", attempts: 2 }] });
    const texts: string[] = [];
    ({ watcher, outbox } = watcherWith(store, {
      catalog,
      subscriptions: subs,
      fetcher,
      state: createFeedState(store),
      async send(r, reply, opts) {
        texts.push(renderPlain(reply));
        sent.push({ room: r.id, id: opts.deliveryId });
      },
    }));
    await watcher.poll();
    assert.deepEqual(sent, [{ room: "a", id: "0123456789abcdef012345678" }]);
    assert.match(texts[0]!, /^Left behind <https:\/\/news.example\/1>/);
    assert.equal(await store.namespace("feed-state").get("outbox:news"), undefined);
    await watcher.poll();
    assert.equal(sent.length, 1);
  });

  it("backs off a failing feed exponentially and counts the failures", async () => {
    let clock = new Date("2026-11-25T00:00:00Z");
    const state = createFeedState(store);
    ({ watcher } = watcherWith(store, { catalog, subscriptions: subs, fetcher, state, send: async () => undefined, now: () => clock }));
    await subs.subscribe(room("a"), "news");
    fail = new UpstreamError("news.example", "status", "HTTP 503", { status: 503 });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await watcher.poll();
      assert.deepEqual(r.failed, ["news"]);
      const s = (await state.peek("news"))!;
      const wait = Date.parse(s.nextAttemptAt!) - clock.getTime();
      waits.push(wait / 60_000);
      assert.equal(s.lastError, "HTTP 503");
      clock = new Date(clock.getTime() + wait);
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    fail = undefined;
    const ok = await watcher.poll();
    assert.deepEqual(ok.fetched, ["news"]);
    const s = (await state.peek("news"))!;
    assert.equal(s.failures, 0);
    assert.equal(s.nextAttemptAt, undefined);
  });

  it("keeps a healthy unchanged feed's status as stored, and the feeds service reports it read in the last round", async () => {
    let clock = new Date("2026-11-25T00:00:00Z");
    const state = createFeedState(store);
    let notModified = false;
    const conditional: FeedFetcher = {
      ...fetcher,
      async fetch(url, validators) {
        if (notModified) return { status: "not-modified" };
        return fetcher.fetch(url, validators);
      },
    };
    ({ watcher } = watcherWith(store, { catalog, subscriptions: subs, fetcher: conditional, state, send: async () => undefined, now: () => clock }));
    await subs.subscribe(room("a"), "news");
    await watcher.poll();
    const first = (await state.peek("news"))!;
    assert.equal(first.lastSuccessAt, "2026-11-25T00:00:00.000Z");
    notModified = true;
    clock = new Date("2026-11-25T00:05:00Z");
    const writes: string[] = [];
    const setStatus = state.setStatus.bind(state);
    state.setStatus = async (feed, st) => {
      writes.push(feed);
      await setStatus(feed, st);
    };
    assert.deepEqual((await watcher.poll()).fetched, ["news"]);
    assert.deepEqual(writes, [], "no status write for a healthy feed that did not change");
    assert.deepEqual(await state.peek("news"), first);
    const service = createFeedsService({ catalog, state, fetcher: conditional, cacheTtlMs: 0 });
    assert.equal((await service.statuses([FEED])).get("news")?.lastSuccessAt, "2026-11-25T00:05:00.000Z", "read in the last round");
    // A failure is written at once, and the round's time no longer stands in for a success.
    notModified = false;
    fail = new UpstreamError("news.example", "status", "HTTP 503", { status: 503 });
    clock = new Date("2026-11-25T00:10:00Z");
    await watcher.poll();
    const failing = (await service.statuses([FEED])).get("news")!;
    assert.equal(failing.failures, 1);
    assert.equal(failing.lastSuccessAt, "2026-11-25T00:00:00.000Z");
  });

  describe("large fan-outs", () => {
    const ROOMS = EXACT_FLUSH_LIMIT + 50;
    let reads: number;
    let writes: number;

    /** The store, counting reads and writes of outbox queues. */
    const counting = (s: Store): Store => ({
      ...s,
      namespace<T>(ns: Parameters<Store["namespace"]>[0]): KV<T> {
        const kv = s.namespace<T>(ns);
        if (ns !== "delivery") return kv;
        return {
          ...kv,
          get: async (key) => {
            if (key.startsWith("queue:")) reads++;
            return kv.get(key);
          },
          set: async (key, value, ttl) => {
            if (key.startsWith("queue:")) writes++;
            return kv.set(key, value, ttl);
          },
        };
      },
    });

    beforeEach(async () => {
      reads = 0;
      writes = 0;
      // The default pace, on a clock that the pauses move on.
      ({ watcher, outbox } = watcherWith(counting(store), { catalog, subscriptions: subs, fetcher, state: createFeedState(store), send: recordingSend, sendPaceMs: 250 }));
      for (let i = 0; i < ROOMS; i++) await subs.subscribe(room(`r${i}`), "news");
      await watcher.poll();
    });

    it("delivers once to every room and records the deliveries in batches, not after every paced send", async () => {
      add(1);
      writes = 0;
      const report = await watcher.poll();
      assert.equal(report.sent, ROOMS);
      assert.equal(new Set(sent.map((s) => s.room)).size, ROOMS);
      assert.equal(new Set(sent.map((s) => s.id)).size, ROOMS);
      assert.deepEqual(await outbox.pending("feed:news"), []);
      // One write to queue the posts, then one per batch: far fewer than one per send.
      assert.ok(writes <= 12, `${writes} outbox writes for ${ROOMS} sends`);
      const again = await watcher.poll();
      assert.equal(again.sent, 0);
    });

    it("keeps a failed post of a batch and sends only that one again", async () => {
      refuse.add("r7");
      add(1);
      await watcher.poll();
      assert.equal(sent.length, ROOMS - 1);
      assert.deepEqual(
        (await outbox.pending("feed:news")).map((i) => [i.room, i.attempts]),
        [["test:r7", 1]],
      );
      refuse.delete("r7");
      await watcher.poll();
      assert.deepEqual(
        sent.slice(ROOMS - 1).map((s) => s.room),
        ["r7"],
      );
      assert.equal(new Set(sent.map((s) => s.id)).size, ROOMS);
    });

    it("does not read the outbox again once it is empty", async () => {
      add(1);
      await watcher.poll();
      reads = 0;
      await watcher.poll();
      assert.equal(reads, 0);
      add(1);
      await watcher.poll();
      assert.ok(reads >= 1);
      assert.equal(sent.length, 2 * ROOMS);
    });
  });
});

describe("feeds: the watcher with a provider's pattern feeds", () => {
  it("polls a followed pattern feed no list holds, reads it with the provider's source and posts with its format", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-watch-p-"));
    const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    try {
      const subs = createSubscriptions(store);
      let versions = ["1.0"];
      const reads: string[] = [];
      const def = (name: string): FeedDef => ({ name, title: name, url: `thing://${name}`, kind: "thing", siteUrl: "https://things.example/" });
      const provider: FeedProvider = {
        kind: "thing",
        patterns: [{ pattern: "thing:<name>", description: "a thing's versions" }],
        get: (name) => (/^thing:[a-z]+$/.test(name) ? def(name) : undefined),
        source: {
          async read(feed) {
            reads.push(feed.name);
            return { status: "ok", validators: {}, entries: versions.map((v) => ({ id: `${feed.name}@${v}`, post: () => ({ id: `${feed.name}@${v}`, title: v }) })) };
          },
        },
        format: (feed, entry) => textReply(`${feed.name} is now ${entry.title}`),
      };
      const posts: string[] = [];
      const { watcher } = watcherWith(store, {
        catalog: catalogOf([], [provider]),
        subscriptions: subs,
        fetcher: { fetch: () => Promise.reject(new Error("not RSS")), read: () => Promise.reject(new Error("not RSS")) },
        state: createFeedState(store),
        async send(_r, reply) {
          posts.push(renderPlain(reply));
        },
      });
      await subs.subscribe(room("a"), "thing:x");
      await watcher.poll();
      assert.deepEqual(reads, ["thing:x"]);
      assert.deepEqual(posts, [], "first sight posts nothing");
      versions = ["1.1", "1.0"];
      await watcher.poll();
      assert.deepEqual(posts, ["thing:x is now 1.1"]);
      await subs.unsubscribe(room("a"), "thing:x");
      await watcher.poll();
      assert.deepEqual(reads, ["thing:x", "thing:x"], "not read once nobody follows it");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
