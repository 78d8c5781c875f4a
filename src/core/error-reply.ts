/** Turns anything a command throws into a reply. No stack trace ever reaches chat. */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { UpstreamError, UserError } from "./errors.js";
import { errorReply, link, type Reply } from "./reply.js";

export type Outcome = "ok" | "user-error" | "upstream-error" | "internal-error";

export function errorToReply(err: unknown, log: Logger, context: Record<string, unknown>): { reply: Reply; outcome: Outcome } {
  if (err instanceof UserError) return { reply: errorReply(err.message), outcome: "user-error" };
  if (err instanceof UpstreamError) {
    log.warn({ ...context, service: err.service, failure: err.failure, status: err.status, err: err.message }, "upstream failed");
    const sentence =
      err.failure === "timeout"
        ? `${err.service} did not answer in time, try again in a minute.`
        : err.failure === "moved"
          ? `${err.service} has moved its data and nixie cannot find it yet.`
          : `${err.service} did not answer, try again in a minute.`;
    const parts: (string | ReturnType<typeof link>)[] = [sentence];
    if (err.hint) parts.push(` ${err.hint}`);
    if (err.hintUrl) parts.push(" ", link(err.hintUrl, err.hintUrl));
    return { reply: errorReply(...parts), outcome: "upstream-error" };
  }
  const id = randomBytes(4).toString("hex");
  log.error({ ...context, logId: id, err }, "command failed");
  return { reply: errorReply(`Something went wrong on nixie's side (log id ${id}). The operators can look it up.`), outcome: "internal-error" };
}
