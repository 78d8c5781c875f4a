/** What every chat adapter (console, Matrix, Discord, the test adapter) provides to the core. */
import type { Reply } from "./reply.js";

export type Platform = "console" | "matrix" | "discord" | "test";

/** A room (Matrix room, Discord channel, the console) as the core knows it. */
export interface RoomRef {
  readonly platform: Platform;
  readonly id: string;
}

/** One stable string per room, used as a store key. */
export function roomKey(room: RoomRef): string {
  return `${room.platform}:${room.id}`;
}

/** The inverse of roomKey. */
export function parseRoomKey(key: string): RoomRef | undefined {
  const i = key.indexOf(":");
  if (i <= 0) return undefined;
  const platform = key.slice(0, i);
  if (!isPlatform(platform)) return undefined;
  return { platform, id: key.slice(i + 1) };
}

function isPlatform(p: string): p is Platform {
  return p === "console" || p === "matrix" || p === "discord" || p === "test";
}

export interface UserRef {
  readonly id: string;
  readonly name?: string;
}

/** A chat message as an adapter hands it to the core. */
export interface IncomingMessage {
  readonly room: RoomRef;
  readonly user: UserRef;
  readonly text: string;
  /** Whether the sender may manage the room (subscribe feeds); asked only when a command needs it. */
  canManageRoom(): Promise<boolean>;
  /**
   * Makes the bot leave this room once the reply to this message has been sent. Only adapters
   * whose platform lets a bot leave a room on request (Matrix) provide it.
   */
  readonly leaveRoom?: () => void;
  /**
   * The users the message mentions, as the platform identified them: Matrix `m.mentions` and the
   * pills of the formatted body (name = the pill's text), Discord's mentions of a message or the
   * users of a slash command's user options. Absent: none.
   */
  readonly mentions?: readonly UserRef[];
  /** A direct (one-to-one) conversation, not a room: Discord DMs. Absent: a room. */
  readonly direct?: boolean;
  /** A Discord slash command: usage and hints are shown in slash syntax ("/pkg query:…"). */
  readonly slash?: boolean;
}

export interface SendOptions {
  /**
   * A stable id for this exact post (room + feed + entry). Matrix uses it as the transaction id,
   * Discord as the enforced nonce, so a retried send cannot post twice.
   */
  readonly deliveryId?: string;
}

/** Handles one incoming message; resolves with the reply to send, or null for silence. */
export type MessageHandler = (message: IncomingMessage) => Promise<Reply | null>;

export interface Adapter {
  readonly platform: Platform;
  start(handler: MessageHandler): Promise<void>;
  /** Sends a reply that is not an answer to a message (feed posts). */
  send(room: RoomRef, reply: Reply, opts?: SendOptions): Promise<void>;
  stop(): Promise<void>;
  /** For health checks. */
  isConnected(): boolean;
}
