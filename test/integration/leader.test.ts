import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createLeader } from "../../src/ops/leader.js";
import { openStore, type Store } from "../../src/storage/store.js";

describe("leader election over a shared store", () => {
  const dir = mkdtempSync(join(tmpdir(), "nixie-leader-"));
  let a: Store;
  let b: Store;
  before(async () => {
    const url = `sqlite://${join(dir, "shared.sqlite")}`;
    a = await openStore(url);
    b = await openStore(url); // a second connection, as a second instance would have
  });
  after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets exactly one instance lead, and hands over when the leader stops or dies", async () => {
    const log = pino({ level: "silent" });
    const changes: string[] = [];
    const one = createLeader({ leases: a.leases, name: "feeds", ttlMs: 400, log, id: "one", onChange: (l) => changes.push(`one:${l}`) });
    const two = createLeader({ leases: b.leases, name: "feeds", ttlMs: 400, log, id: "two", onChange: (l) => changes.push(`two:${l}`) });
    assert.equal(await one.tick(), true);
    assert.equal(await two.tick(), false);
    assert.equal(await one.tick(), true, "the leader renews");
    await one.stop(); // a clean stop releases the lease
    assert.equal(one.isLeader(), false);
    assert.equal(await two.tick(), true, "the standby takes over at once");

    // "two" dies without releasing: "three" must wait for the lease to expire.
    const three = createLeader({ leases: a.leases, name: "feeds", ttlMs: 400, log, id: "three" });
    assert.equal(await three.tick(), false);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await three.tick(), true);
    assert.deepEqual(changes, ["one:true", "two:true"]);
    await three.stop();
  });

  it("rides out a store hiccup while its lease is valid, and steps down once it may have expired", async () => {
    let down = false;
    const flaky = {
      acquire: async () => (down ? Promise.reject(new Error("store down")) : true),
      release: async () => undefined,
    };
    const l = createLeader({ leases: flaky, name: "x", ttlMs: 600, log: pino({ level: "silent" }) });
    assert.equal(await l.tick(), true);
    down = true;
    assert.equal(await l.tick(), true, "one failed renewal does not end a lease that is still valid");
    await new Promise((r) => setTimeout(r, 550));
    assert.equal(await l.tick(), false, "past its expiry (less the margin) it steps down");
    const never = createLeader({ leases: flaky, name: "y", ttlMs: 600, log: pino({ level: "silent" }) });
    assert.equal(await never.tick(), false, "without ever holding it, a failure means no lease");
  });

  it("fencing: a holder paused past its lease may not act before any renewal runs, and renewals keep a margin", async () => {
    let clock = 1_000_000;
    const leases = { acquire: async () => true, release: async () => undefined };
    const l = createLeader({ leases, name: "f", ttlMs: 30_000, log: pino({ level: "silent" }), now: () => clock });
    assert.equal(l.mayAct(), false, "nothing before the lease is taken");
    assert.equal(l.term(), undefined);
    assert.equal(await l.tick(), true);
    assert.equal(l.mayAct(), true);
    const first = l.term();
    assert.notEqual(first, undefined);
    // Renewals come every ttl/3 (10 s): acting stays allowed across a missed one…
    clock += 19_000;
    assert.equal(l.mayAct(), true);
    assert.equal(l.term(), first, "still the same term");
    // …but not up to the expiry: the confirmed expiry less two sixths of the TTL (20 s).
    clock += 1_000;
    assert.equal(l.mayAct(), false);
    // A process stopped for a minute wakes up still "leader" (no renewal ran) but may not act.
    clock += 60_000;
    assert.equal(l.isLeader(), true);
    assert.equal(l.mayAct(), false);
    assert.equal(l.term(), undefined);
    assert.equal(await l.tick(), true, "the renewal succeeds: nobody holds the lease now");
    assert.equal(l.mayAct(), true);
    // But another instance may have held it meanwhile: a new term, so work of the old one stops.
    assert.notEqual(l.term(), first);
    const second = l.term();
    clock += 5_000;
    assert.equal(await l.tick(), true);
    assert.equal(l.term(), second, "renewed in time: the same term");
    await l.stop();
    assert.equal(l.mayAct(), false);
  });
});
