/**
 * The one persistent store: keyv over SQLite (default), Redis or PostgreSQL, chosen by URL.
 * Namespaces (subscriptions, seen entries, feed state, cache, …) are key prefixes inside one keyv
 * instance, so every backend needs exactly one connection (and @keyv/postgres one shared pool).
 */
import { constants as fsConstants, accessSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import Keyv, { type KeyvStoreAdapter } from "keyv";
import { ConfigError } from "../core/errors.js";
import { redisLeases, sqlLeases, type Leases } from "./lease.js";
import { withDeadline } from "../core/deadline.js";

export type Namespace = "subscriptions" | "seen" | "feed-state" | "cache" | "meta" | "lease" | "channels" | "github" | "tracking" | "pkg-feeds" | "fn" | "hydra" | "factoids" | "delivery";

/** A typed key-value view of one namespace. Values must be JSON-serialisable. */
export interface KV<T> {
  get(key: string): Promise<T | undefined>;
  /** Several keys in one round trip, in the order asked. */
  getMany(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** ttlMs: expire after this many milliseconds (omit for no expiry). */
  set(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface Store {
  /** Which backend, e.g. "sqlite", for !about and logs (never the URL: it may hold a password). */
  readonly backend: "sqlite" | "redis" | "postgres";
  namespace<T>(ns: Namespace): KV<T>;
  /** Atomic leases (leader election among instances sharing this store). */
  readonly leases: Leases;
  /** Resolves when the backend answers; rejects otherwise (bounded by timeoutMs). */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Called for connection errors after start (logged, never thrown at random places). */
  readonly onError?: (err: Error) => void;
  /** How long opening may take before it fails with a clear message. */
  readonly connectTimeoutMs?: number;
  /** Base for relative sqlite paths. */
  readonly cwd?: string;
}

/** Removes the password from a store URL, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/**
 * The file path of a sqlite:// URL: `sqlite://data/x.sqlite` is relative, `sqlite:///abs/x.sqlite`
 * absolute, `sqlite://:memory:` in memory. Anything else (`sqlite:`, `sqlite:x`, `sqlite://`) is a
 * ConfigError, never a file named after the URL.
 */
export function sqlitePath(url: string, cwd: string): string {
  const m = /^sqlite:\/\/(.+)$/.exec(url);
  if (!m) throw new ConfigError(`NIXIE_STORE_URL must be sqlite://PATH (such as sqlite://data/nixie.sqlite), got ${redactUrl(url)}`);
  const p = m[1]!;
  if (p === ":memory:") return ":memory:";
  return isAbsolute(p) ? p : resolve(cwd, p);
}

function prepareSqliteDir(file: string): void {
  if (file === ":memory:") return;
  const dir = dirname(file);
  if (!existsSync(dir)) {
    const parent = dirname(dir);
    if (!existsSync(parent)) throw new ConfigError(`data directory ${dir} does not exist, and neither does its parent ${parent}; create it or fix NIXIE_STORE_URL`);
    try {
      mkdirSync(dir);
    } catch (e) {
      throw new ConfigError(`data directory ${dir} cannot be created: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  if (!statSync(dir).isDirectory()) throw new ConfigError(`data directory ${dir} is not a directory`);
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    throw new ConfigError(`data directory ${dir} is not writable`);
  }
}

interface Made {
  backend: Store["backend"];
  adapter: KeyvStoreAdapter;
  leases: Leases;
}

type RawQuery = (sql: string, ...params: unknown[]) => Promise<unknown[]>;

async function makeAdapter(url: string, cwd: string): Promise<Made> {
  const scheme = url.slice(0, url.indexOf(":"));
  switch (scheme) {
    case "sqlite": {
      const file = sqlitePath(url, cwd);
      prepareSqliteDir(file);
      const { default: KeyvSqlite } = await import("@keyv/sqlite");
      const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
      const query = adapter.query as unknown as RawQuery;
      if (file !== ":memory:") {
        // Write-ahead log, synced at checkpoints: ten times cheaper writes (a feed fan-out writes
        // a lot), still crash-safe for the database; at worst the last moments are lost on power loss.
        await query("PRAGMA journal_mode=WAL");
        await query("PRAGMA synchronous=NORMAL");
      }
      return {
        backend: "sqlite",
        adapter: adapter as unknown as KeyvStoreAdapter,
        leases: sqlLeases((sql, params) => query(sql, ...params), "sqlite"),
      };
    }
    case "redis":
    case "rediss": {
      const { default: KeyvRedis } = await import("@keyv/redis");
      // Give up reconnecting after a few tries so an unreachable server is an error, not a hang.
      const adapter = new KeyvRedis({
        url,
        socket: { connectTimeout: 3000, reconnectStrategy: (retries: number) => (retries > 5 ? false : Math.min(retries * 200, 1000)) },
      });
      return {
        backend: "redis",
        adapter: adapter as unknown as KeyvStoreAdapter,
        leases: redisLeases(adapter.client),
      };
    }
    case "postgres":
    case "postgresql": {
      const { default: KeyvPostgres } = await import("@keyv/postgres");
      const adapter = new KeyvPostgres({ uri: url, connectionTimeoutMillis: 3000, max: 10 });
      const query = adapter.query as unknown as (sql: string, values: unknown[]) => Promise<unknown[]>;
      return {
        backend: "postgres",
        adapter: adapter as unknown as KeyvStoreAdapter,
        leases: sqlLeases((sql, params) => query(sql, params), "postgres"),
      };
    }
    default:
      throw new ConfigError(`NIXIE_STORE_URL must start with sqlite://, redis:// or postgresql://, got ${redactUrl(url)}`);
  }
}

/**
 * A store error's first line in plain words: without the libraries' advice about their own
 * options ("This is thrown because throwOnConnectError is set to true").
 */
export function plainReason(err: Error): string {
  const line = (err.message.split("\n")[0] ?? "").replace(/\s*This is thrown because \w+ is set to \w+\.?/g, "").trim();
  if (/^Redis client is not connected/i.test(line)) return "the Redis server cannot be reached";
  return line === "" ? err.name : line;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(p, { ms }, () => {
    throw new Error(`${what} did not answer within ${ms} ms`);
  });
}

/**
 * Opens the store named by the URL and checks that it answers. Throws ConfigError with a
 * one-line message when it cannot (unreachable server, unusable data directory).
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const { backend, adapter, leases } = await makeAdapter(url, opts.cwd ?? process.cwd());
  // throwOnErrors: a failed write must reach the caller; silently losing a subscription is worse.
  const keyv = new Keyv<unknown>({ store: adapter, namespace: "nixie", useKeyPrefix: true, throwOnErrors: true });
  let lastError: Error | undefined;
  let opened = false;
  keyv.on("error", (err: unknown) => {
    lastError = err instanceof Error ? err : new Error(String(err));
    // Before the store is open, the error is reported once, by the exception below.
    if (opened) opts.onError?.(new Error(plainReason(lastError)));
  });
  // @keyv/redis throws connection errors from its operations; keep emitted ones from crashing us.
  // They are the socket's own errors (connect ECONNREFUSED …), which say more than what the
  // operation throws ("Redis client is not connected …").
  let connectionError: Error | undefined;
  (adapter as unknown as { on?: (ev: string, f: (e: unknown) => void) => void }).on?.("error", (err: unknown) => {
    lastError = err instanceof Error ? err : new Error(String(err));
    connectionError ??= lastError;
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await withTimeout(keyv.disconnect(), 3000, "store disconnect").catch(() => undefined);
  };
  // A write and a read back: proves the backend is there and writable.
  const ping = async (timeoutMs = 3000): Promise<void> => {
    const nonce = `${process.pid}-${Date.now()}-${Math.random()}`;
    await withTimeout(
      (async () => {
        // A key of its own per ping, so instances sharing the store cannot disturb each other.
        const key = `meta:ping:${nonce}`;
        await keyv.set(key, nonce, 60_000);
        if ((await keyv.get(key)) !== nonce) throw new Error("the store did not keep what was written");
        await keyv.delete(key);
      })(),
      timeoutMs,
      `${backend} store`,
    );
  };
  try {
    await ping(opts.connectTimeoutMs ?? 5000);
  } catch (e) {
    await close();
    const reason = plainReason(connectionError ?? lastError ?? (e as Error));
    throw new ConfigError(`store ${redactUrl(url)} cannot be used: ${reason}`);
  }
  opened = true;
  return {
    backend,
    leases,
    namespace<T>(ns: Namespace): KV<T> {
      const k = (key: string): string => `${ns}:${key}`;
      return {
        get: async (key) => await keyv.get(k(key)),
        getMany: async (keys) => (keys.length === 0 ? [] : await keyv.get(keys.map(k))),
        set: async (key, value, ttlMs) => {
          await keyv.set(k(key), value, ttlMs);
        },
        delete: (key) => keyv.delete(k(key)),
      };
    },
    ping,
    close,
  };
}
