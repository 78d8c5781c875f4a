// src/core/deadline.ts: the one deadline signal and the small helpers that replace hand-made
// timer races; and the places that honour the signal (pace waits, store writes, the dispatcher).
import assert from "node:assert/strict";
import pino from "pino";
import { defineCommand } from "../../src/core/command.js";
import { DeadlinePassed, anySignal, endOf, hasPassed, msLeft, signalAt, sleep, spanOf, throwIfPassed, withDeadline } from "../../src/core/deadline.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";
import { createSubscriptions } from "../../src/feeds/subscriptions.js";
import { createTrackStore } from "../../src/pr-tracking/tracks.js";
import { renderPlain } from "../../src/render/plain.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { IntervalLimiter } from "../../src/upstream/cache.js";

const never = new Promise<never>(() => undefined);
const aborted = (): AbortSignal => {
  const c = new AbortController();
  c.abort(new DeadlinePassed());
  return c.signal;
};

describe("deadline helpers", () => {
  it("signalAt fires at its time with DeadlinePassed, and knows its end and span", async () => {
    const at = Date.now() + 40;
    const s = signalAt(at);
    assert.equal(endOf(s), at);
    assert.ok(Math.abs(spanOf(s)! - 40) <= 2);
    assert.ok(msLeft(s) > 0 && msLeft(s) <= 40);
    assert.equal(s.aborted, false);
    await new Promise((r) => s.addEventListener("abort", r));
    assert.ok(Date.now() >= at);
    assert.ok(s.reason instanceof DeadlinePassed);
    assert.equal(msLeft(s), 0);
    assert.ok(signalAt(Date.now() - 1).aborted, "a deadline already past fires at once");
  });

  it("hasPassed is true from the end on, even before the timer has run", () => {
    const s = signalAt(Date.now() + 10_000);
    assert.equal(hasPassed(s), false);
    assert.equal(hasPassed(undefined), false);
    assert.equal(hasPassed(aborted()), true);
    const c = new AbortController();
    assert.equal(hasPassed(c.signal), false, "a signal without a known end passes when it fires");
  });

  it("anySignal fires with the first and takes the earliest known end", async () => {
    const late = signalAt(Date.now() + 10_000);
    const soon = signalAt(Date.now() + 20);
    const both = anySignal(late, undefined, soon)!;
    assert.equal(endOf(both), endOf(soon));
    assert.equal(anySignal(undefined, late), late);
    assert.equal(anySignal(), undefined);
    await new Promise((r) => both.addEventListener("abort", r));
    assert.equal(late.aborted, false);
  });

  it("withDeadline settles like the promise when it comes first, and leaves no timer behind", async () => {
    // The race's own timer: made during the call, cleared once the promise settles.
    const made: unknown[] = [];
    const cleared: unknown[] = [];
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
    let settle: (v: number) => void = () => undefined;
    const c = new AbortController();
    let p: Promise<number>;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
      const t = realSet(...a);
      made.push(t);
      return t;
    }) as typeof setTimeout;
    globalThis.clearTimeout = (t: Parameters<typeof clearTimeout>[0]) => {
      cleared.push(t);
      realClear(t);
    };
    try {
      p = withDeadline(new Promise<number>((r) => (settle = r)), { ms: 10_000, signal: c.signal }, () => 2);
      globalThis.setTimeout = realSet;
      settle(1);
      assert.equal(await p, 1);
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
    assert.equal(made.length, 1);
    assert.deepEqual(cleared, made, "the timer outlived the race");
    c.abort();
    await assert.rejects(
      withDeadline(Promise.reject(new Error("no")), { ms: 10_000 }, () => 2),
      /no/,
    );
  });

  it("withDeadline gives onLate's value or error when the time or the signal comes first", async () => {
    assert.equal(await withDeadline(never, { ms: 5 }, () => "late"), "late");
    await assert.rejects(
      withDeadline(never, { ms: 5 }, () => {
        throw new Error("too late");
      }),
      /too late/,
    );
    const c = new AbortController();
    const p = withDeadline(never, { signal: c.signal }, () => "stopped");
    c.abort();
    assert.equal(await p, "stopped");
    assert.equal(await withDeadline(never, { signal: aborted() }, () => "already"), "already");
  });

  it("sleep waits, and rejects with DeadlinePassed as soon as the signal fires", async () => {
    const started = Date.now();
    await sleep(20);
    assert.ok(Date.now() - started >= 19);
    const s = signalAt(Date.now() + 10);
    const t = Date.now();
    await assert.rejects(sleep(10_000, s), DeadlinePassed);
    assert.ok(Date.now() - t < 1000);
    await assert.rejects(sleep(10, aborted()), DeadlinePassed);
  });

  it("throwIfPassed throws DeadlinePassed only once the signal has fired", () => {
    throwIfPassed(undefined);
    throwIfPassed(signalAt(Date.now() + 10_000));
    assert.throws(
      () => throwIfPassed(aborted(), "the track"),
      (e: unknown) => e instanceof DeadlinePassed && /the track/.test(e.message),
    );
  });

  it("a pace wait ends when the signal fires (and a turn too far off is refused at once)", async () => {
    const pace = new IntervalLimiter(1); // one a second
    assert.equal(await pace.wait(), true);
    const s = signalAt(Date.now() + 20);
    const t = Date.now();
    await assert.rejects(pace.wait(5000, false, s), DeadlinePassed);
    assert.ok(Date.now() - t < 500);
    assert.equal(await pace.wait(10), false);
  });
});

