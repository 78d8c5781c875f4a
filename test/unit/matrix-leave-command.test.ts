// !leave through the real dispatcher: leaves only where the adapter can, and only for managers.
import assert from "node:assert/strict";
import { renderPlain } from "../../src/render/plain.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

describe("!leave", () => {
  let tb: TestBot;
  before(async () => {
    tb = await startTestBot();
  });
  after(async () => {
    await tb.stop();
  });

  const ask = async (manager: boolean, canLeave: boolean) => {
    let asked = 0;
    const reply = await tb.bot.dispatcher.handle({
      room: { platform: "matrix", id: "!r:x" },
      user: { id: "@u:x" },
      text: "!leave",
      canManageRoom: async () => manager,
      ...(canLeave ? { leaveRoom: () => void asked++ } : {}),
    });
    return { text: reply ? renderPlain(reply) : "", asked };
  };

  it("asks the adapter to leave when a room manager says so", async () => {
    const r = await ask(true, true);
    assert.equal(r.asked, 1);
    assert.match(r.text, /Goodbye/);
  });

  it("refuses other users and does not leave", async () => {
    const r = await ask(false, true);
    assert.equal(r.asked, 0);
    assert.match(r.text, /Only room managers/);
  });

  it("says it is not supported where the adapter cannot leave", async () => {
    assert.match(await tb.ask("!leave", { manager: true }), /!leave is not supported here/);
    assert.equal((await ask(true, false)).asked, 0);
  });
});
