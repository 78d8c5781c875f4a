/**
 * End to end on Discord: the whole bot with the real discord.js client against the loopback fake
 * Discord (test/helpers/fake-discord.ts) and the fake search backend. Hermetic, so it runs in
 * `npm test`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands } from "../../commands/index.js";
import { slashCommandsFor } from "../../src/adapters/discord/slash.js";
import type { Bot } from "../../src/bot.js";
import { roomKey, type RoomRef } from "../../src/core/adapter.js";
import { availableCommands } from "../../src/core/command.js";
import { cardBlock, rich } from "../../src/core/reply.js";
import { deliveryId } from "../../src/delivery/id.js";
import { IDS, USERS, autocomplete, callbackOf, slashCommand, startFakeDiscord, webhookCalls, type FakeDiscord, type RestCall } from "../helpers/fake-discord.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { startPlatformBot } from "../helpers/platform-bot.js";

type Json = Record<string, unknown>;

const EPHEMERAL = 1 << 6;
const INTENTS = { guilds: 1, guildMessages: 1 << 9, directMessages: 1 << 12, messageContent: 1 << 15 };

const dataOf = (c: RestCall | undefined): Json => ((c?.body as Json | undefined)?.["data"] ?? {}) as Json;
const embedsOf = (body: unknown): Json[] => ((body as Json | undefined)?.["embeds"] ?? []) as Json[];

describe("Discord end to end (discord.js against a fake Discord)", function () {
  this.timeout(15_000);
  let fake: FakeDiscord;
  let search: FakeSearch;
  let feeds: FakeFeeds;
  let bot: Bot;
  let dir: string;

  before(async () => {
    fake = await startFakeDiscord({ heartbeatInterval: 300 });
    search = await startFakeSearch();
    feeds = await startFakeFeeds();
    dir = mkdtempSync(join(tmpdir(), "nixie-discord-"));
    bot = await startPlatformBot(dir, {
      NIXIE_SEARCH_URL: search.url,
      NIXIE_DISCOURSE_URL: feeds.url,
      NIXIE_NIXHOUR_FEED: feeds.nixhourUrl,
      DISCORD_TOKEN: "fake-bot-token",
      DISCORD_APPLICATION_ID: IDS.app,
      DISCORD_API_URL: fake.apiUrl,
    });
  });

  after(async () => {
    await bot?.stop();
    await fake?.close();
    await search?.close();
    await feeds?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("connects with the configured token and only the non-privileged intents", async () => {
    assert.deepEqual(
      bot.adapters.map((a) => a.platform),
      ["discord"],
    );
    assert.ok(bot.adapters[0]!.isConnected());
    const identify = fake.gateway.find((f) => f["op"] === 2);
    const d = identify?.["d"] as Json;
    assert.equal(d["token"], "fake-bot-token");
    assert.equal(d["intents"], INTENTS.guilds | INTENTS.guildMessages | INTENTS.directMessages);
    assert.equal(fake.rest[0]?.auth, "Bot fake-bot-token");
    // The bot never registers commands at start.
    assert.deepEqual(fake.calls("PUT", /commands$/), []);
  });

  it("answers a quick slash command at once, without mentions", async () => {
    const i = slashCommand("help", [{ name: "command", type: 3, value: "pkg" }]);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the /help answer", () => callbackOf(fake, i));
    assert.equal((cb.body as Json)["type"], 4);
    const data = dataOf(cb);
    assert.match(String(data["content"]), /`\/pkg query:<query> \[channel:<channel>\]`/, "usage in slash syntax");
    assert.deepEqual(data["allowed_mentions"], { parse: [] });
    assert.ok(!((Number(data["flags"] ?? 0) & EPHEMERAL) !== 0), "a normal answer is public");
  });

  it("/pkg firefox is deferred, then the reply is edited with an embed", async () => {
    const i = slashCommand("pkg", [{ name: "query", type: 3, value: "firefox" }]);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the deferral", () => callbackOf(fake, i));
    assert.equal((cb.body as Json)["type"], 5, "deferred channel message");
    const edit = await fake.waitFor("the edit", () => webhookCalls(fake, i).find((c) => c.method === "PATCH"));
    assert.match(edit.path, /\/messages\/@original$/);
    const embeds = embedsOf(edit.body);
    assert.ok(embeds.length >= 1);
    assert.match(String(embeds[0]!["title"]), /^firefox /);
    assert.match(String(embeds[0]!["url"]), /^https:\/\/search\.nixos\.org\/packages\?/);
    assert.deepEqual((edit.body as Json)["allowed_mentions"], { parse: [] });
    assert.equal(search.requests.length > 0, true);
    assert.deepEqual(search.problems, []);
  });

  it("passes integer options through as numbers (/nixhour count:2)", async () => {
    const i = slashCommand("nixhour", [{ name: "count", type: 4, value: 2 }]);
    fake.dispatch("INTERACTION_CREATE", i);
    const edit = await fake.waitFor("the edit", () => webhookCalls(fake, i).find((c) => c.method === "PATCH"));
    const content = String((edit.body as Json)["content"]);
    assert.equal(content.match(/^• /gm)?.length, 2, content);
  });

  it("autocomplete answers with at most 25 choices of at most 100 characters, within Discord's 3 s", async () => {
    const i = autocomplete("pkg", [{ name: "query", type: 3, value: "fire", focused: true }]);
    fake.dispatch("INTERACTION_CREATE", i);
    // Discord drops an autocomplete answer that comes later than 3 s after the interaction.
    const cb = await fake.waitFor("the autocomplete answer", () => callbackOf(fake, i), 3000);
    assert.equal((cb.body as Json)["type"], 8);
    const choices = dataOf(cb)["choices"] as { name: string; value: string }[];
    assert.ok(choices.length >= 1 && choices.length <= 25, `got ${choices.length} choices`);
    assert.ok(
      choices.some((c) => c.value === "firefox"),
      JSON.stringify(choices),
    );
    for (const c of choices) assert.ok([...c.name].length <= 100 && [...c.value].length <= 100);
  });

  it("autocomplete of a choice-like option comes from the definition", async () => {
    const i = autocomplete("pkg", [
      { name: "channel", type: 3, value: "2", focused: true },
      { name: "query", type: 3, value: "" },
    ]);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the autocomplete answer", () => callbackOf(fake, i), 3000);
    assert.deepEqual(dataOf(cb)["choices"], [{ name: "26.05", value: "26.05" }]);
  });

  it("autocomplete passes the options already filled in (the option source)", async () => {
    const i = autocomplete("option", [
      { name: "source", type: 3, value: "home-manager" },
      { name: "query", type: 3, value: "programs.gi", focused: true },
    ]);
    fake.dispatch("INTERACTION_CREATE", i);
    await fake.waitFor("the autocomplete answer", () => callbackOf(fake, i), 3000);
    assert.ok(search.requests.at(-1)!.strings.includes("home-manager-option"), "Home Manager options were asked");
  });

  it("an error is ephemeral", async () => {
    const i = slashCommand("help", [{ name: "command", type: 3, value: "nosuchcommand" }]);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the error answer", () => callbackOf(fake, i));
    const data = dataOf(cb);
    assert.equal((cb.body as Json)["type"], 4);
    assert.equal(Number(data["flags"]) & EPHEMERAL, EPHEMERAL);
    assert.match(String(data["content"]), /There is no command/);
  });

  it("an error after deferring replaces the public deferral with an ephemeral follow-up", async () => {
    const i = slashCommand("pkg", [
      { name: "query", type: 3, value: "firefox" },
      { name: "channel", type: 3, value: "17.03" },
    ]);
    fake.dispatch("INTERACTION_CREATE", i);
    const followUp = await fake.waitFor("the follow-up", () => webhookCalls(fake, i).find((c) => c.method === "POST"));
    assert.equal((callbackOf(fake, i)?.body as Json)["type"], 5);
    assert.ok(webhookCalls(fake, i).some((c) => c.method === "DELETE" && c.path.endsWith("/messages/@original")));
    assert.equal(Number((followUp.body as Json)["flags"]) & EPHEMERAL, EPHEMERAL);
    assert.deepEqual((followUp.body as Json)["allowed_mentions"], { parse: [] });
  });

  it("a send repeated with the same delivery id creates one message (enforced nonce)", async () => {
    const room = { platform: "discord" as const, id: IDS.otherChannel };
    const reply = { blocks: [cardBlock({ title: "NixOS 26.05 released", url: "https://discourse.nixos.org/t/1", description: rich("@everyone it is out") })] };
    const before = fake.messages.get(IDS.otherChannel)!.length;
    await bot.sendTo(room, reply, { deliveryId: "0123456789abcdef012345678" });
    // A retried send (say, after a crash before the delivery was recorded) posts nothing new.
    await bot.sendTo(room, reply, { deliveryId: "0123456789abcdef012345678" });
    const posts = fake.calls("POST", new RegExp(`^/channels/${IDS.otherChannel}/messages$`));
    assert.equal(posts.length, 2);
    for (const p of posts) {
      assert.equal((p.body as Json)["nonce"], "0123456789abcdef012345678");
      assert.equal((p.body as Json)["enforce_nonce"], true);
      assert.deepEqual((p.body as Json)["allowed_mentions"], { parse: [] });
    }
    const created = fake.messages.get(IDS.otherChannel)!.slice(before);
    assert.equal(created.length, 1);
    assert.equal(embedsOf(created[0])[0]!["title"], "NixOS 26.05 released");
    assert.match(String(embedsOf(created[0])[0]!["description"]), /@\u200beveryone/);
  });

  it("/subscribe by a member without Manage Channels is refused; a moderator subscribes", async () => {
    const room: RoomRef = { platform: "discord", id: IDS.channel };
    const refused = slashCommand("subscribe", [{ name: "feed", type: 3, value: "announcements" }], USERS.alice);
    fake.dispatch("INTERACTION_CREATE", refused);
    const no = await fake.waitFor("the refusal", () => callbackOf(fake, refused));
    assert.equal(Number(dataOf(no)["flags"]) & EPHEMERAL, EPHEMERAL);
    assert.match(String(dataOf(no)["content"]), /Only room managers/);
    assert.deepEqual(await bot.services.subscriptions.list(room), []);

    const allowed = slashCommand("subscribe", [{ name: "feed", type: 3, value: "announcements" }], USERS.mod);
    fake.dispatch("INTERACTION_CREATE", allowed);
    const yes = await fake.waitFor("the confirmation", () => callbackOf(fake, allowed));
    assert.match(String(dataOf(yes)["content"]), /^Subscribed/);
    assert.deepEqual(await bot.services.subscriptions.list(room), ["announcements"]);
  });

  it("a new feed entry is posted to the channel once, with its delivery id as the enforced nonce", async () => {
    const room: RoomRef = { platform: "discord", id: IDS.channel };
    const posts = () => fake.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`));
    await bot.feeds.pollNow(); // first sight: what is there now is old news
    assert.equal(posts().length, 0);
    feeds.addTopic("announcements", { id: 90101, title: "NixOS 26.11 released" });
    await bot.feeds.pollNow();
    await bot.feeds.pollNow();
    assert.equal(posts().length, 1);
    const body = posts()[0]!.body as Json;
    assert.equal(body["nonce"], deliveryId(roomKey(room), "announcements", "topic:90101"));
    assert.equal(body["enforce_nonce"], true);
    assert.deepEqual(body["allowed_mentions"], { parse: [] });
    assert.match(JSON.stringify(body), /NixOS 26\.11 released/);
    assert.equal(fake.messages.get(IDS.channel)!.length, 1);
  });

  it("a channel that is gone loses its subscriptions; the others still get the post", async () => {
    const gone: RoomRef = { platform: "discord", id: IDS.otherChannel };
    await bot.services.subscriptions.subscribe(gone, "announcements");
    fake.deleteChannel(IDS.otherChannel);
    feeds.addTopic("announcements", { id: 90102, title: "Another announcement" });
    await bot.feeds.pollNow();
    assert.deepEqual(await bot.services.subscriptions.list(gone), []);
    assert.deepEqual(await bot.services.subscriptions.list({ platform: "discord", id: IDS.channel }), ["announcements"]);
    assert.equal(fake.messages.get(IDS.channel)!.length, 2);
  });

  it("survives a gateway disconnect (resumes) and answers again", async () => {
    const identifies = fake.gateway.filter((f) => f["op"] === 2).length;
    fake.disconnect(4000);
    await fake.waitFor("a RESUME", () => fake.gateway.some((f) => f["op"] === 6), 8000);
    const resume = fake.gateway.find((f) => f["op"] === 6)!["d"] as Json;
    assert.equal(resume["token"], "fake-bot-token");
    assert.equal(resume["session_id"], "session-1");
    const i = slashCommand("about", [], USERS.mod);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the answer after the resume", () => callbackOf(fake, i), 5000);
    assert.equal((cb.body as Json)["type"], 4);
    assert.equal(fake.gateway.filter((f) => f["op"] === 2).length, identifies, "resumed, not identified anew");
    assert.ok(bot.adapters[0]!.isConnected());
  });

  it("resumes a zombie connection (heartbeats not acknowledged) and answers again", async () => {
    const resumes = fake.gateway.filter((f) => f["op"] === 6).length;
    fake.ackHeartbeats(false);
    await fake.waitFor("a RESUME after missed ACKs", () => fake.gateway.filter((f) => f["op"] === 6).length > resumes, 5000);
    fake.ackHeartbeats(true);
    const i = slashCommand("about", [], USERS.mod);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the answer after the resume", () => callbackOf(fake, i), 5000);
    assert.equal((cb.body as Json)["type"], 4);
  });

  it("the slash commands it answers are the ones deploy-commands registers", () => {
    // deploy-commands registers the commands that work on this machine (/eval only where Nix's
    // self-test passes), the same filter the dispatcher applies.
    const names = slashCommandsFor(availableCommands(commands, bot.services)).map((c) => c.name);
    assert.ok(names.includes("pkg") && names.includes("about"), names.join(", "));
    for (const n of names) assert.ok(bot.dispatcher.find(n), n);
    for (const c of commands) if (!names.includes(c.name)) assert.equal(bot.dispatcher.find(c.name), undefined, c.name);
  });
});
