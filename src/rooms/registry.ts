/**
 * The room registry: every feature that keeps state per room (feed subscriptions, pull request
 * tracks, the `!links` setting, factoids, …) registers how that state moves when a room is
 * replaced (a Matrix room upgrade) and how it goes when nixie leaves the room (a leave or kick,
 * a deleted Discord channel). Adapters call the registry, never the features, so a new kind of
 * per-room state follows rooms by registering once.
 */
import type { Logger } from "pino";
import { roomKey, type RoomRef } from "../core/adapter.js";

/** One kind of per-room state, as the registry moves and drops it. */
export interface RoomStateKind {
  /** Short name for logs and results: "subscriptions", "tracks", "links". */
  readonly name: string;
  /**
   * Moves the room's state from `from` to `to` (merged with what `to` already has); resolves with
   * how many items moved. Must be idempotent: a crash half way is repaired by calling it again.
   */
  moveRoom(from: RoomRef, to: RoomRef): Promise<number>;
  /** Drops the room's state; resolves with how many items were dropped. */
  removeRoom(room: RoomRef): Promise<number>;
}

/** What one move or removal did, per registered kind (kinds that failed are listed apart). */
export interface RoomChange {
  /** Items per kind (kinds with nothing to move or drop included, with 0). */
  readonly counts: Readonly<Record<string, number>>;
  /** Kinds whose move or removal threw (logged); their state is left where it was. */
  readonly failed: readonly string[];
  /** Items over every kind. */
  readonly total: number;
}

export interface RoomRegistry {
  /** Registers a kind of per-room state; names are unique. */
  register(kind: RoomStateKind): void;
  /** Names of the registered kinds, in registration order. */
  kinds(): readonly string[];
  /** A room was replaced (Matrix upgrade): every kind moves its state from `from` to `to`. */
  moveRoom(from: RoomRef, to: RoomRef): Promise<RoomChange>;
  /** nixie left the room or the room is gone: every kind drops its state. */
  removeRoom(room: RoomRef): Promise<RoomChange>;
}

export function createRoomRegistry(log: Logger): RoomRegistry {
  const kinds: RoomStateKind[] = [];

  /** Runs `op` on every kind; one kind's failure is logged and does not stop the others. */
  async function each(what: "move" | "remove", room: string, op: (k: RoomStateKind) => Promise<number>): Promise<RoomChange> {
    const counts: Record<string, number> = {};
    const failed: string[] = [];
    let total = 0;
    for (const k of kinds) {
      try {
        const n = await op(k);
        counts[k.name] = n;
        total += n;
      } catch (err) {
        failed.push(k.name);
        log.error({ kind: k.name, room, err: err instanceof Error ? err.message : String(err) }, `room state could not ${what === "move" ? "move" : "be removed"}`);
      }
    }
    return { counts, failed, total };
  }

  return {
    register(kind) {
      if (kinds.some((k) => k.name === kind.name)) throw new Error(`room state kind "${kind.name}" is registered twice`);
      kinds.push(kind);
    },
    kinds: () => kinds.map((k) => k.name),
    async moveRoom(from, to) {
      if (roomKey(from) === roomKey(to)) return { counts: {}, failed: [], total: 0 };
      const change = await each("move", roomKey(from), (k) => k.moveRoom(from, to));
      log.info({ from: roomKey(from), to: roomKey(to), ...change.counts }, "room state moved to the new room");
      return change;
    },
    async removeRoom(room) {
      const change = await each("remove", roomKey(room), (k) => k.removeRoom(room));
      log.info({ room: roomKey(room), ...change.counts }, "room state removed");
      return change;
    },
  };
}
