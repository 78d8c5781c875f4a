import assert from "node:assert/strict";
import pino from "pino";
import type { IncomingMessage } from "../../src/core/adapter.js";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { extractCode } from "../../src/core/raw-arg.js";
import { textReply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";
import { renderPlain } from "../../src/render/plain.js";

/** Echoes its raw argument between markers, so spacing is visible. */
const raw = defineCommand({
  name: "raw",
  summary: "Raw echo",
  options: [{ name: "expr", type: "string", description: "Anything", required: true, positional: true, rest: true, raw: true, maxLength: 4000 }],
  run: async (args) => textReply(`<${String(args["expr"])}>`),
});

function setup() {
  const d = createDispatcher({
    commands: [raw],
    services: {} as Services,
    prefix: "!",
    maxMessageLength: 4000,
    maxArgLength: 200,
    rateLimiter: new RateLimiter(1000, 6000),
    log: pino({ level: "silent" }),
  });
  const msg = (text: string, slash = false): IncomingMessage => ({
    room: { platform: "test", id: "r" },
    user: { id: "u" },
    text,
    ...(slash ? { slash: true } : {}),
    canManageRoom: async () => false,
  });
  return {
    say: async (text: string) => {
      const r = await d.handle(msg(text));
      return r === null ? null : renderPlain(r);
    },
    slash: async (value: string) => renderPlain((await d.invoke(msg("", true), "raw", new Map([["expr", value]])))!),
  };
}

describe("raw command arguments", () => {
  it("a raw option must be the only one, positional, rest, with a maxLength", () => {
    assert.throws(
      () =>
        defineCommand({
          name: "bad",
          summary: "Bad",
          options: [{ name: "a", type: "string", description: "A", positional: true, rest: true, raw: true }],
          run: async () => textReply(""),
        }),
      /raw option/,
    );
  });

  it("reaches the command exactly as typed: quotes, backslashes, --words and spacing", async () => {
    const { say } = setup();
    assert.equal(await say(`!raw "a\\"b"   +  'c' --x=1 -- "\\n"`), `<"a\\"b"   +  'c' --x=1 -- "\\n">`);
    assert.equal(await say("!raw ''${x}''  "), "<''${x}''>");
  });

  it("is not cut at the 200-character argument limit; over its own 4000 it is refused, not cut", async () => {
    const { say } = setup();
    const long = `[ ${"1 ".repeat(1990)}]`; // 3983 characters
    assert.equal(await say(`!raw ${long}`), `<${long}>`);
    // 4006 characters of message: over maxMessageLength, but the expression is within 4000.
    const exact = "x".repeat(4000);
    assert.equal(await say(`!raw ${exact}`), `<${exact}>`);
    assert.match((await say(`!raw ${exact}y`))!, /is 4001 characters long; at most 4000/);
  });

  it("takes a fenced ```nix block across lines, or an inline `code` span", async () => {
    const { say, slash } = setup();
    assert.equal(await say("!raw\n```nix\nlet\n  a = 1;\nin a\n```"), "<let\n  a = 1;\nin a>");
    assert.equal(await say('!raw ```{ a = "`"; }```'), '<{ a = "`"; }>');
    assert.equal(await say("!raw `1 + 1`"), "<1 + 1>");
    assert.equal(await slash('"quoted"  \\ kept'), '<"quoted"  \\ kept>');
  });

  it("still says what is missing", async () => {
    const { say } = setup();
    assert.match((await say("!raw   "))!, /Missing <expr>/);
    assert.match((await say("!raw ```nix\n```"))!, /Missing <expr>/);
  });

  it("reads a one-line fence with the nix tag as its code (issue 20, item 4)", async () => {
    const { say } = setup();
    assert.equal(await say("!raw ```nix 1 + 1```"), "<1 + 1>");
    assert.equal(await say("!raw ```NIX builtins.length [ 1 ]```"), "<builtins.length [ 1 ]>");
    // Only `nix` is a tag on one line: another first word is part of the expression.
    assert.equal(extractCode("```x + 1```"), "x + 1");
    assert.equal(extractCode("```nixpkgs.lib.id 1```"), "nixpkgs.lib.id 1");
  });

  it("extractCode leaves text without a surrounding block alone", () => {
    assert.equal(extractCode("  a `b` c "), "a `b` c");
    assert.equal(extractCode("```\nx\n```"), "x");
    assert.equal(extractCode("```nix  \nx```"), "x");
  });
});
