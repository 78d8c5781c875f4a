/**
 * What a failed Matrix start-up means: a homeserver that cannot be reached, or answers 5xx or 429,
 * is retried; a refused token or login, or any other answer, ends start-up with a line naming
 * Matrix.
 */
import type { StartFailure } from "../resilient-start.js";

interface MatrixErrorShape {
  readonly statusCode?: unknown;
  readonly errcode?: unknown;
  readonly error?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
}

export function matrixStartFailure(err: unknown, homeserverUrl: string): StartFailure {
  const e = (typeof err === "object" && err !== null ? err : {}) as MatrixErrorShape;
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const errcode = typeof e.errcode === "string" ? e.errcode : undefined;
  if (err instanceof Error && err.name === "ConfigError") return { retry: false, line: `Matrix: ${err.message}` };
  if (status === undefined) {
    const why = typeof e.code === "string" ? e.code : err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { retry: true, line: `Matrix: homeserver ${homeserverUrl} unreachable (${why})` };
  }
  if (status >= 500 || status === 429) return { retry: true, line: `Matrix: homeserver ${homeserverUrl} unreachable (HTTP ${status}${errcode ? ` ${errcode}` : ""})` };
  const what = errcode === "M_UNKNOWN_TOKEN" ? "refused the access token" : errcode === "M_FORBIDDEN" ? "refused the login" : "refused nixie";
  const detail = typeof e.error === "string" ? `: ${e.error}` : "";
  return { retry: false, line: `Matrix: homeserver ${homeserverUrl} ${what} (${status}${errcode ? ` ${errcode}` : ""}${detail})` };
}
