/**
 * Factoids per room, in the store's "factoids" namespace, and the operators' defaults from the
 * config. Two kinds of document: one per room (`room:<roomKey>`: its own factoids' names and the
 * use count of every name called there, defaults included; small, read on every call) and one per
 * factoid (`fact:<name>:<roomKey>`: its text, who set it when, and up to five earlier versions).
 * Writes are serialised per room, so two commands in flight cannot lose each other's change.
 */
import { roomKey, type RoomRef, type UserRef } from "../core/adapter.js";
import { throwIfPassed, type WriteBound } from "../core/deadline.js";
import { ConfigError, UserError } from "../core/errors.js";
import type { KV, Store } from "../storage/store.js";
import { cleanText, KEPT_VERSIONS, NAME_RE, nameProblem, textProblem } from "./rules.js";

/** One version of a factoid's text. */
export interface FactoidVersion {
  readonly text: string;
  readonly setBy: { readonly id: string; readonly name?: string };
  /** ISO time. */
  readonly setAt: string;
}

/** A factoid as a room sees it: its own, or a default from the config. */
export interface Factoid {
  readonly name: string;
  readonly text: string;
  /** From the config's `factoids`, not set in this room. */
  readonly isDefault: boolean;
  /** Absent for defaults. */
  readonly current?: FactoidVersion;
  /** Earlier versions kept for `!learn --undo`, newest first. */
  readonly previous: number;
  /** How often it was called in this room. */
  readonly uses: number;
}

/** What `learn` replaced: the room's earlier text, or the default it now overrides. */
export interface Learned {
  readonly previous?: { readonly text: string; readonly isDefault: boolean };
}

/** Options of every write: after the command's deadline (its signal) nothing is written. */
export type WriteOptions = WriteBound;

export interface Factoids {
  /** The defaults from the config (name -> text). */
  readonly defaults: ReadonlyMap<string, string>;
  /** The most factoids a room may define. */
  readonly maxPerRoom: number;
  /** The factoid `name` as `room` sees it (its own wins over a default), or undefined. */
  get(room: RoomRef, name: string): Promise<Factoid | undefined>;
  /** Counts one call of `name` in `room`. */
  use(room: RoomRef, name: string, opts?: WriteOptions): Promise<void>;
  /** Every name `room` can call: its own and the defaults. */
  names(room: RoomRef): Promise<string[]>;
  /** Every factoid `room` can call, most used first (then by name). */
  list(room: RoomRef): Promise<Factoid[]>;
  /** Defines or redefines `name` in `room`; throws UserError when a rule is broken. */
  learn(room: RoomRef, name: string, text: string, by: UserRef, opts?: WriteOptions): Promise<Learned>;
  /** Restores the previous text of the room's `name`; throws UserError when there is none. */
  undo(room: RoomRef, name: string, opts?: WriteOptions): Promise<{ readonly restored: string; readonly replaced: string }>;
  /** Removes the room's own `name`; resolves with its text, or undefined when it has none. */
  forget(room: RoomRef, name: string, opts?: WriteOptions): Promise<string | undefined>;
  /** Room registry: moves `from`'s factoids to `to` (`to`'s own of the same name win); how many moved. */
  moveRoom(from: RoomRef, to: RoomRef): Promise<number>;
  /** Room registry: drops the room's factoids; how many there were. */
  removeRoom(room: RoomRef): Promise<number>;
}

interface RoomDoc {
  /** The room's own factoids, in the order they were first defined. */
  readonly names: string[];
  /** Calls per name (own factoids and defaults). */
  readonly uses: Record<string, number>;
}
interface FactDoc {
  readonly current: FactoidVersion;
  /** Newest first, at most KEPT_VERSIONS. */
  readonly previous: FactoidVersion[];
}
type Doc = RoomDoc | FactDoc;

export interface FactoidsOptions {
  readonly store: Store;
  /** The config's `factoids` (already validated against the name and text rules). */
  readonly defaults: Readonly<Record<string, string>>;
  readonly maxPerRoom: number;
  /** Every command name and alias: no factoid may take one. */
  readonly commandNames: ReadonlySet<string>;
  readonly now?: () => Date;
}

