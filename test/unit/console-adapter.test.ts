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
import { Screen } from "../helpers/screen.js";

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
  return { adapter, done, output, out: () => out };
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

  it("tells the whole length of each line, also of a cut one, without its \\r", async () => {
    const got: [string, number][] = [];
    await new Promise<void>((resolve) => readLines(Readable.from(["0123456789abc", "def\r\nnext\r\n0123456789\r\n"]), { maxLength: 10, onLine: (l, n) => got.push([l, n]), onEnd: resolve }));
    assert.deepEqual(got, [
      ["0123456789a", 16],
      ["next", 4],
      ["0123456789", 10],
    ]);
  });
});

describe("console adapter", () => {
  it("answers every line of a flood, in order: the console has no per-person rate limit (issue 20, item 2)", async () => {
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
    // Every line has been handed on while the first answer is still pending.
    await read;
    assert.equal(runs, 5);
    assert.equal(c.out(), "");
    release();
    await c.done;
    assert.equal(c.out(), "answer 1\nanswer 2\nanswer 3\nanswer 4\nanswer 5\n");
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
    assert.deepEqual(seen, [10], "the overlong line never reaches the core");
    assert.equal(c.out(), `That line is ${(6 + 600 * (1 << 20)).toLocaleString("en-US")} characters; nixie reads at most 4,000.\n`);
  });

  it("refuses a line one character too long as such, and reads one of exactly the bound (issue 20, item 1)", async () => {
    const c = consoleUnder(Readable.from([`!x ${"1".repeat(3997)}\r\n!x ${"1".repeat(3998)}\n`]), { maxLineLength: 4000 });
    const seen: number[] = [];
    await c.adapter.start(async (m) => {
      seen.push(m.text.length);
      return textReply("read");
    });
    await c.done;
    assert.deepEqual(seen, [4000]);
    assert.equal(c.out(), "read\nThat line is 4,001 characters; nixie reads at most 4,000.\n");
  });

  it("greets and prompts a person at a terminal, and gives the prompt back after each line", async () => {
    const input = new PassThrough();
    const c = consoleUnder(input, { interactive: true });
    await c.adapter.start(async (m) => (m.text === "!hi" ? textReply("hello") : null));
    input.write("!hi\r");
    await new Promise((r) => setTimeout(r, 20));
    input.write("nothing\r");
    await new Promise((r) => setTimeout(r, 20));
    const screen = new Screen();
    screen.write(c.out());
    assert.deepEqual(screen.lines(), ["nixie console: type !help, Ctrl-D to quit", "> !hi", "hello", "> nothing", ">"]);
    input.end();
    await c.done;
  });

  it("prints a log line above the prompt and draws the half-typed line again (issue 20, item 6)", async () => {
    const input = new PassThrough();
    const c = consoleUnder(input, { interactive: true });
    await c.adapter.start(async () => textReply("answer"));
    input.write("!abo");
    await new Promise((r) => setTimeout(r, 20));
    // What main.ts does with each log line on a terminal (the log writes to its own stream).
    c.adapter.aboveThePrompt(() => c.output.write("nixie WARN: feed failed (feed=events)\n"));
    const screen = new Screen();
    screen.write(c.out());
    assert.deepEqual(screen.lines(), ["nixie console: type !help, Ctrl-D to quit", "nixie WARN: feed failed (feed=events)", "> !abo"]);
    // The person finishes the line they were typing: it is read whole.
    input.write("ut\r");
    await new Promise((r) => setTimeout(r, 20));
    const after = new Screen();
    after.write(c.out());
    assert.deepEqual(after.lines().slice(1), ["nixie WARN: feed failed (feed=events)", "> !about", "answer", ">"]);
    input.end();
    await c.done;
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
