/**
 * The Matrix adapter: a matrix-bot-sdk client that answers commands in rooms it has joined,
 * posts feed entries, follows invites, kicks and room upgrades. Decisions about single events
 * live in events.ts and power.ts; sending (transaction ids, 429s, pacing) in send.ts; the access
 * token in login.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Config, Secrets } from "../../config.js";
import { resolveFromRoot } from "../../config.js";
import type { Adapter, IncomingMessage, MessageHandler, RoomRef } from "../../core/adapter.js";
import { textReply, type Reply } from "../../core/reply.js";
import { redactInLogs } from "../../redact.js";
import { renderMatrix } from "../../render/matrix.js";
import type { Store } from "../../storage/store.js";
import { commandInBody, mentionedUsers, messageBody, inviteAllowed, isEncryptionSign, replyRelation, serverOf, tombstoneTarget, type RoomEvent } from "./events.js";
import { resolveAccessToken, type PasswordLogin } from "./login.js";
import { canManage } from "./power.js";
import { createSender, retryDelay, txnIdFor, type RawRequester } from "./send.js";
import { withDeadline } from "../../core/deadline.js";

/** What the adapter uses of a matrix-bot-sdk MatrixClient (a recording fake in unit tests). */
export interface MatrixClientLike extends RawRequester {
  /** Room events: "room.message", "room.invite", "room.leave", "room.event". */
  on(event: string, listener: (roomId: string, event: RoomEvent) => void): unknown;
  start(filter?: unknown): Promise<unknown>;
  stop(): void;
  getUserId(): Promise<string>;
  joinRoom(roomIdOrAlias: string, viaServers?: string[]): Promise<string>;
  leaveRoom(roomId: string, reason?: string): Promise<unknown>;
  /** Present when end-to-end encryption is active. */
  readonly crypto?:
    | {
        isRoomEncrypted(roomId: string): Promise<boolean>;
        encryptRoomEvent(roomId: string, eventType: string, content: unknown): Promise<unknown>;
      }
    | undefined;
}

export interface ClientSpec {
  readonly homeserverUrl: string;
  readonly accessToken: string;
  /** Sync token and filter file; undefined for a throwaway client (the whoami probe). */
  readonly syncFile?: string;
  /** Encryption store folder when encryption is to be used. */
  readonly cryptoDir?: string;
  /** Told after every /sync attempt whether it succeeded (for health checks). */
  readonly onSync?: (ok: boolean) => void;
}

/**
 * What the adapter tells the room registry (src/rooms/): a room nixie left drops its state, an
 * upgraded room's state moves to the new room. Each resolves with how many items it touched.
 */
export interface RoomLifecycle {
  removeRoom(room: RoomRef): Promise<number>;
  moveRoom(from: RoomRef, to: RoomRef): Promise<number>;
}

export interface MatrixAdapterOptions {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly store: Store;
  readonly log: Logger;
  readonly rooms?: RoomLifecycle | undefined;
  /** Whether end-to-end encryption can be used here (the native library loaded). */
  readonly cryptoAvailable: boolean;
  readonly createClient: (spec: ClientSpec) => MatrixClientLike;
  readonly login: PasswordLogin;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Minimum pause between two sends (ms); default 200. */
  readonly sendIntervalMs?: number;
}

export const ENCRYPTED_NOTICE = "I cannot read encrypted messages in this room, so I cannot answer commands here. Use an unencrypted room to talk to me.";

/** Most timeline events per room in one sync; nixie answers only what is new, never history. */
export const SYNC_TIMELINE_LIMIT = 20;

/**
 * The /sync filter. Members are lazy-loaded (only the senders of the events in a sync, as the
 * spec's lazy_load_members asks), so a first sync in the NixOS space does not carry the tens of
 * thousands of member events of its largest rooms; presence, typing, receipts and account data,
 * which nixie never reads, are left out; the timeline is bounded.
 */
export const SYNC_FILTER = {
  presence: { not_types: ["*"] },
  account_data: { not_types: ["*"] },
  room: {
    ephemeral: { not_types: ["*"] },
    account_data: { not_types: ["*"] },
    state: { lazy_load_members: true },
    timeline: { limit: SYNC_TIMELINE_LIMIT, lazy_load_members: true },
  },
};