const EMPTY: RoomDoc = { names: [], uses: {} };

export function createFactoids(o: FactoidsOptions): Factoids {
  const kv: KV<Doc> = o.store.namespace<Doc>("factoids");
  const now = o.now ?? (() => new Date());
  const defaults = new Map(Object.entries(o.defaults).map(([k, v]) => [k, cleanText(v)] as const));
  for (const name of defaults.keys()) {
    // The config checks the pattern and reserved words; commands are known only here.
    if (o.commandNames.has(name)) throw new ConfigError(`config key "factoids.defaults.${name}": ${name} is a command; a factoid cannot take its name`);
  }

  const roomDoc = async (key: string): Promise<RoomDoc> => ((await kv.get(`room:${key}`)) as RoomDoc | undefined) ?? EMPTY;
  const putRoom = async (key: string, doc: RoomDoc): Promise<void> => {
    if (doc.names.length === 0 && Object.keys(doc.uses).length === 0) await kv.delete(`room:${key}`);
    else await kv.set(`room:${key}`, doc);
  };
  const factKey = (key: string, name: string): string => `fact:${name}:${key}`;
  const factDoc = async (key: string, name: string): Promise<FactDoc | undefined> => (await kv.get(factKey(key, name))) as FactDoc | undefined;

  // Per room, one write at a time (read-modify-write of the room's documents).
  const chains = new Map<string, Promise<unknown>>();
  function serial<T>(key: string, f: () => Promise<T>): Promise<T> {
    const before = chains.get(key) ?? Promise.resolve();
    const p = before.then(f, f);
    const tail = p.catch(() => undefined);
    chains.set(key, tail);
    void tail.then(() => {
      if (chains.get(key) === tail) chains.delete(key);
    });
    return p;
  }

  const view = (name: string, doc: FactDoc | undefined, uses: number): Factoid | undefined => {
    if (doc) return { name, text: doc.current.text, isDefault: false, current: doc.current, previous: doc.previous.length, uses };
    const d = defaults.get(name);
    return d === undefined ? undefined : { name, text: d, isDefault: true, previous: 0, uses };
  };

  return {
    defaults,
    maxPerRoom: o.maxPerRoom,

    async get(room, name) {
      // No key is ever built from a name that could not be a factoid's.
      if (!NAME_RE.test(name)) return undefined;
      const key = roomKey(room);
      // One round trip: the fact document is read along with the index that names it.
      const [index, fact] = await kv.getMany([`room:${key}`, factKey(key, name)]);
      const doc = (index as RoomDoc | undefined) ?? EMPTY;
      const own = doc.names.includes(name) ? (fact as FactDoc | undefined) : undefined;
      return view(name, own, doc.uses[name] ?? 0);
    },

    use: (room, name, opts) =>
      serial(roomKey(room), async () => {
        const key = roomKey(room);
        const doc = await roomDoc(key);
        throwIfPassed(opts?.signal, "the factoid change");
        await putRoom(key, { ...doc, uses: { ...doc.uses, [name]: (doc.uses[name] ?? 0) + 1 } });
      }),

    async names(room) {
      const own = (await roomDoc(roomKey(room))).names;
      return [...new Set([...own, ...defaults.keys()])];
    },

    async list(room) {
      const key = roomKey(room);
      const doc = await roomDoc(key);
      const own = await kv.getMany(doc.names.map((n) => factKey(key, n)));
      const out: Factoid[] = [];
      doc.names.forEach((n, i) => {
        const f = view(n, own[i] as FactDoc | undefined, doc.uses[n] ?? 0);
        if (f) out.push(f);
      });
      for (const n of defaults.keys()) if (!doc.names.includes(n)) out.push(view(n, undefined, doc.uses[n] ?? 0)!);
      return out.sort((a, b) => b.uses - a.uses || a.name.localeCompare(b.name));
    },

    learn(room, name, rawText, by, opts) {
      const bad = nameProblem(name, o.commandNames);
      if (bad) return Promise.reject(new UserError(bad));
      const text = cleanText(rawText);
      const badText = textProblem(text);
      if (badText) return Promise.reject(new UserError(badText));
      const key = roomKey(room);
      return serial(key, async () => {
        const doc = await roomDoc(key);
        const own = doc.names.includes(name) ? await factDoc(key, name) : undefined;
        if (!own && doc.names.length >= o.maxPerRoom) throw new UserError(`This room has ${doc.names.length} factoids, the most it may have. Forget one first.`);
        const version: FactoidVersion = { text, setBy: by.name === undefined ? { id: by.id } : { id: by.id, name: by.name }, setAt: now().toISOString() };
        throwIfPassed(opts?.signal, "the factoid change");
        if (own) {
          await kv.set(factKey(key, name), { current: version, previous: [own.current, ...own.previous].slice(0, KEPT_VERSIONS) });
          return { previous: { text: own.current.text, isDefault: false } };
        }
        // The fact first: a crash in between leaves a document no index names, never a name with no text.
        await kv.set(factKey(key, name), { current: version, previous: [] });
        await putRoom(key, { ...doc, names: [...doc.names, name] });
        const d = defaults.get(name);
        return d === undefined ? {} : { previous: { text: d, isDefault: true } };
      });
    },

    undo(room, name, opts) {
      const key = roomKey(room);
      return serial(key, async () => {
        const doc = await roomDoc(key);
        const own = doc.names.includes(name) ? await factDoc(key, name) : undefined;
        if (!own) throw new UserError(defaults.has(name) ? `${name} is a default of this nixie, not this room's: there is nothing to undo.` : `This room has no factoid ${name}.`);
        const [back, ...rest] = own.previous;
        if (!back) throw new UserError(`${name} has no earlier version to go back to.`);
        throwIfPassed(opts?.signal, "the factoid change");
        await kv.set(factKey(key, name), { current: back, previous: rest });
        return { restored: back.text, replaced: own.current.text };
      });
    },

    forget(room, name, opts) {
      const key = roomKey(room);
      return serial(key, async () => {
        const doc = await roomDoc(key);
        if (!doc.names.includes(name)) return undefined;
        const own = await factDoc(key, name);
        throwIfPassed(opts?.signal, "the factoid change");
        // The index first: a crash in between leaves a document no index names (unreachable).
        const uses = { ...doc.uses };
        if (!defaults.has(name)) delete uses[name];
        await putRoom(key, { names: doc.names.filter((n) => n !== name), uses });
        await kv.delete(factKey(key, name));
        return own?.current.text ?? "";
      });
    },

    moveRoom(from, to) {
      const fromKey = roomKey(from);
      const toKey = roomKey(to);
      if (fromKey === toKey) return Promise.resolve(0);
      return serial(toKey, () =>
        serial(fromKey, async () => {
          const src = await roomDoc(fromKey);
          const dst = await roomDoc(toKey);
          const names = [...dst.names];
          let moved = 0;
          for (const n of src.names) {
            const f = await factDoc(fromKey, n);
            if (f && !names.includes(n)) {
              await kv.set(factKey(toKey, n), f);
              names.push(n);
              moved++;
            }
          }
          // Counts merge by the larger (idempotent when a crashed move runs again).
          const uses = { ...dst.uses };
          for (const [n, c] of Object.entries(src.uses)) uses[n] = Math.max(uses[n] ?? 0, c);
          await putRoom(toKey, { names, uses });
          await kv.delete(`room:${fromKey}`);
          for (const n of src.names) await kv.delete(factKey(fromKey, n));
          return moved;
        }),
      );
    },

    removeRoom(room) {
      const key = roomKey(room);
      return serial(key, async () => {
        const doc = await roomDoc(key);
        await kv.delete(`room:${key}`);
        for (const n of doc.names) await kv.delete(factKey(key, n));
        return doc.names.length;
      });
    },
  };
}
