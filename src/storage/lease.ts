/**
 * Leases: "exactly one instance does X" (the feed jobs) when several instances share a store.
 * Each backend gets an atomic take-or-renew: a Lua script on Redis, a conditional upsert on
 * PostgreSQL and SQLite. Holders compare wall clocks only through the expiry, so the TTL should
 * be far longer than the clock skew between machines (seconds, not milliseconds).
 */

export interface Leases {
  /** Takes the lease, or renews it when `holder` has it; true when `holder` holds it now. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it. */
  release(name: string, holder: string): Promise<void>;
}

type SqlQuery = (sql: string, params: unknown[]) => Promise<unknown[]>;

const TABLE = "nixie_lease";

/** PostgreSQL ($1 placeholders) or SQLite (? placeholders) with the same statements. */
export function sqlLeases(query: SqlQuery, dialect: "postgres" | "sqlite"): Leases {
  const p = (n: number): string => (dialect === "postgres" ? `$${n}` : "?");
  let ready: Promise<unknown> | undefined;
  const init = (): Promise<unknown> => (ready ??= query(`CREATE TABLE IF NOT EXISTS ${TABLE} (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)`, []));
  return {
    async acquire(name, holder, ttlMs) {
      await init();
      const now = Date.now();
      const rows = await query(
        `INSERT INTO ${TABLE} (name, holder, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE ${TABLE}.holder = excluded.holder OR ${TABLE}.expires_at < ${p(4)}
         RETURNING holder`,
        [name, holder, now + ttlMs, now],
      );
      return rows.length === 1;
    },
    async release(name, holder) {
      await init();
      await query(`DELETE FROM ${TABLE} WHERE name = ${p(1)} AND holder = ${p(2)}`, [name, holder]);
    },
  };
}

interface RedisEval {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function redisLeases(client: RedisEval): Leases {
  const key = (name: string): string => `nixie:lease:${name}`;
  return {
    async acquire(name, holder, ttlMs) {
      const r = await client.eval(ACQUIRE_LUA, { keys: [key(name)], arguments: [holder, String(Math.max(1, Math.round(ttlMs)))] });
      return Number(r) === 1;
    },
    async release(name, holder) {
      await client.eval(RELEASE_LUA, { keys: [key(name)], arguments: [holder] });
    },
  };
}
