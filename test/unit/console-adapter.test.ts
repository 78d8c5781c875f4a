import assert from "node:assert/strict";
import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import pino from "pino";
import { createConsoleAdapter } from "../../src/adapters/console.js";
import { readLines } from "../../src/adapters/line-reader.js";
import type { IncomingMessage } from "../../src/core/adapter.js";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";

/** Collects what the adapter writes, and resolves when the input has ended and been answered. */
function consoleUnder(input: Readable, opts: { maxLineLength?: number; interactive?: boolean } = {}) {
  const output = new PassThrough();
  let out = "";
  output.on("data", (d: Buffer) => (out += d.toString()));
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const adapter = createConsoleAdapter({
    input,
    output,
    onEnd: () => ended(),
    ...(opts.maxLineLength === undefined ? {} : { maxLineLength: opts.maxLineLength }),
    ...(opts.interactive ? { interactive: { prefix: "!" } } : {}),
  });
  return { adapter, done, out: () => out };
}

describe("console line reader", () => {
  const lines = async (chunks: (string | Buffer)[], maxLength = 10): Promise<string[]> => {
    const got: string[] = [];
    await new Promise<void>((resolve) => readLines(Readable.from(chunks), { maxLength, onLine: (l) => got.push(l), onEnd: resolve }));
    return got;
  };

  it("splits on newlines across chunks, drops a \\r before them, and keeps a last line without one", async () => {
    assert.deepEqual(await lines(["one\r\ntw", "o\n\nthr", "ee"]), ["one", "two", "", "three"]);
  });

  it("decodes a character split across chunks", async () => {
    const snow = Buffer.from("a❄b\n");
    assert.deepEqual(await lines([snow.subarray(0, 2), snow.subarray(2, 3), snow.subarray(3)]), ["a❄b"]);
  });

  it("keeps maxLength + 1 characters of a long line, so the core sees that it was cut, and reads on", async () => {
    assert.deepEqual(await lines(["0123456789abc", "def\nnext\n"]), ["0123456789a", "next"]);
  });
});

describe("console adapter", () => {
  it("rate-limits a flood when the lines arrive, not when each is handled, and answers in order", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let runs = 0;
    const slow = defineCommand({
      name: "slow",
      summary: "Answers when the test lets it",
      options: [{ name: "n", type: "string", description: "Which", positional: true, required: true }],
      run: async (args) => {
        runs++;
        await released;
        return textReply(`answer ${String(args["n"])}`);
      },
    });
    const dispatcher = createDispatcher({
      commands: [slow],
      services: {} as Services,
      prefix: "!",
      maxMessageLength: 500,
      maxArgLength: 100,
      rateLimiter: new RateLimiter(2, 1, () => 0),
      log: pino({ level: "silent" }),
    });
    const input = new PassThrough();
    const c = consoleUnder(input);
    await c.adapter.start((m: IncomingMessage) => dispatcher.handle(m));
    const read = once(input, "end");
    input.end("!slow 1\n!slow 2\n!slow 3\n!slow 4\n!slow 5\n");
    // Every line has met the rate limit while the first answer is still pending.
    await read;
    assert.equal(runs, 2);
    assert.equal(c.out(), "");
    release();
    await c.done;
    assert.equal(c.out(), "answer 1\nanswer 2\nSlow down, please: nixie will answer you again in about 60 s.\n");
  });

  it("reads a line longer than any string can be without holding it, and cuts it to the message bound", async function () {
    this.timeout(60_000);
    // 600 MiB in one line: more than V8's longest string, so a reader that joins the line before
    // cutting it (readline) cannot even hold it.
    const mib = Buffer.alloc(1 << 20, "a");
    async function* huge() {
      yield "!help ";
      for (let i = 0; i < 600; i++) yield mib;
      yield "\n!help help\n";
    }
    const c = consoleUnder(Readable.from(huge()), { maxLineLength: 4000 });
    const seen: number[] = [];
    await c.adapter.start(async (m) => {
      seen.push(m.text.length);
      return null;
    });
    await c.done;
    assert.deepEqual(seen, [4001, 10]);
  });

  it("greets and prompts a person at a terminal, and gives the prompt back after each line", async () => {
    const input = new PassThrough();
    const c = consoleUnder(input, { interactive: true });
    await c.adapter.start(async (m) => (m.text === "!hi" ? textReply("hello") : null));
    input.end("!hi\nnothing\n");
    await c.done;
    assert.equal(c.out(), "nixie console: type !help, Ctrl-D to quit\n> hello\n> > \n");
  });

  it("prints nothing but the answers when it is not a terminal", async () => {
    const input = new PassThrough();
    const c = consoleUnder(input);
    await c.adapter.start(async (m) => (m.text === "!hi" ? textReply("hello") : null));
    input.end("!hi\nnothing\n");
    await c.done;
    assert.equal(c.out(), "hello\n");
  });
});