const hash = (s: string): string => createHash("sha256").update(s).digest("hex").slice(0, 16);

export function createMatrixAdapter(opts: MatrixAdapterOptions): Adapter & { readonly userId: () => string | undefined } {
  const { config, log } = opts;
  const hs = config.matrix.homeserverUrl.replace(/\/+$/, "");
  const meta = opts.store.namespace<unknown>("meta");
  const now = opts.now ?? Date.now;
  let client: MatrixClientLike | undefined;
  let sender: ReturnType<typeof createSender> | undefined;
  let botUserId: string | undefined;
  let startedAt = Number.POSITIVE_INFINITY;
  let running = false;
  // the last /sync failed: the homeserver is unreachable or rejects us (the SDK keeps retrying)
  let syncFailing = false;
  const noticedEncrypted = new Set<string>();
  const followedTombstones = new Set<string>();

  const room = (id: string): RoomRef => ({ platform: "matrix", id });
  const useCrypto = config.matrix.encryption && opts.cryptoAvailable;

  async function whoami(token: string): Promise<string> {
    return opts.createClient({ homeserverUrl: hs, accessToken: token }).getUserId();
  }

  /** The access token and user id; a saved token the server no longer accepts is replaced once. */
  async function authenticate(): Promise<{ token: string; userId: string }> {
    const creds = { homeserverUrl: hs, user: config.matrix.user, accessToken: opts.secrets.matrixAccessToken, password: opts.secrets.matrixPassword };
    // a login may meet the server's login rate limit (429) like any other request
    const login: PasswordLogin = (h, u, p) => withRetry(() => opts.login(h, u, p));
    const first = await resolveAccessToken(creds, meta, login);
    redactInLogs(first.token);
    try {
      return { token: first.token, userId: await whoami(first.token) };
    } catch (err) {
      if (first.source !== "saved" || (err as { errcode?: unknown }).errcode !== "M_UNKNOWN_TOKEN") throw err;
      log.warn("matrix: the saved access token was rejected; logging in again");
      const again = await resolveAccessToken(creds, meta, login, { fresh: true });
      redactInLogs(again.token);
      return { token: again.token, userId: await whoami(again.token) };
    }
  }

  async function send(roomId: string, content: Record<string, unknown>, txnId: string): Promise<string> {
    if (!client || !sender) throw new Error("the Matrix adapter is not started");
    if (client.crypto && (await client.crypto.isRoomEncrypted(roomId))) {
      const encrypted = await client.crypto.encryptRoomEvent(roomId, "m.room.message", content);
      return sender.send(roomId, "m.room.encrypted", encrypted, txnId);
    }
    return sender.send(roomId, "m.room.message", content, txnId);
  }

  /** Says once per room (remembered in the store) that encrypted messages cannot be read there. */
  async function noticeEncrypted(roomId: string): Promise<void> {
    if (useCrypto || noticedEncrypted.has(roomId)) return;
    noticedEncrypted.add(roomId);
    const key = `matrix-e2ee-notice:${roomId}`;
    if ((await meta.get(key)) !== undefined) return;
    log.warn({ room: roomId, encryption: config.matrix.encryption ? "native library missing" : "disabled in config" }, "matrix: encrypted room, cannot read its messages");
    await send(roomId, renderMatrix(textReply(ENCRYPTED_NOTICE)), `nixie.e2ee.${hash(roomId)}`);
    await meta.set(key, new Date().toISOString());
  }

  async function stateContent(roomId: string, type: string, format?: "event"): Promise<Record<string, unknown> | undefined> {
    try {
      const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${encodeURIComponent(type)}/`;
      const res = await client!.doRequest("GET", path, format ? { format } : null);
      return typeof res === "object" && res !== null ? (res as Record<string, unknown>) : undefined;
    } catch (err) {
      if ((err as { errcode?: unknown }).errcode === "M_NOT_FOUND") return undefined;
      throw err;
    }
  }

  async function managerCheck(roomId: string, userId: string): Promise<boolean> {
    if (config.matrix.admins.includes(userId)) return true;
    const [powerLevels, createRaw] = await Promise.all([stateContent(roomId, "m.room.power_levels"), stateContent(roomId, "m.room.create", "event")]);
    // With format=event the server answers with the whole event; older servers send only the
    // content, whose (pre-v11) `creator` field then names the creator.
    let create: { sender?: string; content?: Record<string, unknown> } | undefined;
    if (createRaw && typeof createRaw["content"] === "object" && createRaw["content"] !== null) {
      create = { content: createRaw["content"] as Record<string, unknown>, ...(typeof createRaw["sender"] === "string" ? { sender: createRaw["sender"] } : {}) };
    } else if (createRaw) {
      create = { content: createRaw, ...(typeof createRaw["creator"] === "string" ? { sender: createRaw["creator"] } : {}) };
    }
    return canManage({ userId, powerLevels, create, admins: config.matrix.admins });
  }

  async function onLeft(roomId: string, why: string): Promise<void> {
    const removed = opts.rooms ? await opts.rooms.removeRoom(room(roomId)) : 0;
    log.info({ room: roomId, why, roomStateRemoved: removed }, "matrix: left room");
  }

  async function onMessage(handler: MessageHandler, roomId: string, event: RoomEvent): Promise<void> {
    if (!botUserId) return;
    const filter = { botUserId, prefix: config.prefix, botName: config.botName, startedAt };
    // Ordinary messages too: the core may expand references in them (rooms that turned it on).
    // The body is read and checked once (every message of every room passes here).
    const body = messageBody(event, filter);
    const text = body === undefined ? undefined : (commandInBody(body, filter) ?? body);
    if (text === undefined || text === "") return;
    const sender = event.sender!;
    let leave = false;
    const message: IncomingMessage = {
      room: room(roomId),
      user: { id: sender },
      text,
      // Read only for commands (every message of every room passes here).
      ...(text.startsWith(config.prefix) ? { mentions: mentionedUsers(event, botUserId) } : {}),
      canManageRoom: () => managerCheck(roomId, sender),
      leaveRoom: () => {
        leave = true;
      },
    };
    const reply: Reply | null = await handler(message);
    try {
      if (reply && running) {
        const content = { ...renderMatrix(reply), "m.relates_to": replyRelation(event as RoomEvent & { event_id: string }) };
        await send(roomId, content, `nixie.r.${randomUUID()}`);
      }
    } finally {
      // a goodbye that cannot be sent does not keep nixie in a room a manager asked it to leave
      if (leave && client) {
        await client.leaveRoom(roomId, `asked by ${sender}`);
        await onLeft(roomId, `${config.prefix}leave by ${sender}`);
      }
    }
  }

  async function onInvite(roomId: string, event: RoomEvent): Promise<void> {
    const inviter = event.sender;
    const allowed = { users: config.matrix.autojoin.allowedUsers, servers: config.matrix.autojoin.allowedServers };
    if (!inviteAllowed(inviter, allowed)) {
      log.info({ room: roomId, inviter }, "matrix: invite declined (inviter not allowed)");
      await client!.leaveRoom(roomId, "nixie accepts invites only from allowed users and servers");
      return;
    }
    await withRetry(() => client!.joinRoom(roomId));
    log.info({ room: roomId, inviter }, "matrix: joined on invite");
    if (!useCrypto && (await stateContent(roomId, "m.room.encryption")) !== undefined) await noticeEncrypted(roomId);
  }

  async function onRoomEvent(roomId: string, event: RoomEvent): Promise<void> {
    if (isEncryptionSign(event)) {
      await noticeEncrypted(roomId);
      return;
    }
    const target = tombstoneTarget(event);
    if (target === undefined || followedTombstones.has(`${roomId}>${target}`)) return;
    followedTombstones.add(`${roomId}>${target}`);
    const via = event.sender ? serverOf(event.sender) : undefined;
    // An invite-only new room needs an invite; the room's state (subscriptions, tracks, settings) moves there anyway and wait for
    // it, since the old room takes no more posts.
    const joinError = await withRetry(() => client!.joinRoom(target, via ? [via] : [])).then(
      () => undefined,
      (err: unknown) => errText(err),
    );
    const moved = opts.rooms ? await opts.rooms.moveRoom(room(roomId), room(target)) : 0;
    if (joinError === undefined) log.info({ from: roomId, to: target, roomStateMoved: moved }, "matrix: room upgraded, followed it");
    else log.warn({ from: roomId, to: target, roomStateMoved: moved, err: joinError }, "matrix: room upgraded, but nixie cannot join the new room; invite it there");
  }

  /** Joins, logins and other one-off requests: retried like sends are (429s waited out, bounded). */
  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (err) {
        const wait = retryDelay(err, i);
        if (wait === undefined || i >= 3 || wait > config.http.maxRetryWaitMs) throw err;
        await sleep(wait);
      }
    }
  }

  /** Runs an event handler without letting its failure reach the SDK's sync loop. */
  const guarded =
    (what: string, fn: (roomId: string, event: RoomEvent) => Promise<void>) =>
    (roomId: string, event: RoomEvent): void => {
      if (!running) return;
      fn(roomId, event).catch((err: unknown) => log.error({ room: roomId, event: event.event_id, err: errText(err) }, `matrix: ${what} failed`));
    };

  /** One start-up: log in, make the client, start syncing. */
  async function startOnce(handler: MessageHandler): Promise<void> {
    const { token, userId } = await authenticate();
    botUserId = userId;
    const dir = join(resolveFromRoot(config.dataDir), "matrix");
    mkdirSync(dir, { recursive: true });
    const id = hash(`${hs}\n${userId}`);
    if (config.matrix.encryption && !opts.cryptoAvailable) {
      log.warn("matrix: encryption is enabled in config, but the native encryption library did not load; encrypted rooms get a notice instead");
    }
    client = opts.createClient({
      homeserverUrl: hs,
      accessToken: token,
      syncFile: join(dir, `sync-${id}.json`),
      ...(useCrypto ? { cryptoDir: join(dir, `crypto-${id}`) } : {}),
      onSync: (ok) => {
        if (ok === syncFailing) log.info({ syncing: ok }, ok ? "matrix: sync works again" : "matrix: sync failed; retrying");
        syncFailing = !ok;
      },
    });
    sender = createSender({ client, log, intervalMs: opts.sendIntervalMs ?? 200, maxRetryWaitMs: config.http.maxRetryWaitMs, ...(opts.sleep ? { sleep: opts.sleep } : {}) });
    client.on(
      "room.message",
      guarded("command", (roomId, event) => onMessage(handler, roomId, event)),
    );
    client.on("room.invite", guarded("invite", onInvite));
    client.on(
      "room.leave",
      guarded("leave", (roomId, event) => onLeft(roomId, event.sender === botUserId ? "left" : `removed by ${event.sender ?? "?"}`)),
    );
    client.on("room.event", guarded("room event", onRoomEvent));
    // Anything sent before this moment is history: never answered, also after a restart.
    startedAt = now();
    running = true;
    syncFailing = false;
    await client.start(SYNC_FILTER);
    log.info({ user: userId, encryption: useCrypto }, "matrix: syncing");
  }

  return {
    platform: "matrix",
    userId: () => botUserId,

    async start(handler) {
      try {
        await startOnce(handler);
      } catch (err) {
        // a half-made client must not keep syncing: start() may be tried again later
        running = false;
        client?.stop();
        client = undefined;
        sender = undefined;
        throw err;
      }
    },

    async send(target, reply, sendOpts) {
      const txnId = sendOpts?.deliveryId !== undefined ? txnIdFor(sendOpts.deliveryId) : `nixie.s.${randomUUID()}`;
      await send(target.id, { ...renderMatrix(reply) }, txnId);
    },

    async stop() {
      running = false;
      client?.stop();
      if (sender) {
        // let a send in flight finish, but not for long
        await withDeadline(sender.idle(), { ms: 5000 }, () => undefined);
      }
    },

    isConnected: () => running && !syncFailing,
  };
}

function errText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null && "statusCode" in err) return `HTTP ${String(err.statusCode)}`;
  return String(err);
}
