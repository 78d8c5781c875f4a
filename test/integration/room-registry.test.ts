// Every kind of per-room state the bot registers (subscriptions, tracks, the !links setting, and
// whatever a later feature adds) follows a room upgrade and goes when nixie leaves, through the
// real services and store.
import assert from "node:assert/strict";
import type { RoomRef } from "../../src/core/adapter.js";
import { probesFor } from "../helpers/room-state-probes.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

describe("room registry with the bot's services", () => {
  let t: TestBot;
  before(async () => {
    t = await startTestBot();
  });
  after(() => t.stop());

  const old: RoomRef = { platform: "matrix", id: "!old:hs.example" };
  const upgraded: RoomRef = { platform: "matrix", id: "!new:hs.example" };

  it("registers subscriptions, tracks and the links setting", () => {
    for (const k of ["subscriptions", "tracks", "links"]) assert.ok(t.bot.services.rooms.kinds().includes(k), k);
  });

  it("moves each registered kind to the upgraded room, then drops it when nixie leaves", async () => {
    const s = t.bot.services;
    const probes = probesFor(s);
    for (const [, p] of probes) await p.seed(s, old);
    for (const [k, p] of probes) assert.ok(await p.has(s, old), `${k} seeded`);
    const moved = await s.rooms.moveRoom(old, upgraded);
    assert.deepEqual(moved.failed, []);
    for (const [k, p] of probes) {
      assert.ok(await p.has(s, upgraded), `${k} moved to the new room`);
      assert.ok(!(await p.has(s, old)), `${k} left in the old room`);
      assert.ok((moved.counts[k] ?? 0) >= 1, `${k} counted`);
    }
    await s.rooms.removeRoom(upgraded);
    for (const [k, p] of probes) assert.ok(!(await p.has(s, upgraded)), `${k} dropped on leave`);
  });

  it("a !links on set with the command follows the room too", async () => {
    assert.match(await t.ask("!links on", { room: "r-links", manager: true }), /on/i);
    const from: RoomRef = { platform: "test", id: "r-links" };
    const to: RoomRef = { platform: "test", id: "r-links-2" };
    await t.bot.services.rooms.moveRoom(from, to);
    assert.equal(await t.bot.services.linkExpander.enabled("test:r-links-2"), true);
    assert.equal(await t.bot.services.linkExpander.enabled("test:r-links"), false);
  });
});
