/**
 * Splits a text stream into lines without ever holding more than a bounded part of one line:
 * what is past `maxLength` characters is dropped as it arrives (readline would first read the
 * whole line, so a 200 MB line cost half a gigabyte). Lines end at "\n"; a "\r" before it is
 * dropped. While too many lines wait for their caller, the stream is paused.
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

export interface LineReaderOptions {
  /** Characters kept of each line; a longer line arrives cut to maxLength + 1 so the caller sees that it was cut. */
  readonly maxLength: number;
  /**
   * Called for each line, in order. `length` is the whole line's length in UTF-16 units (as
   * String.length counts), also when `line` was cut, so a caller can say how long it was.
   */
  readonly onLine: (line: string, length: number) => void;
  /** Called once at the end of the stream, on a stream error, or after close(). */
  readonly onEnd: () => void;
}

export interface LineReader {
  /** Pauses reading (the caller has too much to do); resume() reads on. */
  pause(): void;
  resume(): void;
  /** Stops reading (a line not yet ended is dropped); onEnd follows. */
  close(): void;
}

/** Reads `input` line by line (see the module comment) until it ends or close() is called. */
export function readLines(input: Readable, opts: LineReaderOptions): LineReader {
  const keep = opts.maxLength + 1;
  const decoder = new StringDecoder("utf8");
  let parts: string[] = [];
  let length = 0;
  /** Of the whole line, also the part dropped. */
  let total = 0;
  /** Whether the last text added to the line ended in "\r" (dropped before "\n"). */
  let endsCr = false;
  let ended = false;

  const add = (text: string): void => {
    if (text === "") return;
    total += text.length;
    endsCr = text.endsWith("\r");
    if (length >= keep) return;
    const part = text.length > keep - length ? text.slice(0, keep - length) : text;
    parts.push(part);
    length += part.length;
  };
  const emit = (): void => {
    let line = parts.join("");
    let whole = total;
    parts = [];
    length = 0;
    total = 0;
    if (endsCr) {
      whole--;
      if (line.length > whole) line = line.slice(0, whole);
    }
    endsCr = false;
    opts.onLine(line, whole);
  };
  const onText = (text: string): void => {
    let from = 0;
    for (let nl = text.indexOf("\n"); nl !== -1 && !ended; nl = text.indexOf("\n", from)) {
      add(text.slice(from, nl));
      from = nl + 1;
      emit();
    }
    if (!ended) add(text.slice(from));
  };
  const onData = (chunk: Buffer | string): void => onText(typeof chunk === "string" ? chunk : decoder.write(chunk));
  const stop = (): void => {
    if (ended) return;
    ended = true;
    input.off("data", onData);
    input.off("end", finish);
    input.off("error", finish);
    input.pause();
    opts.onEnd();
  };
  const finish = (): void => {
    if (ended) return;
    onText(decoder.end());
    if (length > 0) emit();
    stop();
  };
  input.on("data", onData);
  input.on("end", finish);
  input.on("error", finish);
  return {
    pause: () => void input.pause(),
    resume: () => {
      if (!ended) input.resume();
    },
    close: stop,
  };
}
