import assert from "node:assert/strict";
import { renderPlain } from "../../src/render/plain.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

describe("bot through the test adapter", () => {
  let t: TestBot;
  before(async () => {
    t = await startTestBot();
  });
  after(async () => {
    await t.stop();
  });

  it("answers !help with every command and one line each", async () => {
    const text = await t.ask("!help");
    assert.match(text, /`!help` — List the commands/);
    assert.match(text, /`!about` — /);
  });

  it("answers !help help with usage, options and examples", async () => {
    const text = await t.ask("!help help");
    assert.match(text, /`!help \[<command>\]`/);
    assert.match(text, /Examples:/);
  });

  it("answers a message that addresses it by name, on every platform (issue 20, item 8)", async () => {
    const as = { user: "addresser" }; // a user of its own, not to use up another test's rate limit
    const byPrefix = await t.ask("!help help", as);
    assert.match(byPrefix, /List the commands/);
    assert.equal(await t.ask("nixie: help help", as), byPrefix);
    assert.equal(await t.ask("Nixie, !help help", as), byPrefix);
    assert.equal(await t.ask("@nixie: help help", as), byPrefix);
    assert.equal(await t.ask("nixie is nice", as), "", "a sentence about nixie is not a command");
  });

  it("stays silent for text that is not a command", async () => {
    assert.equal(await t.ask("hello there"), "");
    assert.equal(await t.ask("!!!"), "");
    assert.equal(await t.ask("!xyzzyplugh"), "");
  });

  it("hints at a typo of a known command", async () => {
    assert.equal(await t.ask("!hlep"), "Unknown command !hlep, did you mean !help?");
  });

  it("explains an unknown command asked of !help", async () => {
    assert.match(await t.ask("!help nosuch"), /There is no command !nosuch/);
    // Another user each, so the rate limit stays out of it.
    const as = (user: string) => ({ user });
    assert.equal(await t.ask("!help ../../etc/passwd", as("help-1")), 'There is no command "../../etc/passwd". !help lists them all.');
    assert.equal(await t.ask("!help !!pkg", as("help-2")), 'There is no command "!!pkg". !help lists them all.');
    assert.match(await t.ask("!help !pkg", as("help-3")), /^`!pkg \[--channel/);
    assert.match(await t.ask("!help /PKG", as("help-4")), /^`!pkg \[--channel/);
  });

  it("shows usage and examples in slash syntax to Discord slash commands", async () => {
    const slash = (name: string, args: [string, string][]) =>
      t.bot.dispatcher.invoke({ room: { platform: "test", id: "room1" }, user: { id: "carol" }, text: "", canManageRoom: async () => false, slash: true }, name, new Map(args));
    const help = renderPlain((await slash("help", [["command", "pkg"]]))!);
    assert.match(help, /^`\/pkg query:<query> \[channel:<channel>\]/);
    assert.match(help, /`\/pkg query:firefox`/);
    assert.match(help, /`\/pkg query:python3 requests channel:26\.05`/);
    assert.match(help, /`channel:` NixOS channel/);
    assert.doesNotMatch(help, /--channel|!pkg/);
    const list = renderPlain((await slash("help", []))!);
    assert.match(list, /`\/help command:<command>` explains one\./);
    assert.match(renderPlain((await slash("subscribe", [["feed", "announcements"]]))!), /^Only room managers \(moderators\) can use \/subscribe here\.$/);
  });

  it("tells its version, adapters and store in !about, never secrets", async () => {
    const text = await t.ask("!about");
    assert.match(text, /nixie \d+\.\d+\.\d+/);
    assert.match(text, /Adapters: test/);
    assert.match(text, /Store: sqlite/);
    assert.doesNotMatch(text, /X8gPHnzL52wFEekuxsfQ9cSh/);
  });
});
