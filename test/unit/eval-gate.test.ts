import assert from "node:assert/strict";
import { EvalGate, type Admission } from "../../src/eval/gate.js";

describe("eval gate", () => {
  it("runs at most maxConcurrent, queues up to the bound, refuses the rest as busy", async () => {
    const gate = new EvalGate({ maxConcurrent: 2, queue: 2, cooldownMs: 0 });
    const a = await gate.enter("a");
    const b = await gate.enter("b");
    assert.equal(gate.active, 2);
    const box: { cIn?: Admission } = {};
    const c = gate.enter("c").then((x) => (box.cIn = x));
    const cIn = (): Admission | undefined => box.cIn;
    const d = gate.enter("d");
    assert.equal(gate.queued, 2);
    assert.deepEqual(await gate.enter("e"), { ok: false, reason: "busy" });
    assert.ok(cIn() === undefined, "c waits");
    assert.ok(a.ok);
    a.release();
    a.release(); // twice is harmless
    await c;
    assert.ok(cIn()?.ok);
    assert.equal(gate.active, 2);
    assert.equal(gate.queued, 1);
    if (b.ok) b.release();
    const dd = await d;
    const admitted = cIn();
    if (admitted?.ok) admitted.release();
    if (dd.ok) dd.release();
    assert.equal(gate.active, 0);
    assert.equal(gate.queued, 0);
  });

  it("gives up a place in line at waitUntil and says how long it waited behind how many (issue 20, item 5)", async () => {
    const gate = new EvalGate({ maxConcurrent: 1, queue: 2, cooldownMs: 5000 });
    const a = await gate.enter("a");
    const late = await gate.enter("b", { waitUntil: Date.now() + 30 });
    assert.ok(!late.ok && late.reason === "waited" && late.ahead === 1);
    assert.equal(gate.queued, 0, "its place in line is free again");
    // It never ran, so no cooldown: b may queue again at once, and gets the next turn.
    const again = gate.enter("b", { waitUntil: Date.now() + 10_000 });
    assert.ok(a.ok);
    a.release();
    const b = await again;
    assert.ok(b.ok);
    b.release();
    assert.equal(gate.active, 0);
  });

  it("applies no cooldown when told not to (the console)", async () => {
    const gate = new EvalGate({ maxConcurrent: 2, queue: 0, cooldownMs: 5000 });
    const first = await gate.enter("console:console", { cooldown: false });
    assert.ok(first.ok);
    first.release();
    const second = await gate.enter("console:console", { cooldown: false });
    assert.ok(second.ok);
    second.release();
  });

  it("admits one evaluation per person per cooldown", async () => {
    let t = 1000;
    const gate = new EvalGate({ maxConcurrent: 2, queue: 10, cooldownMs: 5000, now: () => t });
    const first = await gate.enter("alice");
    assert.ok(first.ok);
    t += 1500;
    assert.deepEqual(await gate.enter("alice"), { ok: false, reason: "cooldown", waitMs: 3500 });
    const bob = await gate.enter("bob");
    assert.ok(bob.ok);
    first.release();
    bob.release();
    t += 3500;
    assert.ok((await gate.enter("alice")).ok);
  });

  it("a busy refusal does not start the cooldown", async () => {
    const gate = new EvalGate({ maxConcurrent: 1, queue: 0, cooldownMs: 5000 });
    const a = await gate.enter("a");
    assert.deepEqual(await gate.enter("b"), { ok: false, reason: "busy" });
    if (a.ok) a.release();
    assert.ok((await gate.enter("b")).ok);
  });
});
