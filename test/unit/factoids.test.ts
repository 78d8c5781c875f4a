import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import fact from "../../commands/fact.js";
import learn from "../../commands/learn.js";
import { mentionedUsers } from "../../src/adapters/matrix/events.js";
import { signalAt } from "../../src/core/deadline.js";
import { loadConfig, projectRoot } from "../../src/config.js";
import type { IncomingMessage, RoomRef } from "../../src/core/adapter.js";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher, editDistance } from "../../src/core/dispatcher.js";
import { ConfigError, UserError } from "../../src/core/errors.js";
import { parseArgs, splitCommand } from "../../src/core/parse.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";
import { factoidRich } from "../../src/factoids/markup.js";
import { addressee, factoidReply } from "../../src/factoids/reply.js";
import { cleanText, nameProblem, RESERVED, textProblem } from "../../src/factoids/rules.js";
import { createFactoids, type Factoids } from "../../src/factoids/store.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";
import { openStore, type Store } from "../../src/storage/store.js";

const COMMANDS = new Set(["pkg", "help", "sub", "subscribe"]);

describe("factoid rules", () => {
  it("takes lower-case names of letters, digits and -, starting with a letter, 1-32 long", () => {
    for (const ok of ["a", "dontask", "xy-problem", "nix2", "a".repeat(32)]) assert.equal(nameProblem(ok, COMMANDS), undefined, ok);
    for (const bad of ["", "Ask", "2fa", "-x", "a_b", "a b", "a".repeat(33), "ünï", "a.b"]) assert.match(nameProblem(bad, COMMANDS)!, /1 to 32 lower-case letters/, bad);
  });

  it("refuses command names, aliases and reserved words", () => {
    assert.equal(nameProblem("pkg", COMMANDS), "pkg is a command; a factoid cannot take its name.");
    assert.equal(nameProblem("sub", COMMANDS), "sub is a command; a factoid cannot take its name.");
    for (const w of ["learn", "forget", "facts", "everyone", "here", "room", "admin", "ban"]) {
      assert.ok(RESERVED.has(w), w);
      assert.match(nameProblem(w, COMMANDS)!, /reserved word/, w);
    }
  });

  it("cleans text (control and bidi characters, CRLF, outer space) and bounds it to 1-1000 characters", () => {
    assert.equal(cleanText("  a\u202eb\u2067c\u200fd\u0007e\r\nf  "), "abcde\nf");
    assert.equal(textProblem(cleanText(" \u202e ")), "A factoid's text cannot be empty.");
    assert.equal(textProblem("🦀".repeat(1000)), undefined);
    assert.equal(textProblem("x".repeat(1001)), "A factoid's text is at most 1000 characters; this one has 1001.");
  });
});

describe("factoid markup", () => {
  it("reads `code`, **bold**, [label](url) and bare links; the rest is text", () => {
    const spans = factoidRich("Try `nix run`, **not** [the wiki](https://wiki.nixos.org/wiki/Flakes) or https://nixos.org/manual.");
    assert.deepEqual(spans, [
      { kind: "text", text: "Try " },
      { kind: "code", text: "nix run" },
      { kind: "text", text: ", " },
      { kind: "bold", text: "not" },
      { kind: "text", text: " " },
      { kind: "link", text: "the wiki", url: "https://wiki.nixos.org/wiki/Flakes" },
      { kind: "text", text: " or " },
      { kind: "link", text: "https://nixos.org/manual", url: "https://nixos.org/manual" },
      { kind: "text", text: "." },
    ]);
  });

  it("never makes a link of anything but http(s), and keeps an unclosed marker as text", () => {
    assert.deepEqual(factoidRich("[x](javascript:alert(1)) **open `tick"), [{ kind: "text", text: "[x](javascript:alert(1)) **open `tick" }]);
    assert.deepEqual(factoidRich("(see https://en.wikipedia.org/wiki/Nix_(package_manager))"), [
      { kind: "text", text: "(see " },
      { kind: "link", text: "https://en.wikipedia.org/wiki/Nix_(package_manager)", url: "https://en.wikipedia.org/wiki/Nix_(package_manager)" },
      { kind: "text", text: ")" },
    ]);
  });

  it("defuses @room, @everyone and @here in every span", () => {
    const text = renderPlain({ blocks: [{ kind: "text", text: factoidRich("@room **@here** `@everyone` @Room @roomy") }] });
    assert.equal(text, "@\u2060room @\u2060here `@\u2060everyone` @\u2060Room @roomy");
  });
});

