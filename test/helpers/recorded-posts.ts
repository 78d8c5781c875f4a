/**
 * What the crash and fencing tests share: a child bot process records every post it sends as one
 * JSON line in a file (and may kill itself around its first send, like a power cut), and the test
 * reads the lines back.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { TestAdapter } from "./test-bot.js";

/** One post a child process sent. */
export interface RecordedPost {
  readonly room: string;
  readonly deliveryId: string;
  readonly text: string;
  readonly pid: number;
  /** ms since epoch. */
  readonly at: number;
}

/** The posts recorded in `file`, in the order they were sent ([] before the first). */
export function readPosts(file: string): RecordedPost[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RecordedPost);
}

/**
 * The adapter with its send recorded in `file`; with `crash` "before-send" or "after-send" the
 * process kills itself (SIGKILL: no shutdown code runs) around its first send.
 */
export function recordingAdapter(adapter: TestAdapter, file: string, crash: string): TestAdapter {
  const send = adapter.send.bind(adapter);
  return {
    ...adapter,
    async send(room, reply, opts) {
      if (crash === "before-send") process.kill(process.pid, "SIGKILL");
      await send(room, reply, opts);
      const last = adapter.sent[adapter.sent.length - 1]!;
      const post: RecordedPost = { room: room.id, deliveryId: opts?.deliveryId ?? "", text: last.text, pid: process.pid, at: Date.now() };
      appendFileSync(file, `${JSON.stringify(post)}\n`);
      if (crash === "after-send") process.kill(process.pid, "SIGKILL");
    },
  };
}
