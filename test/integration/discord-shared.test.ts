/**
 * The Discord adapter beside another adapter in one process (as with Matrix and Discord configured
 * together): one store, one dispatcher, one feed job. Each platform answers its own users, and one
 * poll of a feed posts a new entry to the subscribed rooms of both.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "../../src/bot.js";
import type { RoomRef } from "../../src/core/adapter.js";
import { renderPlain } from "../../src/render/plain.js";
import { IDS, USERS, callbackOf, slashCommand, startFakeDiscord, type FakeDiscord } from "../helpers/fake-discord.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { createTestAdapter, type TestAdapter } from "../helpers/test-bot.js";
import { startPlatformBot } from "../helpers/platform-bot.js";

type Json = Record<string, unknown>;

describe("Discord beside another adapter in one process", function () {
  this.timeout(15_000);
  let fake: FakeDiscord;
  let feeds: FakeFeeds;
  let bot: Bot;
  let other: TestAdapter;
  let dir: string;

  before(async () => {
    fake = await startFakeDiscord({ heartbeatInterval: 300 });
    feeds = await startFakeFeeds();
    dir = mkdtempSync(join(tmpdir(), "nixie-shared-"));
    other = createTestAdapter();
    bot = await startPlatformBot(
      dir,
      { NIXIE_DISCOURSE_URL: feeds.url, NIXIE_NIXHOUR_FEED: feeds.nixhourUrl, DISCORD_TOKEN: "fake-bot-token", DISCORD_APPLICATION_ID: IDS.app, DISCORD_API_URL: fake.apiUrl },
      [other],
    );
  });

  after(async () => {
    await bot?.stop();
    await fake?.close();
    await feeds?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs both, and !about names both", async () => {
    assert.deepEqual(
      bot.adapters.map((a) => a.platform),
      ["test", "discord"],
    );
    const about = await other.say("!about");
    assert.match(renderPlain(about!), /test.*discord|discord.*test/);
  });

  it("keeps rooms apart: a subscription on one platform is not one on the other", async () => {
    const discordRoom: RoomRef = { platform: "discord", id: IDS.channel };
    const i = slashCommand("subscribe", [{ name: "feed", type: 3, value: "announcements" }], USERS.mod);
    fake.dispatch("INTERACTION_CREATE", i);
    await fake.waitFor("the confirmation", () => callbackOf(fake, i));
    assert.match(renderPlain((await other.say("!subscriptions"))!), /^This room follows no feeds/);
    assert.match(renderPlain((await other.say("!subscribe announcements", { manager: true }))!), /^Subscribed/);
    assert.deepEqual(await bot.services.subscriptions.list(discordRoom), ["announcements"]);
    assert.deepEqual(await bot.services.subscriptions.list({ platform: "test", id: "room1" }), ["announcements"]);
  });

  it("one poll fetches the feed once and posts the new entry on both platforms", async () => {
    await bot.feeds.pollNow(); // first sight
    const fetchesBefore = feeds.count("announcements").requests;
    feeds.addTopic("announcements", { id: 90002, title: "Topic 2" });
    await bot.feeds.pollNow();
    assert.equal(feeds.count("announcements").requests, fetchesBefore + 1);
    const discordPosts = fake.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`));
    assert.equal(discordPosts.length, 1);
    assert.match(JSON.stringify(discordPosts[0]!.body), /Topic 2/);
    assert.equal(other.sent.length, 1);
    assert.match(other.sent[0]!.text, /Topic 2/);
    // Each platform got its own delivery id (room + feed + entry).
    assert.notEqual((discordPosts[0]!.body as Json)["nonce"], other.sent[0]!.opts?.deliveryId);
    assert.equal((discordPosts[0]!.body as Json)["enforce_nonce"], true);
  });
});
