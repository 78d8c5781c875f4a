/**
 * The console adapter, the default when no chat platform is configured. Each stdin line is a
 * message from user `console` in room `console`; replies and feed posts go to stdout as plain
 * text; logs never do. At end of input it finishes what is in flight and calls onEnd.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Adapter, MessageHandler, RoomRef } from "../core/adapter.js";
import type { Reply } from "../core/reply.js";
import { renderPlain } from "../render/plain.js";

export const CONSOLE_ROOM: RoomRef = { platform: "console", id: "console" };

export interface ConsoleAdapterOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Called once after the last line of input has been answered. */
  readonly onEnd: () => void;
}

export function createConsoleAdapter(opts: ConsoleAdapterOptions): Adapter {
  let connected = false;
  let rl: ReturnType<typeof createInterface> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const print = (reply: Reply): Promise<void> =>
    new Promise((resolve) => {
      opts.output.write(`${renderPlain(reply)}\n`, () => resolve());
    });

  return {
    platform: "console",
    async start(handler: MessageHandler) {
      connected = true;
      rl = createInterface({ input: opts.input, crlfDelay: Infinity, terminal: false });
      // The reader went away (`npm start | head`): stop reading and end as at the end of input,
      // instead of dying on an unhandled EPIPE.
      opts.output.on("error", () => rl?.close());
      rl.on("line", (line) => {
        // One line at a time, so answers come out in the order the lines came in.
        queue = queue.then(async () => {
          const reply = await handler({
            room: CONSOLE_ROOM,
            user: { id: "console", name: "console" },
            text: line,
            canManageRoom: async () => true,
          });
          if (reply) await print(reply);
        }).catch(() => undefined); // one failed line must not stop the ones after it
      });
      rl.on("close", () => {
        void queue.then(() => {
          connected = false;
          opts.onEnd();
        });
      });
    },
    async send(_room, reply) {
      await print(reply);
    },
    async stop() {
      rl?.close();
      connected = false;
    },
    isConnected: () => connected,
  };
}
