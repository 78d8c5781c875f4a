/**
 * The test adapter and a whole bot around it: a test says "!help" and reads the reply, as a user
 * in a room would. Uses a fresh SQLite file per bot unless a store URL is given.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startBot, type Bot, type BotOptions } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import type { Adapter, MessageHandler, RoomRef, SendOptions, UserRef } from "../../src/core/adapter.js";
import type { Reply } from "../../src/core/reply.js";
import { renderPlain } from "../../src/render/plain.js";

export interface SentMessage {
  readonly room: RoomRef;
  readonly reply: Reply;
  readonly text: string;
  readonly opts: SendOptions | undefined;
}

/** Who says it where: room "room1" and user "alice" unless given. */
export interface SayOptions {
  readonly room?: string;
  readonly user?: string;
  readonly manager?: boolean;
  /** The users the message mentions, as a platform would report them. */
  readonly mentions?: readonly UserRef[];
  /** A direct message. */
  readonly direct?: boolean;
}

export interface TestAdapter extends Adapter {
  /** Messages sent with send() (feed posts), in order. */
  readonly sent: SentMessage[];
  /** Says something in a room as a user; resolves with the reply (null when nixie stays silent). */
  say(text: string, opts?: SayOptions): Promise<Reply | null>;
  /** Makes send() fail (to test delivery that does not go through). */
  failSends(fail: boolean): void;
}

export function createTestAdapter(): TestAdapter {
  let handler: MessageHandler | undefined;
  let failing = false;
  const sent: SentMessage[] = [];
  return {
    platform: "test",
    sent,
    async start(h) {
      handler = h;
    },
    async send(room, reply, opts) {
      if (failing) throw new Error("test adapter: send failed");
      sent.push({ room, reply, text: renderPlain(reply), opts });
    },
    async stop() {
      handler = undefined;
    },
    isConnected: () => handler !== undefined,
    async say(text, o = {}) {
      if (!handler) throw new Error("test adapter is not started");
      return handler({
        room: { platform: "test", id: o.room ?? "room1" },
        user: { id: o.user ?? "alice", name: o.user ?? "alice" },
        text,
        canManageRoom: async () => o.manager ?? false,
        ...(o.mentions ? { mentions: o.mentions } : {}),
        ...(o.direct ? { direct: true } : {}),
      });
    },
    failSends(f) {
      failing = f;
    },
  };
}

export interface TestBot {
  readonly bot: Bot;
  readonly adapter: TestAdapter;
  /** Says text and returns the plain-text reply ("" for silence). */
  ask(text: string, opts?: SayOptions): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a bot with config from default.json plus `env` (e.g. NIXIE_SEARCH_URL) and a test adapter. */
export async function startTestBot(
  env: Record<string, string> = {},
  opts: {
    now?: () => Date;
    onCommand?: BotOptions["onCommand"];
    onHttpEvent?: BotOptions["onHttpEvent"];
    http?: BotOptions["http"];
    onFeedEvent?: BotOptions["onFeedEvent"];
    /** The bot's logger (default: silent, or the level in NIXIE_TEST_LOG). */
    log?: BotOptions["log"];
  } = {},
): Promise<TestBot> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-test-"));
  const loaded = loadConfig({
    env: {
      NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`,
      NIXIE_CONFIG: "",
      NIXIE_EVAL: "off",
      NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
      NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
      NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data",
      NIXIE_FN_NIX: "/nonexistent/nix",
      ...env,
    },
    ignoreLocal: true,
  });
  const adapter = createTestAdapter();
  const bot = await startBot({
    loaded,
    log: opts.log ?? pino({ level: process.env["NIXIE_TEST_LOG"] ?? "silent" }),
    adapters: () => [adapter],
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onCommand ? { onCommand: opts.onCommand } : {}),
    ...(opts.onHttpEvent ? { onHttpEvent: opts.onHttpEvent } : {}),
    ...(opts.http ? { http: opts.http } : {}),
    ...(opts.onFeedEvent ? { onFeedEvent: opts.onFeedEvent } : {}),
  });
  return {
    bot,
    adapter,
    async ask(text, o) {
      const r = await adapter.say(text, o);
      return r ? renderPlain(r) : "";
    },
    async stop() {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
