// The Matrix adapter against a real Synapse (test/e2e/servers/synapse.sh): a second user, a plain
// matrix-bot-sdk client, creates rooms, invites nixie and talks to it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENCRYPTED_NOTICE, SYNC_TIMELINE_LIMIT } from "../../src/adapters/matrix/adapter.js";
import { MatrixClient } from "../../src/adapters/matrix/sdk.js";
import type { Bot } from "../../src/bot.js";
import { textReply } from "../../src/core/reply.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { exemptFromRateLimits, registerUser, routeTestSdkLogs, synapseFromEnv, type RegisteredUser, type SynapseEnv } from "./lib/synapse-users.js";
import { startPlatformBot } from "../helpers/platform-bot.js";
import { waitFor } from "./lib/wait.js";
import { probesFor } from "../helpers/room-state-probes.js";

/** A room message's content as the tests read it (nixie's messages always have a body). */
interface SeenContent {
  readonly [key: string]: unknown;
  readonly msgtype: string;
  readonly body: string;
  readonly formatted_body: string;
  readonly "m.relates_to"?: { readonly "m.in_reply_to"?: { readonly event_id: string } };
}

interface Seen {
  readonly roomId: string;
  readonly event: { event_id: string; sender: string; type: string; content: SeenContent; origin_server_ts: number };
}

/** A user's client that syncs and records every room message it sees. */
class Person {
  readonly client: MatrixClient;
  readonly seen: Seen[] = [];
  constructor(
    readonly user: RegisteredUser,
    url: string,
  ) {
    this.client = new MatrixClient(url, user.accessToken);
    this.client.on("room.message", (roomId: string, event: Seen["event"]) => this.seen.push({ roomId, event }));
  }
  /** Messages from `sender` in `roomId`. */
  from(sender: string, roomId: string): Seen["event"][] {
    return this.seen.filter((s) => s.roomId === roomId && s.event.sender === sender).map((s) => s.event);
  }
}

// nixie keeps Synapse's default message rate limit (a burst of 10, then one every 5 s), so an
// answer may wait behind a few 429s: the waits here are generous.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function required(): SynapseEnv {
  const s = synapseFromEnv();
  if (!s) throw new Error("NIXIE_E2E_SYNAPSE_URL is not set: run this suite through npm run test:e2e, which starts Synapse");
  return s;
}

