import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { roomKey, type Platform, type RoomRef } from "../../src/core/adapter.js";
import { textReply } from "../../src/core/reply.js";
import { createOutbox, MAX_ATTEMPTS, type Outbox, type OutboxOptions, type OutboxPost } from "../../src/delivery/outbox.js";
import { deliveryId } from "../../src/delivery/id.js";
import { renderPlain } from "../../src/render/plain.js";
import { openStore, type Store } from "../../src/storage/store.js";

const matrix = (id: string): RoomRef => ({ platform: "matrix", id });
const discord = (id: string): RoomRef => ({ platform: "discord", id });
const label = { key: "news", title: "News", url: "https://news.example/" };

describe("delivery: the outbox", () => {
  let dir: string;
  let store: Store;
  let sent: { room: string; text: string; id: string | undefined; at: number }[];
  let clock: number;
  let refuse: Set<string>;

  const make = (over: Partial<OutboxOptions> = {}): Outbox =>
    createOutbox({
      store,
      log: pino({ level: "silent" }),
      async send(room, reply, opts) {
        if (refuse.has(roomKey(room))) throw new Error("forbidden");
        sent.push({ room: roomKey(room), text: renderPlain(reply), id: opts.deliveryId, at: clock });
      },
      paceMs: () => 0,
      maxPerRoom: 3,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      ...over,
    });
  const post = (room: RoomRef, entry: string, reply = textReply(entry)): OutboxPost => ({ room: roomKey(room), deliveryId: deliveryId(roomKey(room), "test", entry), reply });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-outbox-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    sent = [];
    clock = 1_000_000;
    refuse = new Set();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores a reply fanned out to many rooms once, and ignores delivery ids it already holds", async () => {
    const outbox = make();
    const reply = textReply("one entry");
    const posts = Array.from({ length: 500 }, (_, i) => post(matrix(`!r${i}:x`), "e1", reply));
    assert.equal(await outbox.enqueue("q", posts), 500);
    assert.equal(await outbox.enqueue("q", posts.slice(0, 10)), 0);
    const doc = (await store.namespace<{ posts: Record<string, unknown>; items: unknown[] }>("delivery").get("queue:q"))!;
    assert.equal(Object.keys(doc.posts).length, 1);
    assert.equal(doc.items.length, 500);
    assert.equal((await outbox.pending("q")).length, 500);
  });

  it("a new instance sends what another queued, with the same delivery ids, and removes it only after the send", async () => {
    await make().enqueue("q", [post(matrix("!a:x"), "e1"), post(matrix("!b:x"), "e1")]);
    refuse.add("matrix:!b:x");
    const report = await make().deliver([{ queue: "q" }]);
    assert.deepEqual([report.sent, report.failed], [1, 1]);
    assert.deepEqual(
      (await make().pending("q")).map((p) => [p.room, p.attempts]),
      [["matrix:!b:x", 1]],
    );
    refuse.clear();
    await make().deliver([{ queue: "q" }]);
    assert.deepEqual(
      sent.map((s) => s.id),
      [deliveryId("matrix:!a:x", "test", "e1"), deliveryId("matrix:!b:x", "test", "e1")],
    );
    assert.deepEqual(await make().pending("q"), []);
  });

  it("gives a post up after MAX_ATTEMPTS failed rounds", async () => {
    const outbox = make();
    await outbox.enqueue("q", [post(matrix("!dead:x"), "e1")]);
    refuse.add("matrix:!dead:x");
    let gaveUp = 0;
    for (let i = 0; i < MAX_ATTEMPTS; i++) gaveUp += (await outbox.deliver([{ queue: "q" }])).gaveUp;
    assert.equal(gaveUp, 1);
    assert.deepEqual(await outbox.pending("q"), []);
  });

  it("drops posts of rooms that no longer want them, unsent", async () => {
    const outbox = make();
    await outbox.enqueue("q", [post(matrix("!a:x"), "e1"), post(matrix("!b:x"), "e1")]);
    const report = await outbox.deliver([{ queue: "q", wanted: (room) => room === "matrix:!a:x" }]);
    assert.equal(report.dropped, 1);
    assert.deepEqual(
      sent.map((s) => s.room),
      ["matrix:!a:x"],
    );
  });

  it("caps labelled posts per room and round with one summary line; unlabelled posts are never summarised", async () => {
    const outbox = make({ maxPerRoom: 2 });
    const room = matrix("!a:x");
    await outbox.enqueue(
      "feed",
      ["1", "2", "3", "4"].map((e) => ({ ...post(room, e), summary: label })),
    );
    await outbox.enqueue(
      "track",
      ["t1", "t2", "t3", "t4"].map((e) => post(room, e)),
    );
    const report = await outbox.deliver([{ queue: "feed" }, { queue: "track" }]);
    assert.equal(report.sent, 7);
    assert.deepEqual(
      sent.map((s) => s.text),
      ["1", "2", "t1", "t2", "t3", "t4", "…and 2 more new posts: News <https://news.example/>"],
    );
    assert.deepEqual(await outbox.pending("feed"), []);
  });

  it("paces each platform on its own: Matrix sends wait for Matrix sends, not for Discord ones", async () => {
    const pace: Record<string, number> = { matrix: 300, discord: 1000 };
    const outbox = make({ paceMs: (p: Platform) => pace[p] ?? 0 });
    const t0 = clock;
    await outbox.enqueue("q", [post(matrix("!a:x"), "1"), post(discord("1"), "1"), post(matrix("!b:x"), "1"), post(discord("2"), "1"), post(matrix("!c:x"), "1")]);
    await outbox.deliver([{ queue: "q" }]);
    const at = (room: string): number => sent.find((s) => s.room === room)!.at - t0;
    // One round, rooms in order: the second Matrix post waits 300 ms, not the 1000 of Discord's pace.
    assert.deepEqual([at("matrix:!a:x"), at("matrix:!b:x"), at("matrix:!c:x")], [0, 300, 1000]);
    assert.deepEqual([at("discord:1"), at("discord:2")], [0, 1000]);
  });

  it("sends nothing once the fence says the lease may have passed; the posts stay queued, no attempt counted", async () => {
    let holds = true;
    const outbox = make();
    await outbox.enqueue("q", [post(matrix("!a:x"), "1"), post(matrix("!b:x"), "1"), post(matrix("!c:x"), "1")]);
    let n = 0;
    const fencing = make({
      fence: () => (holds ? 1 : undefined),
      async send(room, _reply, opts) {
        sent.push({ room: roomKey(room), text: "", id: opts.deliveryId, at: clock });
        if (++n === 1) holds = false; // paused past the lease right after the first send
      },
    });
    const report = await fencing.deliver([{ queue: "q" }]);
    assert.equal(report.fenced, true);
    assert.deepEqual(
      sent.map((s) => s.room),
      ["matrix:!a:x"],
    );
    // Not even the first send is recorded: the next holder sends it again, with the same id.
    assert.deepEqual(
      (await outbox.pending("q")).map((p) => [p.room, p.attempts]),
      [
        ["matrix:!a:x", 0],
        ["matrix:!b:x", 0],
        ["matrix:!c:x", 0],
      ],
    );
    await assert.rejects(fencing.enqueue("q", [post(matrix("!d:x"), "1")]), /lease may have passed/);
    holds = true;
    await fencing.deliver([{ queue: "q" }]);
    assert.deepEqual(
      sent.map((s) => s.room),
      ["matrix:!a:x", "matrix:!a:x", "matrix:!b:x", "matrix:!c:x"],
    );
    assert.equal(sent[0]!.id, sent[1]!.id);
  });

  it("a round begun in an earlier term stops and writes nothing, even when the lease is held again", async () => {
    let term = 1;
    let other: Outbox | undefined;
    const paused = make({
      fence: () => term,
      async send(room, _reply, opts) {
        sent.push({ room: roomKey(room), text: "paused", id: opts.deliveryId, at: clock });
        // Paused here past the lease: another instance delivers the rest, then this one takes the lease again.
        if (sent.length === 1) {
          term = 2;
          await other!.deliver([{ queue: "q" }]);
        }
      },
    });
    other = make();
    await paused.enqueue("q", [post(matrix("!a:x"), "1"), post(matrix("!b:x"), "1")]);
    const report = await paused.deliver([{ queue: "q" }]);
    assert.equal(report.fenced, true);
    assert.deepEqual(
      sent.map((s) => [s.room, s.text]),
      [
        ["matrix:!a:x", "paused"],
        ["matrix:!a:x", "1"],
        ["matrix:!b:x", "1"],
      ],
    );
    assert.deepEqual(await other.pending("q"), [], "the paused round did not write its stale list back");
    await paused.deliver([{ queue: "q" }]);
    assert.equal(sent.length, 3);
  });

  it("follows the room registry: an upgrade moves queued posts (never twice to one room), a leave drops them", async () => {
    const outbox = make();
    const shared = textReply("entry");
    await outbox.enqueue("q", [post(matrix("!old:x"), "e1", shared), post(matrix("!new:x"), "e1", shared), post(matrix("!old:x"), "e2")]);
    await outbox.enqueue("other", [post(matrix("!old:x"), "e3")]);
    assert.equal(await outbox.roomState.moveRoom(matrix("!old:x"), matrix("!new:x")), 3);
    assert.deepEqual(
      (await outbox.pending("q")).map((p) => [p.room, renderPlain(p.reply)]),
      [
        ["matrix:!new:x", "entry"],
        ["matrix:!new:x", "e2"],
      ],
    );
    assert.equal(await outbox.roomState.moveRoom(matrix("!old:x"), matrix("!new:x")), 0, "idempotent");
    assert.equal(await outbox.roomState.removeRoom(matrix("!new:x")), 3);
    await outbox.deliver([{ queue: "q" }, { queue: "other" }]);
    assert.deepEqual(sent, []);
    // A new instance (its index read from the store) finds nothing either.
    assert.equal(await make().roomState.removeRoom(matrix("!new:x")), 0);
  });

  it("a room removed while a round is sending gets nothing more from that round", async () => {
    // Called only once the round runs, after `outbox` is assigned.
    const outbox: Outbox = make({
      async send(room, _reply, opts) {
        sent.push({ room: roomKey(room), text: "", id: opts.deliveryId, at: clock });
        if (sent.length === 1) await outbox.roomState.removeRoom(matrix("!b:x"));
      },
    });
    await outbox.enqueue("q", [post(matrix("!a:x"), "1"), post(matrix("!b:x"), "1"), post(matrix("!b:x"), "2")]);
    await outbox.deliver([{ queue: "q" }]);
    assert.deepEqual(
      sent.map((s) => s.room),
      ["matrix:!a:x"],
    );
    assert.deepEqual(await outbox.pending("q"), []);
  });
});
