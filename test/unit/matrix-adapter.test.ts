// The Matrix adapter over a recording fake client: what it sends, joins, leaves and stores.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createMatrixAdapter, ENCRYPTED_NOTICE, type ClientSpec, type MatrixAdapterOptions, type MatrixClientLike, type RoomLifecycle } from "../../src/adapters/matrix/adapter.js";
import type { RoomEvent } from "../../src/adapters/matrix/events.js";
import { tokenKey } from "../../src/adapters/matrix/login.js";
import { txnIdFor } from "../../src/adapters/matrix/send.js";
import { loadConfig, type Config } from "../../src/config.js";
import type { Adapter, IncomingMessage, MessageHandler, RoomRef } from "../../src/core/adapter.js";
import { bold, textReply } from "../../src/core/reply.js";
import { openStore, type Store } from "../../src/storage/store.js";

interface Recorded {
  readonly method: string;
  readonly endpoint: string;
  readonly qs: Record<string, unknown> | null | undefined;
  readonly body: unknown;
}

/** The content of an event nixie sent, as far as the tests read it. */
interface SentContent {
  readonly msgtype?: string;
  readonly body?: string;
  readonly ciphertext?: string;
  readonly "m.relates_to"?: { readonly rel_type?: string; readonly event_id?: string; readonly is_falling_back?: boolean; readonly "m.in_reply_to"?: { readonly event_id: string } };
}

/** A PUT of an event. */
interface Sent extends Recorded {
  readonly body: SentContent;
}

/** A recording stand-in for matrix-bot-sdk's MatrixClient. */
class FakeClient implements MatrixClientLike {
  readonly requests: Recorded[] = [];
  readonly joined: { room: string; via: string[] }[] = [];
  readonly left: { room: string; reason: string | undefined }[] = [];
  readonly listeners = new Map<string, ((roomId: string, event: RoomEvent) => void)[]>();
  /** Room state by `${room}|${type}`: the whole event (sender, content). */
  readonly state = new Map<string, { sender: string; content: Record<string, unknown> }>();
  /** Errors the next PUTs throw, in order. */
  readonly sendFailures: unknown[] = [];
  started: unknown = undefined;
  stopped = false;
  crypto?: MatrixClientLike["crypto"];
  private sent = 0;

  constructor(
    readonly spec: ClientSpec,
    readonly world: { userId: string; validTokens: Set<string> },
  ) {}

  on(event: string, listener: (roomId: string, event: RoomEvent) => void): unknown {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, roomId: string, ev: RoomEvent): void {
    for (const l of this.listeners.get(event) ?? []) l(roomId, ev);
  }
  async start(filter?: unknown): Promise<unknown> {
    this.started = filter;
    return undefined;
  }
  stop(): void {
    this.stopped = true;
  }
  async getUserId(): Promise<string> {
    if (!this.world.validTokens.has(this.spec.accessToken)) throw Object.assign(new Error("M_UNKNOWN_TOKEN"), { errcode: "M_UNKNOWN_TOKEN", statusCode: 401 });
    return this.world.userId;
  }
  async joinRoom(room: string, via: string[] = []): Promise<string> {
    this.joined.push({ room, via });
    return room;
  }
  async leaveRoom(room: string, reason?: string): Promise<unknown> {
    this.left.push({ room, reason });
    return {};
  }
  async doRequest(method: string, endpoint: string, qs?: Record<string, unknown> | null, body?: unknown): Promise<unknown> {
    this.requests.push({ method, endpoint, qs, body });
    if (method === "PUT" && endpoint.includes("/send/")) {
      if (this.sendFailures.length > 0) throw this.sendFailures.shift();
      return { event_id: `$sent${++this.sent}` };
    }
    const m = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/state\/([^/]+)\/$/.exec(endpoint);
    if (method === "GET" && m) {
      const ev = this.state.get(`${decodeURIComponent(m[1]!)}|${decodeURIComponent(m[2]!)}`);
      if (!ev) throw Object.assign(new Error("M_NOT_FOUND"), { errcode: "M_NOT_FOUND", statusCode: 404 });
      return qs?.["format"] === "event" ? { type: decodeURIComponent(m[2]!), state_key: "", ...ev } : ev.content;
    }
    throw new Error(`fake client: unexpected ${method} ${endpoint}`);
  }
  sends(): Sent[] {
    return this.requests.filter((r): r is Sent => r.method === "PUT");
  }
}

