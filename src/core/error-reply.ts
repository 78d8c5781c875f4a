/** Turns anything a command throws into a reply. No stack trace ever reaches chat. */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { UpstreamError, UserError } from "./errors.js";
import { errorReply, link, type Reply } from "./reply.js";

export type Outcome = "ok" | "user-error" | "upstream-error" | "internal-error";

/**
 * "HH:MM UTC", with the date when it is not today (UTC), rounded up to the minute so that the
 * time said is never before the one the service gave.
 */
export function utcClock(at: Date, now: Date): string {
  const t = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
  const hhmm = t.toISOString().slice(11, 16);
  return t.toISOString().slice(0, 10) === now.toISOString().slice(0, 10) ? `${hhmm} UTC` : `${t.toISOString().slice(0, 10)} ${hhmm} UTC`;
}

/** The sentence chat sees for an upstream failure, by cause. */
export function upstreamSentence(err: UpstreamError, now: Date = new Date()): string {
  switch (err.failure) {
    case "timeout":
      return `${err.service} did not answer in time, try again in a minute.`;
    case "moved":
      return `${err.service} has moved its data and nixie cannot find it yet.`;
    case "rate-limited":
      return err.retryAt === undefined
        ? `${err.service} is rate-limiting nixie, try again later.`
        : `${err.service} is rate-limiting nixie, try again after ${utcClock(err.retryAt, now)}.`;
    case "unauthorized":
      return `${err.service} refused nixie's credentials. The operators have been told.`;
    case "bad-response":
    case "too-large":
      return `${err.service} answered something nixie cannot read.`;
    default:
      // A server that is down or restarting (502/503), when nixie holds back its requests for a while.
      return err.retryAt === undefined
        ? `${err.service} did not answer, try again in a minute.`
        : `${err.service} is down or restarting, try again after ${utcClock(err.retryAt, now)}.`;
  }
}

/**
 * `refused`: the services whose refusal of nixie's credentials was logged already. That is
 * logged at error level once per service (it needs an operator, and every command would repeat
 * it); everything else from upstream at warn.
 */
export function errorToReply(
  err: unknown,
  log: Logger,
  context: Record<string, unknown>,
  refused: Set<string> = new Set(),
): { reply: Reply; outcome: Outcome } {
  if (err instanceof UserError) return { reply: errorReply(err.message), outcome: "user-error" };
  if (err instanceof UpstreamError) {
    const fields = { ...context, service: err.service, failure: err.failure, status: err.status, err: err.detail };
    if (err.failure !== "unauthorized") log.warn(fields, "upstream failed");
    else if (refused.has(err.service)) log.debug(fields, "upstream refused nixie's credentials (logged before)");
    else {
      refused.add(err.service);
      log.error(fields, `${err.service} refused nixie's credentials: check them in the configuration (logged once)`);
    }
    const parts: (string | ReturnType<typeof link>)[] = [upstreamSentence(err)];
    if (err.hint) parts.push(` ${err.hint}`);
    if (err.hintUrl) parts.push(" ", link(err.hintUrl, err.hintUrl));
    return { reply: errorReply(...parts), outcome: "upstream-error" };
  }
  const id = randomBytes(4).toString("hex");
  log.error({ ...context, logId: id, err }, "command failed");
  return { reply: errorReply(`Something went wrong on nixie's side (log id ${id}). The operators can look it up.`), outcome: "internal-error" };
}
