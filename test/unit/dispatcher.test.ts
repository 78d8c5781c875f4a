import assert from "node:assert/strict";
import pino from "pino";
import type { IncomingMessage } from "../../src/core/adapter.js";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher, editDistance, type CommandEvent } from "../../src/core/dispatcher.js";
import { UpstreamError, UserError } from "../../src/core/errors.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply, type Reply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";
import { renderPlain } from "../../src/render/plain.js";

const echo = defineCommand({
  name: "echo",
  aliases: ["say"],
  summary: "Repeat text",
  options: [{ name: "text", type: "string", description: "Text", positional: true, required: true, rest: true }],
  run: async (args) => textReply(String(args["text"])),
});
const fail = defineCommand({
  name: "fail",
  summary: "Fails",
  options: [{ name: "how", type: "choice", description: "How", choices: ["user", "upstream", "timeout", "bug"], positional: true, required: true }],
  async run(args) {
    switch (args["how"]) {
      case "user":
        throw new UserError("You typed it wrong.");
      case "upstream":
        throw new UpstreamError("search.nixos.org", "status", "HTTP 503", { status: 503, hint: "Search on the site:", hintUrl: "https://search.nixos.org/packages" });
      case "timeout":
        throw new UpstreamError("wiki.nixos.org", "timeout", "no answer");
      default:
        throw new TypeError("secret internal detail at /srv/nixie/src/x.ts:12");
    }
  },
});
const manage = defineCommand({ name: "manage", summary: "Managers only", needsManager: true, options: [], run: async () => textReply("managed") });
const slowComplete = defineCommand({
  name: "find",
  summary: "Find",
  options: [
    {
      name: "q",
      type: "string",
      description: "Query",
      positional: true,
      async complete(partial) {
        if (partial === "boom") throw new Error("upstream down");
        return Array.from({ length: 40 }, (_, i) => ({ name: `${partial}-${i}-${"x".repeat(120)}`, value: `${partial}${i}` }));
      },
    },
  ],
  run: async () => textReply("found"),
});

function setup(opts: { burst?: number; now?: () => number } = {}) {
  const events: CommandEvent[] = [];
  const logs: string[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void logs.push(s) });
  const d = createDispatcher({
    commands: [echo, fail, manage, slowComplete],
    services: {} as Services,
    prefix: "!",
    maxMessageLength: 500,
    maxArgLength: 100,
    rateLimiter: new RateLimiter(opts.burst ?? 100, 60, opts.now ?? Date.now),
    log,
    onCommand: (e) => events.push(e),
  });
  const msg = (text: string, o: { user?: string; manager?: boolean } = {}): IncomingMessage => ({
    room: { platform: "test", id: "r" },
    user: { id: o.user ?? "u" },
    text,
    canManageRoom: async () => o.manager ?? false,
  });
  const say = async (text: string, o?: { user?: string; manager?: boolean }): Promise<string | null> => {
    const r: Reply | null = await d.handle(msg(text, o));
    return r === null ? null : renderPlain(r);
  };
  return { d, say, msg, events, logs };
}

