import assert from "node:assert/strict";
import pino from "pino";
import type { RoomRef } from "../../src/core/adapter.js";
import { createRoomRegistry, type RoomStateKind } from "../../src/rooms/registry.js";

const A: RoomRef = { platform: "matrix", id: "!a:x" };
const B: RoomRef = { platform: "matrix", id: "!b:x" };

/** A kind that keeps a count per room key. */
function countingKind(name: string, state: Map<string, number>): RoomStateKind {
  const key = (r: RoomRef) => `${r.platform}:${r.id}`;
  return {
    name,
    async moveRoom(from, to) {
      const n = state.get(key(from)) ?? 0;
      state.set(key(to), (state.get(key(to)) ?? 0) + n);
      state.delete(key(from));
      return n;
    },
    async removeRoom(room) {
      const n = state.get(key(room)) ?? 0;
      state.delete(key(room));
      return n;
    },
  };
}

describe("room registry", () => {
  const log = pino({ level: "silent" });

  it("moves and removes every registered kind, with counts per kind", async () => {
    const reg = createRoomRegistry(log);
    const subs = new Map([["matrix:!a:x", 2]]);
    const links = new Map([["matrix:!a:x", 1]]);
    reg.register(countingKind("subscriptions", subs));
    reg.register(countingKind("links", links));
    assert.deepEqual(reg.kinds(), ["subscriptions", "links"]);
    const moved = await reg.moveRoom(A, B);
    assert.deepEqual(moved, { counts: { subscriptions: 2, links: 1 }, failed: [], total: 3 });
    assert.equal(subs.get("matrix:!b:x"), 2);
    assert.equal(links.get("matrix:!b:x"), 1);
    assert.ok(!subs.has("matrix:!a:x") && !links.has("matrix:!a:x"));
    const removed = await reg.removeRoom(B);
    assert.equal(removed.total, 3);
    assert.equal(subs.size + links.size, 0);
  });

  it("goes on with the other kinds when one fails, and names the one that failed", async () => {
    const reg = createRoomRegistry(log);
    const links = new Map([["matrix:!a:x", 1]]);
    reg.register({ name: "broken", moveRoom: () => Promise.reject(new Error("store down")), removeRoom: () => Promise.reject(new Error("store down")) });
    reg.register(countingKind("links", links));
    const change = await reg.removeRoom(A);
    assert.deepEqual(change.failed, ["broken"]);
    assert.deepEqual(change.counts, { links: 1 });
    assert.equal(links.size, 0);
  });

  it("does nothing when a room is moved onto itself", async () => {
    const reg = createRoomRegistry(log);
    const subs = new Map([["matrix:!a:x", 2]]);
    reg.register(countingKind("subscriptions", subs));
    assert.equal((await reg.moveRoom(A, { ...A })).total, 0);
    assert.equal(subs.get("matrix:!a:x"), 2);
  });

  it("refuses a kind registered twice", () => {
    const reg = createRoomRegistry(log);
    reg.register(countingKind("tracks", new Map()));
    assert.throws(() => reg.register(countingKind("tracks", new Map())), /registered twice/);
  });
});
