/**
 * The Discord adapter's own behaviour with the real discord.js client against the fake Discord,
 * driven by small test commands: run-time room-manager checks (slash and prefix), acknowledging
 * in time, autocomplete bounds and timeouts, rate-limit silence, channels that are gone.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { RateLimitError } from "discord.js";
import { createDiscordAdapter, DiscordRoomGoneError } from "../../src/adapters/discord/adapter.js";
import { loadConfig } from "../../src/config.js";
import type { Adapter, RoomRef } from "../../src/core/adapter.js";
import { defineCommand, type CommandDef } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply } from "../../src/core/reply.js";
import { createServices } from "../../src/services.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { IDS, USERS, autocomplete, callbackOf, messageCreate, slashCommand, startFakeDiscord, webhookCalls, type FakeDiscord, type FakeUser, type RestCall } from "../helpers/fake-discord.js";

type Json = Record<string, unknown>;
const EPHEMERAL = 1 << 6;
const MESSAGE_CONTENT = 1 << 15;

const dataOf = (c: RestCall | undefined): Json => ((c?.body as Json | undefined)?.["data"] ?? {}) as Json;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const testCommands: CommandDef[] = [
  defineCommand({ name: "guarded", summary: "Needs Manage Channels", needsManager: true, options: [], run: async () => textReply("managed") }),
  defineCommand({ name: "sleepy", summary: "Not marked slow, but takes a while", options: [], run: async () => (await sleep(600), textReply("awake")) }),
  defineCommand({
    name: "echo",
    summary: "Says its text",
    options: [{ name: "text", type: "string", description: "what to say", positional: true, rest: true, required: true }],
    run: async (a) => textReply(String(a["text"])),
  }),
  defineCommand({
    name: "pick",
    summary: "Autocomplete cases",
    options: [
      {
        name: "many",
        type: "string",
        description: "40 long choices",
        complete: async () => Array.from({ length: 40 }, (_, i) => ({ name: `${i} ${"x".repeat(150)}`, value: `${i}${"y".repeat(150)}` })),
      },
      { name: "hang", type: "string", description: "never answers", complete: () => new Promise(() => undefined) },
      { name: "boom", type: "string", description: "throws", complete: async () => Promise.reject(new Error("upstream down")) },
    ],
    run: async () => textReply("picked"),
  }),
];

interface Harness {
  readonly fake: FakeDiscord;
  readonly adapter: Adapter;
  readonly gone: RoomRef[];
  stop(): Promise<void>;
}

async function startHarness(o: { prefixCommands: boolean }): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-discord-"));
  const fake = await startFakeDiscord({ heartbeatInterval: 300 });
  const { config, secrets } = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true });
  const log = pino({ level: process.env["NIXIE_TEST_LOG"] ?? "silent" });
  const store: Store = await openStore(`sqlite://${join(dir, "nixie.sqlite")}`);
  const services = createServices({ config, secrets, log, store, adapters: () => ["discord"] });
  const dispatcher = createDispatcher({
    commands: testCommands,
    services,
    prefix: "!",
    maxMessageLength: 4000,
    maxArgLength: 200,
    rateLimiter: new RateLimiter(3, 1),
    log,
  });
  const gone: RoomRef[] = [];
  const adapter = createDiscordAdapter({
    token: "another-token",
    applicationId: IDS.app,
    apiUrl: `${fake.apiUrl}/`,
    prefixCommands: o.prefixCommands,
    dispatcher,
    log,
    onRoomGone: async (room) => (gone.push(room), 2),
    sendPaceMs: 20,
    // Short, but with room for a busy machine: quick answers take a few milliseconds.
    autocompleteTimeoutMs: 400,
    deferAfterMs: 250,
  });
  await adapter.start((m) => dispatcher.handle(m));
  return {
    fake,
    adapter,
    gone,
    async stop() {
      await adapter.stop();
      await fake.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Dispatches an interaction and waits for Discord's callback. */
async function interact(fake: FakeDiscord, i: Json, what: string): Promise<RestCall> {
  fake.dispatch("INTERACTION_CREATE", i);
  return fake.waitFor(what, () => callbackOf(fake, i));
}

