/**
 * A loopback stand-in for a Matrix homeserver: the client-server routes nixie's start-up and sync
 * use (login, whoami, joined_rooms, account data, filter upload, /sync), answering as Synapse does.
 * The first /sync carries the joined rooms with their member events: all of them, or, when the
 * uploaded filter asks for lazy-loaded members, only those of the timeline's senders (as Synapse
 * does). It records every request and uploaded filter, and can listen on a fixed port so a test
 * can bring it up after nixie.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

export interface FakeMatrixOptions {
  /** Port on 127.0.0.1; 0 (default) for any. */
  readonly port?: number;
  /** The bot's user id. Default @nixie:fake.test. */
  readonly userId?: string;
  /** The access token accepted; a password login hands it out. Default syt_… */
  readonly accessToken?: string;
  /** The password accepted by /login; undefined: password login refused. */
  readonly password?: string;
  /** Joined rooms in the first sync. Default 0. */
  readonly rooms?: number;
  /** Members in all, spread evenly over the rooms. Default 0. */
  readonly members?: number;
  /** Timeline events per room in the first sync (from the members). Default 5. */
  readonly timelinePerRoom?: number;
  /** Serve every member event whatever the filter says (a server without lazy loading). */
  readonly ignoreLazyLoading?: boolean;
  /** Longest an incremental /sync waits for nothing (ms). Default 200. */
  readonly longPollMs?: number;
}

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly auth: string | undefined;
  readonly body: unknown;
  readonly at: number;
}

export interface FakeMatrix {
  readonly url: string;
  readonly userId: string;
  readonly accessToken: string;
  readonly calls: RecordedCall[];
  /** Filters uploaded with POST /user/{id}/filter, in order. */
  readonly filters: Json[];
  /** How many /sync requests arrived. */
  syncs(): number;
  /**
   * Bytes of the first sync served after this filter's upload; it is made now and kept, so a
   * benchmark times nixie, not the stand-in.
   */
  firstSyncBytes(filter: Json): number;
  close(): Promise<void>;
}

const DEFAULT_TOKEN = "syt_bml4aWU_FakeHomeserverTok3n_0Abc12";

function lazyRequested(filter: Json | undefined): boolean {
  const room = (filter?.["room"] ?? {}) as Json;
  return ((room["state"] ?? {}) as Json)["lazy_load_members"] === true;
}

function member(roomId: string, userId: string, i: number): Json {
  return {
    type: "m.room.member",
    state_key: userId,
    sender: userId,
    event_id: `$m${i}-${roomId.slice(1, 9)}`,
    origin_server_ts: 1_700_000_000_000 + i,
    content: { membership: "join", displayname: `User ${i}`, avatar_url: `mxc://fake.test/avatar${i}` },
    unsigned: { age: 1000 },
  };
}

function roomJson(roomId: string, botId: string, members: string[], timelinePerRoom: number, lazy: boolean, base: number): Json {
  const senders = members.slice(0, timelinePerRoom);
  const timeline = senders.map((s, i) => ({
    type: "m.room.message",
    sender: s,
    event_id: `$t${base + i}-${roomId.slice(1, 9)}`,
    origin_server_ts: 1_700_000_000_000 + i,
    content: { msgtype: "m.text", body: `old message ${i} in a busy room, long since answered` },
    unsigned: { age: 100_000 },
  }));
  const memberIds = lazy ? [...new Set([...senders, botId])] : [botId, ...members];
  const state = [
    { type: "m.room.create", state_key: "", sender: members[0] ?? botId, event_id: `$c-${roomId.slice(1, 9)}`, origin_server_ts: 1, content: { room_version: "10" } },
    { type: "m.room.name", state_key: "", sender: members[0] ?? botId, event_id: `$n-${roomId.slice(1, 9)}`, origin_server_ts: 2, content: { name: `Room ${roomId}` } },
    ...memberIds.map((u, i) => member(roomId, u, base + i)),
  ];
  return {
    state: { events: state },
    timeline: { events: timeline, limited: true, prev_batch: "p1" },
    ephemeral: { events: [] },
    account_data: { events: [] },
    summary: { "m.joined_member_count": members.length + 1, "m.invited_member_count": 0 },
    unread_notifications: { notification_count: 0, highlight_count: 0 },
  };
}

