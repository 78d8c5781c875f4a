/**
 * The console adapter, the default when no chat platform is configured. Each stdin line is a
 * message from user `console` in room `console`; replies and feed posts go to stdout as plain
 * text; logs never do. At end of input it finishes what is in flight and calls onEnd.
 *
 * A line is handed to the core as soon as it arrives, as a chat message is, so the rate limit
 * sees a flood when it happens (and says "slow down"); answers are printed in the order of the
 * lines. Lines are read with a bound (line-reader.ts). On a terminal it greets and prompts.
 */
import type { Readable, Writable } from "node:stream";
import type { Adapter, MessageHandler, RoomRef } from "../core/adapter.js";
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
   * it arrives, and the core is told the line was cut.
   */
  readonly maxLineLength?: number;
  /** A person at a terminal: print a banner and a prompt. The banner names `!help` with this prefix. */
  readonly interactive?: { readonly prefix: string };
}

/** The console adapter over `input` and `output` (process.stdin and process.stdout in main.ts). */
export function createConsoleAdapter(opts: ConsoleAdapterOptions): Adapter {
  let connected = false;
  let reader: LineReader | undefined;
  let printed: Promise<void> = Promise.resolve();
  let pending = 0;

  const write = (text: string): Promise<void> =>
    new Promise((resolve) => {
      opts.output.write(text, () => resolve());
    });
  const prompt = (): string => (opts.interactive ? PROMPT : "");

  return {
    platform: "console",
    async start(handler: MessageHandler) {
      connected = true;
      if (opts.interactive) await write(`nixie console: type ${opts.interactive.prefix}help, Ctrl-D to quit\n${PROMPT}`);
      // The reader went away (`npm start | head`): stop reading and end as at the end of input,
      // instead of dying on an unhandled EPIPE.
      opts.output.on("error", () => reader?.close());
      reader = readLines(opts.input, {
        maxLength: opts.maxLineLength ?? DEFAULT_MAX_LINE,
        onLine: (line) => {
          const reply = handler({
            room: CONSOLE_ROOM,
            user: { id: "console", name: "console" },
            text: line,
            canManageRoom: async () => true,
          }).catch(() => null); // one failed line must not stop the ones after it
          if (++pending >= MAX_PENDING_LINES) reader?.pause();
          printed = printed.then(async () => {
            const r = await reply;
            if (r) await write(`${renderPlain(r)}\n${prompt()}`);
            else if (opts.interactive) await write(PROMPT);
            if (--pending < MAX_PENDING_LINES) reader?.resume();
          });
        },
        onEnd: () => {
          void printed.then(() => {
            if (opts.interactive) opts.output.write("\n");
            connected = false;
            opts.onEnd();
          });
        },
      });
    },
    async send(_room, reply) {
      // Feed posts: on a terminal they start on a fresh line and give the prompt back.
      await write(opts.interactive ? `\n${renderPlain(reply)}\n${PROMPT}` : `${renderPlain(reply)}\n`);
    },
    async stop() {
      reader?.close();
      connected = false;
    },
    isConnected: () => connected,
  };
}
