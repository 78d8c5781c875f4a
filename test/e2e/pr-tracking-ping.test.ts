// A tracking post pings exactly the person who asked for it: on a real Synapse (m.mentions holds
// only them) and on the loopback fake Discord with real discord.js (allowed_mentions.users holds
// only them), with the fake GitHub computed by git.
// Run: NIXIE_E2E_SERVERS=synapse npm run test:e2e -- test/e2e/pr-tracking-ping.test.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatrixClient } from "../../src/adapters/matrix/sdk.js";
import type { Bot } from "../../src/bot.js";
import { IDS, USERS, callbackOf, slashCommand, startFakeDiscord, webhookCalls, type FakeDiscord } from "../helpers/fake-discord.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { startPlatformBot } from "../helpers/platform-bot.js";
import { exemptFromRateLimits, registerUser, synapseFromEnv, type RegisteredUser, type SynapseEnv } from "./lib/synapse-users.js";
import { waitFor } from "./lib/wait.js";

type Json = Record<string, unknown>;
interface MatrixEvent {
  readonly event_id: string;
  readonly sender: string;
  readonly content: Json;
}

describe("tracking posts ping exactly the asker (Synapse and the Discord fake)", function () {
  this.timeout(120_000);
  let synapse: SynapseEnv;
  let discord: FakeDiscord;
  let gh: FakeGitHub;
  let dir: string;
  let nixie: RegisteredUser;
  let aliceUser: RegisteredUser;
  let bobUser: RegisteredUser;
  let alice: MatrixClient;
  const seen: { roomId: string; event: MatrixEvent }[] = [];
  let bot: Bot | undefined;
  let room: string;
  const PR = 345_678;

  before(async function () {
    const s = synapseFromEnv();
    if (!s) throw new Error("NIXIE_E2E_SYNAPSE_URL is not set: run this suite through npm run test:e2e, which starts Synapse");
    synapse = s;
    dir = mkdtempSync(join(tmpdir(), "nixie-e2e-ping-"));
    [discord, gh] = await Promise.all([startFakeDiscord({ heartbeatInterval: 500 }), startFakeGitHub()]);
    await gh.merge(PR, { title: "hello: 2.12.1 -> 2.12.2 @room", base: "master" });
    const operator = await registerUser(synapse, "operator", { admin: true });
    nixie = await registerUser(synapse, "nixie");
    aliceUser = await registerUser(synapse, "alice");
    bobUser = await registerUser(synapse, "bob");
    await exemptFromRateLimits(synapse, operator.accessToken, aliceUser.userId);
    alice = new MatrixClient(synapse.url, aliceUser.accessToken);
    alice.on("room.message", (roomId: string, event: MatrixEvent) => seen.push({ roomId, event }));
    await alice.start();
    bot = await startPlatformBot(dir, {
      MATRIX_HOMESERVER_URL: synapse.url,
      MATRIX_ACCESS_TOKEN: nixie.accessToken,
      DISCORD_TOKEN: "fake-bot-token",
      DISCORD_APPLICATION_ID: IDS.app,
      DISCORD_API_URL: discord.apiUrl,
      NIXIE_GITHUB_API: gh.url,
      GITHUB_TOKEN: "e2e-token",
    });
    room = await alice.createRoom({ preset: "private_chat", invite: [nixie.userId, bobUser.userId] });
    await waitFor("nixie to join", async () => (await alice.getJoinedRoomMembers(room)).includes(nixie.userId));
  });

  after(async function () {
    await bot?.stop();
    alice?.stop();
    await discord?.close();
    await gh?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fromNixie = (): MatrixEvent[] => seen.filter((s) => s.roomId === room && s.event.sender === nixie.userId).map((s) => s.event);

  it("!track in Matrix and /track on Discord, then one post each when the channel moves, pinging only the asker", async () => {
    await alice.sendMessage(room, { msgtype: "m.text", body: `!track ${PR}` });
    const answer = await waitFor("the Matrix !track answer", () => fromNixie().find((e) => String(e.content["body"]).includes("Tracking nixpkgs#")));
    // The answer shows an upstream title with @room: nobody is pinged by it.
    assert.deepEqual(answer.content["m.mentions"], {});
    const i = slashCommand("track", [{ name: "pr", type: 3, value: String(PR) }], USERS.alice);
    discord.dispatch("INTERACTION_CREATE", i);
    await discord
      .waitFor("the Discord /track answer", () => webhookCalls(discord, i).find((c) => c.method === "PATCH" && JSON.stringify(c.body).includes("Tracking [nixpkgs#")), 20_000)
      .catch((e: unknown) => {
        throw new Error(`${String(e)}; calls: ${JSON.stringify(webhookCalls(discord, i)).slice(0, 1500)}; callback: ${JSON.stringify(callbackOf(discord, i))}`);
      });

    await gh.advance("nixos-unstable-small", "master");
    const report = await bot!.tracking.pollNow();
    assert.equal(report.sent, 2);

    const post = await waitFor("the Matrix tracking post", () => fromNixie().find((e) => String(e.content["body"]).includes("has reached nixos-unstable-small")));
    assert.deepEqual(post.content["m.mentions"], { user_ids: [aliceUser.userId] });
    assert.match(String(post.content["body"]), new RegExp(`^${aliceUser.userId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: nixpkgs#${PR}`));
    assert.match(String(post.content["formatted_body"]), new RegExp(`<a href="https://matrix.to/#/${encodeURIComponent(aliceUser.userId)}">`));

    const posts = await discord.waitFor("the Discord tracking post", () => {
      const p = discord.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`)).filter((c) => JSON.stringify(c.body).includes("has reached"));
      return p.length > 0 ? p : undefined;
    });
    assert.equal(posts.length, 1);
    const body = posts[0]!.body as Json;
    assert.deepEqual(body["allowed_mentions"], { parse: [], users: [IDS.alice] });
    assert.match(String(body["content"]), new RegExp(`^<@${IDS.alice}>: `));
    assert.equal(body["enforce_nonce"], true);

    // Nothing more moved: no second post on either platform.
    await bot!.tracking.pollNow();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(fromNixie().filter((e) => String(e.content["body"]).includes("has reached")).length, 1);
    assert.equal(discord.calls("POST", new RegExp(`^/channels/${IDS.channel}/messages$`)).filter((c) => JSON.stringify(c.body).includes("has reached")).length, 1);
  });
});
