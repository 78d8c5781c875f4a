/**
 * pino, JSON to stderr (stdout belongs to the console adapter). Secrets are scrubbed from every
 * serialised line before it is written (src/redact.ts); `redact` also blanks secret-named keys.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import type { Config } from "./config.js";
import { logScrubber } from "./redact.js";

/** A destination that scrubs secrets from each line, then writes it synchronously to `fd`. */
export function scrubbedDestination(fd: number): DestinationStream {
  const out = pino.destination({ dest: fd, sync: true });
  return { write: (line: string) => void out.write(logScrubber.scrub(line)) };
}

/** The logger; `secrets` (configured values) join the process's scrubber first. */
export function createLogger(level: Config["logLevel"], destination: number = 2, secrets: readonly (string | undefined)[] = []): Logger {
  logScrubber.add(...secrets);
  return pino(
    {
      level,
      base: { name: "nixie" },
      redact: {
        paths: ["token", "password", "accessToken", "*.token", "*.password", "*.accessToken", "headers.authorization", "*.headers.authorization"],
        censor: "[redacted]",
      },
    },
    scrubbedDestination(destination),
  );
}
