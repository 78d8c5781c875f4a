/**
 * The console adapter, the default when no chat platform is configured. Each stdin line is a
 * message from user `console` in room `console`; replies and feed posts go to stdout as plain
 * text; logs never do. At end of input it finishes what is in flight and calls onEnd.
 *
 * A line is handed to the core as soon as it arrives, as a chat message is; answers are printed
 * in the order of the lines. The console is one local person, so the dispatcher gives it no
 * per-person rate limit. Lines are read with a bound (line-reader.ts): a longer line is refused
 * as such, never evaluated cut.
 *
 * On a terminal it greets, prompts and reads through readline, which keeps what the person is
 * typing: answers, feed posts and log lines (aboveThePrompt) are printed above the prompt, which
 * is then drawn again with the half-typed line.
 */
import { clearLine, createInterface, cursorTo, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Adapter, MessageHandler, RoomRef } from "../core/adapter.js";
import { errorReply, type Reply } from "../core/reply.js";
import { renderPlain } from "../render/plain.js";
import { readLines, type LineReader } from "./line-reader.js";

export const CONSOLE_ROOM: RoomRef = { platform: "console", id: "console" };

/** Characters of a line kept when no bound is given (the default input.maxMessageLength). */
const DEFAULT_MAX_LINE = 4000;
/** Lines in flight (handled or waiting to be printed) before reading pauses. */
const MAX_PENDING_LINES = 1000;
const PROMPT = "> ";

export interface ConsoleAdapterOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Called once after the last line of input has been answered. */
  readonly onEnd: () => void;
  /**
   * Characters of a line read (input.maxMessageLength); the rest of a longer line is dropped as
   * it arrives, and the line is refused with its whole length (overlongLine), never handed on.
   */
  readonly maxLineLength?: number;
  /** A person at a terminal: print a banner and a prompt. The banner names `!help` with this prefix. */
  readonly interactive?: { readonly prefix: string };
}

/** The console adapter; aboveThePrompt is for the log lines of a console at a terminal. */
export interface ConsoleAdapter extends Adapter {
  /**
   * Runs `print` (which writes whole lines, to the output or to another stream on the same
   * terminal) with the prompt line cleared, then draws the prompt and the half-typed line again.
   * Without a terminal, or before the prompt is shown, it only runs `print`. A plain function
   * (no `this`): main.ts hands it on to the log route.
   */
  readonly aboveThePrompt: (print: () => void) => void;
}

/** The refusal of a line longer than the console reads. */
export function overlongLine(length: number, max: number): Reply {
  return errorReply(`That line is ${length.toLocaleString("en-US")} characters; nixie reads at most ${max.toLocaleString("en-US")}.`);
}

/** The console adapter over `input` and `output` (process.stdin and process.stdout in main.ts). */
export function createConsoleAdapter(opts: ConsoleAdapterOptions): ConsoleAdapter {
  let connected = false;
  let reader: LineReader | undefined;
  /** readline, on a terminal, once started. */
  let rl: Interface | undefined;
  /** readline is open: the person may be typing at the prompt. */
  let typing = false;
  let printed: Promise<void> = Promise.resolve();
  let pending = 0;
  const maxLength = opts.maxLineLength ?? DEFAULT_MAX_LINE;

  const write = (text: string): Promise<void> =>
    new Promise((resolve) => {
      opts.output.write(text, () => resolve());
    });
  const aboveThePrompt = (print: () => void): void => {
    if (!rl || !typing) return print();
    clearLine(opts.output, 0);
    cursorTo(opts.output, 0);
    print();
    rl.prompt(true);
  };
  /** Lines of text above the prompt on a terminal, else to the output. */
  const show = (text: string): Promise<void> => {
    if (!rl || !typing) return write(`${text}\n`);
    aboveThePrompt(() => opts.output.write(`${text}\n`));
    return Promise.resolve();
  };

  const finish = (): void => {
    void printed.then(() => {
      if (opts.interactive) opts.output.write("\n");
      connected = false;
      opts.onEnd();
    });
  };

  return {
    platform: "console",
    aboveThePrompt,
    async start(handler: MessageHandler) {
      connected = true;
      // The reader went away (`npm start | head`): stop reading and end as at the end of input,
      // instead of dying on an unhandled EPIPE.
      opts.output.on("error", () => (rl ? rl.close() : reader?.close()));
      const onLine = (line: string, length: number): void => {
        const reply =
          length > maxLength
            ? Promise.resolve(overlongLine(length, maxLength))
            : handler({
                room: CONSOLE_ROOM,
                user: { id: "console", name: "console" },
                text: line,
                canManageRoom: async () => true,
              }).catch(() => null); // one failed line must not stop the ones after it
        if (++pending >= MAX_PENDING_LINES) reader?.pause();
        printed = printed.then(async () => {
          const r = await reply;
          if (r) await show(renderPlain(r));
          if (--pending < MAX_PENDING_LINES) reader?.resume();
        });
      };
      if (opts.interactive) {
        await write(`nixie console: type ${opts.interactive.prefix}help, Ctrl-D to quit\n`);
        // A person types: readline edits the line and keeps it while answers and logs are printed.
        const terminal = createInterface({ input: opts.input, output: opts.output, terminal: true, prompt: PROMPT, historySize: 100 });
        rl = terminal;
        typing = true;
        terminal.on("line", (line) => {
          onLine(line, line.length);
          // The prompt comes back at once; the answer is printed above it when it arrives.
          terminal.prompt();
        });
        // Ctrl-C reaches readline as a key, not as a signal: pass it on, so main.ts stops as before.
        terminal.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
        terminal.on("close", () => {
          typing = false;
          // Ctrl-D on the empty prompt: answers still to come start on that line, not after "> ".
          clearLine(opts.output, 0);
          cursorTo(opts.output, 0);
          finish();
        });
        terminal.prompt();
        return;
      }
      reader = readLines(opts.input, { maxLength, onLine, onEnd: finish });
    },
    async send(_room, reply) {
      // Feed posts: on a terminal they appear above the prompt.
      await show(renderPlain(reply));
    },
    async stop() {
      if (rl) rl.close();
      else reader?.close();
      connected = false;
    },
    isConnected: () => connected,
  };
}
