import assert from "node:assert/strict";
import { startHealthServer, type HealthServer } from "../../src/ops/health.js";
import { createMetrics, type Metrics } from "../../src/ops/metrics.js";
import { startFakeFeeds } from "../helpers/fake-feeds.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

describe("health and metrics server", () => {
  let t: TestBot;
  let metrics: Metrics;
  let health: HealthServer;
  beforeEach(async () => {
    metrics = createMetrics({ defaultMetrics: false });
    t = await startTestBot({}, { onCommand: (e) => metrics.onCommand(e), onHttpEvent: (e) => metrics.onHttp(e) });
    health = await startHealthServer({ adapters: () => t.bot.adapters, store: t.bot.services.store, metrics }, 0, "127.0.0.1");
  });
  afterEach(async () => {
    await health.close();
    await t.stop();
  });

  it("answers /healthz with 200 when the adapters are connected and the store answers", async () => {
    const res = await fetch(`${health.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok", adapters: { test: "connected" }, store: "ok", reasons: [] });
  });

  it("answers 503 with the reason when an adapter is disconnected", async () => {
    await t.adapter.stop();
    const res = await fetch(`${health.url}/healthz`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { status: string; reasons: string[] };
    assert.equal(body.status, "unavailable");
    assert.deepEqual(body.reasons, ["test adapter is not connected"]);
  });

  it("answers 200 degraded, with the reason, when one adapter is connected and another is not", async () => {
    const down = { platform: "matrix" as const, start: async () => undefined, send: async () => undefined, stop: async () => undefined, isConnected: () => false };
    const both = await startHealthServer({ adapters: () => [...t.bot.adapters, down], store: t.bot.services.store, metrics }, 0, "127.0.0.1");
    try {
      const res = await fetch(`${both.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "degraded", adapters: { test: "connected", matrix: "disconnected" }, store: "ok", reasons: ["matrix adapter is not connected"] });
    } finally {
      await both.close();
    }
  });

  it("answers 503 when the store does not answer", async () => {
    await t.bot.services.store.close();
    const res = await fetch(`${health.url}/healthz`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { store: string; reasons: string[] };
    assert.equal(body.store, "unavailable");
    assert.match(body.reasons[0] ?? "", /^sqlite store does not answer/);
  });

  it("serves Prometheus metrics for commands and upstream requests", async () => {
    await t.ask("!help");
    await t.ask("!help nosuch");
    metrics.onHttp({ service: "search.nixos.org", outcome: "ok", status: 200, ms: 12 });
    metrics.onHttp({ service: "search.nixos.org", outcome: "cache-hit", ms: 0 });
    metrics.onHttp({ service: "wiki.nixos.org", outcome: "error", status: 503, ms: 40 });
    metrics.onFeed({ kind: "poll", feed: "announcements", outcome: "error" });
    metrics.onFeed({ kind: "backoff", feed: "announcements", seconds: 600 });
    const res = await fetch(`${health.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.match(text, /nixie_commands_total\{command="help",platform="test",outcome="ok"\} 1/);
    assert.match(text, /nixie_commands_total\{command="help",platform="test",outcome="user-error"\} 1/);
    assert.match(text, /nixie_command_duration_seconds_count\{command="help",platform="test"\} 2/);
    assert.match(text, /nixie_upstream_requests_total\{service="search.nixos.org",outcome="ok"\} 1/);
    assert.match(text, /nixie_cache_hits_total\{service="search.nixos.org"\} 1/);
    assert.match(text, /nixie_upstream_errors_total\{service="wiki.nixos.org",status="503"\} 1/);
    assert.match(text, /nixie_feed_failures_total\{feed="announcements"\} 1/);
    assert.match(text, /nixie_feed_backoff_seconds\{feed="announcements"\} 600/);
  });

  it("counts feed polls, new entries, posts, failures and back-off from the feed job", async () => {
    const feeds = await startFakeFeeds();
    const m = createMetrics({ defaultMetrics: false });
    const bot = await startTestBot({ NIXIE_DISCOURSE_URL: feeds.url, NIXIE_NIXHOUR_FEED: feeds.nixhourUrl, NIXIE_FEEDS_CRON: "0 0 1 1 *" }, { onFeedEvent: (e) => m.onFeed(e) });
    try {
      await bot.bot.services.subscriptions.subscribe({ platform: "test", id: "room1" }, "announcements");
      await bot.bot.feeds.pollNow(); // first sight: silent
      feeds.addTopic("announcements", { id: 424_242, title: "Ocean Sprint 2027" });
      await bot.bot.feeds.pollNow();
      feeds.fault("announcements", { status: 500 });
      await bot.bot.feeds.pollNow();
      const text = await m.render();
      assert.match(text, /nixie_feed_polls_total\{feed="announcements",outcome="ok"\} 2/);
      assert.match(text, /nixie_feed_polls_total\{feed="announcements",outcome="error"\} 1/);
      assert.match(text, /nixie_feed_new_entries_total\{feed="announcements"\} 1/);
      assert.match(text, /nixie_feed_posts_total\{feed="announcements",outcome="ok"\} 1/);
      assert.match(text, /nixie_feed_failures_total\{feed="announcements"\} 1/);
      assert.match(text, /nixie_feed_backoff_seconds\{feed="announcements"\} 60/);
    } finally {
      await bot.stop();
      await feeds.close();
    }
  });

  it("answers 404 elsewhere and 405 for other methods", async () => {
    assert.equal((await fetch(`${health.url}/`)).status, 404);
    assert.equal((await fetch(`${health.url}/healthz`, { method: "POST" })).status, 405);
  });
});
