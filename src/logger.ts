/** pino, JSON to stderr (stdout belongs to the console adapter), with secrets redacted. */
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";

export function createLogger(level: Config["logLevel"], destination: number = 2): Logger {
  return pino(
    {
      level,
      base: { name: "nixie" },
      redact: {
        paths: ["token", "password", "accessToken", "*.token", "*.password", "*.accessToken", "headers.authorization", "*.headers.authorization"],
        censor: "[redacted]",
      },
    },
    pino.destination({ dest: destination, sync: true }),
  );
}