class FakeSubscriptions implements RoomLifecycle {
  readonly removed: RoomRef[] = [];
  readonly moved: [RoomRef, RoomRef][] = [];
  async removeRoom(room: RoomRef): Promise<number> {
    this.removed.push(room);
    return 2;
  }
  async moveRoom(from: RoomRef, to: RoomRef): Promise<number> {
    this.moved.push([from, to]);
    return 2;
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Before asserting that something did NOT happen: sends one more command and waits for its answer.
 * Events are handled in order and sends go out in order, so anything the earlier events caused
 * has happened by then.
 */
async function sentinel(client: FakeClient, room = ROOM): Promise<void> {
  const ev = message("!sentinel");
  client.emit("room.message", room, ev);
  await until("the sentinel's answer", () => client.sends().some((r) => r.body?.["m.relates_to"]?.["m.in_reply_to"]?.event_id === ev.event_id));
}

const BOT = "@nixie:hs.example";
const ROOM = "!room:hs.example";
let t = 10_000;
const message = (body: string, over: Partial<RoomEvent> & { content?: Record<string, unknown> } = {}): RoomEvent => ({
  type: "m.room.message",
  event_id: `$m${++t}`,
  sender: "@alice:hs.example",
  origin_server_ts: Date.now() + 1000,
  ...over,
  content: { msgtype: "m.text", body, ...over.content },
});

describe("matrix adapter (fake client)", () => {
  let dir: string;
  let store: Store;
  let clients: FakeClient[];
  let world: { userId: string; validTokens: Set<string> };
  let subs: FakeSubscriptions;
  let handled: IncomingMessage[];
  let waits: number[];
  let logins: number;
  let adapters: Adapter[];

  const baseConfig = (env: Record<string, string> = {}): { config: Config; secrets: ReturnType<typeof loadConfig>["secrets"] } =>
    loadConfig({
      env: { NIXIE_CONFIG: "", NIXIE_DATA_DIR: join(dir, "data"), MATRIX_HOMESERVER_URL: "http://hs.invalid/", MATRIX_ACCESS_TOKEN: "tok", ...env },
      ignoreLocal: true,
    });

  const handler: MessageHandler = async (m) => {
    handled.push(m);
    if (m.text === "!leave") {
      m.leaveRoom?.();
      return textReply("bye");
    }
    if (m.text === "!silent") return null;
    if (m.text === "!manage") return textReply(String(await m.canManageRoom()));
    return textReply("echo ", bold(m.text), " <b>&");
  };

  async function start(over: Partial<MatrixAdapterOptions> = {}, env?: Record<string, string>): Promise<{ adapter: Adapter; client: FakeClient }> {
    const { config, secrets } = baseConfig(env);
    const adapter = createMatrixAdapter({
      config,
      secrets,
      store,
      log: pino({ level: "silent" }),
      rooms: subs,
      cryptoAvailable: false,
      createClient: (spec) => {
        const c = new FakeClient(spec, world);
        clients.push(c);
        return c;
      },
      login: async (_hs, _user, _password) => {
        logins++;
        const token = `login-${logins}`;
        world.validTokens.add(token);
        return token;
      },
      sleep: async (ms) => {
        waits.push(ms);
      },
      sendIntervalMs: 0,
      ...over,
    });
    await adapter.start(handler);
    adapters.push(adapter);
    return { adapter, client: clients[clients.length - 1]! };
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-matrix-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    clients = [];
    world = { userId: BOT, validTokens: new Set(["tok"]) };
    subs = new FakeSubscriptions();
    handled = [];
    waits = [];
    logins = 0;
    adapters = [];
  });

  afterEach(async () => {
    for (const a of adapters) await a.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("start", () => {
    it("checks the token, keeps sync state in the data directory and syncs with a filter", async () => {
      const { adapter, client } = await start();
      assert.equal(client.spec.homeserverUrl, "http://hs.invalid");
      assert.equal(client.spec.accessToken, "tok");
      assert.ok(client.spec.syncFile?.startsWith(join(dir, "data", "matrix", "sync-")));
      assert.equal(client.spec.cryptoDir, undefined);
      assert.ok(client.started && typeof client.started === "object");
      // members lazy-loaded in state and timeline, the timeline bounded
      const room = (client.started as { room: { state: Record<string, unknown>; timeline: Record<string, unknown> } }).room;
      assert.equal(room.state["lazy_load_members"], true);
      assert.equal(room.timeline["lazy_load_members"], true);
      assert.ok(typeof room.timeline["limit"] === "number" && room.timeline["limit"] > 0 && room.timeline["limit"] <= 50);
      assert.equal(adapter.isConnected(), true);
      await adapter.stop();
      assert.equal(client.stopped, true);
      assert.equal(adapter.isConnected(), false);
    });

    it("reports itself disconnected while /sync fails", async () => {
      const { adapter, client } = await start();
      assert.equal(adapter.isConnected(), true);
      client.spec.onSync!(false);
      assert.equal(adapter.isConnected(), false);
      client.spec.onSync!(true);
      assert.equal(adapter.isConnected(), true);
    });

    it("fails to start with a token the server rejects", async () => {
      await assert.rejects(start({}, { MATRIX_ACCESS_TOKEN: "wrong" }), /M_UNKNOWN_TOKEN/);
    });

    it("logs in with a password once and keeps the token in the store", async () => {
      const env = { MATRIX_ACCESS_TOKEN: "", MATRIX_USER: "@nixie:hs.example", MATRIX_PASSWORD: "pw" };
      const first = await start({}, env);
      assert.equal(logins, 1);
      assert.equal(first.client.spec.accessToken, "login-1");
      const saved = (await store.namespace<{ accessToken: string }>("meta").get(tokenKey({ homeserverUrl: "http://hs.invalid", user: "@nixie:hs.example" })))!;
      assert.equal(saved.accessToken, "login-1");
      await first.adapter.stop();
      const second = await start({}, env);
      assert.equal(logins, 1, "a restart reuses the saved token");
      assert.equal(second.client.spec.accessToken, "login-1");
    });

    it("waits out the login rate limit", async () => {
      let tries = 0;
      const env = { MATRIX_ACCESS_TOKEN: "", MATRIX_USER: "@nixie:hs.example", MATRIX_PASSWORD: "pw" };
      const login = async (): Promise<string> => {
        if (++tries === 1) throw Object.assign(new Error("M_LIMIT_EXCEEDED"), { statusCode: 429, errcode: "M_LIMIT_EXCEEDED", retryAfterMs: 4000 });
        world.validTokens.add("after-wait");
        return "after-wait";
      };
      const { client } = await start({ login }, env);
      assert.equal(client.spec.accessToken, "after-wait");
      assert.deepEqual(waits, [4000]);
    });

    it("logs in again when the saved token has been revoked", async () => {
      const env = { MATRIX_ACCESS_TOKEN: "", MATRIX_USER: "@nixie:hs.example", MATRIX_PASSWORD: "pw" };
      await (await start({}, env)).adapter.stop();
      world.validTokens.delete("login-1");
      const { client } = await start({}, env);
      assert.equal(logins, 2);
      assert.equal(client.spec.accessToken, "login-2");
    });

    it("uses an encryption store only when config enables encryption and the library loaded", async () => {
      assert.equal((await start({ cryptoAvailable: false }, { NIXIE_CONFIG: "" })).client.spec.cryptoDir, undefined);
      const { config, secrets } = baseConfig();
      const on = { ...config, matrix: { ...config.matrix, encryption: true } };
      assert.equal((await start({ config: on, secrets, cryptoAvailable: false })).client.spec.cryptoDir, undefined);
      assert.ok((await start({ config: on, secrets, cryptoAvailable: true })).client.spec.cryptoDir?.includes("crypto-"));
    });
  });

  describe("commands", () => {
    it("answers with an m.notice reply: plain body, escaped HTML, no mentions", async () => {
      const { client } = await start();
      const ev = message("!pkg <x>");
      client.emit("room.message", ROOM, ev);
      await until("a send", () => client.sends().length === 1);
      const put = client.sends()[0]!;
      assert.match(put.endpoint, /^\/_matrix\/client\/v3\/rooms\/!room%3Ahs\.example\/send\/m\.room\.message\/nixie\.r\./);
      assert.deepEqual(put.body, {
        msgtype: "m.notice",
        body: "echo !pkg <x> <b>&",
        format: "org.matrix.custom.html",
        formatted_body: "<p>echo <strong>!pkg &lt;x&gt;</strong> &lt;b&gt;&amp;</p>",
        "m.mentions": {},
        "m.relates_to": { "m.in_reply_to": { event_id: ev.event_id } },
      });
      assert.equal(handled[0]!.user.id, "@alice:hs.example");
      assert.deepEqual(handled[0]!.room, { platform: "matrix", id: ROOM });
    });

    it("answers a message in a thread inside the thread", async () => {
      const { client } = await start();
      const ev = message("!help", { content: { "m.relates_to": { rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: "$root" } } } });
      client.emit("room.message", ROOM, ev);
      await until("a send", () => client.sends().length === 1);
      assert.deepEqual(client.sends()[0]!.body["m.relates_to"], { rel_type: "m.thread", event_id: "$root", is_falling_back: false, "m.in_reply_to": { event_id: ev.event_id } });
    });

    it("passes mentions on as commands and stays silent when the handler does", async () => {
      const { client } = await start();
      client.emit("room.message", ROOM, message("nixie: help"));
      client.emit("room.message", ROOM, message("!silent"));
      await until("two commands", () => handled.length === 2);
      assert.deepEqual(handled.map((m) => m.text).sort(), ["!help", "!silent"]);
      await until("one send", () => client.sends().length === 1);
      await sentinel(client);
      assert.equal(client.sends().length, 2);
    });

    it("never hands its own, old, notice, edited or redacted events to the dispatcher", async () => {
      const { client } = await start();
      client.emit("room.message", ROOM, message("!help", { sender: BOT }));
      client.emit("room.message", ROOM, message("!help", { origin_server_ts: Date.now() - 60_000 }));
      client.emit("room.message", ROOM, message("!help", { content: { msgtype: "m.notice" } }));
      client.emit("room.message", ROOM, message("!help", { content: { "m.relates_to": { rel_type: "m.replace", event_id: "$x" } } }));
      client.emit("room.message", ROOM, message("!help", { unsigned: { redacted_because: {} } }));
      await sentinel(client);
      assert.deepEqual(
        handled.map((m) => m.text),
        ["!sentinel"],
      );
      assert.equal(client.sends().length, 1);
    });

    it("checks room managers against the room's power levels", async () => {
      const { client } = await start();
      client.state.set(`${ROOM}|m.room.power_levels`, { sender: "@c:hs.example", content: { users: { "@mod:hs.example": 50 }, state_default: 50 } });
      client.state.set(`${ROOM}|m.room.create`, { sender: "@c:hs.example", content: { room_version: "10" } });
      const byMod = message("!manage", { sender: "@mod:hs.example" });
      const byCreator = message("!manage", { sender: "@c:hs.example" });
      client.emit("room.message", ROOM, byMod);
      client.emit("room.message", ROOM, byCreator);
      await until("two answers", () => client.sends().length === 2);
      const answers = new Map(client.sends().map((s) => [s.body["m.relates_to"]?.["m.in_reply_to"]?.event_id, s.body.body]));
      assert.equal(answers.get(byMod.event_id), "true");
      // before room version 12 the creator is just a user with the level power_levels gives (0 here)
      assert.equal(answers.get(byCreator.event_id), "false");
      // the create event was asked for as a whole event, to learn its sender
      assert.ok(client.requests.some((r) => r.endpoint.includes("/state/m.room.create/") && r.qs?.["format"] === "event"));
    });

    it("counts a room version 12 creator as a manager", async () => {
      const { client } = await start();
      client.state.set(`${ROOM}|m.room.power_levels`, { sender: "@c:hs.example", content: { users: {} } });
      client.state.set(`${ROOM}|m.room.create`, { sender: "@c:hs.example", content: { room_version: "12" } });
      client.emit("room.message", ROOM, message("!manage", { sender: "@c:hs.example" }));
      await until("an answer", () => client.sends().length === 1);
      assert.equal(client.sends()[0]!.body.body, "true");
    });

    it("lets configured admins manage any room without asking the server", async () => {
      const { config, secrets } = baseConfig();
      const { client } = await start({ config: { ...config, matrix: { ...config.matrix, admins: ["@ops:hs.example"] } }, secrets });
      client.emit("room.message", ROOM, message("!manage", { sender: "@ops:hs.example" }));
      await until("an answer", () => client.sends().length === 1);
      assert.equal(client.sends()[0]!.body.body, "true");
      assert.ok(!client.requests.some((r) => r.method === "GET"));
    });

    it("leaves on !leave after replying, and drops the room's subscriptions", async () => {
      const { client } = await start();
      client.emit("room.message", ROOM, message("!leave"));
      await until("leaving", () => client.left.length === 1);
      assert.equal(client.sends().length, 1, "the reply went out before leaving");
      assert.equal(client.left[0]!.room, ROOM);
      await until("subscriptions removed", () => subs.removed.length === 1);
      assert.deepEqual(subs.removed[0], { platform: "matrix", id: ROOM });
    });
  });

  describe("!leave", () => {
    it("leaves and drops the subscriptions even when the goodbye cannot be sent", async () => {
      const { client } = await start();
      client.sendFailures.push(Object.assign(new Error("M_FORBIDDEN"), { statusCode: 403, errcode: "M_FORBIDDEN" }));
      client.emit("room.message", ROOM, message("!leave"));
      await until("leaving", () => client.left.length === 1 && subs.removed.length === 1);
      assert.equal(client.sends().length, 1, "the goodbye was tried");
      assert.deepEqual(subs.removed[0], { platform: "matrix", id: ROOM });
    });
  });

  describe("membership and room upgrades", () => {
    it("drops a room's subscriptions when kicked", async () => {
      const { client } = await start();
      client.emit("room.leave", ROOM, { type: "m.room.member", state_key: BOT, sender: "@mod:hs.example", content: { membership: "leave" } });
      await until("subscriptions removed", () => subs.removed.length === 1);
      assert.deepEqual(subs.removed[0], { platform: "matrix", id: ROOM });
    });

    it("joins invited rooms, and only from allowed inviters when a list is set", async () => {
      const { config, secrets } = baseConfig();
      const { client } = await start({ config: { ...config, matrix: { ...config.matrix, autojoin: { allowedServers: ["nixos.org"], allowedUsers: ["@ops:other.org"] } } }, secrets });
      client.emit("room.invite", "!a:x", { type: "m.room.member", sender: "@alice:nixos.org", state_key: BOT, content: { membership: "invite" } });
      client.emit("room.invite", "!b:x", { type: "m.room.member", sender: "@ops:other.org", state_key: BOT, content: { membership: "invite" } });
      client.emit("room.invite", "!c:x", { type: "m.room.member", sender: "@eve:other.org", state_key: BOT, content: { membership: "invite" } });
      await until("two joins and a refusal", () => client.joined.length === 2 && client.left.length === 1);
      assert.deepEqual(client.joined.map((j) => j.room).sort(), ["!a:x", "!b:x"]);
      assert.equal(client.left[0]!.room, "!c:x");
    });

    it("waits out a 429 on join", async () => {
      const { client } = await start();
      let tries = 0;
      const join = client.joinRoom.bind(client);
      client.joinRoom = async (room, via) => {
        if (++tries === 1) throw Object.assign(new Error("limited"), { statusCode: 429, errcode: "M_LIMIT_EXCEEDED", retryAfterMs: 1234 });
        return join(room, via);
      };
      client.emit("room.invite", "!a:x", { type: "m.room.member", sender: "@alice:x", state_key: BOT, content: { membership: "invite" } });
      await until("a join", () => client.joined.length === 1);
      assert.deepEqual(waits, [1234]);
    });

    it("follows a tombstone to the new room, once, and moves the subscriptions", async () => {
      const { client } = await start();
      const tomb: RoomEvent = { type: "m.room.tombstone", state_key: "", event_id: "$t", sender: "@mod:other.example", content: { body: "upgraded", replacement_room: "!new:other.example" } };
      client.emit("room.event", ROOM, tomb);
      client.emit("room.event", ROOM, tomb);
      await until("a join", () => client.joined.length === 1 && subs.moved.length === 1);
      // the second tombstone is recognised as the same one on arrival
      assert.deepEqual(client.joined, [{ room: "!new:other.example", via: ["other.example"] }]);
      assert.deepEqual(subs.moved, [
        [
          { platform: "matrix", id: ROOM },
          { platform: "matrix", id: "!new:other.example" },
        ],
      ]);
    });
  });

  describe("room upgrades nixie cannot follow", () => {
    it("moves the subscriptions to the new room even when it cannot join it (invite-only), so an invite there brings them back", async () => {
      const { client } = await start();
      client.joinRoom = async () => Promise.reject(Object.assign(new Error("M_FORBIDDEN"), { statusCode: 403, errcode: "M_FORBIDDEN" }));
      const tomb: RoomEvent = { type: "m.room.tombstone", state_key: "", event_id: "$t2", sender: "@mod:hs.example", content: { body: "upgraded", replacement_room: "!new:hs.example" } };
      client.emit("room.event", ROOM, tomb);
      await until("subscriptions moved", () => subs.moved.length === 1);
      assert.deepEqual(subs.moved, [
        [
          { platform: "matrix", id: ROOM },
          { platform: "matrix", id: "!new:hs.example" },
        ],
      ]);
    });
  });

  describe("encrypted rooms without the encryption library", () => {
    const encrypted: RoomEvent = { type: "m.room.encrypted", event_id: "$enc", sender: "@alice:hs.example", content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x" } };

    it("says once per room that it cannot read them, also across restarts", async () => {
      const first = await start();
      first.client.emit("room.event", ROOM, encrypted);
      first.client.emit("room.event", ROOM, { ...encrypted, event_id: "$enc2" });
      await until("a notice", () => first.client.sends().length === 1);
      const notice = first.client.sends()[0]!;
      assert.equal(notice.body.msgtype, "m.notice");
      assert.equal(notice.body.body, ENCRYPTED_NOTICE);
      assert.equal(notice.body["m.relates_to"], undefined);
      // a notice for another room comes after any repeat for the first would have
      first.client.emit("room.event", "!third:hs.example", encrypted);
      await until("a notice in the third room", () => first.client.sends().length >= 2);
      assert.deepEqual(
        first.client.sends().map((r) => decodeURIComponent(r.endpoint.split("/")[5]!)),
        [ROOM, "!third:hs.example"],
      );
      await first.adapter.stop();
      const second = await start();
      second.client.emit("room.event", ROOM, encrypted);
      second.client.emit("room.event", "!other:hs.example", encrypted);
      await until("a notice in the other room", () => second.client.sends().length >= 1);
      assert.deepEqual(
        second.client.sends().map((r) => decodeURIComponent(r.endpoint.split("/")[5]!)),
        ["!other:hs.example"],
      );
    });

    it("says it on joining a room that is already encrypted", async () => {
      const { client } = await start();
      client.state.set("!enc:x|m.room.encryption", { sender: "@a:x", content: { algorithm: "m.megolm.v1.aes-sha2" } });
      client.emit("room.invite", "!enc:x", { type: "m.room.member", sender: "@alice:x", state_key: BOT, content: { membership: "invite" } });
      await until("a notice", () => client.sends().length === 1);
      assert.match(client.sends()[0]!.endpoint, /!enc%3Ax/);
    });

    it("encrypts sends in encrypted rooms when encryption is active", async () => {
      const { config, secrets } = baseConfig();
      const { client, adapter } = await start({ config: { ...config, matrix: { ...config.matrix, encryption: true } }, secrets, cryptoAvailable: true });
      client.crypto = {
        isRoomEncrypted: async (room) => room === ROOM,
        encryptRoomEvent: async (_room, type, content) => ({ algorithm: "m.megolm.v1.aes-sha2", ciphertext: `sealed ${type} ${JSON.stringify(content).length}` }),
      };
      await adapter.send({ platform: "matrix", id: ROOM }, textReply("secret"), { deliveryId: "d1" });
      await adapter.send({ platform: "matrix", id: "!plain:x" }, textReply("open"), { deliveryId: "d2" });
      client.emit("room.event", ROOM, encrypted);
      await sentinel(client, "!plain:x");
      const [sealed, open] = client.sends();
      assert.match(sealed!.endpoint, /\/send\/m\.room\.encrypted\//);
      assert.match(sealed!.body.ciphertext ?? "", /^sealed m\.room\.message/);
      assert.match(open!.endpoint, /\/send\/m\.room\.message\//);
      assert.equal(client.sends().length, 3, "no notice when encryption works (the third send is the sentinel's answer)");
    });
  });

  describe("feed posts", () => {
    it("use the delivery id as the transaction id, so a repeated send is the same PUT", async () => {
      const { client, adapter } = await start();
      const room = { platform: "matrix", id: ROOM } as const;
      await adapter.send(room, textReply("entry"), { deliveryId: "matrix:!room|announcements|guid-1" });
      await adapter.send(room, textReply("entry"), { deliveryId: "matrix:!room|announcements|guid-1" });
      await adapter.send(room, textReply("other"), { deliveryId: "matrix:!room|announcements|guid-2" });
      const paths = client.sends().map((s) => s.endpoint);
      assert.equal(paths[0], paths[1]);
      assert.notEqual(paths[0], paths[2]);
      assert.ok(paths[0]!.endsWith(`/send/m.room.message/${txnIdFor("matrix:!room|announcements|guid-1")}`));
      assert.equal(client.sends()[0]!.body.msgtype, "m.notice");
      assert.equal(client.sends()[0]!.body["m.relates_to"], undefined);
    });

    it("wait out a 429 for retry_after_ms and retry with the same transaction id", async () => {
      const { client, adapter } = await start();
      client.sendFailures.push(Object.assign(new Error("M_LIMIT_EXCEEDED"), { statusCode: 429, errcode: "M_LIMIT_EXCEEDED", retryAfterMs: 2500 }));
      client.sendFailures.push({ statusCode: 502 });
      await adapter.send({ platform: "matrix", id: ROOM }, textReply("entry"), { deliveryId: "d" });
      assert.equal(client.sends().length, 3);
      assert.equal(new Set(client.sends().map((s) => s.endpoint)).size, 1);
      assert.equal(waits[0], 2500);
      assert.equal(waits.length, 2);
    });

    it("give up at once on a 429 that asks for too long a wait, and on other errors", async () => {
      const { client, adapter } = await start();
      client.sendFailures.push(Object.assign(new Error("M_LIMIT_EXCEEDED"), { statusCode: 429, errcode: "M_LIMIT_EXCEEDED", retryAfterMs: 3_600_000 }));
      await assert.rejects(adapter.send({ platform: "matrix", id: ROOM }, textReply("x"), { deliveryId: "d" }), /M_LIMIT_EXCEEDED/);
      client.sendFailures.push(Object.assign(new Error("M_FORBIDDEN"), { statusCode: 403, errcode: "M_FORBIDDEN" }));
      await assert.rejects(adapter.send({ platform: "matrix", id: ROOM }, textReply("x")), /M_FORBIDDEN/);
      assert.equal(client.sends().length, 2);
      assert.deepEqual(waits, []);
      // a failed send does not block the next one
      await adapter.send({ platform: "matrix", id: ROOM }, textReply("y"));
      assert.equal(client.sends().length, 3);
    });

    it("give up after a bounded number of attempts", async () => {
      const { client, adapter } = await start();
      for (let i = 0; i < 10; i++) client.sendFailures.push({ statusCode: 503 });
      await assert.rejects(adapter.send({ platform: "matrix", id: ROOM }, textReply("x"), { deliveryId: "d" }));
      assert.equal(client.sends().length, 4);
    });
  });
});
