/**
 * One probe per kind of per-room state that the room registry knows: how a test puts some of that
 * state in a room and how it reads whether the room has it. Tests that move or drop rooms check
 * every registered kind through these, and fail when a kind is registered without a probe here,
 * so a new feature's per-room state is covered by the room-upgrade and leave tests at once.
 */
import assert from "node:assert/strict";
import { roomKey, type RoomRef } from "../../src/core/adapter.js";
import type { Services } from "../../src/core/services.js";
import { textReply } from "../../src/core/reply.js";

export interface RoomStateProbe {
  /** Gives `room` some state of this kind. */
  seed(services: Services, room: RoomRef): Promise<void>;
  /** Whether `room` has the state `seed` gave it. */
  has(services: Services, room: RoomRef): Promise<boolean>;
}

export const roomStateProbes: Readonly<Record<string, RoomStateProbe>> = {
  subscriptions: {
    seed: async (s, room) => void (await s.subscriptions.subscribe(room, "announcements")),
    has: async (s, room) => (await s.subscriptions.list(room)).includes("announcements"),
  },
  tracks: {
    seed: async (s, room) => {
      const r = await s.tracks.add(roomKey(room), { pr: 4242, asker: { id: "@alice:probe" }, since: new Date(0).toISOString(), done: [] }, { perRoom: 100, perUser: 100 });
      assert.equal(r, "added");
    },
    has: async (s, room) => (await s.tracks.list(roomKey(room))).some((t) => t.pr === 4242),
  },
  links: {
    seed: (s, room) => s.linkExpander.setEnabled(roomKey(room), true),
    has: (s, room) => s.linkExpander.enabled(roomKey(room)),
  },
  factoids: {
    seed: async (s, room) => void (await s.factoids.learn(room, "probe-fact", "A probe's **text**.", { id: "@alice:probe", name: "alice" })),
    has: async (s, room) => (await s.factoids.get(room, "probe-fact"))?.text === "A probe's **text**.",
  },
  // A queue no job delivers, so the post waits there while the test moves and drops the room.
  outbox: {
    seed: async (s, room) => {
      const added = await s.outbox.enqueue("probe", [{ room: roomKey(room), deliveryId: `probe-${roomKey(room)}`, reply: textReply("queued post") }]);
      assert.equal(added, 1);
    },
    has: async (s, room) => (await s.outbox.pending("probe")).some((p) => p.room === roomKey(room)),
  },
};

/** The probes of every kind the bot registered; fails naming a registered kind with no probe. */
export function probesFor(services: Services): [string, RoomStateProbe][] {
  return services.rooms.kinds().map((k) => {
    const p = roomStateProbes[k];
    assert.ok(p, `room state kind "${k}" is registered but test/helpers/room-state-probes.ts has no probe for it`);
    return [k, p];
  });
}