describe("factoid replies per platform", () => {
  const text = 'See <b>this</b> & **that**: `a<b>` [docs](https://nixos.org/?a=1&b="2") @room';

  it("Matrix: escaped HTML, a plain body, and nobody in m.mentions", () => {
    const m = renderMatrix(factoidReply(text));
    assert.equal(m.formatted_body, '<p>See &lt;b&gt;this&lt;/b&gt; &amp; <strong>that</strong>: <code>a&lt;b&gt;</code> <a href="https://nixos.org/?a=1&amp;b=&quot;2&quot;">docs</a> @\u2060room</p>');
    assert.equal(m.body, 'See <b>this</b> & that: `a<b>` docs <https://nixos.org/?a=1&b="2"> @\u2060room');
    assert.deepEqual(m["m.mentions"], {});
  });

  it("Matrix: addressed to a user, a pill for them and only them in m.mentions", () => {
    const m = renderMatrix(factoidReply("Hi <there>", { id: "@bob:example.org", name: "Bob <B>" }));
    assert.equal(m.formatted_body, '<p><a href="https://matrix.to/#/%40bob%3Aexample.org">Bob &lt;B&gt;</a>: Hi &lt;there&gt;</p>');
    assert.equal(m.body, "Bob <B>: Hi <there>");
    assert.deepEqual(m["m.mentions"], { user_ids: ["@bob:example.org"] });
  });

  it("Discord: markdown escaped, mentions defused, only the addressed user allowed", () => {
    const d = renderDiscord(factoidReply("*not* <@123456789> @everyone **bold**", { id: "112233445566", name: "bob" }));
    assert.equal(d.content, "<@112233445566>: \\*not\\* <\u200b@123456789> @\u2060everyone **bold**");
    assert.deepEqual(d.allowedMentions, { parse: [], users: ["112233445566"] });
    assert.deepEqual(renderDiscord(factoidReply("hi", { name: "bob" })).allowedMentions, { parse: [] });
  });

  it("plain: a typed name is shown as text, defused, pinging nobody", () => {
    const r = factoidReply("hi", { name: "@everyone" });
    assert.equal(renderPlain(r), "@\u2060everyone: hi");
    assert.equal(r.mentions, undefined);
  });
});

describe("factoid addressing", () => {
  const mentions = [{ id: "@bob:example.org", name: "Bob Smith" }, { id: "112233445566", name: "carol" }, { id: "@dave:example.org" }];

  it("resolves a mention the platform reported: by name, @name, id or Discord's <@id>", () => {
    assert.deepEqual(addressee("Bob Smith", mentions), { id: "@bob:example.org", name: "Bob Smith" });
    assert.deepEqual(addressee("@bob smith", mentions), { id: "@bob:example.org", name: "Bob Smith" });
    assert.deepEqual(addressee("<@112233445566>", mentions), { id: "112233445566", name: "carol" });
    assert.deepEqual(addressee("<@!112233445566>", mentions), { id: "112233445566", name: "carol" });
    assert.deepEqual(addressee("112233445566", mentions), { id: "112233445566", name: "carol" });
    assert.deepEqual(addressee("@dave:example.org", mentions), { id: "@dave:example.org", name: "@dave:example.org" });
  });

  it("never pings on a typed name or id the platform did not report", () => {
    assert.deepEqual(addressee("eve", mentions), { name: "eve" });
    assert.deepEqual(addressee("<@998877665544>", mentions), { name: "<@998877665544>" });
    assert.deepEqual(addressee("@erin:example.org", []), { name: "@erin:example.org" });
  });

  it("reads Matrix pills and m.mentions from an event, leaving nixie out", () => {
    const event = {
      content: {
        body: "!ask Bob",
        format: "org.matrix.custom.html",
        formatted_body: '!ask <a href="https://matrix.to/#/%40bob%3Aexample.org">Bob &amp; Co</a> <a href="https://matrix.to/#/@nixie:example.org">nixie</a> <a href="https://example.org">x</a>',
        "m.mentions": { user_ids: ["@bob:example.org", "@carol:example.org", "not-an-id", 7] },
      },
    };
    assert.deepEqual(mentionedUsers(event, "@nixie:example.org"), [{ id: "@bob:example.org", name: "Bob & Co" }, { id: "@carol:example.org" }]);
    assert.deepEqual(mentionedUsers({ content: { body: "!ask" } }, "@nixie:example.org"), []);
  });
});

