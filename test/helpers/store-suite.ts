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
      await kv.set(key, "välue 🦀 \"quoted\" \\");
      assert.equal(await kv.get(key), "välue 🦀 \"quoted\" \\");
    });

    it("answers ping", async () => {
      await store.ping();
    });
  });
}
