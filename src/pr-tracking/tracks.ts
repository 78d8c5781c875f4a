/**
 * Which rooms track which nixpkgs pull requests, for whom, and what was already posted, in the
 * store ("tracking" namespace: `rooms` lists the rooms with tracks, `room:<roomKey>` holds a
 * room's tracks). Writes are serialised in this process; only the active instance writes.
 */
import { throwIfPassed, type WriteBound } from "../core/deadline.js";
import type { KV, Store } from "../storage/store.js";
import type { Asker } from "./format.js";

export interface Track {
  readonly pr: number;
  readonly asker: Asker;
  /** Post only when this branch is reached. */
  readonly until?: string;
  /** ISO time the tracking began. */
  readonly since: string;
  /** Branches already reached when tracking began, or posted about since. */
  readonly done: readonly string[];
}

export type AddResult = "added" | "exists" | "room-full" | "user-full";
export type RemoveResult = "removed" | "not-found" | "forbidden";

export interface TrackStore {
  /** With a command's signal, throws DeadlinePassed instead of writing once it has fired. */
  add(room: string, track: Track, caps: { perRoom: number; perUser: number }, opts?: WriteBound): Promise<AddResult>;
  /** Stops a track: its asker may, and room managers may stop any. A signal as for add. */
  remove(room: string, pr: number, userId: string, isManager: boolean, opts?: WriteBound): Promise<RemoveResult>;
  list(room: string): Promise<Track[]>;
  /** Every room with tracks. */
  all(): Promise<{ room: string; tracks: Track[] }[]>;
  /** Rewrites one room's tracks (the checker: branches posted, tracks that ended). */
  update(room: string, fn: (tracks: Track[]) => Track[]): Promise<void>;
  /** Drops a room's tracks (nixie left it). */
  removeRoom(room: string): Promise<number>;
  /** Moves a room's tracks to its successor (a Matrix room upgrade). */
  moveRoom(from: string, to: string): Promise<number>;
}

type Doc = Track[] | string[];

export function createTrackStore(store: Store): TrackStore {
  const kv: KV<Doc> = store.namespace<Doc>("tracking");
  let chain: Promise<unknown> = Promise.resolve();
  /** One write sequence at a time (read-modify-write of shared documents). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const rooms = async (): Promise<string[]> => ((await kv.get("rooms")) as string[] | undefined) ?? [];
  const list = async (room: string): Promise<Track[]> => ((await kv.get(`room:${room}`)) as Track[] | undefined) ?? [];
  const write = async (room: string, tracks: Track[]): Promise<void> => {
    const known = await rooms();
    if (tracks.length === 0) {
      await kv.delete(`room:${room}`);
      if (known.includes(room))
        await kv.set(
          "rooms",
          known.filter((r) => r !== room),
        );
      return;
    }
    // The room is listed before its tracks are written, so a crash in between loses nothing.
    if (!known.includes(room)) await kv.set("rooms", [...known, room]);
    await kv.set(`room:${room}`, tracks);
  };
  const all = async (): Promise<{ room: string; tracks: Track[] }[]> => {
    const keys = await rooms();
    const docs = await kv.getMany(keys.map((r) => `room:${r}`));
    return keys.map((room, i) => ({ room, tracks: (docs[i] as Track[] | undefined) ?? [] })).filter((r) => r.tracks.length > 0);
  };
  return {
    add: (room, track, caps, opts = {}) =>
      serial(async () => {
        throwIfPassed(opts.signal, "the track");
        const tracks = await list(room);
        if (tracks.some((t) => t.pr === track.pr && t.asker.id === track.asker.id)) return "exists";
        if (tracks.length >= caps.perRoom) return "room-full";
        // Per person across every room, as the README and the refusal say.
        const everywhere = (await all()).reduce((n, r) => n + r.tracks.filter((t) => t.asker.id === track.asker.id).length, 0);
        if (everywhere >= caps.perUser) return "user-full";
        await write(room, [...tracks, track]);
        return "added";
      }),
    remove: (room, pr, userId, isManager, opts = {}) =>
      serial(async () => {
        throwIfPassed(opts.signal, "the removal");
        const tracks = await list(room);
        const mine = tracks.filter((t) => t.pr === pr && t.asker.id === userId);
        const any = tracks.filter((t) => t.pr === pr);
        if (any.length === 0) return "not-found";
        if (mine.length === 0 && !isManager) return "forbidden";
        const drop = mine.length > 0 ? mine : any;
        await write(
          room,
          tracks.filter((t) => !drop.includes(t)),
        );
        return "removed";
      }),
    list,
    all,
    update: (room, fn) => serial(async () => write(room, fn(await list(room)))),
    removeRoom: (room) =>
      serial(async () => {
        const n = (await list(room)).length;
        if (n > 0) await write(room, []);
        return n;
      }),
    moveRoom: (from, to) =>
      serial(async () => {
        const moving = await list(from);
        if (moving.length === 0 || from === to) return 0;
        const there = await list(to);
        const fresh = moving.filter((t) => !there.some((o) => o.pr === t.pr && o.asker.id === t.asker.id));
        // Written to the new room first: a crash in between leaves them in both, never in none.
        await write(to, [...there, ...fresh]);
        await write(from, []);
        return moving.length;
      }),
  };
}