export async function startFakeMatrix(opts: FakeMatrixOptions = {}): Promise<FakeMatrix> {
  const userId = opts.userId ?? "@nixie:fake.test";
  const accessToken = opts.accessToken ?? DEFAULT_TOKEN;
  const rooms = Array.from({ length: opts.rooms ?? 0 }, (_, i) => `!room${String(i).padStart(4, "0")}:fake.test`);
  const perRoom = rooms.length > 0 ? Math.floor((opts.members ?? 0) / rooms.length) : 0;
  const longPollMs = opts.longPollMs ?? 200;
  const calls: RecordedCall[] = [];
  const filters: Json[] = [];
  let syncs = 0;
  const pending = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  // the serialised first sync per variant: made once, so that a benchmark times nixie, not this
  const firstSyncs = new Map<string, string>();
  function firstSync(): string {
    const filter = filters.at(-1);
    const lazy = lazyRequested(filter) && !opts.ignoreLazyLoading;
    const timelineLimit = (((filter?.["room"] ?? {}) as Json)["timeline"] as Json | undefined)?.["limit"];
    const timelinePerRoom = Math.min(opts.timelinePerRoom ?? 5, typeof timelineLimit === "number" ? timelineLimit : Infinity);
    const key = `${String(lazy)}/${timelinePerRoom}`;
    let body = firstSyncs.get(key);
    if (body === undefined) {
      const join: Json = {};
      rooms.forEach((roomId, r) => {
        const members = Array.from({ length: perRoom }, (_, i) => `@user${r * perRoom + i}:fake.test`);
        join[roomId] = roomJson(roomId, userId, members, timelinePerRoom, lazy, r * perRoom);
      });
      body = JSON.stringify({ next_batch: "s1", rooms: { join, invite: {}, leave: {} }, account_data: { events: [] }, presence: { events: [] } });
      firstSyncs.set(key, body);
    }
    return body;
  }

  function route(call: RecordedCall, res: ServerResponse): void {
    const p = call.path;
    if (p === "/_matrix/client/versions") return send(res, 200, { versions: ["v1.1", "v1.5", "v1.11"], unstable_features: {} });
    if (p === "/_matrix/client/v3/login" && call.method === "POST") {
      const body = (call.body ?? {}) as Json;
      if (opts.password === undefined || body["password"] !== opts.password) return send(res, 403, { errcode: "M_FORBIDDEN", error: "Invalid username or password" });
      return send(res, 200, { user_id: userId, access_token: accessToken, device_id: "FAKEDEVICE", home_server: "fake.test" });
    }
    if (call.auth !== `Bearer ${accessToken}`) return send(res, 401, { errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token passed.", soft_logout: false });
    if (p === "/_matrix/client/v3/account/whoami") return send(res, 200, { user_id: userId, device_id: "FAKEDEVICE", is_guest: false });
    if (p === "/_matrix/client/v3/joined_rooms") return send(res, 200, { joined_rooms: rooms });
    if (p.startsWith("/_matrix/client/v3/user/") && p.includes("/account_data/")) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Account data not found" });
    if (p === `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter` && call.method === "POST") {
      filters.push(call.body as Json);
      return send(res, 200, { filter_id: String(filters.length) });
    }
    if (p === "/_matrix/client/v3/sync") {
      syncs++;
      if (!call.query.get("since")) {
        res.writeHead(200, { "content-type": "application/json" }).end(firstSync());
        return;
      }
      const wait = Math.min(longPollMs, Number(call.query.get("timeout") ?? "0"));
      const t = setTimeout(() => {
        pending.delete(t);
        send(res, 200, { next_batch: `s${syncs}`, rooms: { join: {}, invite: {}, leave: {} } });
      }, wait);
      pending.add(t);
      return;
    }
    return send(res, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const call: RecordedCall = { method: req.method ?? "GET", path: u.pathname, query: u.searchParams, auth: req.headers.authorization, body, at: Date.now() };
      calls.push(call);
      route(call, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    userId,
    accessToken,
    calls,
    filters,
    syncs: () => syncs,
    firstSyncBytes: (filter) => {
      filters.push(filter);
      const n = Buffer.byteLength(firstSync());
      filters.pop();
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const t of pending) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
