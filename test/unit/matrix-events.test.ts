import assert from "node:assert/strict";
import { commandText, inviteAllowed, isEncryptionSign, replyRelation, stripReplyFallback, tombstoneTarget, type RoomEvent } from "../../src/adapters/matrix/events.js";
import { canManage, roomCreators } from "../../src/adapters/matrix/power.js";

const filter = { botUserId: "@nixie:example.org", prefix: "!", botName: "nixie", startedAt: 1_000 };
const msg = (content: Record<string, unknown>, over: Partial<RoomEvent> = {}): RoomEvent => ({
  type: "m.room.message",
  event_id: "$e1",
  sender: "@alice:example.org",
  origin_server_ts: 2_000,
  content: { msgtype: "m.text", ...content },
  ...over,
});

describe("matrix events: which messages are commands", () => {
  it("takes m.text messages that start with the prefix", () => {
    assert.equal(commandText(msg({ body: "!pkg firefox" }), filter), "!pkg firefox");
    assert.equal(commandText(msg({ body: "  !help  " }), filter), "!help");
  });

  it("turns `nixie: <command>` mentions into commands, case-insensitively", () => {
    assert.equal(commandText(msg({ body: "nixie: pkg firefox" }), filter), "!pkg firefox");
    assert.equal(commandText(msg({ body: "Nixie, help" }), filter), "!help");
    assert.equal(commandText(msg({ body: "@nixie: !help pkg" }), filter), "!help pkg");
    assert.equal(commandText(msg({ body: "nixie is nice" }), filter), undefined);
    assert.equal(commandText(msg({ body: "nixiex: help" }), filter), undefined);
    assert.equal(commandText(msg({ body: "nixie:" }), filter), undefined);
  });

  it("uses the configured name and escapes it", () => {
    const f = { ...filter, botName: "n.x" };
    assert.equal(commandText(msg({ body: "n.x: help" }), f), "!help");
    assert.equal(commandText(msg({ body: "nax: help" }), f), undefined);
  });

  it("ignores its own events, notices, other message types and non-messages", () => {
    assert.equal(commandText(msg({ body: "!help" }, { sender: filter.botUserId }), filter), undefined);
    assert.equal(commandText(msg({ msgtype: "m.notice", body: "!help" }), filter), undefined);
    assert.equal(commandText(msg({ msgtype: "m.emote", body: "!help" }), filter), undefined);
    assert.equal(commandText(msg({ body: "!help" }, { type: "m.sticker" }), filter), undefined);
    assert.equal(commandText(msg({ body: 42 }), filter), undefined);
    assert.equal(commandText(msg({ body: "hello" }), filter), undefined);
  });

  it("ignores edits and redacted events", () => {
    const edit = msg({ body: "* !help", "m.new_content": { msgtype: "m.text", body: "!help" }, "m.relates_to": { rel_type: "m.replace", event_id: "$old" } });
    assert.equal(commandText(edit, filter), undefined);
    assert.equal(commandText(msg({ body: "!help" }, { unsigned: { redacted_because: { type: "m.room.redaction" } } }), filter), undefined);
    assert.equal(commandText(msg({}, { content: {} }), filter), undefined);
  });

  it("ignores events from before the start (history, or sent while nixie was down)", () => {
    assert.equal(commandText(msg({ body: "!help" }, { origin_server_ts: 999 }), filter), undefined);
    assert.equal(commandText(msg({ body: "!help" }, { origin_server_ts: 1_000 }), filter), "!help");
    const { origin_server_ts: _drop, ...noTs } = msg({ body: "!help" });
    assert.equal(commandText(noTs, filter), undefined);
  });

  it("reads a reply's own text, not the quoted fallback", () => {
    const reply = msg({ body: "> <@bob:example.org> what is it?\n> second line\n\n!pkg hello", "m.relates_to": { "m.in_reply_to": { event_id: "$q" } } });
    assert.equal(commandText(reply, filter), "!pkg hello");
    assert.equal(stripReplyFallback("no quote"), "no quote");
    // without a reply relation a leading "> " is the user's own text
    assert.equal(commandText(msg({ body: "> !help" }), filter), undefined);
  });
});

