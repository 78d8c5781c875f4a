/**
 * Which rooms follow which feeds, in the store's "subscriptions" namespace. The store cannot list
 * keys, so there are two index documents: one per room (its feeds and since when) and one per
 * feed (its rooms). Writes in this process are serialised so that read-modify-write is safe.
 */
import { parseRoomKey, roomKey, type RoomRef } from "../core/adapter.js";
import { throwIfPassed, type WriteBound } from "../core/deadline.js";
import type { KV, Store } from "../storage/store.js";

/** What the adapters and commands use. */
export interface Subscriptions {
  /**
   * False when the room already follows the feed (not an error). With a command's signal, throws
   * DeadlinePassed instead of writing once it has fired.
   */
  subscribe(room: RoomRef, feed: string, opts?: WriteBound): Promise<boolean>;
  /** False when the room did not follow the feed. A signal as for subscribe. */
  unsubscribe(room: RoomRef, feed: string, opts?: WriteBound): Promise<boolean>;
  /** The feeds this room follows, in the order it subscribed. */
  list(room: RoomRef): Promise<string[]>;
  /** When the room subscribed to the feed, or undefined. */
  since(room: RoomRef, feed: string): Promise<Date | undefined>;
  roomsFor(feed: string): Promise<RoomRef[]>;
  /**
   * Every feed name some room follows (kept since this index was added; the watcher also polls
   * the catalog's known feeds, so older subscriptions to those are never missed).
   */
  followed(): Promise<string[]>;
  /** roomsFor of several feeds in one store round trip (the poll asks for every feed). */
  roomsForMany(feeds: readonly string[]): Promise<Map<string, RoomRef[]>>;
  /** Drops every subscription of a room (kicked, channel gone); returns how many. */
  removeRoom(room: RoomRef): Promise<number>;
  /** Moves every subscription of `from` to `to` (Matrix room upgrade); returns how many. */
  moveRoom(from: RoomRef, to: RoomRef): Promise<number>;
}

interface RoomDoc {
  /** Feed name -> ISO time of subscription, in subscription order. */
  readonly feeds: Record<string, string>;
}
interface FeedDoc {
  /** Room keys (roomKey()). */
  readonly rooms: string[];
}
/** The names of the feeds with at least one room (key `index`). */
interface IndexDoc {
  readonly feeds: string[];
}

type Doc = RoomDoc | FeedDoc | IndexDoc;

export function createSubscriptions(store: Store, now: () => Date = () => new Date()): Subscriptions {
  const kv: KV<Doc> = store.namespace<Doc>("subscriptions");
  const roomDoc = async (key: string): Promise<RoomDoc> => ((await kv.get(`room:${key}`)) as RoomDoc | undefined) ?? { feeds: {} };
  const feedDoc = async (feed: string): Promise<FeedDoc> => ((await kv.get(`feed:${feed}`)) as FeedDoc | undefined) ?? { rooms: [] };
  const putRoom = async (key: string, doc: RoomDoc): Promise<void> => {
    if (Object.keys(doc.feeds).length === 0) await kv.delete(`room:${key}`);
    else await kv.set(`room:${key}`, doc);
  };
  const index = async (): Promise<string[]> => ((await kv.get("index")) as IndexDoc | undefined)?.feeds ?? [];
  const putFeed = async (feed: string, doc: FeedDoc): Promise<void> => {
    const names = await index();
    if (doc.rooms.length === 0) {
      await kv.delete(`feed:${feed}`);
      if (names.includes(feed)) await kv.set("index", { feeds: names.filter((n) => n !== feed) });
    } else {
      // The index first: a crash in between leaves a name with no rooms, which a poll skips.
      if (!names.includes(feed)) await kv.set("index", { feeds: [...names, feed] });
      await kv.set(`feed:${feed}`, doc);
    }
  };

  // One write at a time: two commands in flight must not lose each other's change.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const p = chain.then(f, f);
    chain = p.catch(() => undefined);
    return p;
  };

  /** Adds the feed to the room's doc and the room to the feed's doc (feed doc first: delivery reads it). */
  const add = async (key: string, feed: string, at: string): Promise<boolean> => {
    const f = await feedDoc(feed);
    if (!f.rooms.includes(key)) await putFeed(feed, { rooms: [...f.rooms, key] });
    const r = await roomDoc(key);
    if (r.feeds[feed] !== undefined) return false;
    await putRoom(key, { feeds: { ...r.feeds, [feed]: at } });
    return true;
  };
  const remove = async (key: string, feed: string): Promise<boolean> => {
    const f = await feedDoc(feed);
    if (f.rooms.includes(key)) await putFeed(feed, { rooms: f.rooms.filter((k) => k !== key) });
    const r = await roomDoc(key);
    if (r.feeds[feed] === undefined) return false;
    const feeds = { ...r.feeds };
    delete feeds[feed];
    await putRoom(key, { feeds });
    return true;
  };

  return {
    subscribe: (room, feed, opts = {}) =>
      serial(() => {
        throwIfPassed(opts.signal, "the subscription");
        return add(roomKey(room), feed, now().toISOString());
      }),
    unsubscribe: (room, feed, opts = {}) =>
      serial(() => {
        throwIfPassed(opts.signal, "the unsubscription");
        return remove(roomKey(room), feed);
      }),
    async list(room) {
      return Object.keys((await roomDoc(roomKey(room))).feeds);
    },
    async since(room, feed) {
      const at = (await roomDoc(roomKey(room))).feeds[feed];
      return at === undefined ? undefined : new Date(at);
    },
    async roomsFor(feed) {
      return (await feedDoc(feed)).rooms.map(parseRoomKey).filter((r): r is RoomRef => r !== undefined);
    },
    followed: index,
    async roomsForMany(feeds) {
      const docs = await kv.getMany(feeds.map((f) => `feed:${f}`));
      const out = new Map<string, RoomRef[]>();
      feeds.forEach((f, i) => {
        const rooms = ((docs[i] as FeedDoc | undefined)?.rooms ?? []).map(parseRoomKey).filter((r): r is RoomRef => r !== undefined);
        out.set(f, rooms);
      });
      return out;
    },
    removeRoom: (room) =>
      serial(async () => {
        const key = roomKey(room);
        let n = 0;
        for (const feed of Object.keys((await roomDoc(key)).feeds)) if (await remove(key, feed)) n++;
        return n;
      }),
    moveRoom: (from, to) =>
      serial(async () => {
        const fromKey = roomKey(from);
        const toKey = roomKey(to);
        if (fromKey === toKey) return 0;
        let n = 0;
        for (const [feed, at] of Object.entries((await roomDoc(fromKey)).feeds)) {
          await add(toKey, feed, at);
          if (await remove(fromKey, feed)) n++;
        }
        return n;
      }),
  };
}
