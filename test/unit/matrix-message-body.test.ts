import assert from "node:assert/strict";
import { commandText, messageBody, type RoomEvent } from "../../src/adapters/matrix/events.js";

const f = { botUserId: "@nixie:example.org", prefix: "!", botName: "nixie", startedAt: 1000 };
const ev = (content: Record<string, unknown>, over: Partial<RoomEvent> = {}): RoomEvent => ({
  type: "m.room.message",
  event_id: "$e",
  sender: "@alice:example.org",
  origin_server_ts: 2000,
  content,
  ...over,
});

describe("Matrix: ordinary messages nixie may read (reference expansion)", () => {
  it("gives the body of a plain m.text message, without a reply's quoted fallback", () => {
    assert.equal(messageBody(ev({ msgtype: "m.text", body: " see nixpkgs#1 " }), f), "see nixpkgs#1");
    assert.equal(messageBody(ev({ msgtype: "m.text", body: "> <@bob:example.org> nixpkgs#2\n\nnixpkgs#3", "m.relates_to": { "m.in_reply_to": { event_id: "$x" } } }), f), "nixpkgs#3");
    assert.equal(commandText(ev({ msgtype: "m.text", body: "see nixpkgs#1" }), f), undefined);
  });

  it("never reads edits, notices (bots), nixie's own messages, redacted or old events", () => {
    assert.equal(messageBody(ev({ msgtype: "m.text", body: "* nixpkgs#1", "m.new_content": { body: "nixpkgs#1" }, "m.relates_to": { rel_type: "m.replace", event_id: "$x" } }), f), undefined);
    assert.equal(messageBody(ev({ msgtype: "m.notice", body: "nixpkgs#1" }), f), undefined);
    assert.equal(messageBody(ev({ msgtype: "m.text", body: "nixpkgs#1" }, { sender: f.botUserId }), f), undefined);
    assert.equal(messageBody(ev({ msgtype: "m.text", body: "nixpkgs#1" }, { unsigned: { redacted_because: {} } }), f), undefined);
    assert.equal(messageBody(ev({ msgtype: "m.text", body: "nixpkgs#1" }, { origin_server_ts: 10 }), f), undefined);
  });
});