describe("Matrix adapter against a real Synapse", function () {
  this.timeout(180_000);
  let synapse: SynapseEnv;
  let search: FakeSearch;
  let feeds: FakeFeeds;
  let dir: string;
  let botUser: RegisteredUser;
  let alice: Person;
  let bob: Person;
  let bot: Bot | undefined;
  let room: string;

  function startNixie(extraEnv: Record<string, string> = {}): Promise<Bot> {
    return startPlatformBot(dir, {
      MATRIX_HOMESERVER_URL: synapse.url,
      MATRIX_ACCESS_TOKEN: botUser.accessToken,
      NIXIE_SEARCH_URL: search.url,
      NIXIE_DISCOURSE_URL: feeds.url,
      NIXIE_NIXHOUR_FEED: feeds.nixhourUrl,
      ...extraEnv,
    });
  }

  /** Sends a text message as `who` and waits for nixie's answer to it. */
  async function ask(who: Person, roomId: string, content: Record<string, unknown>, botId = botUser.userId): Promise<{ asked: string; reply: Seen["event"] }> {
    const asked = await who.client.sendMessage(roomId, { msgtype: "m.text", ...content });
    const reply = await waitFor(`nixie's answer to ${JSON.stringify(content["body"])}`, () => who.from(botId, roomId).find((e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === asked));
    return { asked, reply };
  }

  async function newRoomWithNixie(opts: { encrypted?: boolean; preset?: "private_chat" | "public_chat"; version?: string } = {}): Promise<string> {
    const roomId = await alice.client.createRoom({
      preset: opts.preset ?? "private_chat",
      ...(opts.version ? { room_version: opts.version } : {}),
      invite: [botUser.userId, bob.user.userId],
      ...(opts.encrypted ? { initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }] } : {}),
    });
    await bob.client.joinRoom(roomId);
    await waitFor("nixie to join", async () => (await alice.client.getJoinedRoomMembers(roomId)).includes(botUser.userId));
    return roomId;
  }

  before(async function () {
    synapse = required();
    dir = mkdtempSync(join(tmpdir(), "nixie-e2e-matrix-"));
    routeTestSdkLogs();
    search = await startFakeSearch();
    feeds = await startFakeFeeds();
    const operator = await registerUser(synapse, "operator", { admin: true });
    [botUser, alice, bob] = await Promise.all([
      registerUser(synapse, "nixie"),
      registerUser(synapse, "alice").then((u) => new Person(u, synapse.url)),
      registerUser(synapse, "bob").then((u) => new Person(u, synapse.url)),
    ]);
    // the people talk faster than Synapse's defaults allow; nixie keeps the defaults
    for (const p of [alice, bob]) await exemptFromRateLimits(synapse, operator.accessToken, p.user.userId);
    await alice.client.start();
    await bob.client.start();
    bot = await startNixie();
    room = await newRoomWithNixie();
  });

  after(async function () {
    await bot?.stop();
    alice?.client.stop();
    bob?.client.stop();
    await search?.close();
    await feeds?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("syncs with the filter it uploaded to Synapse: lazy-loaded members, a bounded timeline", async function () {
    const syncDir = join(dir, "data", "matrix");
    const file = readdirSync(syncDir).find((f) => f.startsWith("sync-"));
    assert.ok(file, "no sync file");
    const saved = JSON.parse(readFileSync(join(syncDir, file), "utf8")) as { filter?: { id?: string } };
    const id = saved.filter?.id;
    assert.ok(typeof id === "string" && id !== "", "no filter id saved");
    // what Synapse stored under that id, read back with nixie's own token
    const asNixie = new MatrixClient(synapse.url, botUser.accessToken);
    const filter = (await asNixie.doRequest("GET", `/_matrix/client/v3/user/${encodeURIComponent(botUser.userId)}/filter/${encodeURIComponent(id)}`)) as {
      room?: { state?: Record<string, unknown>; timeline?: Record<string, unknown> };
    };
    assert.equal(filter.room?.state?.["lazy_load_members"], true);
    assert.equal(filter.room?.timeline?.["lazy_load_members"], true);
    assert.equal(filter.room?.timeline?.["limit"], SYNC_TIMELINE_LIMIT);
  });

  it("answers !help as an m.notice reply that pings nobody", async function () {
    const { asked, reply } = await ask(alice, room, { body: "!help" });
    assert.equal(reply.type, "m.room.message");
    assert.equal(reply.content["msgtype"], "m.notice");
    assert.match(reply.content["body"], /Commands:/);
    assert.match(reply.content["body"], /!help/);
    assert.equal(reply.content["format"], "org.matrix.custom.html");
    assert.match(reply.content["formatted_body"], /<ul><li><code>!help<\/code>/);
    assert.deepEqual(reply.content["m.mentions"], {});
    assert.deepEqual(reply.content["m.relates_to"], { "m.in_reply_to": { event_id: asked } });
  });

  it("answers a command in a thread inside that thread", async function () {
    const root = await alice.client.sendMessage(room, { msgtype: "m.text", body: "a thread about nixie" });
    const { asked, reply } = await ask(bob, room, {
      body: "!help leave",
      "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } },
    });
    assert.deepEqual(reply.content["m.relates_to"], { rel_type: "m.thread", event_id: root, is_falling_back: false, "m.in_reply_to": { event_id: asked } });
    assert.match(reply.content["body"], /!leave/);
  });

  it("answers `nixie: <command>` and ignores notices, edits and plain chat", async function () {
    const ignored = [await alice.client.sendMessage(room, { msgtype: "m.notice", body: "!help" }), await alice.client.sendMessage(room, { msgtype: "m.text", body: "just chatting about !help" })];
    const { reply } = await ask(alice, room, { body: "nixie: about" });
    assert.match(reply.content["body"], /nixie/);
    const original = await alice.client.sendMessage(room, { msgtype: "m.text", body: "typo" });
    ignored.push(
      await alice.client.sendMessage(room, {
        msgtype: "m.text",
        body: "* !help",
        "m.new_content": { msgtype: "m.text", body: "!help" },
        "m.relates_to": { rel_type: "m.replace", event_id: original },
      }),
    );
    // a later command is answered, so the ignored ones above have been seen by now
    await ask(alice, room, { body: "!about" });
    const answeredTo = alice.from(botUser.userId, room).map((e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id);
    for (const id of ignored) assert.ok(!answeredTo.includes(id), `answered ${id}`);
  });

  it("does not answer commands sent while it was down, also after a restart", async function () {
    await bot!.stop();
    bot = undefined;
    const missed = await alice.client.sendMessage(room, { msgtype: "m.text", body: "!about" });
    await sleep(500);
    bot = await startNixie();
    await ask(alice, room, { body: "!help" });
    const answeredTo = alice.from(botUser.userId, room).map((e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id);
    assert.ok(!answeredTo.includes(missed), "answered a command from before its start");
  });

  it("leaves on !leave from a room manager only", async function () {
    const leaveRoom = await newRoomWithNixie();
    const refused = await ask(bob, leaveRoom, { body: "!leave" });
    assert.match(refused.reply.content["body"], /Only room managers/);
    assert.ok((await alice.client.getJoinedRoomMembers(leaveRoom)).includes(botUser.userId));
    const accepted = await ask(alice, leaveRoom, { body: "!leave" });
    assert.match(accepted.reply.content["body"], /Goodbye/);
    await waitFor("nixie to leave", async () => !(await alice.client.getJoinedRoomMembers(leaveRoom)).includes(botUser.userId));
  });

  it("says once in an encrypted room that it cannot read it", async function () {
    const secret = await newRoomWithNixie({ encrypted: true });
    const notice = await waitFor("the encryption notice", () => alice.from(botUser.userId, secret)[0]);
    assert.equal(notice.content["msgtype"], "m.notice");
    assert.equal(notice.content["body"], ENCRYPTED_NOTICE);
    // an encrypted message (nixie cannot decrypt it) does not bring a second notice
    await alice.client.sendRawEvent(secret, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgA", sender_key: "x", session_id: "y", device_id: "Z" });
    await ask(alice, room, { body: "!about" });
    assert.equal(alice.from(botUser.userId, secret).length, 1);
  });
  it("answers !pkg firefox from the search backend", async function () {
    const { reply } = await ask(alice, room, { body: "!pkg firefox" });
    assert.match(reply.content["body"], /firefox/i);
    assert.match(reply.content["formatted_body"], /<a href="https:\/\/search\.nixos\.org\//);
    assert.ok(search.requests.length > 0);
    assert.deepEqual(search.problems, []);
  });

  it("lets only room managers subscribe, then posts a new feed entry exactly once, also across a restart", async function () {
    const refused = await ask(bob, room, { body: "!subscribe announcements" });
    assert.match(refused.reply.content["body"], /Only room managers/);
    const accepted = await ask(alice, room, { body: "!subscribe announcements" });
    assert.match(accepted.reply.content["body"], /Subscribed/);
    assert.deepEqual(await bot!.services.subscriptions.list({ platform: "matrix", id: room }), ["announcements"]);

    await bot!.feeds.pollNow(); // the first sight of a feed posts nothing
    feeds.addTopic("announcements", { id: 990001, title: "Nix 3.0 released in e2e", html: "<p>A test announcement.</p>" });
    await bot!.feeds.pollNow();
    const posts = () => alice.from(botUser.userId, room).filter((e) => String(e.content["body"]).includes("Nix 3.0 released in e2e"));
    const post = await waitFor("the feed post", () => posts()[0]);
    assert.equal(post.content["msgtype"], "m.notice");
    assert.equal(post.content["m.relates_to"], undefined);
    assert.deepEqual(post.content["m.mentions"], {});

    await bot!.stop();
    bot = await startNixie();
    await bot.feeds.pollNow();
    feeds.addTopic("announcements", { id: 990002, title: "After the restart in e2e" });
    await bot.feeds.pollNow();
    await waitFor("the second post", () => alice.from(botUser.userId, room).find((e) => String(e.content["body"]).includes("After the restart in e2e")));
    // the second post arrived after any repeat of the first would have: still exactly one
    assert.equal(posts().length, 1);
  });

  it("counts power level 50 as a room manager in an older room version", async function () {
    // rooms above are version 12 (Synapse's default), where the creator manages by being creator
    const v10 = await newRoomWithNixie({ version: "10" });
    const refused = await ask(bob, v10, { body: "!unsubscribe announcements" });
    assert.match(refused.reply.content["body"], /Only room managers/);
    await alice.client.setUserPowerLevel(bob.user.userId, v10, 50);
    const accepted = await ask(bob, v10, { body: "!unsubscribe announcements" });
    assert.doesNotMatch(accepted.reply.content["body"], /Only room managers/);
  });

  it("sends a delivery id once: Synapse drops the repeat, also from a restarted bot", async function () {
    const target = { platform: "matrix", id: room } as const;
    await bot!.sendTo(target, textReply("delivered once in e2e"), { deliveryId: "e2e|once" });
    await bot!.sendTo(target, textReply("delivered once in e2e"), { deliveryId: "e2e|once" });
    await bot!.stop();
    bot = await startNixie();
    await bot.sendTo(target, textReply("delivered once in e2e"), { deliveryId: "e2e|once" });
    await bot.sendTo(target, textReply("marker after the repeats in e2e"), { deliveryId: "e2e|marker" });
    await waitFor("the marker", () => alice.from(botUser.userId, room).find((e) => e.content["body"] === "marker after the repeats in e2e"));
    assert.equal(alice.from(botUser.userId, room).filter((e) => e.content["body"] === "delivered once in e2e").length, 1);
  });

  it("drops a room's state of every registered kind when kicked", async function () {
    const kickRoom = await newRoomWithNixie();
    await ask(alice, kickRoom, { body: "!subscribe announcements" });
    const ref = { platform: "matrix", id: kickRoom } as const;
    assert.deepEqual(await bot!.services.subscriptions.list(ref), ["announcements"]);
    const probes = probesFor(bot!.services);
    for (const [, p] of probes) await p.seed(bot!.services, ref);
    await alice.client.kickUser(botUser.userId, kickRoom, "testing");
    await waitFor("the room's state to go", async () => {
      for (const [, p] of probes) if (await p.has(bot!.services, ref)) return false;
      return true;
    });
    assert.ok(!(await bot!.services.subscriptions.roomsFor("announcements")).some((r) => r.id === kickRoom));
  });

  it("follows a room upgrade and moves the state of every registered kind to the new room", async function () {
    const old = await newRoomWithNixie({ preset: "public_chat" });
    await ask(alice, old, { body: "!subscribe announcements" });
    await ask(alice, old, { body: "!links on" });
    const oldRef = { platform: "matrix", id: old } as const;
    const probes = probesFor(bot!.services);
    for (const [, p] of probes) await p.seed(bot!.services, oldRef);
    const res = (await alice.client.doRequest("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(old)}/upgrade`, null, { new_version: "12" })) as { replacement_room: string };
    const upgraded = res.replacement_room;
    const newRef = { platform: "matrix", id: upgraded } as const;
    await waitFor("nixie in the new room", async () => (await alice.client.getJoinedRoomMembers(upgraded)).includes(botUser.userId));
    await waitFor("the room's state to move", async () => {
      for (const [, p] of probes) if (!(await p.has(bot!.services, newRef))) return false;
      return true;
    });
    for (const [k, p] of probes) assert.ok(!(await p.has(bot!.services, oldRef)), `${k} left behind in the old room`);
    assert.deepEqual(await bot!.services.subscriptions.list(oldRef), []);
    const { reply } = await ask(alice, upgraded, { body: "!subscriptions" });
    assert.match(reply.content["body"], /announcements|Announcements/);
    const links = await ask(alice, upgraded, { body: "!links on" });
    assert.match(links.reply.content["body"], /already on/);
  });

  it("factoids: addressed to one user mentions only that user, HTML escaped, kept across a room upgrade", async function () {
    const old = await newRoomWithNixie({ preset: "public_chat" });
    const learned = await ask(alice, old, { body: "!learn hello Hi <b>there</b> & **welcome**: `x<y>` @room" });
    assert.equal(learned.reply.content["body"], "Learned !hello.");
    // Bob as a client's pill makes him: the display name in the body, a link in the HTML, m.mentions
    const bobId = bob.user.userId;
    const { reply } = await ask(alice, old, {
      body: "!hello Bob",
      format: "org.matrix.custom.html",
      formatted_body: `!hello <a href="https://matrix.to/#/${bobId}">Bob</a>`,
      "m.mentions": { user_ids: [bobId] },
    });
    assert.deepEqual(reply.content["m.mentions"], { user_ids: [bobId] });
    assert.equal(reply.content["body"], "Bob: Hi <b>there</b> & welcome: `x<y>` @\u2060room");
    assert.equal(
      reply.content["formatted_body"],
      `<p><a href="https://matrix.to/#/${encodeURIComponent(bobId)}">Bob</a>: Hi &lt;b&gt;there&lt;/b&gt; &amp; <strong>welcome</strong>: <code>x&lt;y&gt;</code> @\u2060room</p>`,
    );
    // a plain name pings nobody
    const named = await ask(alice, old, { body: "!hello Bob" });
    assert.deepEqual(named.reply.content["m.mentions"], {});

    const res = (await alice.client.doRequest("POST", `/_matrix/client/v3/rooms/${encodeURIComponent(old)}/upgrade`, null, { new_version: "12" })) as { replacement_room: string };
    const upgraded = res.replacement_room;
    await waitFor("nixie in the new room", async () => (await alice.client.getJoinedRoomMembers(upgraded)).includes(botUser.userId));
    await waitFor("the factoid to move", async () => (await bot!.services.factoids.get({ platform: "matrix", id: upgraded }, "hello")) !== undefined);
    const after = await ask(alice, upgraded, { body: "!hello" });
    assert.equal(after.reply.content["body"], "Hi <b>there</b> & welcome: `x<y>` @\u2060room");
    const facts = await ask(alice, upgraded, { body: "!facts hello" });
    assert.match(facts.reply.content["body"], new RegExp(`^!hello: set by ${alice.user.userId.replace(/[.]/g, "\\.")} on \\d{4}-\\d\\d-\\d\\d, used 3 times\\.`));
  });

  it("logs in with a password once and reuses the saved token after a restart", async function () {
    const account = await registerUser(synapse, "nixiepw");
    const env = {
      MATRIX_ACCESS_TOKEN: "",
      MATRIX_USER: account.userId,
      MATRIX_PASSWORD: account.password,
      NIXIE_DATA_DIR: join(dir, "pw-data"),
      NIXIE_STORE_URL: `sqlite://${join(dir, "pw.sqlite")}`,
    };
    let pwBot: Bot | undefined = await startNixie(env);
    try {
      const pwRoom = await alice.client.createRoom({ preset: "private_chat", invite: [account.userId] });
      await waitFor("the password bot to join", async () => (await alice.client.getJoinedRoomMembers(pwRoom)).includes(account.userId));
      await ask(alice, pwRoom, { body: "!about" }, account.userId);
      await pwBot.stop();
      pwBot = await startNixie(env);
      await ask(alice, pwRoom, { body: "!about" }, account.userId);
    } finally {
      await pwBot?.stop();
    }
    // the account's devices: the one registration made, and exactly one nixie login
    const me = new MatrixClient(synapse.url, account.accessToken);
    const { devices } = (await me.doRequest("GET", "/_matrix/client/v3/devices")) as { devices: { display_name?: string }[] };
    assert.equal(devices.filter((d) => d.display_name === "nixie").length, 1);
  });
  it("accepts invites only from allowed users when a list is configured", async function () {
    const account = await registerUser(synapse, "nixiepicky");
    const configFile = join(dir, "picky.json");
    writeFileSync(configFile, JSON.stringify({ matrix: { autojoin: { allowedUsers: [alice.user.userId], allowedServers: [] } } }));
    const picky = await startNixie({
      NIXIE_CONFIG: configFile,
      MATRIX_ACCESS_TOKEN: account.accessToken,
      NIXIE_DATA_DIR: join(dir, "picky-data"),
      NIXIE_STORE_URL: `sqlite://${join(dir, "picky.sqlite")}`,
    });
    try {
      const membership = async (roomId: string) => ((await bob.client.getRoomStateEvent(roomId, "m.room.member", account.userId).catch(() => ({}))) as { membership?: string }).membership;
      const fromBob = await bob.client.createRoom({ preset: "private_chat", invite: [account.userId] });
      await waitFor("the invite from bob to be declined", async () => (await membership(fromBob)) === "leave");
      const fromAlice = await alice.client.createRoom({ preset: "private_chat", invite: [account.userId] });
      await waitFor("the invite from alice to be accepted", async () => (await alice.client.getJoinedRoomMembers(fromAlice)).includes(account.userId));
      assert.equal(await membership(fromBob), "leave");
    } finally {
      await picky.stop();
    }
  });
});