describe("Discord adapter: slash commands (fake Discord)", function () {
  this.timeout(10_000);
  let h: Harness;
  before(async () => (h = await startHarness({ prefixCommands: false })));
  after(async () => h?.stop());

  it("does not ask for the message-content intent and ignores messages", async () => {
    const identify = h.fake.gateway.find((f) => f["op"] === 2)!["d"] as Json;
    assert.equal(Number(identify["intents"]) & MESSAGE_CONTENT, 0);
    h.fake.dispatch("MESSAGE_CREATE", messageCreate("!echo hi"));
    // A slash command sent after the message is answered; the message got nothing.
    await interact(h.fake, slashCommand("echo", [{ name: "text", type: 3, value: "after" }]), "the echo answer");
    assert.deepEqual(h.fake.calls("POST", /^\/channels\/\d+\/messages$/), []);
  });

  it("refuses a room-manager command to a member without Manage Channels (ephemeral)", async () => {
    const cb = await interact(h.fake, slashCommand("guarded", [], USERS.alice), "the refusal");
    assert.equal(Number(dataOf(cb)["flags"]) & EPHEMERAL, EPHEMERAL);
    assert.match(String(dataOf(cb)["content"]), /Only room managers/);
  });

  it("runs it for a member with Manage Channels", async () => {
    const cb = await interact(h.fake, slashCommand("guarded", [], USERS.mod), "the answer");
    assert.equal(dataOf(cb)["content"], "managed");
    assert.equal(Number(dataOf(cb)["flags"] ?? 0) & EPHEMERAL, 0);
  });

  it("answers slash commands in direct messages, where room-manager commands do not work", async () => {
    const echo = await interact(h.fake, slashCommand("echo", [{ name: "text", type: 3, value: "hi" }], USERS.mod, { dm: true }), "the DM answer");
    assert.equal(dataOf(echo)["content"], "hi");
    const guarded = await interact(h.fake, slashCommand("guarded", [], USERS.mod, { dm: true }), "the DM refusal");
    assert.equal(dataOf(guarded)["content"], "/guarded works in rooms, not in direct messages.");
    assert.equal(Number(dataOf(guarded)["flags"]) & EPHEMERAL, EPHEMERAL);
  });

  it("defers a command that has not answered in time, then edits the reply", async () => {
    const i = slashCommand("sleepy");
    const cb = await interact(h.fake, i, "the deferral");
    assert.equal((cb.body as Json)["type"], 5);
    const edit = await h.fake.waitFor("the edit", () => webhookCalls(h.fake, i).find((c) => c.method === "PATCH"));
    assert.equal((edit.body as Json)["content"], "awake");
  });

  it("cuts autocomplete to 25 choices of at most 100 characters", async () => {
    const cb = await interact(h.fake, autocomplete("pick", [{ name: "many", type: 3, value: "", focused: true }]), "the choices");
    const choices = dataOf(cb)["choices"] as { name: string; value: string }[];
    assert.equal(choices.length, 25);
    for (const c of choices) assert.ok(c.name.length <= 100 && c.value.length <= 100);
  });

  it("answers autocomplete with an empty list when completion hangs or fails", async () => {
    for (const option of ["hang", "boom"]) {
      const cb = await interact(h.fake, autocomplete("pick", [{ name: option, type: 3, value: "a", focused: true }]), `the ${option} answer`);
      assert.equal((cb.body as Json)["type"], 8);
      assert.deepEqual(dataOf(cb)["choices"], [], option);
    }
  });

  it("answers every interaction of a flooding user, the silenced ones with a short ephemeral notice", async () => {
    const flood: FakeUser = { id: "1100000000000000099", username: "flood" };
    const answers: Json[] = [];
    for (let n = 0; n < 5; n++) answers.push(dataOf(await interact(h.fake, slashCommand("echo", [{ name: "text", type: 3, value: `n${n}` }], flood), `answer ${n}`)));
    assert.deepEqual(
      answers.slice(0, 3).map((a) => a["content"]),
      ["n0", "n1", "n2"],
    );
    assert.match(String(answers[3]!["content"]), /Slow down, please: nixie will answer you again/);
    assert.equal(answers[4]!["content"], "Slow down, please.");
    for (const a of answers.slice(3)) assert.equal(Number(a["flags"]) & EPHEMERAL, EPHEMERAL);
  });

  it("leaves a 429 to discord.js: the post waits, goes through once, and the channel keeps its subscriptions", async () => {
    const before = h.fake.messages.get(IDS.channel)!.length;
    h.fake.rateLimitPosts(2);
    await h.adapter.send({ platform: "discord", id: IDS.channel }, textReply("after a rate limit"), { deliveryId: "rl-1" });
    assert.equal(h.fake.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`)).filter((c) => (c.body as Json)["nonce"] === "rl-1").length, 3);
    assert.equal(h.fake.messages.get(IDS.channel)!.length, before + 1);
    assert.deepEqual(h.gone, []);
  });

  it("drops the subscriptions of a channel that is gone (404) or forbidden (403), with a clear error", async () => {
    h.fake.deleteChannel(IDS.otherChannel);
    const room: RoomRef = { platform: "discord", id: IDS.otherChannel };
    await assert.rejects(h.adapter.send(room, textReply("new post"), { deliveryId: "d1" }), (e: unknown) => e instanceof DiscordRoomGoneError && e.status === 404);
    h.fake.forbidChannel(IDS.channel);
    const general: RoomRef = { platform: "discord", id: IDS.channel };
    await assert.rejects(h.adapter.send(general, textReply("new post"), { deliveryId: "d2" }), (e: unknown) => e instanceof DiscordRoomGoneError && e.status === 403);
    assert.deepEqual(h.gone, [room, general]);
  });

  it("keeps the subscriptions of a channel where posting is only not allowed for now (403 Missing Permissions)", async () => {
    const goneBefore = h.gone.length;
    h.fake.restrictChannel(IDS.dmChannel);
    await assert.rejects(h.adapter.send({ platform: "discord", id: IDS.dmChannel }, textReply("locked"), { deliveryId: "lk-1" }), (e: unknown) => !(e instanceof DiscordRoomGoneError));
    assert.equal(h.gone.length, goneBefore, "a lockdown does not remove subscriptions");
    h.fake.restrictChannel(IDS.dmChannel, false);
    await h.adapter.send({ platform: "discord", id: IDS.dmChannel }, textReply("locked"), { deliveryId: "lk-1" });
  });

  it("a channel it has never seen is fetched; one that does not exist is gone", async () => {
    await h.adapter.send({ platform: "discord", id: IDS.quietDmChannel }, textReply("to a DM"));
    assert.equal(h.fake.messages.get(IDS.quietDmChannel)!.length, 1);
    assert.equal(h.fake.calls("GET", new RegExp(`^/channels/${IDS.quietDmChannel}$`)).length, 1);
    await assert.rejects(h.adapter.send({ platform: "discord", id: "1100000000000000777" }, textReply("x")), DiscordRoomGoneError);
  });

  it("fails a post at once instead of waiting out a long rate limit (the post is retried at the next poll)", async () => {
    const goneBefore = h.gone.length;
    h.fake.rateLimitPosts(1, 600);
    await assert.rejects(h.adapter.send({ platform: "discord", id: IDS.dmChannel }, textReply("later"), { deliveryId: "rl-2" }), RateLimitError);
    assert.equal(h.gone.length, goneBefore, "a rate limit does not remove subscriptions");
  });
});

describe("Discord adapter: start-up", function () {
  this.timeout(10_000);

  /** Starts an adapter against a fake with these options; resolves with start()'s error. */
  async function startError(
    fakeOpts: Parameters<typeof startFakeDiscord>[0],
    adapterOpts: { token: string; prefixCommands: boolean },
  ): Promise<{ error: unknown; fake: FakeDiscord; adapter: Adapter }> {
    const fake = await startFakeDiscord(fakeOpts);
    const log = pino({ level: "silent" });
    const { config, secrets } = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true });
    const dir = mkdtempSync(join(tmpdir(), "nixie-discord-"));
    const store = await openStore(`sqlite://${join(dir, "nixie.sqlite")}`);
    try {
      const services = createServices({ config, secrets, log, store, adapters: () => ["discord"] });
      const dispatcher = createDispatcher({ commands: testCommands, services, prefix: "!", maxMessageLength: 4000, maxArgLength: 200, rateLimiter: new RateLimiter(3, 1), log });
      const adapter = createDiscordAdapter({ ...adapterOpts, applicationId: IDS.app, apiUrl: fake.apiUrl, dispatcher, log, readyTimeoutMs: 3000 });
      const error = await adapter
        .start(async () => null)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      return { error, fake, adapter };
    } finally {
      await fake.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("a wrong token stops start with one clear line, and the client is shut down", async () => {
    const { error, fake, adapter } = await startError({ token: "right-token" }, { token: "wrong-token", prefixCommands: false });
    assert.ok(error instanceof Error);
    assert.match(error.message, /^Discord: .*token/i);
    assert.doesNotMatch(error.message, /wrong-token/);
    assert.equal(adapter.isConnected(), false);
    assert.deepEqual(fake.gateway, [], "it never opened the gateway");
  });

  it("a gateway that never says READY stops start within readyTimeoutMs, and the client is shut down", async () => {
    const began = Date.now();
    const { error, fake, adapter } = await startError({ ready: false }, { token: "t", prefixCommands: false });
    assert.ok(error instanceof Error);
    assert.match(error.message, /^Discord: .*READY within 3 s/);
    assert.ok(Date.now() - began < 7000, `start took ${Date.now() - began} ms`);
    assert.equal(adapter.isConnected(), false);
    assert.ok(
      fake.gateway.some((f) => f["op"] === 2),
      "it identified",
    );
  });

  it("prefix commands without the Message Content intent allowed stop start with the fix in the message", async () => {
    const { error } = await startError({ messageContentAllowed: false }, { token: "t", prefixCommands: true });
    assert.ok(error instanceof Error);
    assert.match(error.message, /^Discord: Used disallowed intents \(prefix commands need the Message Content intent: .*discord\.prefixCommands/);
  });
});

describe("Discord adapter: prefix commands (fake Discord)", function () {
  this.timeout(10_000);
  let h: Harness;
  before(async () => (h = await startHarness({ prefixCommands: true })));
  after(async () => h?.stop());

  /** Sends a message and waits for the bot's reply to it. */
  async function say(content: string, from: FakeUser = USERS.alice, channel: string = IDS.channel): Promise<Json> {
    const m = messageCreate(content, from, channel);
    h.fake.dispatch("MESSAGE_CREATE", m);
    const post = await h.fake.waitFor(`the reply to ${content}`, () =>
      h.fake.calls("POST", /^\/channels\/\d+\/messages$/).find((c) => ((c.body as Json)["message_reference"] as Json | undefined)?.["message_id"] === m["id"]),
    );
    return post.body as Json;
  }

  it("asks for the message-content intent", () => {
    const identify = h.fake.gateway.find((f) => f["op"] === 2)!["d"] as Json;
    assert.equal(Number(identify["intents"]) & MESSAGE_CONTENT, MESSAGE_CONTENT);
  });

  it("replies to the message, pinging nobody", async () => {
    const body = await say("!echo hello @everyone");
    assert.equal(body["content"], "hello @\u200beveryone");
    assert.deepEqual(body["allowed_mentions"], { parse: [], replied_user: false });
  });

  it("checks Manage Channels at run time: refused for a member, allowed for a moderator and the owner", async () => {
    assert.match(String((await say("!guarded", USERS.alice))["content"]), /Only room managers/);
    assert.equal((await say("!guarded", USERS.mod))["content"], "managed");
    assert.equal((await say("!guarded", USERS.owner))["content"], "managed");
  });

  it("refuses room-manager commands in direct messages", async () => {
    assert.equal((await say("!guarded", USERS.mod, IDS.dmChannel))["content"], "!guarded works in rooms, not in direct messages.");
  });

  it("takes a mention of nixie as addressing it, like its name (issue 20, item 8)", async () => {
    assert.equal((await say(`<@${IDS.bot}> echo hello`, USERS.owner))["content"], "hello");
    assert.equal((await say(`<@!${IDS.bot}>, !echo again`, USERS.mod))["content"], "again");
  });

  it("ignores other bots and text without the prefix", async () => {
    const before = h.fake.calls("POST", /messages$/).length;
    const botMessage = { ...messageCreate("!echo loop"), author: { id: "1100000000000000098", username: "otherbot", discriminator: "0", global_name: null, avatar: null, bot: true } };
    h.fake.dispatch("MESSAGE_CREATE", botMessage);
    h.fake.dispatch("MESSAGE_CREATE", messageCreate("just chatting"));
    await say("!echo marker");
    assert.equal(h.fake.calls("POST", /messages$/).length, before + 1);
  });
});
