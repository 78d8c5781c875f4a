/**
 * A loopback fake of Discord for tests: the REST routes nixie uses, under a configurable API base,
 * and a gateway WebSocket speaking v10 JSON (HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats
 * and ACKs, RESUME -> RESUMED, dispatches pushed by the test). It records every REST request and
 * every gateway frame the bot sends. Payload shapes follow Discord's documentation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

type Json = Record<string, unknown>;

/** Snowflake ids of everything in the fake guild (numeric strings, as discord.js requires). */
export const IDS = {
  app: "1100000000000000001",
  bot: "1100000000000000001",
  guild: "1100000000000000010",
  modRole: "1100000000000000011",
  channel: "1100000000000000020",
  otherChannel: "1100000000000000021",
  dmChannel: "1100000000000000022",
  /** A direct-message channel that no event mentions (the bot learns of it only by fetching). */
  quietDmChannel: "1100000000000000023",
  owner: "1100000000000000030",
  alice: "1100000000000000031",
  mod: "1100000000000000032",
} as const;

/** Permission bits used below (Discord's values). */
export const PERMS = {
  manageChannels: 1n << 4n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  embedLinks: 1n << 14n,
  readHistory: 1n << 16n,
  useCommands: 1n << 31n,
} as const;

const EVERYONE_PERMS = PERMS.viewChannel | PERMS.sendMessages | PERMS.embedLinks | PERMS.readHistory | PERMS.useCommands;
const MOD_PERMS = EVERYONE_PERMS | PERMS.manageChannels;