describe("factoid store", () => {
  let dir: string;
  let store: Store;
  let f: Factoids;
  const room: RoomRef = { platform: "matrix", id: "!old:example.org" };
  const next: RoomRef = { platform: "matrix", id: "!new:example.org" };
  const alice = { id: "@alice:example.org", name: "alice" };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-factoids-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    f = createFactoids({ store, defaults: { xy: "The XY problem." }, maxPerRoom: 200, commandNames: COMMANDS });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a default named like a command at start", () => {
    assert.throws(
      () => createFactoids({ store, defaults: { pkg: "x" }, maxPerRoom: 1, commandNames: COMMANDS }),
      (e: unknown) => e instanceof ConfigError && /^config key "factoids\.defaults\.pkg": pkg is a command/.test(e.message),
    );
  });

  it("serialises concurrent definitions in a room: none is lost", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => f.learn(room, `f${i}`, `text ${i}`, alice)));
    assert.equal((await f.list(room)).filter((x) => !x.isDefault).length, 20);
    await Promise.all(Array.from({ length: 10 }, () => f.use(room, "f3")));
    assert.equal((await f.get(room, "f3"))?.uses, 10);
  });

  it("writes nothing once the command's deadline has passed", async () => {
    const late = AbortSignal.abort(new Error("deadline"));
    await assert.rejects(f.learn(room, "late", "text", alice, { signal: late }), /deadline/);
    assert.equal(await f.get(room, "late"), undefined);
  });

  it("moves a room's factoids and counts to the upgraded room, the new room's own winning", async () => {
    await f.learn(room, "a", "old a", alice);
    await f.learn(room, "b", "old b", alice);
    await f.use(room, "a");
    await f.use(room, "xy");
    await f.learn(next, "b", "new b", alice);
    assert.equal(await f.moveRoom(room, next), 1);
    assert.equal((await f.get(next, "a"))?.text, "old a");
    assert.equal((await f.get(next, "a"))?.uses, 1);
    assert.equal((await f.get(next, "b"))?.text, "new b");
    assert.equal((await f.get(next, "xy"))?.uses, 1);
    assert.equal(await f.get(room, "a"), undefined);
    // again (a crashed move repeated): nothing changes
    assert.equal(await f.moveRoom(room, next), 0);
    assert.equal((await f.get(next, "a"))?.uses, 1);
  });

  it("drops a room's factoids, its counts and its kept versions", async () => {
    await f.learn(room, "a", "one", alice);
    await f.learn(room, "a", "two", alice);
    await f.use(room, "xy");
    assert.equal(await f.removeRoom(room), 1);
    assert.equal(await f.get(room, "a"), undefined);
    assert.equal((await f.get(room, "xy"))?.uses, 0);
    await f.learn(room, "a", "fresh", alice);
    await assert.rejects(f.undo(room, "a"), (e: unknown) => e instanceof UserError && /no earlier version/.test(e.message));
  });
});

