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

/** "5 s", "1.5 s": how long nixie waited, in words. */
function seconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${s >= 10 ? Math.round(s) : s} s`;
}

/** Where the service lives, for sentences about the way to it (DNS, TLS): its host, else its name. */
const whereOf = (err: UpstreamError): string => err.host ?? err.service;

/**
 * What went wrong, as a phrase without a verdict ("DNS lookup of example.org failed"), for notes
 * that name a failure among other facts (!channels' fallback). No raw error codes.
 */
export function upstreamCause(err: UpstreamError): string {
  const where = whereOf(err);
  switch (err.failure) {
    case "timeout":
      return err.waitedMs === undefined ? `${where} did not answer in time` : `${where} did not answer in ${seconds(err.waitedMs)}`;
    case "network":
      switch (err.reason) {
        case "dns":
          return `nixie cannot find ${where} (DNS lookup failed)`;
        case "refused":
          return `${where} refused the connection`;
        case "tls":
          return `the certificate of ${where} was not accepted`;
        case "reset":
          return `${where} closed the connection before answering`;
        case "unreachable":
          return `nixie cannot reach ${where} (no network route)`;
        default:
          return `${where} did not answer`;
      }
    case "status":
      return err.status === undefined ? `${where} answered with an error` : `${where} answered with an error (HTTP ${err.status})`;
    case "not-found":
      return `${where} found nothing by that name or number`;
    case "rate-limited":
      return `${where} is rate-limiting nixie`;
    case "unauthorized":
      return `${where} refused nixie's credentials`;
    case "moved":
      return `${where} has moved its data`;
    default:
      return `${where} answered something nixie cannot read`;
  }
}

/** The sentence chat sees for an upstream failure, by cause. */
export function upstreamSentence(err: UpstreamError, now: Date = new Date()): string {
  switch (err.failure) {
    case "timeout":
      return err.waitedMs === undefined ? `${err.service} did not answer in time, try again in a minute.` : `${err.service} did not answer in ${seconds(err.waitedMs)}, try again in a minute.`;
    case "network":
      switch (err.reason) {
        case "dns":
          return `nixie cannot find ${whereOf(err)} (DNS lookup failed: is this machine online?)`;
        case "refused":
          return `${whereOf(err)} refused the connection, try again in a minute.`;
        case "tls":
          return `The certificate of ${whereOf(err)} was not accepted, so nixie did not ask it.`;
        case "reset":
          return `${whereOf(err)} closed the connection before answering, try again in a minute.`;
        case "unreachable":
          return `nixie cannot reach ${whereOf(err)} (no network route), try again in a minute.`;
        default:
          return `${err.service} did not answer, try again in a minute.`;
      }
    case "moved":
      return `${err.service} has moved its data and nixie cannot find it yet.`;
    case "rate-limited":
      return err.retryAt === undefined ? `${err.service} is rate-limiting nixie, try again later.` : `${err.service} is rate-limiting nixie, try again after ${utcClock(err.retryAt, now)}.`;
    case "unauthorized":
      return `${err.service} refused nixie's credentials. The operators have been told.`;
    case "not-found":
      return `${err.service} found nothing by that name or number.`;
    case "bad-response":
    case "too-large":
      return `${err.service} answered something nixie cannot read.`;
    default:
      // A server that is down or restarting (502/503), when nixie holds back its requests for a while.
      return err.retryAt === undefined ? `${err.service} did not answer, try again in a minute.` : `${err.service} is down or restarting, try again after ${utcClock(err.retryAt, now)}.`;
  }
}

/**
 * `refused`: the services whose refusal of nixie's credentials was logged already. That is
 * logged at error level once per service (it needs an operator, and every command would repeat
 * it); everything else from upstream at warn.
 */
export function errorToReply(err: unknown, log: Logger, context: Record<string, unknown>, refused: Set<string> = new Set()): { reply: Reply; outcome: Outcome } {
  if (err instanceof UserError) return { reply: errorReply(err.message), outcome: "user-error" };
  if (err instanceof UpstreamError) {
    const fields = { ...context, service: err.service, failure: err.failure, reason: err.reason, status: err.status, err: err.detail };
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
