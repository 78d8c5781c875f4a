import assert from "node:assert/strict";
import { defineCommand, type CommandDef } from "../../src/core/command.js";
import { UserError } from "../../src/core/errors.js";
import { parseArgs, splitCommand, tokenize } from "../../src/core/parse.js";
import { textReply } from "../../src/core/reply.js";
import { usageOf } from "../../src/core/usage.js";

const pkg: CommandDef = defineCommand({
  name: "pkg",
  summary: "Find packages",
  options: [
    { name: "channel", type: "string", description: "Channel" },
    { name: "count", type: "integer", description: "How many", min: 1, max: 10 },
    { name: "exact", type: "boolean", description: "Exact names only" },
    { name: "sort", type: "choice", description: "Order", choices: ["relevance", "alpha"] },
    { name: "query", type: "string", description: "What to look for", positional: true, required: true, rest: true },
  ],
  run: async () => textReply("ok"),
});

const limits = { maxArgLength: 200 };
const parse = (line: string) => {
  const inv = splitCommand(line, "!");
  assert.ok(inv, `not a command: ${line}`);
  return parseArgs(pkg, inv.tokens, "!", limits);
};
const userError = (line: string, re: RegExp) =>
  assert.throws(
    () => parse(line),
    (e: unknown) => e instanceof UserError && re.test(e.message),
  );

describe("tokenize", () => {
  it("splits on whitespace and groups double-quoted words, removing the quotes", () => {
    assert.deepEqual(
      tokenize(`a  "b c" f"g h"`).map((t) => t.value),
      ["a", "b c", "fg h"],
    );
  });
  it("reads single quotes as apostrophes, never as a pair that groups", () => {
    assert.deepEqual(
      tokenize(`don't use nix's 'store' 'a b'`).map((t) => t.value),
      ["don't", "use", "nix's", "'store'", "'a", "b'"],
    );
  });
  it("handles escapes inside double quotes and unpaired quotes as literals", () => {
    assert.deepEqual(
      tokenize(`"say \\"hi\\"" it's`).map((t) => t.value),
      ['say "hi"', "it's"],
    );
  });
  it("keeps unicode intact", () => {
    assert.deepEqual(
      tokenize("🦀 ñandú\u3000日本").map((t) => t.value),
      ["🦀", "ñandú", "日本"],
    );
  });
  it("gives no tokens for empty or blank input", () => {
    assert.deepEqual(tokenize(""), []);
    assert.deepEqual(tokenize(" \t "), []);
  });
});

describe("splitCommand", () => {
  it("reads the name case-insensitively after the prefix", () => {
    assert.equal(splitCommand("  !PKG firefox", "!")?.name, "pkg");
    assert.equal(splitCommand("hello !pkg", "!"), undefined);
    assert.equal(splitCommand("!", "!"), undefined);
    assert.equal(splitCommand("!! ", "!")?.name, "!");
  });
  it("works with multi-character prefixes", () => {
    assert.equal(splitCommand("?? pkg", "??"), undefined);
    assert.equal(splitCommand("??pkg x", "??")?.name, "pkg");
  });
});

