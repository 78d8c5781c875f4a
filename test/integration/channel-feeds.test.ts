import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordedChannels, startFakePrometheus, type FakePrometheus } from "../helpers/fake-prometheus.js";
import { startTestBot, type SentMessage, type TestBot } from "../helpers/test-bot.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const NEVER = "0 0 1 1 *";
const NEW_UNSTABLE = "abcdef0123456789abcdef0123456789abcdef01";
const NEW_STABLE = "1111111111222222222233333333334444444444";

describe("channel feeds: advance, stuck and recovery posts, exactly once", function () {
  this.timeout(30_000);
  let dir: string;
  let store: string;
  let fake: FakePrometheus;
  let t: TestBot | undefined;
  const now = (): number => Math.floor(Date.now() / 1000);

  async function bot(): Promise<TestBot> {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, http: { retries: 0, timeoutMs: 2000 }, channels: { cacheSeconds: 0 } }));
    return startTestBot({ NIXIE_PROMETHEUS_URL: fake.url, NIXIE_CHANNELS_URL: fake.mirrorUrl, NIXIE_FEEDS_CRON: NEVER, NIXIE_CONFIG: path, NIXIE_STORE_URL: `sqlite://${store}` });
  }
  const sentTo = (room: string): SentMessage[] => t!.adapter.sent.filter((m) => m.room.id === room);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-channel-feeds-"));
    store = join(dir, "nixie.sqlite");
    const ages: Record<string, number> = { "nixos-unstable": 14 * HOUR, "nixos-26.05": 5 * DAY, "nixpkgs-unstable": 12 * DAY, "nixos-25.11": 200 * DAY };
    fake = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: now() - (ages[c.name] ?? HOUR) })));
    t = await bot();
  });
  after(async () => {
    await t?.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("subscribes rooms to channels and channel:<name>; an unknown channel is refused", async () => {
    assert.match(await t!.ask("!subscribe channels", { room: "r1", manager: true }), /Subscribed: new entries of NixOS channels/);
    assert.match(await t!.ask("!subscribe channels", { room: "r2", manager: true }), /Subscribed/);
    assert.match(await t!.ask("!subscribe channel:nixos-unstable", { room: "r3", manager: true }), /Subscribed: new entries of Channel nixos-unstable/);
    assert.match(
      await t!.ask("!subscribe channel:nixos-unstabel", { room: "r3", manager: true }),
      /There is no channel "nixos-unstabel" now\. Current channels: nixos-26\.05, nixos-unstable, nixpkgs-unstable/,
    );
    assert.deepEqual(await t!.bot.services.subscriptions.list({ platform: "test", id: "r3" }), ["channel:nixos-unstable"]);
    assert.match(
      await t!.ask("!subscribe channel:Nixos_Unstable!", { room: "r3", manager: true }),
      /There is no feed "channel:Nixos_Unstable!"\. Feeds: .*, channels, channel:<name>(, hydra:<attr>, hydra:<attr>@<channel>)?(, pkg:<attr>, pkg:<attr>@<channel>)? \(/,
    );
    assert.equal(t!.bot.services.feeds.catalog.get("channel:../x"), undefined);
    assert.equal(t!.bot.services.feeds.catalog.get("channel:nixos-unstable")?.kind, "channels");
  });

  it("first poll: no backfill, even for a channel already stuck (nixpkgs-unstable, 12 d)", async () => {
    fake.queries.length = 0;
    const report = await t!.bot.feeds.pollNow();
    assert.deepEqual(report.failed, []);
    assert.deepEqual(t!.adapter.sent, []);
    assert.equal(fake.queries.length, 3, "one poll costs three Prometheus requests");
  });

  it("an advance: one post per subscribed room, with the interval from the update times and a compare link", async () => {
    const c = fake.channels.get("nixos-unstable")!;
    const before = c.updateTime;
    c.revision = NEW_UNSTABLE;
    c.updateTime = before + 13 * HOUR;
    fake.queries.length = 0;
    await t!.bot.feeds.pollNow();
    assert.equal(fake.queries.length, 3);
    for (const room of ["r1", "r2", "r3"]) {
      const posts = sentTo(room);
      assert.equal(posts.length, 1, room);
      assert.match(posts[0]!.text, /nixos-unstable advanced: 0123456 → abcdef0, 13 h after the previous one/);
      assert.match(posts[0]!.text, /https:\/\/github\.com\/NixOS\/nixpkgs\/compare\/0123456789abcdef0123456789abcdef01234567\.\.\.abcdef0123456789abcdef0123456789abcdef01/);
      assert.match(posts[0]!.opts?.deliveryId ?? "", /^[0-9a-f]{25}$/);
    }
    await t!.bot.feeds.pollNow();
    assert.equal(t!.adapter.sent.length, 3, "nothing twice");
  });

  it("after a restart: nothing posted again; !channel shows the previous revision with a compare link", async () => {
    await t!.stop();
    t = await bot();
    await t.bot.feeds.pollNow();
    assert.deepEqual(t.adapter.sent, []);
    const text = await t.ask("!channel nixos-unstable");
    assert.match(
      text,
      /Previous revision: 0123456 <https:\/\/github\.com\/NixOS\/nixpkgs\/commit\/0123456789abcdef0123456789abcdef01234567> \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\) · compare <https:\/\/github\.com\/NixOS\/nixpkgs\/compare\/0123456789abcdef0123456789abcdef01234567\.\.\.abcdef0123456789abcdef0123456789abcdef01>/,
    );
  });

  it("a channel crossing 10 days gets one stuck post (not in rooms following another channel)", async () => {
    fake.channels.get("nixos-26.05")!.updateTime = now() - 10 * DAY - 4 * HOUR;
    await t!.bot.feeds.pollNow();
    await t!.bot.feeds.pollNow();
    for (const room of ["r1", "r2"]) {
      assert.equal(sentTo(room).length, 1, room);
      assert.match(sentTo(room)[0]!.text, /nixos-26\.05 is stuck: no update for 10 days \(still at fedcba9, since/);
    }
    assert.equal(sentTo("r3").length, 0);
  });

  it("then one recovery post when it advances again", async () => {
    const c = fake.channels.get("nixos-26.05")!;
    const stuckSince = c.updateTime;
    c.revision = NEW_STABLE;
    c.updateTime = stuckSince + 10 * DAY + 3 * HOUR;
    await t!.bot.feeds.pollNow();
    await t!.bot.feeds.pollNow();
    for (const room of ["r1", "r2"]) {
      assert.equal(sentTo(room).length, 2, room);
      assert.match(sentTo(room)[1]!.text, /nixos-26\.05 recovered after being stuck: fedcba9 → 1111111, 10 d 3 h after the previous one/);
    }
  });

  it("a channel that disappears is not called stuck, and its return with the same revision posts nothing", async () => {
    const gone = fake.channels.get("nixos-unstable")!;
    fake.channels.delete("nixos-unstable");
    const sent = t!.adapter.sent.length;
    await t!.bot.feeds.pollNow();
    assert.equal(t!.adapter.sent.length, sent);
    assert.match(await t!.ask("!channel nixos-unstable"), /There is no channel "nixos-unstable" now/);
    fake.channels.set(gone.name, gone);
    await t!.bot.feeds.pollNow();
    assert.equal(t!.adapter.sent.length, sent);
  });

  it("!feeds lists both channel feeds with their rooms and health; a failing Prometheus backs off and posts nothing", async () => {
    let text = await t!.ask("!feeds", { room: "r1" });
    assert.match(text, /`channels` — NixOS channels <https:\/\/status\.nixos\.org> — 2 rooms \(this one too\) — last read just now/);
    assert.match(text, /`channel:nixos-unstable` — Channel nixos-unstable <https:\/\/status\.nixos\.org> — 1 room — last read just now/);
    assert.match(text, /`channel:<name>` — one channel's advances and stuck warnings/);
    assert.doesNotMatch(text, /`channel:nixos-26\.05`/, "nobody follows it");
    fake.override("channel_revision", { status: 400, body: { status: "error", errorType: "bad_data", error: "parse error" } });
    fake.mirrorDown(true);
    const sent = t!.adapter.sent.length;
    const report = await t!.bot.feeds.pollNow();
    assert.deepEqual(report.failed.sort(), ["channel:nixos-unstable", "channels"]);
    text = await t!.ask("!feeds", { room: "r1" });
    assert.match(text, /`channels` — .*⚠ failing since .*answered something nixie cannot read \(bad_data: parse error\); next try/);
    const queries = fake.queries.length;
    await t!.bot.feeds.pollNow();
    assert.equal(fake.queries.length, queries, "backing off: not asked again at once");
    assert.equal(t!.adapter.sent.length, sent);
    fake.override("channel_revision", undefined);
    fake.mirrorDown(false);
  });
});

describe("channel feeds: another instance on the same store takes over", function () {
  this.timeout(30_000);
  it("posts an advance queued by an instance that could not send exactly once, from the instance that took over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-channel-handover-"));
    const now = Math.floor(Date.now() / 1000);
    const fake = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: now - 14 * HOUR })));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, channels: { cacheSeconds: 0 } }));
    const env = { NIXIE_PROMETHEUS_URL: fake.url, NIXIE_CHANNELS_URL: fake.mirrorUrl, NIXIE_FEEDS_CRON: NEVER, NIXIE_CONFIG: config, NIXIE_STORE_URL: `sqlite://${join(dir, "shared.sqlite")}` };
    const a = await startTestBot(env);
    let b: TestBot | undefined;
    try {
      for (const room of ["r1", "r2"]) await a.ask("!subscribe channels", { room, manager: true });
      await a.bot.feeds.pollNow();
      const c = fake.channels.get("nixos-unstable")!;
      c.revision = NEW_UNSTABLE;
      c.updateTime = now - HOUR;
      a.adapter.failSends(true);
      const report = await a.bot.feeds.pollNow();
      assert.equal(report.newEntries, 1);
      assert.equal(report.sent, 0);
      await a.stop();

      b = await startTestBot(env);
      await b.bot.feeds.pollNow();
      await b.bot.feeds.pollNow();
      assert.deepEqual(b.adapter.sent.map((m) => m.room.id).sort(), ["r1", "r2"]);
      assert.match(b.adapter.sent[0]!.text, /nixos-unstable advanced: 0123456 → abcdef0, 13 h after the previous one/);
    } finally {
      await b?.stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
