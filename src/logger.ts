/** pino, JSON to stderr (stdout belongs to the console adapter), with secrets redacted. */
import pino, { type Logger } from "pino";
import { logScrubber } from "./redact.js";
import type { Config } from "./config.js";
import { humanDestination, type LogRoute } from "./human-log.js";

/**
 * `human`: readable lines for a person at a terminal (human-log.ts) instead of JSON, printed
 * through `route` (above the console's prompt).
 */
export function createLogger(level: Config["logLevel"], destination: number = 2, format: "json" | "human" = "json", route?: LogRoute): Logger {
  return pino(
    {
      level,
      base: { name: "nixie" },
      // Every serialised line is scrubbed of secret values and token shapes before it is written,
      // whatever wrote it (src/redact.ts); `redact` below blanks secret-named keys as well.
      hooks: { streamWrite: (line: string) => logScrubber.scrub(line) },
      redact: {
        paths: ["token", "password", "accessToken", "*.token", "*.password", "*.accessToken", "headers.authorization", "*.headers.authorization"],
        censor: "[redacted]",
      },
    },
    format === "human" ? humanDestination(destination, route) : pino.destination({ dest: destination, sync: true }),
  );
}