describe("parseArgs", () => {
  it("takes the rest of the line for the last positional option", () => {
    assert.deepEqual(parse("!pkg python3 requests -dev").args, { query: "python3 requests -dev" });
  });
  it("reads --name value and --name=value anywhere, in any order", () => {
    assert.deepEqual(parse("!pkg --channel 26.05 firefox --count=5").args, { channel: "26.05", count: 5, query: "firefox" });
  });
  it("reads boolean flags with and without a value", () => {
    assert.equal(parse("!pkg --exact firefox").args["exact"], true);
    assert.equal(parse("!pkg --exact=no firefox").args["exact"], false);
    assert.equal(parse("!pkg --exact false firefox").args["exact"], false);
  });
  it("matches choices case-insensitively and names the valid ones otherwise", () => {
    assert.equal(parse("!pkg --sort ALPHA x").args["sort"], "alpha");
    userError("!pkg --sort newest x", /--sort must be one of relevance, alpha/);
  });
  it("validates integers with a message that names the option", () => {
    userError("!pkg --count many x", /--count must be a whole number/);
    userError("!pkg --count 0 x", /--count must be at least 1/);
    userError("!pkg --count 11 x", /--count must be at most 10/);
  });
  it("names a positional option as typed, <count>, and as --count when given so (issue 20, item 10)", () => {
    const nixhour = defineCommand({
      name: "nixhour",
      summary: "Episodes",
      options: [{ name: "count", type: "integer", description: "How many", positional: true, min: 1, max: 10 }],
      run: async () => ({ blocks: [] }),
    });
    const links = defineCommand({
      name: "links",
      summary: "Expansion",
      options: [{ name: "state", type: "choice", description: "On or off", positional: true, choices: ["on", "off"] }],
      run: async () => ({ blocks: [] }),
    });
    const err = (cmd: CommandDef, line: string): string => {
      try {
        parseArgs(cmd, splitCommand(line, "!")!.tokens, "!", limits);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    assert.equal(err(nixhour, "!nixhour 1000"), "<count> must be at most 10.");
    assert.equal(err(nixhour, "!nixhour --count 1000"), "--count must be at most 10.");
    assert.match(err(links, "!links maybe"), /^<state> must be one of on, off; "maybe" is not\.$/);
  });
  it("reports a missing required option with the usage line", () => {
    userError("!pkg", /Missing <query>\. Usage: !pkg \[--channel <channel>\]/);
    userError("!pkg --channel unstable", /Missing <query>/);
  });
  it("reports unknown options and options without a value", () => {
    userError("!pkg --colour red x", /!pkg has no option --colour\. Options: --channel/);
    userError("!pkg x --channel", /--channel needs a value/);
    userError("!pkg --channel a --channel b x", /given twice/);
  });
  it("treats words after -- and quoted words as text, not options", () => {
    assert.equal(parse("!pkg -- --channel").args["query"], "--channel");
    assert.equal(parse('!pkg "--channel"').args["query"], "--channel");
  });
  it('reads !pkg "foo bar" as the words foo bar, and keeps apostrophes in the query', () => {
    assert.equal(parse('!pkg "foo bar"').args["query"], "foo bar");
    assert.equal(parse('!pkg --channel 26.05 "foo bar"').args["channel"], "26.05");
    assert.equal(parse("!pkg what's in nix's store").args["query"], "what's in nix's store");
  });
  it("cuts a huge argument and says so instead of failing", () => {
    const r = parse(`!pkg ${"a".repeat(10_000)}`);
    assert.equal((r.args["query"] as string).length, 200);
    assert.deepEqual(r.notes, ["Your query was cut to its first 200 characters."]);
  });
  it("counts unicode characters, not UTF-16 units, when cutting", () => {
    const r = parse(`!pkg ${"🦀".repeat(300)}`);
    assert.equal([...(r.args["query"] as string)].length, 200);
  });
  it("rejects extra words when no option takes the rest", () => {
    const one = defineCommand({
      name: "one",
      summary: "One word",
      options: [{ name: "word", type: "string", description: "w", positional: true }],
      run: async () => textReply("ok"),
    });
    assert.throws(() => parseArgs(one, tokenize("a b"), "!", limits), /Too many words: "b"/);
  });
});

describe("defineCommand", () => {
  it("rejects names Discord would refuse and misplaced rest options", () => {
    assert.throws(() => defineCommand({ name: "Bad Name", summary: "x", options: [], run: async () => textReply("") }), /name/);
    assert.throws(
      () =>
        defineCommand({
          name: "x",
          summary: "x",
          options: [
            { name: "a", type: "string", description: "a", positional: true, rest: true },
            { name: "b", type: "string", description: "b", positional: true },
          ],
          run: async () => textReply(""),
        }),
      /only the last positional option may take the rest/,
    );
    assert.throws(() => defineCommand({ name: "x", summary: "y".repeat(101), options: [], run: async () => textReply("") }), /summary/);
  });
});

describe("usageOf", () => {
  it("shows options, choices and the rest marker", () => {
    assert.equal(usageOf(pkg, "!"), "!pkg [--channel <channel>] [--count <count>] [--exact] [--sort <relevance|alpha>] <query>…");
  });
});