describe("matrix events: reply relations", () => {
  it("replies to the message", () => {
    assert.deepEqual(replyRelation({ event_id: "$cmd", content: { body: "!help" } }), { "m.in_reply_to": { event_id: "$cmd" } });
  });

  it("replies inside the thread when the message was in one", () => {
    const inThread = { event_id: "$cmd", content: { "m.relates_to": { rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: "$prev" } } } };
    assert.deepEqual(replyRelation(inThread), { rel_type: "m.thread", event_id: "$root", is_falling_back: false, "m.in_reply_to": { event_id: "$cmd" } });
  });

  it("treats a plain reply (not a thread) as a plain reply", () => {
    const plain = { event_id: "$cmd", content: { "m.relates_to": { "m.in_reply_to": { event_id: "$other" } } } };
    assert.deepEqual(replyRelation(plain), { "m.in_reply_to": { event_id: "$cmd" } });
  });
});

describe("matrix events: invites, tombstones, encryption", () => {
  it("accepts invites from anyone when no allow list is set, else only from listed users or servers", () => {
    const none = { users: [], servers: [] };
    assert.equal(inviteAllowed("@x:evil.example", none), true);
    const lists = { users: ["@ops:other.org"], servers: ["nixos.org"] };
    assert.equal(inviteAllowed("@alice:nixos.org", lists), true);
    assert.equal(inviteAllowed("@ops:other.org", lists), true);
    assert.equal(inviteAllowed("@eve:other.org", lists), false);
    assert.equal(inviteAllowed("@eve:notnixos.org", lists), false);
    assert.equal(inviteAllowed(undefined, lists), false);
  });

  it("reads the replacement room of a tombstone", () => {
    assert.equal(tombstoneTarget({ type: "m.room.tombstone", state_key: "", content: { body: "upgraded", replacement_room: "!new:example.org" } }), "!new:example.org");
    assert.equal(tombstoneTarget({ type: "m.room.tombstone", state_key: "x", content: { replacement_room: "!new:example.org" } }), undefined);
    assert.equal(tombstoneTarget({ type: "m.room.tombstone", state_key: "", content: { replacement_room: "#alias:example.org" } }), undefined);
    assert.equal(tombstoneTarget({ type: "m.room.message", content: { replacement_room: "!new:example.org" } }), undefined);
  });

  it("recognises encrypted messages and the encryption state event", () => {
    assert.equal(isEncryptionSign({ type: "m.room.encrypted" }), true);
    assert.equal(isEncryptionSign({ type: "m.room.encryption", state_key: "" }), true);
    assert.equal(isEncryptionSign({ type: "m.room.message" }), false);
  });
});

describe("matrix power: room managers", () => {
  const pl = { users: { "@mod:x": 50, "@admin:x": 100, "@low:x": 10 }, users_default: 0, state_default: 50 };
  const create = (version: string, sender = "@creator:x", extra: Record<string, unknown> = {}) => ({ sender, content: { room_version: version, ...extra } });
  const check = (userId: string, o: Partial<Parameters<typeof canManage>[0]> = {}) => canManage({ userId, powerLevels: pl, create: create("10"), admins: [], ...o });

  it("counts users at or above state_default", () => {
    assert.equal(check("@mod:x"), true);
    assert.equal(check("@admin:x"), true);
    assert.equal(check("@low:x"), false);
    assert.equal(check("@nobody:x"), false);
  });

  it("follows a room's own state_default and users_default, and defaults state_default to 50", () => {
    assert.equal(check("@low:x", { powerLevels: { ...pl, state_default: 10 } }), true);
    assert.equal(check("@nobody:x", { powerLevels: { users_default: 60 } }), true);
    assert.equal(check("@low:x", { powerLevels: { users: { "@low:x": 49 } } }), false);
    assert.equal(check("@low:x", { powerLevels: { users: { "@low:x": 50 } } }), true);
  });

  it("lets configured admins manage every room", () => {
    assert.equal(check("@nobody:x", { admins: ["@nobody:x"] }), true);
  });

  it("counts the creators of a room version 12 room, whatever power_levels says", () => {
    const v12 = create("12", "@creator:x", { additional_creators: ["@co:x"] });
    assert.equal(check("@creator:x", { create: v12 }), true);
    assert.equal(check("@co:x", { create: v12 }), true);
    assert.equal(check("@nobody:x", { create: v12 }), false);
    assert.deepEqual(roomCreators(v12), ["@creator:x", "@co:x"]);
  });

  it("does not count creators specially before room version 12", () => {
    assert.equal(check("@creator:x", { create: create("11") }), false);
    assert.equal(check("@creator:x", { create: create("org.matrix.msc1234") }), false);
    assert.deepEqual(roomCreators(create("10")), []);
    assert.deepEqual(roomCreators({ sender: "@c:x", content: {} }), []);
  });

  it("without a power-levels event only the creator manages", () => {
    assert.equal(check("@creator:x", { powerLevels: undefined }), true);
    assert.equal(check("@mod:x", { powerLevels: undefined }), false);
  });
});
