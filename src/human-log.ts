/**
 * Log lines for a person at a terminal: `nixie WARN: <message> (key=value, …)` instead of pino's
 * JSON. Used by the console on a TTY; services and containers keep JSON.
 */
import { writeSync } from "node:fs";

const LEVELS: Readonly<Record<number, string>> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
/** pino's own fields, not worth showing a person. */
const HIDDEN = new Set(["level", "time", "name", "msg", "pid", "hostname"]);
/** Bound on one shown value. */
const MAX_VALUE = 200;

function shown(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** One pino JSON line as a readable line (a line that is not JSON passes unchanged). */
export function humanLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const level = LEVELS[entry["level"] as number] ?? String(entry["level"]);
  const err = entry["err"] as { message?: unknown } | undefined;
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => (k === "err" && err?.message !== undefined ? `err=${shown(err.message)}` : `${k}=${shown(v)}`));
  const msg = typeof entry["msg"] === "string" ? entry["msg"] : "";
  return `nixie ${level}: ${msg}${fields.length > 0 ? ` (${fields.join(", ")})` : ""}\n`;
}

/**
 * Where a terminal's log lines are printed: `around` (set once the console shows its prompt)
 * wraps each write, so the line appears above the prompt instead of over it.
 */
export interface LogRoute {
  around?: (print: () => void) => void;
}

/** A pino destination that writes human-readable lines to a file descriptor, synchronously. */
export function humanDestination(fd: number, route: LogRoute = {}): { write(line: string): void } {
  return {
    write: (line) => {
      const text = humanLogLine(line);
      if (route.around) route.around(() => void writeSync(fd, text));
      else writeSync(fd, text);
    },
  };
}
