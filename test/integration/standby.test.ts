// Active and standby instances on one store: only the lease holder connects to the chat platform;
// the standby takes over when the active one stops, and an active instance that loses its lease
// says so (main.ts then exits, so two instances never answer in the same rooms).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startBot, type Bot } from "../../src/bot.js";
import { loadConfig } from "../../src/config.js";
import type { Adapter } from "../../src/core/adapter.js";
import { checkHealth } from "../../src/ops/health.js";
import { openStore, type Store } from "../../src/storage/store.js";

/** Stands in for a chat adapter (its platform is what makes the lease gate it). */
function fakeChatAdapter(): Adapter & { starts: number } {
  let connected = false;
  const a = {
    platform: "matrix" as const,
    starts: 0,
    async start() {
      a.starts++;
      connected = true;
    },
    async send() {},
    async stop() {
      connected = false;
    },
    isConnected: () => connected,
  };
  return a;
}

async function until(what: string, ms: number, f: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("active and standby instances", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), "nixie-standby-"));
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ feeds: { leaseSeconds: 2 } }));
  const loaded = loadConfig({ env: { NIXIE_STORE_URL: `sqlite://${join(dir, "shared.sqlite")}`, NIXIE_CONFIG: cfg, NIXIE_FEEDS_CRON: "0 0 1 1 *" }, ignoreLocal: true });
  const log = pino({ level: "silent" });
  const bots: Bot[] = [];
  after(async () => {
    for (const b of bots) await b.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects only the lease holder; the standby takes over when the active instance stops", async () => {
    const chatA = fakeChatAdapter();
    const chatB = fakeChatAdapter();
    const a = await startBot({ loaded, log, adapters: () => [chatA], instanceId: "a" });
    bots.push(a);
    const b = await startBot({ loaded, log, adapters: () => [chatB], instanceId: "b" });
    bots.push(b);
    assert.equal(a.role(), "active");
    assert.equal(b.role(), "standby");
    assert.equal(chatA.starts, 1);
    assert.equal(chatB.starts, 0, "the standby does not connect");
    const standbyHealth = await checkHealth({ adapters: () => b.adapters, store: b.services.store, role: () => b.role() });
    assert.equal(standbyHealth.status, "standby", "a standby is healthy");
    await a.stop(); // releases the lease
    await until("the standby to take over", 5000, () => b.role() === "active");
    assert.equal(chatB.starts, 1);
    assert.equal(b.leader.isLeader(), true);
  });

  it("gives up (to be restarted) when it takes the lease but cannot connect", async () => {
    const store = await openStore(`sqlite://${join(dir, "takeover.sqlite")}`);
    assert.equal(await store.leases.acquire("nixie", "gone", 1500), true); // an instance that died
    let lost = 0;
    const broken: Adapter = { ...fakeChatAdapter(), start: async () => Promise.reject(new Error("homeserver down")) };
    const bot = await startBot({ loaded, log, adapters: () => [broken], store, onLostLease: () => lost++ });
    bots.push(bot);
    assert.equal(bot.role(), "standby");
    await until("the failed takeover to be reported", 5000, () => lost > 0);
    assert.equal(bot.role(), "standby");
    await bot.stop();
    await store.close();
  });

  it("reports a lost lease of an active instance", async () => {
    const store: Store = await openStore(`sqlite://${join(dir, "lost.sqlite")}`);
    let storeDown = false;
    const flaky: Store = {
      ...store,
      leases: {
        acquire: (n, h, t) => (storeDown ? Promise.reject(new Error("store down")) : store.leases.acquire(n, h, t)),
        release: (n, h) => store.leases.release(n, h),
      },
    };
    let lost = 0;
    const bot = await startBot({ loaded, log, adapters: () => [fakeChatAdapter()], store: flaky, onLostLease: () => lost++ });
    bots.push(bot);
    assert.equal(bot.role(), "active");
    storeDown = true;
    await until("the lease to be lost", 5000, () => lost > 0);
    assert.equal(bot.leader.isLeader(), false, "no feed polls without the lease");
    await bot.stop();
    await store.close();
  });

  it("never makes console or test adapters wait", async () => {
    const holder = await openStore(`sqlite://${join(dir, "third.sqlite")}`);
    assert.equal(await holder.leases.acquire("nixie", "someone-else", 60_000), true);
    let started = false;
    const local: Adapter = { platform: "console", start: async () => void (started = true), send: async () => {}, stop: async () => {}, isConnected: () => started };
    const bot = await startBot({ loaded, log, adapters: () => [local], store: holder });
    bots.push(bot);
    assert.equal(started, true);
    assert.equal(bot.leader.isLeader(), false, "but its feed jobs wait for the lease");
    await bot.stop();
    await holder.leases.release("nixie", "someone-else");
    await holder.close();
  });
});