export interface RestCall {
  readonly method: string;
  /** The path below the API version, e.g. /channels/123/messages. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly auth: string | undefined;
  readonly body: Json | Json[] | undefined;
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
}

export const USERS: Readonly<Record<"alice" | "mod" | "owner", FakeUser>> = {
  alice: { id: IDS.alice, username: "alice" },
  mod: { id: IDS.mod, username: "mod" },
  owner: { id: IDS.owner, username: "owner" },
};

const botUser = { id: IDS.bot, username: "nixie", discriminator: "0", global_name: null, avatar: null, bot: true };

const userJson = (u: FakeUser): Json => ({ id: u.id, username: u.username, discriminator: "0", global_name: u.username, avatar: null });

const rolesOf = (u: FakeUser): string[] => (u.id === IDS.mod ? [IDS.modRole] : []);

/** What Discord computes for a member in the fake guild's channels (no overwrites there). */
export function permissionsOf(u: FakeUser): bigint {
  return u.id === IDS.mod ? MOD_PERMS : EVERYONE_PERMS;
}

let snowflake = 1200000000000000000n;
const nextId = (): string => String(++snowflake);

export interface FakeDiscordOptions {
  /** Gateway heartbeat interval (ms); short keeps tests fast. */
  readonly heartbeatInterval?: number;
  /** Answer RESUME with RESUMED (true) or with an invalid session, forcing a new IDENTIFY. */
  readonly resumable?: boolean;
  /** The only bot token accepted (REST 401 and gateway close 4004 otherwise). Default: any. */
  readonly token?: string;
  /**
   * Whether the application may use the privileged message-content intent (switched on in the
   * developer portal). Default true; when false, an IDENTIFY asking for it is closed with 4014.
   */
  readonly messageContentAllowed?: boolean;
  /** Whether IDENTIFY is answered with READY (default true); false: the session never gets ready. */
  readonly ready?: boolean;
  /** Port on 127.0.0.1; 0 (default) for any. */
  readonly port?: number;
}

export interface FakeDiscord {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** What DISCORD_API_URL should be: http://127.0.0.1:PORT/api */
  readonly apiUrl: string;
  readonly rest: RestCall[];
  /** Gateway frames the bot sent (parsed), plus one {connect: url} entry per connection. */
  readonly gateway: Json[];
  /** Messages created per channel (after nonce deduplication). */
  readonly messages: Map<string, Json[]>;
  /** Pushes a dispatch (MESSAGE_CREATE, INTERACTION_CREATE, …) to every connected session. */
  dispatch(t: string, d: Json): void;
  /** Closes every gateway connection with this close code (4000: unknown error, resumable). */
  disconnect(code?: number): void;
  /** Channels that answer 404 (deleted) or 403 (no access) from now on. */
  deleteChannel(id: string): void;
  forbidChannel(id: string): void;
  /** The channel can be seen but posting in it is not allowed (403 Missing Permissions, a lockdown). */
  restrictChannel(id: string, on?: boolean): void;
  /** Stops (false) or resumes (true) answering heartbeats with ACKs: a zombie connection. */
  ackHeartbeats(on: boolean): void;
  /** The next `n` message posts get a 429 (per-route limit, retry after 0.05 s unless said). */
  rateLimitPosts(n?: number, retryAfterSeconds?: number): void;
  /** The next `n` slash-command registrations (bulk PUT) get a 429 asking to retry after this long. */
  rateLimitCommands(n: number, retryAfterSeconds: number): void;
  /** The REST calls whose method and path match. */
  calls(method: string, path: RegExp): RestCall[];
  /** Waits until `pred` holds (polling), failing after `ms`. */
  waitFor<T>(what: string, pred: () => T | undefined | false, ms?: number): Promise<T>;
  close(): Promise<void>;
}

function guildJson(): Json {
  const now = new Date().toISOString();
  const channel = (id: string, name: string): Json => ({ id, type: 0, name, guild_id: IDS.guild, position: 0, permission_overwrites: [], nsfw: false, parent_id: null });
  const member = (u: Json, roles: string[]): Json => ({ user: u, roles, joined_at: now, deaf: false, mute: false, flags: 0 });
  const role = (id: string, name: string, perms: bigint, position: number): Json => ({
    id,
    name,
    permissions: perms.toString(),
    position,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  });
  return {
    id: IDS.guild,
    name: "Nix Test",
    owner_id: IDS.owner,
    icon: null,
    features: [],
    unavailable: false,
    large: false,
    member_count: 4,
    joined_at: now,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    premium_tier: 0,
    preferred_locale: "en-US",
    system_channel_flags: 0,
    nsfw_level: 0,
    roles: [role(IDS.guild, "@everyone", EVERYONE_PERMS, 0), role(IDS.modRole, "Moderators", MOD_PERMS, 1)],
    channels: [channel(IDS.channel, "general"), channel(IDS.otherChannel, "announcements")],
    members: [member(botUser, []), member(userJson(USERS.alice), []), member(userJson(USERS.mod), [IDS.modRole])],
    emojis: [],
    stickers: [],
    threads: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
  };
}

/** Starts the fake on 127.0.0.1 (port 0 unless told). */
export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const heartbeatInterval = opts.heartbeatInterval ?? 500;
  const resumable = opts.resumable ?? true;
  const rest: RestCall[] = [];
  const gateway: Json[] = [];
  const messages = new Map<string, Json[]>([
    [IDS.channel, []],
    [IDS.otherChannel, []],
    [IDS.dmChannel, []],
    [IDS.quietDmChannel, []],
  ]);
  const gone = new Set<string>();
  const forbidden = new Set<string>();
  const restricted = new Set<string>();
  const nonces = new Map<string, Json>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let sessions = 0;
  let limitedPosts = 0;
  let limitedCommandPuts = 0;
  let commandsRetryAfter = 0;
  let acking = true;
  let retryAfter = 0.05;
  let url = "";

  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) {
      // Like Discord: a 204 has no body and no content-type (discord.js would try to parse it).
      res.writeHead(status);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const apiError = (res: ServerResponse, status: number, code: number, message: string): void => send(res, status, { message, code });

  const messageJson = (channelId: string, body: Json, author: Json = botUser): Json => ({
    id: nextId(),
    channel_id: channelId,
    author,
    content: typeof body["content"] === "string" ? body["content"] : "",
    embeds: Array.isArray(body["embeds"]) ? body["embeds"] : [],
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    pinned: false,
    type: 0,
    flags: typeof body["flags"] === "number" ? body["flags"] : 0,
    ...(body["nonce"] !== undefined ? { nonce: body["nonce"] } : {}),
  });

  const channelJson = (id: string): Json | undefined => {
    if (id === IDS.dmChannel || id === IDS.quietDmChannel) return { id, type: 1, last_message_id: null, recipients: [userJson(USERS.alice)] };
    if (id === IDS.channel || id === IDS.otherChannel)
      return { id, type: 0, name: id === IDS.channel ? "general" : "announcements", guild_id: IDS.guild, position: 0, permission_overwrites: [], nsfw: false, parent_id: null };
    return undefined;
  };

  const rateLimited = (res: ServerResponse, seconds: number): void => {
    const text = JSON.stringify({ message: "You are being rate limited.", retry_after: seconds, global: false });
    res.writeHead(429, {
      "content-type": "application/json",
      "retry-after": String(seconds),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset-after": String(seconds),
      "x-ratelimit-bucket": "fake-bucket",
      "x-ratelimit-scope": "user",
    });
    res.end(text);
  };

  function route(call: RestCall, res: ServerResponse): void {
    const { method, path, body } = call;
    const obj = body && !Array.isArray(body) ? body : {};
    let m: RegExpMatchArray | null;
    if (method === "GET" && path === "/gateway/bot") {
      return send(res, 200, { url: url.replace(/^http/, "ws"), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } });
    }
    if ((m = path.match(/^\/channels\/(\d+)(\/messages)?$/))) {
      const id = m[1]!;
      if (gone.has(id) || !channelJson(id)) return apiError(res, 404, 10003, "Unknown Channel");
      if (forbidden.has(id)) return apiError(res, 403, 50001, "Missing Access");
      if (method === "GET" && !m[2]) return send(res, 200, channelJson(id));
      if (method === "POST" && m[2]) {
        if (restricted.has(id)) return apiError(res, 403, 50013, "Missing Permissions");
        if (limitedPosts > 0) {
          limitedPosts--;
          // Discord's headers say seconds (whole ones in practice); a fraction keeps the test fast.
          return rateLimited(res, retryAfter);
        }
        // Nonce enforcement: the same nonce in the same channel gives back the first message.
        const nonce = obj["nonce"];
        const key = `${id}|${String(nonce)}`;
        if (obj["enforce_nonce"] === true && nonce !== undefined && nonces.has(key)) return send(res, 200, nonces.get(key));
        const msg = messageJson(id, obj);
        messages.get(id)!.push(msg);
        if (obj["enforce_nonce"] === true && nonce !== undefined) nonces.set(key, msg);
        return send(res, 200, msg);
      }
    }
    if (method === "POST" && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return send(res, 204);
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(\/messages\/@original)?$/))) {
      if (method === "DELETE" && m[3]) return send(res, 204);
      if ((method === "PATCH" && m[3]) || (method === "POST" && !m[3])) return send(res, 200, { ...messageJson(IDS.channel, obj), webhook_id: m[1], application_id: m[1] });
    }
    if (method === "PUT" && (m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      if (limitedCommandPuts > 0) {
        limitedCommandPuts--;
        return rateLimited(res, commandsRetryAfter);
      }
      const list = Array.isArray(body) ? body : [];
      return send(
        res,
        200,
        list.map((c) => ({ ...c, id: nextId(), application_id: m![1], ...(m![2] ? { guild_id: m![2] } : {}), version: nextId(), default_permission: true })),
      );
    }
    if (method === "GET" && (m = path.match(/^\/guilds\/(\d+)\/members\/(\d+)$/))) {
      const u = Object.values(USERS).find((x) => x.id === m![2]);
      if (!u) return apiError(res, 404, 10007, "Unknown Member");
      return send(res, 200, { user: userJson(u), roles: rolesOf(u), joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 });
    }
    return apiError(res, 404, 0, "404: Not Found (fake)");
  }

  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: Json | Json[] | undefined;
      try {
        body = text === "" ? undefined : (JSON.parse(text) as Json | Json[]);
      } catch {
        return apiError(res, 400, 50109, "The request body contains invalid JSON.");
      }
      const prefix = "/api/v10";
      if (!u.pathname.startsWith(prefix)) return apiError(res, 404, 0, "404: Not Found (outside the API base)");
      const call: RestCall = { method: req.method ?? "GET", path: decodeURIComponent(u.pathname.slice(prefix.length)), query: u.searchParams, auth: req.headers.authorization, body };
      rest.push(call);
      if (opts.token !== undefined && call.auth !== `Bot ${opts.token}` && !call.path.startsWith("/webhooks/") && !call.path.startsWith("/interactions/"))
        return apiError(res, 401, 0, "401: Unauthorized");
      route(call, res);
    });
  });

  const wss = new WebSocketServer({ server });
  const frame = (ws: WebSocket, o: Json): void => ws.send(JSON.stringify(o));
  wss.on("connection", (ws, req) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    gateway.push({ connect: req.url ?? "" });
    frame(ws, { op: 10, d: { heartbeat_interval: heartbeatInterval }, s: null, t: null });
    ws.on("message", (raw) => {
      let msg: Json;
      try {
        const bytes = Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? Buffer.from(raw) : raw;
        msg = JSON.parse(bytes.toString()) as Json;
      } catch {
        ws.close(4002, "Decode error");
        return;
      }
      gateway.push(msg);
      switch (msg["op"]) {
        case 1: // HEARTBEAT
          if (acking) frame(ws, { op: 11, d: null, s: null, t: null });
          break;
        case 2: // IDENTIFY
          if (opts.token !== undefined && (msg["d"] as Json | undefined)?.["token"] !== opts.token) {
            ws.close(4004, "Authentication failed.");
            break;
          }
          if (opts.messageContentAllowed === false && (Number((msg["d"] as Json | undefined)?.["intents"]) & (1 << 15)) !== 0) {
            ws.close(4014, "Disallowed intent(s).");
            break;
          }
          if (opts.ready === false) break;
          sessions++;
          frame(ws, {
            op: 0,
            t: "READY",
            s: ++seq,
            d: {
              v: 10,
              user: botUser,
              guilds: [{ id: IDS.guild, unavailable: true }],
              session_id: `session-${sessions}`,
              resume_gateway_url: url.replace(/^http/, "ws"),
              application: { id: IDS.app, flags: 0 },
              shard: [0, 1],
            },
          });
          frame(ws, { op: 0, t: "GUILD_CREATE", s: ++seq, d: guildJson() });
          break;
        case 6: // RESUME
          if (resumable) frame(ws, { op: 0, t: "RESUMED", s: ++seq, d: {} });
          else frame(ws, { op: 9, d: false, s: null, t: null });
          break;
        default:
          break;
      }
    });
  });

  await new Promise<void>((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api`,
    rest,
    gateway,
    messages,
    dispatch(t, d) {
      for (const ws of sockets) frame(ws, { op: 0, t, s: ++seq, d });
    },
    disconnect(code = 4000) {
      for (const ws of sockets) ws.close(code, "fake: disconnect");
    },
    deleteChannel: (id) => void gone.add(id),
    forbidChannel: (id) => void forbidden.add(id),
    restrictChannel: (id, on = true) => void (on ? restricted.add(id) : restricted.delete(id)),
    ackHeartbeats: (on) => void (acking = on),
    rateLimitPosts(n = 1, seconds = 0.05) {
      limitedPosts += n;
      retryAfter = seconds;
    },
    rateLimitCommands(n, seconds) {
      limitedCommandPuts += n;
      commandsRetryAfter = seconds;
    },
    calls: (method, path) => rest.filter((c) => c.method === method && path.test(c.path)),
    async waitFor(what, pred, ms = 3000) {
      const end = Date.now() + ms;
      for (;;) {
        const v = pred();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > end) throw new Error(`fake Discord: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// ---- payloads the fake pushes --------------------------------------------------------------------

/** A MESSAGE_CREATE from a user in a guild channel (or the DM channel). */
export function messageCreate(content: string, from: FakeUser = USERS.alice, channelId: string = IDS.channel, mentions: readonly FakeUser[] = []): Json {
  const inGuild = channelId !== IDS.dmChannel;
  return {
    id: nextId(),
    channel_id: channelId,
    channel_type: inGuild ? 0 : 1,
    ...(inGuild ? { guild_id: IDS.guild, member: { roles: rolesOf(from), joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 } } : {}),
    author: userJson(from),
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: mentions.map(userJson),
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
  };
}

export interface SlashOption {
  readonly name: string;
  /** 3 string, 4 integer, 5 boolean, 6 user (value: the user's id; the user is in `resolved`) */
  readonly type: 3 | 4 | 5 | 6;
  readonly value: string | number | boolean;
  readonly focused?: boolean;
}

/** Discord sends the users that user options name in `data.resolved.users`. */
function resolvedOf(options: readonly SlashOption[]): Json {
  const users = options.filter((o) => o.type === 6).map((o) => Object.values(USERS).find((u) => u.id === o.value) ?? { id: String(o.value), username: `user${String(o.value).slice(-4)}` });
  return users.length === 0 ? {} : { resolved: { users: Object.fromEntries(users.map((u) => [u.id, userJson(u)])) } };
}

function interaction(type: 2 | 4, name: string, options: readonly SlashOption[], from: FakeUser, dm: boolean): Json {
  if (dm) {
    // In a direct message there is no guild and no member: the user comes alone.
    return {
      id: nextId(),
      application_id: IDS.app,
      type,
      token: `itoken-${nextId()}`,
      version: 1,
      data: { id: nextId(), name, type: 1, options, ...resolvedOf(options) },
      channel_id: IDS.dmChannel,
      channel: { id: IDS.dmChannel, type: 1, last_message_id: null, recipients: [userJson(from)] },
      user: userJson(from),
      app_permissions: EVERYONE_PERMS.toString(),
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": IDS.guild },
      context: 1,
    };
  }
  return {
    id: nextId(),
    application_id: IDS.app,
    type,
    token: `itoken-${nextId()}`,
    version: 1,
    data: { id: nextId(), name, type: 1, options, ...resolvedOf(options) },
    guild_id: IDS.guild,
    channel_id: IDS.channel,
    channel: { id: IDS.channel, type: 0, name: "general", guild_id: IDS.guild },
    member: { user: userJson(from), roles: rolesOf(from), permissions: permissionsOf(from).toString(), joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    app_permissions: MOD_PERMS.toString(),
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": IDS.guild },
    context: 0,
  };
}

/** An INTERACTION_CREATE for a slash command (type 2) in the guild channel, or in a direct message. */
export function slashCommand(name: string, options: readonly SlashOption[] = [], from: FakeUser = USERS.alice, where: { dm?: boolean } = {}): Json {
  return interaction(2, name, options, from, where.dm === true);
}

/** An INTERACTION_CREATE for autocomplete (type 4): one option has `focused: true`. */
export function autocomplete(name: string, options: readonly SlashOption[], from: FakeUser = USERS.alice): Json {
  return interaction(4, name, options, from, false);
}

/** The recorded interaction callback (POST /interactions/:id/:token/callback) for an interaction. */
export function callbackOf(fake: FakeDiscord, i: Json): RestCall | undefined {
  return fake.rest.find((c) => c.method === "POST" && c.path === `/interactions/${String(i["id"])}/${String(i["token"])}/callback`);
}

/** REST calls on an interaction's webhook (edits, deletions and follow-ups of its replies). */
export function webhookCalls(fake: FakeDiscord, i: Json): RestCall[] {
  return fake.rest.filter((c) => c.path.startsWith(`/webhooks/${IDS.app}/${String(i["token"])}`));
}
