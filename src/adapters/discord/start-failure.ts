/**
 * What a failed Discord start-up means: a refused token or intents no retry can mend end start-up
 * with a line naming Discord; anything else (the gateway or REST API unreachable, a 5xx, no READY
 * in time) is retried.
 */
import type { StartFailure } from "../resilient-start.js";

interface ErrorShape {
  readonly code?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The error and its causes, outermost first (bounded). */
function chain(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = [];
  for (let e = err; typeof e === "object" && e !== null && out.length < 5; e = (e as ErrorShape).cause) out.push(e);
  return out;
}

export function discordStartFailure(err: unknown): StartFailure {
  const errors = chain(err);
  const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
  const line = message.startsWith("Discord") ? message : `Discord: ${message}`;
  const refused = errors.some((e) => e.code === "TokenInvalid" || e.status === 401 || e.code === 4004);
  if (refused) return { retry: false, line: `Discord: the bot token was refused (${message.replace(/^Discord: /, "")})` };
  const intents = errors.some((e) => e.code === 4014 || e.code === "DisallowedIntents" || (typeof e.message === "string" && /disallowed intents/i.test(e.message)));
  if (intents) return { retry: false, line };
  return { retry: true, line: `Discord: gateway unreachable (${message.replace(/^Discord: /, "")})` };
}
