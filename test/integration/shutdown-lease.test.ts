// The lease around shutdown and restarts: an instance shutting down never takes the lease (nor
// says it did), and a restarted instance says how long it may wait for its predecessor's lease.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { StartCancelled, startBot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import type { Adapter } from "../../src/core/adapter.js";
import { createLeader } from "../../src/ops/leader.js";
import type { Leases } from "../../src/storage/lease.js";
import { openStore } from "../../src/storage/store.js";

function capture(): { log: pino.Logger; lines: Record<string, unknown>[]; msgs: () => string[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines, msgs: () => lines.map((l) => String(l["msg"])) };
}

const chatAdapter = (): Adapter => ({ platform: "matrix", start: async () => undefined, send: async () => undefined, stop: async () => undefined, isConnected: () => true });

describe("the lease around shutdown and restarts", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), "nixie-shutdown-lease-"));
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ feeds: { leaseSeconds: 7 } }));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const loaded = (name: string) => loadConfig({ env: { NIXIE_STORE_URL: `sqlite://${join(dir, `${name}.sqlite`)}`, NIXIE_CONFIG: cfg, NIXIE_FEEDS_CRON: "0 0 1 1 *" }, ignoreLocal: true });

  it("gives back, without announcing it, a lease that a take in flight got after stop()", async () => {
    let answer: (got: boolean) => void = () => undefined;
    const released: string[] = [];
    const leases: Leases = {
      acquire: () => new Promise<boolean>((r) => (answer = r)),
      release: async (_name, holder) => void released.push(holder),
    };
    const c = capture();
    const leader = createLeader({ leases, name: "nixie", ttlMs: 3000, log: c.log, id: "me" });
    const tick = leader.tick();
    await leader.stop();
    answer(true);
    assert.equal(await tick, false);
    assert.equal(leader.isLeader(), false);
    assert.deepEqual(released, ["me"]);
    assert.ok(!c.msgs().some((m) => m.startsWith("took the lease")), c.msgs().join("\n"));
  });

  it("never takes the lease once retiring (a standby shutting down), but keeps one it holds", async () => {
    const store = await openStore(`sqlite://${join(dir, "retire.sqlite")}`);
    try {
      const c = capture();
      const standby = createLeader({ leases: store.leases, name: "nixie", ttlMs: 3000, log: c.log, id: "standby" });
      standby.retire();
      assert.equal(await standby.tick(), false, "the lease is free, but a retiring instance does not take it");
      assert.deepEqual(c.msgs(), []);
      const active = createLeader({ leases: store.leases, name: "nixie", ttlMs: 3000, log: c.log, id: "active" });
      assert.equal(await active.tick(), true);
      active.retire();
      assert.equal(await active.tick(), true, "a held lease is still renewed until stop()");
      await active.stop();
    } finally {
      await store.close();
    }
  });

  it("stops start-up before the lease when shutdown was asked, and says nothing of taking it", async () => {
    const c = capture();
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(startBot({ loaded: loaded("cancel"), log: c.log, adapters: () => [chatAdapter()], signal: abort.signal }), StartCancelled);
    assert.ok(!c.msgs().some((m) => m.startsWith("took the lease") || m === "nixie is ready"), c.msgs().join("\n"));
    // the lease is free: the next instance takes it at once
    const store = await openStore(`sqlite://${join(dir, "cancel.sqlite")}`);
    try {
      assert.equal(await store.leases.acquire("nixie", "next", 1000), true);
    } finally {
      await store.close();
    }
  });

  it("says how long a restarted instance may wait for its predecessor's lease", async () => {
    const store = await openStore(`sqlite://${join(dir, "restart.sqlite")}`);
    assert.equal(await store.leases.acquire("nixie", "killed-9", 7000), true); // the previous instance, killed
    const c = capture();
    const bot = await startBot({ loaded: loaded("restart"), log: c.log, adapters: () => [chatAdapter()], store });
    try {
      assert.equal(bot.role(), "standby");
      assert.ok(
        c.msgs().some((m) => m.includes("waiting up to 7 s for the previous instance's lease")),
        c.msgs().join("\n"),
      );
    } finally {
      await bot.stop();
      await store.close();
    }
  });
});
