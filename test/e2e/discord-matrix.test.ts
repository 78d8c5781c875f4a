// Matrix and Discord in one nixie process: the Matrix adapter against a real Synapse
// (test/e2e/servers/synapse.sh) and the Discord adapter (real discord.js) against the loopback fake
// Discord, sharing one store, one dispatcher and one feed job.
// Run: NIXIE_E2E_SERVERS=synapse npm run test:e2e -- test/e2e/discord-matrix.test.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatrixClient } from "../../src/adapters/matrix/sdk.js";
import type { Bot } from "../../src/bot.js";
import { IDS, USERS, callbackOf, slashCommand, startFakeDiscord, webhookCalls, type FakeDiscord } from "../helpers/fake-discord.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { exemptFromRateLimits, registerUser, routeTestSdkLogs, synapseFromEnv, type RegisteredUser, type SynapseEnv } from "./lib/synapse-users.js";
import { startPlatformBot } from "../helpers/platform-bot.js";
import { waitFor } from "./lib/wait.js";

type Json = Record<string, unknown>;
interface MatrixEvent {
  readonly event_id: string;
  readonly sender: string;
  readonly content: Json;
}

describe("Matrix and Discord in one process", function () {
  this.timeout(120_000);
  let synapse: SynapseEnv;
  let discord: FakeDiscord;
  let feeds: FakeFeeds;
  let search: FakeSearch;
  let dir: string;
  let nixie: RegisteredUser;
  let alice: MatrixClient;
  const seen: { roomId: string; event: MatrixEvent }[] = [];
  let bot: Bot | undefined;
  let room: string;

  before(async function () {
    const s = synapseFromEnv();
    if (!s) throw new Error("NIXIE_E2E_SYNAPSE_URL is not set: run this suite through npm run test:e2e, which starts Synapse");
    synapse = s;
    dir = mkdtempSync(join(tmpdir(), "nixie-e2e-both-"));
    routeTestSdkLogs();
    [discord, feeds, search] = await Promise.all([startFakeDiscord({ heartbeatInterval: 500 }), startFakeFeeds(), startFakeSearch()]);
    const operator = await registerUser(synapse, "operator", { admin: true });
    nixie = await registerUser(synapse, "nixie");
    const aliceUser = await registerUser(synapse, "alice");
    await exemptFromRateLimits(synapse, operator.accessToken, aliceUser.userId);
    alice = new MatrixClient(synapse.url, aliceUser.accessToken);
    alice.on("room.message", (roomId: string, event: MatrixEvent) => seen.push({ roomId, event }));
    await alice.start();
    bot = await startPlatformBot(dir, {
      NIXIE_SEARCH_URL: search.url,
      NIXIE_DISCOURSE_URL: feeds.url,
      NIXIE_NIXHOUR_FEED: feeds.nixhourUrl,
      MATRIX_HOMESERVER_URL: synapse.url,
      MATRIX_ACCESS_TOKEN: nixie.accessToken,
      DISCORD_TOKEN: "fake-bot-token",
      DISCORD_APPLICATION_ID: IDS.app,
      DISCORD_API_URL: discord.apiUrl,
    });
    room = await alice.createRoom({ preset: "private_chat", invite: [nixie.userId] });
    await waitFor("nixie to join", async () => (await alice.getJoinedRoomMembers(room)).includes(nixie.userId));
  });

  after(async function () {
    await bot?.stop();
    alice?.stop();
    await discord?.close();
    await feeds?.close();
    await search?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fromNixie = (): MatrixEvent[] => seen.filter((s) => s.roomId === room && s.event.sender === nixie.userId).map((s) => s.event);

  it("runs both adapters", () => {
    assert.deepEqual(
      bot!.adapters.map((a) => a.platform),
      ["matrix", "discord"],
    );
    assert.ok(bot!.adapters.every((a) => a.isConnected()));
  });

  it("answers !pkg in Matrix and /pkg on Discord", async () => {
    const asked = await alice.sendMessage(room, { msgtype: "m.text", body: "!pkg firefox" });
    const answer = await waitFor("the Matrix answer", () =>
      fromNixie().find((e) => (e.content["m.relates_to"] as Json | undefined)?.["m.in_reply_to"] !== undefined && JSON.stringify(e.content["m.relates_to"]).includes(asked)),
    );
    assert.match(String(answer.content["body"]), /firefox/);
    const i = slashCommand("pkg", [{ name: "query", type: 3, value: "firefox" }]);
    discord.dispatch("INTERACTION_CREATE", i);
    const edit = await discord.waitFor("the Discord edit", () => webhookCalls(discord, i).find((c) => c.method === "PATCH"), 10_000);
    assert.equal((callbackOf(discord, i)?.body as Json)["type"], 5);
    assert.match(JSON.stringify(edit.body), /firefox/);
  });

  it("one feed job posts a new entry to the Matrix room and the Discord channel", async () => {
    await alice.sendMessage(room, { msgtype: "m.text", body: "!subscribe announcements" });
    await waitFor("the Matrix confirmation", () => fromNixie().find((e) => String(e.content["body"]).startsWith("Subscribed")));
    const i = slashCommand("subscribe", [{ name: "feed", type: 3, value: "announcements" }], USERS.mod);
    discord.dispatch("INTERACTION_CREATE", i);
    await discord.waitFor("the Discord confirmation", () => callbackOf(discord, i));
    await bot!.feeds.pollNow(); // first sight
    const fetched = feeds.count("announcements").requests;
    feeds.addTopic("announcements", { id: 91001, title: "Both platforms hear this" });
    await bot!.feeds.pollNow();
    assert.equal(feeds.count("announcements").requests, fetched + 1, "the feed is fetched once for both");
    await waitFor("the Matrix post", () => fromNixie().find((e) => String(e.content["body"]).includes("Both platforms hear this")));
    const posts = discord.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`));
    assert.equal(posts.length, 1);
    assert.match(JSON.stringify(posts[0]!.body), /Both platforms hear this/);
    assert.equal((posts[0]!.body as Json)["enforce_nonce"], true);
  });
});