describe("factoid config", () => {
  const dir = mkdtempSync(join(tmpdir(), "nixie-factoid-config-"));
  writeFileSync(join(dir, "default.json"), readFileSync(join(projectRoot, "config", "default.json"), "utf8"));
  const load = (local: unknown) => {
    const file = join(dir, "custom.json");
    writeFileSync(file, JSON.stringify(local));
    return loadConfig({ env: { NIXIE_CONFIG: file }, configDir: dir });
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the operator's defaults (any names) and the per-room cap", () => {
    const { config } = load({ factoids: { maxPerRoom: 50, defaults: { xy: "The XY problem.", "dont-ask": "Just ask." } } });
    assert.deepEqual(config.factoids, { maxPerRoom: 50, defaults: { xy: "The XY problem.", "dont-ask": "Just ask." } });
    assert.deepEqual(loadConfig({ env: {}, configDir: dir, ignoreLocal: true }).config.factoids, { maxPerRoom: 200, defaults: {} });
  });

  it("holds the defaults to the rules of !learn, naming the key", () => {
    const bad = (defaults: unknown, re: RegExp) =>
      assert.throws(
        () => load({ factoids: { defaults } }),
        (e: unknown) => e instanceof ConfigError && re.test(e.message),
      );
    bad({ Bad_Name: "x" }, /config key "factoids\.defaults\.Bad_Name": A factoid name is 1 to 32/);
    bad({ everyone: "x" }, /config key "factoids\.defaults\.everyone": everyone is a reserved word/);
    bad({ long: "x".repeat(1001) }, /config key "factoids\.defaults\.long": A factoid's text is at most 1000/);
    bad({ empty: " " }, /config key "factoids\.defaults\.empty": A factoid's text cannot be empty/);
    bad({ num: 3 }, /config key "factoids\.defaults\.num" must be a string/);
    bad(["x"], /"factoids\.defaults" must be an object/);
  });
});

describe("dispatcher fallback for unknown names", () => {
  const show = defineCommand({
    name: "show",
    summary: "Show",
    options: [
      { name: "name", type: "string", positional: true, required: true, description: "Name" },
      { name: "who", type: "user", positional: true, rest: true, description: "Who" },
    ],
    run: async (args) => textReply(`${String(args["name"])}|${String(args["who"] ?? "")}`),
  });
  const setup = (unknownName: (n: string, m: IncomingMessage) => Promise<{ run?: string; names?: readonly string[] }>) =>
    createDispatcher({
      commands: [show],
      services: {} as Services,
      prefix: "!",
      maxMessageLength: 500,
      maxArgLength: 100,
      rateLimiter: new RateLimiter(100, 60),
      log: pino({ level: "silent" }),
      unknownName,
    });
  const msg = (text: string): IncomingMessage => ({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false });
  const say = async (d: ReturnType<typeof setup>, text: string) => {
    const r = await d.handle(msg(text));
    return r === null ? null : renderPlain(r);
  };

  it("runs the named command with the name as its first word", async () => {
    const d = setup(async (n) => (n === "dontask" ? { run: "show" } : { names: ["dontask"] }));
    assert.equal(await say(d, "!dontask Bob Smith"), "dontask|Bob Smith");
    assert.equal(await say(d, "!dontas"), "Unknown command !dontas, did you mean !dontask?");
    assert.equal(await say(d, "!shw"), "Unknown command !shw, did you mean !show?");
    assert.equal(await say(d, "!zzzzzz"), null);
  });

  it("stays as before when the fallback fails", async () => {
    const d = setup(async () => {
      throw new Error("store down");
    });
    assert.equal(await say(d, "!shw"), "Unknown command !shw, did you mean !show?");
    assert.equal(await say(d, "!dontask"), null);
  });
});

describe("verbatim option", () => {
  const cmd = defineCommand({
    name: "learn",
    summary: "Learn",
    options: [
      { name: "name", type: "string", positional: true, required: true, description: "Name" },
      { name: "text", type: "string", positional: true, rest: true, verbatim: true, description: "Text" },
      { name: "undo", type: "boolean", description: "Undo" },
    ],
    run: async () => textReply("x"),
  });
  const parse = (line: string) => {
    const inv = splitCommand(line, "!")!;
    return parseArgs(cmd, inv.tokens, "!", { maxArgLength: 5000 }).args;
  };

  it("takes the rest of the line as typed, --words included", () => {
    assert.deepEqual(parse('!learn q He said "hi"  --loud\n  then `x`  '), { name: "q", text: 'He said "hi"  --loud\n  then `x`' });
    assert.deepEqual(parse("!learn --undo q"), { name: "q", undo: true });
    assert.deepEqual(parse("!learn q -- --undo"), { name: "q", text: "--undo" });
  });

  it("must be positional and take the rest", () => {
    assert.throws(() => defineCommand({ name: "x", summary: "x", options: [{ name: "t", type: "string", verbatim: true, description: "t" }], run: async () => textReply("x") }), /verbatim/);
  });
});

describe("editDistance (rolling rows)", () => {
  it("agrees with the full-matrix definition on words of every shape", () => {
    // The textbook optimal string alignment distance, a full matrix, for comparison.
    const reference = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          const cost = a[i - 1] === b[j - 1] ? 0 : 1;
          d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
        }
      return d[a.length]![b.length]!;
    };
    const words = ["", "a", "ab", "ba", "abc", "acb", "pkg", "pgk", "kpg", "flakes", "flake", "falkes", "dontask", "dont-ask", "nothing-1", "fact-19", "ca", "abcdefghij", "jihgfedcba"];
    for (const a of words) for (const b of words) assert.equal(editDistance(a, b), reference(a, b), `${a} / ${b}`);
  });
});

describe("factoid commands and the deadline", () => {
  it("!learn after the deadline writes nothing; a late call still answers without counting", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-factoids-deadline-"));
    const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    try {
      const factoids = createFactoids({ store, defaults: { xy: "The XY problem." }, maxPerRoom: 10, commandNames: COMMANDS });
      const room: RoomRef = { platform: "test", id: "r" };
      const ctx = (signal: AbortSignal) =>
        ({
          platform: "test",
          room,
          user: { id: "m" },
          services: { factoids } as unknown as Services,
          prefix: "!",
          canManageRoom: async () => true,
          now: () => new Date(),
          mentions: [],
          direct: false,
          signal,
          deadline: Date.now(),
          commands: [],
        }) as Parameters<typeof learn.run>[1];
      const passed = signalAt(Date.now() - 1);
      await assert.rejects(learn.run({ name: "late", text: "too late" }, ctx(passed)), /deadline passed/);
      assert.equal(await factoids.get(room, "late"), undefined);
      assert.equal(renderPlain(await fact.run({ name: "xy" }, ctx(passed))), "The XY problem.");
      assert.equal((await factoids.get(room, "xy"))?.uses, 0);
      assert.equal(renderPlain(await fact.run({ name: "xy" }, ctx(signalAt(Date.now() + 5000)))), "The XY problem.");
      assert.equal((await factoids.get(room, "xy"))?.uses, 1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
