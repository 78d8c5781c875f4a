/** The store contract, run against each backend: SQLite in npm test, Redis and PostgreSQL in e2e. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { openStore, type Store } from "../../src/storage/store.js";

export function storeContract(backend: string, url: () => string): void {
  describe(`store on ${backend}`, () => {
    let store: Store;
    // Keys are unique per run, so a shared server keeps no state between runs that matters.
    const run = randomBytes(4).toString("hex");
    before(async () => {
      store = await openStore(url());
    });
    after(async () => {
      await store.close();
    });

    it(`reports its backend as ${backend}`, () => {
      assert.equal(store.backend, backend);
    });

    it("stores and reads back JSON values", async () => {
      const kv = store.namespace<{ rooms: string[]; n: number }>("subscriptions");
      await kv.set(`${run}:a`, { rooms: ["matrix:!x:y", "discord:1"], n: 2 });
      assert.deepEqual(await kv.get(`${run}:a`), { rooms: ["matrix:!x:y", "discord:1"], n: 2 });
      assert.equal(await kv.get(`${run}:missing`), undefined);
    });

    it("reads several keys in one call, in the order asked", async () => {
      const kv = store.namespace<{ n: number }>("feed-state");
      await kv.set(`${run}:m1`, { n: 1 });
      await kv.set(`${run}:m3`, { n: 3 });
      assert.deepEqual(await kv.getMany([`${run}:m3`, `${run}:m2`, `${run}:m1`]), [{ n: 3 }, undefined, { n: 1 }]);
      assert.deepEqual(await kv.getMany([]), []);
    });

    it("keeps namespaces apart", async () => {
      await store.namespace<string>("seen").set(`${run}:k`, "seen");
      await store.namespace<string>("cache").set(`${run}:k`, "cache");
      assert.equal(await store.namespace<string>("seen").get(`${run}:k`), "seen");
      assert.equal(await store.namespace<string>("cache").get(`${run}:k`), "cache");
    });

    it("deletes", async () => {
      const kv = store.namespace<number>("meta");
      await kv.set(`${run}:d`, 1);
      assert.equal(await kv.delete(`${run}:d`), true);
      assert.equal(await kv.get(`${run}:d`), undefined);
    });

    it("expires values after their TTL", async () => {
      const kv = store.namespace<string>("cache");
      await kv.set(`${run}:ttl`, "v", 150);
      assert.equal(await kv.get(`${run}:ttl`), "v");
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await kv.get(`${run}:ttl`), undefined);
    });

    it("keeps unicode and awkward keys intact", async () => {
      const kv = store.namespace<string>("meta");
      const key = `${run}:matrix:!room/with spaces:ünï🦀`;
      await kv.set(key, 'välue 🦀 "quoted" \\');
      assert.equal(await kv.get(key), 'välue 🦀 "quoted" \\');
    });

    it("grants a lease to one holder at a time, renews it for that holder, and frees it on expiry", async () => {
      const name = `${run}-lease`;
      assert.equal(await store.leases.acquire(name, "a", 300), true);
      assert.equal(await store.leases.acquire(name, "b", 300), false);
      assert.equal(await store.leases.acquire(name, "a", 300), true, "renewal");
      await new Promise((r) => setTimeout(r, 450));
      assert.equal(await store.leases.acquire(name, "b", 5000), true, "expired: another holder takes it");
      assert.equal(await store.leases.acquire(name, "a", 5000), false);
      await store.leases.release(name, "a"); // not a's: no effect
      assert.equal(await store.leases.acquire(name, "a", 5000), false);
      await store.leases.release(name, "b");
      assert.equal(await store.leases.acquire(name, "a", 5000), true, "released: free again");
    });

    it("grants a contested lease to exactly one of many concurrent holders", async () => {
      const name = `${run}-race`;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.leases.acquire(name, `h${i}`, 5000)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it("answers ping", async () => {
      await store.ping();
    });
  });
}
