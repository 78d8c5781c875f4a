/**
 * Factoids on Discord: the whole bot with discord.js against the loopback fake Discord. Prefix
 * commands and slash commands (/fact with autocomplete and a user option, /learn, /forget),
 * addressing that pings exactly one person, refusals for members and in direct messages.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "../../src/bot.js";
import { autocomplete, callbackOf, IDS, messageCreate, slashCommand, startFakeDiscord, USERS, type FakeDiscord, type FakeUser, type SlashOption } from "../helpers/fake-discord.js";
import { startPlatformBot } from "../helpers/platform-bot.js";

type Json = Record<string, unknown>;
const EPHEMERAL = 1 << 6;
const dataOf = (c: { body: unknown } | undefined): Json => ((c?.body as Json | undefined)?.["data"] ?? {}) as Json;

describe("factoids on Discord (discord.js against a fake Discord)", function () {
  this.timeout(15_000);
  let fake: FakeDiscord;
  let bot: Bot;
  let dir: string;

  before(async () => {
    fake = await startFakeDiscord({ heartbeatInterval: 300 });
    dir = mkdtempSync(join(tmpdir(), "nixie-discord-factoids-"));
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({ discord: { prefixCommands: true }, rateLimit: { burst: 1000, perMinute: 10000 }, factoids: { defaults: { xy: "Ask about the problem: https://xyproblem.info" } } }),
    );
    bot = await startPlatformBot(dir, { NIXIE_CONFIG: config, DISCORD_TOKEN: "fake-bot-token", DISCORD_APPLICATION_ID: IDS.app, DISCORD_API_URL: fake.apiUrl });
  });
  after(async () => {
    await bot?.stop();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends a message and waits for the bot's reply to it. */
  async function say(content: string, from: FakeUser = USERS.alice, o: { channel?: string; mentions?: FakeUser[] } = {}): Promise<Json> {
    const m = messageCreate(content, from, o.channel ?? IDS.channel, o.mentions ?? []);
    fake.dispatch("MESSAGE_CREATE", m);
    const post = await fake.waitFor(`the reply to ${content}`, () =>
      fake.calls("POST", /^\/channels\/\d+\/messages$/).find((c) => ((c.body as Json)["message_reference"] as Json | undefined)?.["message_id"] === m["id"]),
    );
    return post.body as Json;
  }

  async function slash(name: string, options: SlashOption[], from: FakeUser = USERS.alice, where: { dm?: boolean } = {}): Promise<Json> {
    const i = slashCommand(name, options, from, where);
    fake.dispatch("INTERACTION_CREATE", i);
    return dataOf(await fake.waitFor(`the /${name} answer`, () => callbackOf(fake, i)));
  }

  it("a moderator teaches a factoid with /learn; a member is refused", async () => {
    const refused = await slash(
      "learn",
      [
        { name: "name", type: 3, value: "ask" },
        { name: "text", type: 3, value: "Just ask." },
      ],
      USERS.alice,
    );
    assert.match(String(refused["content"]), /Only room managers/);
    assert.equal(Number(refused["flags"]) & EPHEMERAL, EPHEMERAL);
    const learned = await slash(
      "learn",
      [
        { name: "name", type: 3, value: "ask" },
        { name: "text", type: 3, value: "Don't ask to ask, **just ask**: <@&1> @everyone `code_here`" },
      ],
      USERS.mod,
    );
    assert.equal(learned["content"], "Learned /fact name:ask.");
  });

  it("!ask shows it escaped, pinging nobody", async () => {
    const body = await say("!ask");
    assert.equal(body["content"], "Don't ask to ask, **just ask**: <\u200b@&1> @\u2060everyone `code_here`");
    assert.deepEqual(body["allowed_mentions"], { parse: [], replied_user: false });
  });

  it("!ask <@mod> pings only the mentioned person", async () => {
    const body = await say(`!ask <@${IDS.mod}>`, USERS.alice, { mentions: [USERS.mod] });
    assert.match(String(body["content"]), new RegExp(`^<@${IDS.mod}>: Don't ask to ask`));
    assert.deepEqual(body["allowed_mentions"], { parse: [], users: [IDS.mod], replied_user: false });
    // a typed name is text, and pings nobody
    const named = await say("!ask owner");
    assert.match(String(named["content"]), /^owner: Don't ask/);
    assert.deepEqual(named["allowed_mentions"], { parse: [], replied_user: false });
  });

  it("/fact name:ask user:<owner> pings only that user", async () => {
    const data = await slash("fact", [
      { name: "name", type: 3, value: "ask" },
      { name: "user", type: 6, value: IDS.owner },
    ]);
    assert.match(String(data["content"]), new RegExp(`^<@${IDS.owner}>: Don't ask`));
    assert.deepEqual(data["allowed_mentions"], { parse: [], users: [IDS.owner] });
  });

  it("/fact autocompletes the channel's factoids, most used first", async () => {
    const i = autocomplete("fact", [{ name: "name", type: 3, value: "", focused: true }]);
    fake.dispatch("INTERACTION_CREATE", i);
    const cb = await fake.waitFor("the choices", () => callbackOf(fake, i));
    const choices = ((cb.body as Json)["data"] as Json)["choices"] as Json[];
    assert.deepEqual(
      choices.map((c) => c["value"]),
      ["ask", "xy"],
    );
  });

  it("redefines showing the old text, lists, forgets", async () => {
    const changed = await slash(
      "learn",
      [
        { name: "name", type: 3, value: "ask" },
        { name: "text", type: 3, value: "Ask away." },
      ],
      USERS.mod,
    );
    assert.match(String(changed["content"]), /^Changed \/fact name:ask\. It said before:\nDon't ask to ask/);
    const list = await slash("facts", []);
    assert.match(String(list["content"]), /• \*\*ask\*\* · used 4 times\n• \*\*xy\*\* · not used yet · default/);
    const forgot = await slash("forget", [{ name: "name", type: 3, value: "ask" }], USERS.mod);
    assert.equal(forgot["content"], "Forgot /fact name:ask. It said:\nAsk away.");
    assert.equal(await bot.services.factoids.get({ platform: "discord", id: IDS.channel }, "ask"), undefined);
  });

  it("in a direct message: look-ups of the defaults only, no definitions", async () => {
    const learn = await say("!learn mine hi", USERS.mod, { channel: IDS.dmChannel });
    assert.equal(learn["content"], "!learn works in rooms, not in direct messages.");
    assert.equal((await say("!xy", USERS.alice, { channel: IDS.dmChannel }))["content"], "Ask about the problem: [https://xyproblem.info](https://xyproblem.info/)");
  });
});
