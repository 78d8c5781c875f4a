import assert from "node:assert/strict";
import pino from "pino";
import { PlatformStartError, withResilientStart } from "../../src/adapters/resilient-start.js";
import type { Adapter } from "../../src/core/adapter.js";

/** An adapter whose start attempts fail with the given errors in turn, then succeed. */
function flaky(failures: Error[]): Adapter & { attempts: number; stops: number } {
  let connected = false;
  const a = {
    platform: "matrix" as const,
    attempts: 0,
    stops: 0,
    async start() {
      a.attempts++;
      const f = failures.shift();
      if (f !== undefined) throw f;
      connected = true;
    },
    send: async () => undefined,
    async stop() {
      a.stops++;
      connected = false;
    },
    isConnected: () => connected,
  };
  return a;
}

const classify = (err: unknown) => ({ retry: (err as Error).message === "down", line: `Matrix: ${(err as Error).message}` });
const until = async (f: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(f());
};

describe("resilient start", () => {
  const log = pino({ level: "silent" });

  it("resolves at once while retrying, connects on a later attempt", async () => {
    const inner = flaky([new Error("down"), new Error("down")]);
    const a = withResilientStart(inner, { log, classify, firstDelayMs: 5, maxDelayMs: 10 });
    await a.start(async () => null);
    assert.equal(a.isConnected(), false);
    await until(() => a.isConnected());
    assert.equal(inner.attempts, 3);
    await a.stop();
  });

  it("ends start-up with the platform's line when the first failure cannot be mended", async () => {
    const a = withResilientStart(flaky([new Error("token refused")]), { log, classify });
    await assert.rejects(
      a.start(async () => null),
      (e: unknown) => e instanceof PlatformStartError && e.message === "Matrix: token refused",
    );
  });

  it("reports a failure that cannot be mended on a later attempt through onFatal", async () => {
    const fatal: string[] = [];
    const a = withResilientStart(flaky([new Error("down"), new Error("token refused")]), { log, classify, firstDelayMs: 5, onFatal: (e) => fatal.push(e.message) });
    await a.start(async () => null);
    await until(() => fatal.length > 0);
    assert.deepEqual(fatal, ["Matrix: token refused"]);
  });

  it("does not keep the rest of start-up waiting for a first attempt that hangs", async () => {
    let finish: () => void = () => undefined;
    let connected = false;
    const hanging: Adapter = {
      platform: "discord",
      start: () => new Promise<void>((r) => (finish = () => ((connected = true), r()))),
      send: async () => undefined,
      stop: async () => undefined,
      isConnected: () => connected,
    };
    const a = withResilientStart(hanging, { log, classify, firstAttemptMs: 10 });
    await a.start(async () => null);
    assert.equal(a.isConnected(), false);
    finish();
    await until(() => a.isConnected());
    await a.stop();
  });

  it("stops retrying when stopped", async () => {
    const inner = flaky([new Error("down"), new Error("down"), new Error("down")]);
    const a = withResilientStart(inner, { log, classify, firstDelayMs: 20 });
    await a.start(async () => null);
    await a.stop();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(inner.attempts, 1);
    assert.equal(a.isConnected(), false);
  });
});