describe("dispatcher", () => {
  it("runs commands by name and alias", async () => {
    const { say } = setup();
    assert.equal(await say("!echo hello  world"), "hello world");
    assert.equal(await say("!SAY hi"), "hi");
  });

  it("ignores text without the prefix and unknown commands that are not typos", async () => {
    const { say } = setup();
    assert.equal(await say("echo hi"), null);
    assert.equal(await say("!completelydifferent"), null);
    assert.equal(await say("!"), null);
  });

  it("hints at a typo once per message, with the real command name", async () => {
    const { say } = setup();
    assert.equal(await say("!ehco hi"), "Unknown command !ehco, did you mean !echo?");
    assert.equal(await say("!sya hi"), "Unknown command !sya, did you mean !echo?");
  });

  it("shows user errors as they are and upstream errors as a short sentence with the hint", async () => {
    const { say } = setup();
    assert.equal(await say("!fail user"), "You typed it wrong.");
    assert.equal(await say("!fail upstream"), "search.nixos.org did not answer, try again in a minute. Search on the site: https://search.nixos.org/packages");
    assert.equal(await say("!fail timeout"), "wiki.nixos.org did not answer in time, try again in a minute.");
  });

  it("never shows internal errors or stack traces; logs them with the id it shows", async () => {
    const { say, logs } = setup();
    const text = await say("!fail bug");
    assert.match(text ?? "", /^Something went wrong on nixie's side \(log id ([0-9a-f]{8})\)/);
    assert.doesNotMatch(text ?? "", /secret|\/srv|at /);
    const id = /log id ([0-9a-f]{8})/.exec(text ?? "")![1]!;
    assert.ok(logs.some((l) => l.includes(id) && l.includes("secret internal detail")));
  });

  it("refuses manager-only commands to other users", async () => {
    const { say, events } = setup();
    assert.equal(await say("!manage"), "Only room managers (moderators) can use !manage here.");
    assert.equal(await say("!manage", { manager: true }), "managed");
    assert.deepEqual(
      events.map((e) => e.outcome),
      ["refused", "ok"],
    );
  });

  it("warns a flooding user once, then stays silent until the bucket refills", async () => {
    let t = 0;
    const { say } = setup({ burst: 3, now: () => t });
    for (let i = 0; i < 3; i++) assert.equal(await say("!echo x"), "x");
    assert.match((await say("!echo x")) ?? "", /^Slow down, please/);
    assert.equal(await say("!echo x"), null);
    assert.equal(await say("!echo x"), null);
    assert.equal(await say("!echo x", { user: "other" }), "x", "other users are not affected");
    t += 60_000; // 60 per minute: the bucket is full again
    assert.equal(await say("!echo x"), "x");
  });

  it("never refuses silently past the announced window: a refusal after it gets a notice of its own (issue 20, item 2)", async () => {
    let t = 0;
    const { say } = setup({ burst: 2, now: () => t });
    assert.equal(await say("!echo x"), "x");
    assert.equal(await say("!echo x"), "x");
    const notice = (await say("!echo x")) ?? "";
    assert.match(notice, /^Slow down, please: nixie will answer you again in about 1 s; it does not answer your commands before then\./);
    assert.equal(await say("!echo x"), null, "inside the announced window");
    t += 1000; // the window is over: one token again
    assert.equal(await say("!echo x"), "x");
    assert.match((await say("!echo x")) ?? "", /^Slow down, please/, "a new window, a new notice");
  });

  it("gives the console, one local person, no per-person rate limit (issue 20, item 2)", async () => {
    const { d } = setup({ burst: 2, now: () => 0 });
    const answers: (string | null)[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await d.handle({ room: { platform: "console", id: "console" }, user: { id: "console" }, text: "!echo x", canManageRoom: async () => true });
      answers.push(r === null ? null : renderPlain(r));
    }
    assert.deepEqual(answers, Array(10).fill("x"));
  });

  it("cuts very long messages and says so", async () => {
    const { say } = setup();
    const text = await say(`!echo ${"y".repeat(5000)}`);
    assert.match(text ?? "", /Your text was cut to its first 100 characters\./);
    assert.match(text ?? "", /only its first 500 characters were read/);
  });

  it("validates slash-style invocations with the same rules", async () => {
    const { d, msg } = setup();
    const ok = await d.invoke(msg(""), "echo", new Map([["text", "hi"]]));
    assert.equal(renderPlain(ok!), "hi");
    const bad = await d.invoke(msg(""), "fail", new Map([["how", "sideways"]]));
    assert.match(renderPlain(bad!), /--how must be one of user, upstream, timeout, bug/);
    const slashBad = await d.invoke({ ...msg(""), slash: true }, "fail", new Map([["how", "sideways"]]));
    assert.match(renderPlain(slashBad!), /^how: must be one of user, upstream, timeout, bug/, "named as Discord shows the option");
    assert.equal(bad!.isError, true);
    const missing = await d.invoke(msg(""), "echo", new Map());
    assert.match(renderPlain(missing!), /Missing <text>/);
  });

  it("bounds autocomplete to 25 choices of at most 100 characters and swallows errors", async () => {
    const { d } = setup();
    const choices = await d.complete("find", "q", "fire", "discord");
    assert.equal(choices.length, 25);
    assert.ok(choices.every((c) => [...c.name].length <= 100 && [...c.value].length <= 100));
    assert.deepEqual(await d.complete("find", "q", "boom", "discord"), []);
    assert.deepEqual(await d.complete("nosuch", "q", "x", "discord"), []);
    assert.deepEqual(await d.complete("fail", "how", "u", "discord"), [
      { name: "user", value: "user" },
      { name: "upstream", value: "upstream" },
    ]);
  });

  it("rejects two commands claiming the same name", () => {
    assert.throws(
      () =>
        createDispatcher({
          commands: [echo, echo],
          services: {} as Services,
          prefix: "!",
          maxMessageLength: 500,
          maxArgLength: 100,
          rateLimiter: new RateLimiter(1, 1),
          log: pino({ level: "silent" }),
        }),
      /used twice/,
    );
  });
});

describe("editDistance", () => {
  it("counts transpositions as one edit", () => {
    assert.equal(editDistance("pgk", "pkg"), 1);
    assert.equal(editDistance("wiki", "wiki"), 0);
    assert.equal(editDistance("event", "vent"), 1);
    assert.equal(editDistance("abc", "xyz"), 3);
  });
});