describe("store writes honour a command's signal", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore("sqlite://:memory:");
  });
  afterEach(() => store.close());

  it("subscriptions: nothing is written once the signal has fired", async () => {
    const subs = createSubscriptions(store);
    const room = { platform: "test", id: "r" } as const;
    await assert.rejects(subs.subscribe(room, "announcements", { signal: aborted() }), DeadlinePassed);
    assert.deepEqual(await subs.list(room), []);
    assert.equal(await subs.subscribe(room, "announcements", { signal: signalAt(Date.now() + 10_000) }), true);
    await assert.rejects(subs.unsubscribe(room, "announcements", { signal: aborted() }), DeadlinePassed);
    assert.deepEqual(await subs.list(room), ["announcements"]);
  });

  it("tracks: nothing is added or removed once the signal has fired", async () => {
    const tracks = createTrackStore(store);
    const track = { pr: 1, asker: { id: "u" }, since: new Date(0).toISOString(), done: [] };
    const caps = { perRoom: 5, perUser: 5 };
    await assert.rejects(tracks.add("test:r", track, caps, { signal: aborted() }), DeadlinePassed);
    assert.deepEqual(await tracks.list("test:r"), []);
    assert.equal(await tracks.add("test:r", track, caps), "added");
    await assert.rejects(tracks.remove("test:r", 1, "u", false, { signal: aborted() }), DeadlinePassed);
    assert.equal((await tracks.list("test:r")).length, 1);
  });
});

describe("the dispatcher's signal", () => {
  const seen: AbortSignal[] = [];
  const write = defineCommand({
    name: "write",
    summary: "Waits past its deadline, then writes",
    options: [],
    async run(_args, ctx) {
      seen.push(ctx.signal);
      await new Promise((r) => setTimeout(r, 80));
      throwIfPassed(ctx.signal, "the write");
      return textReply("written");
    },
  });
  const deadlines: number[] = [];
  const quick = defineCommand({ name: "quick", summary: "Answers at once", options: [], run: async (_a, ctx) => (seen.push(ctx.signal), deadlines.push(ctx.deadline), textReply("ok")) });
  const logs: string[] = [];
  const d = createDispatcher({
    commands: [write, quick],
    services: {} as Services,
    prefix: "!",
    maxMessageLength: 500,
    maxArgLength: 100,
    rateLimiter: new RateLimiter(100, 60),
    log: pino({ level: "warn" }, { write: (s: string) => void logs.push(s) }),
    commandTimeoutMs: 40,
  });
  const say = async (text: string): Promise<string> => renderPlain((await d.handle({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false }))!);

  it("fires at the command's deadline, which ctx.deadline still gives", async () => {
    const before = Date.now();
    assert.equal(await say("!quick"), "ok");
    const s = seen.at(-1)!;
    assert.ok(endOf(s)! >= before + 40 && endOf(s)! <= Date.now() + 40);
    assert.equal(deadlines.at(-1), endOf(s));
    await new Promise((r) => s.addEventListener("abort", r));
  });

  it("a write refused after the deadline gets the timeout answer, not an internal error", async () => {
    assert.equal(await say("!write"), "!write could not finish in time, try again in a minute.");
    assert.ok(logs.some((l) => l.includes("command stopped at its deadline")));
  });
});
