/**
 * The outbox's queues in the store ("delivery" namespace): one document per queue, `queue:<name>`,
 * and `queues`, the names of the non-empty ones (for room moves and removals). A document stores
 * each reply once and its items refer to it, so one entry fanned out to 10,000 rooms is one reply
 * and 10,000 small items.
 */
import type { Reply } from "../core/reply.js";
import type { KV, Store } from "../storage/store.js";
import type { SummaryLabel } from "./summary.js";

/** A reply and its label, shared by the items that post it. */
export interface Post {
  readonly reply: Reply;
  readonly summary?: SummaryLabel;
}

/** One post waiting for one room. */
export interface Item {
  readonly room: string;
  readonly deliveryId: string;
  readonly post: Post;
  readonly attempts: number;
}

/** Stored compactly: each post once, items refer to it by a key local to the document. */
interface QueueDoc {
  readonly posts: Record<string, Post>;
  readonly items: readonly { readonly room: string; readonly id: string; readonly post: string; readonly attempts: number }[];
}

type Doc = QueueDoc | string[];

export interface QueueStore {
  /** One read-modify-write at a time per key (a queue's name). */
  serial: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** A queue's items, oldest first; items of one stored post share one Post object. */
  read: (queue: string) => Promise<Item[]>;
  /** Replaces a queue (an empty one is deleted and leaves the index). Call under serial(queue). */
  write: (queue: string, items: readonly Item[]) => Promise<void>;
  /** The non-empty queues' names. */
  names(): Promise<string[]>;
  /**
   * Whether a queue may hold posts, as far as this process knows (undefined: unknown, read it).
   * Only the active instance writes queues, so after one read a queue known to be empty need
   * not be read again until something is queued.
   */
  mayHave(queue: string): boolean | undefined;
  noteMayHave(queue: string, may: boolean): void;
  /** Forgets what this process knew (another instance may have written meanwhile). */
  forgetCache(): void;
}

export function createQueueStore(store: Store): QueueStore {
  const kv: KV<Doc> = store.namespace<Doc>("delivery");
  const chains = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (chains.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    chains.set(key, tail);
    void tail.then(() => {
      if (chains.get(key) === tail) chains.delete(key);
    });
    return run;
  };
  const may = new Map<string, boolean>();
  let indexed: Set<string> | undefined;

  const index = async (): Promise<Set<string>> => (indexed ??= new Set(((await kv.get("queues")) as string[] | undefined) ?? []));
  const setIndexed = (queue: string, on: boolean): Promise<void> =>
    serial("\u0000index", async () => {
      const names = await index();
      if (names.has(queue) === on) return;
      if (on) names.add(queue);
      else names.delete(queue);
      try {
        await kv.set("queues", [...names]);
      } catch (e) {
        indexed = undefined; // read again next time
        throw e;
      }
    });

  return {
    serial,
    async read(queue) {
      const doc = (await kv.get(`queue:${queue}`)) as QueueDoc | undefined;
      if (!doc) return [];
      const out: Item[] = [];
      for (const i of doc.items) {
        const post = doc.posts[i.post];
        if (post) out.push({ room: i.room, deliveryId: i.id, post, attempts: i.attempts });
      }
      return out;
    },
    async write(queue, items) {
      if (items.length === 0) {
        await kv.delete(`queue:${queue}`);
        may.set(queue, false);
        await setIndexed(queue, false);
        return;
      }
      // Listed before the queue is written: a crash in between leaves an empty name, never a lost queue.
      await setIndexed(queue, true);
      const keys = new Map<Post, string>();
      const posts: Record<string, Post> = {};
      const stored = items.map((i) => {
        let k = keys.get(i.post);
        if (k === undefined) {
          k = keys.size.toString(36);
          keys.set(i.post, k);
          posts[k] = i.post;
        }
        return { room: i.room, id: i.deliveryId, post: k, attempts: i.attempts };
      });
      await kv.set(`queue:${queue}`, { posts, items: stored });
      may.set(queue, true);
    },
    names: async () => [...(await index())],
    mayHave: (queue) => may.get(queue),
    noteMayHave: (queue, m) => void may.set(queue, m),
    forgetCache() {
      may.clear();
      indexed = undefined;
    },
  };
}
