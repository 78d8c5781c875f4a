/**
 * What an upstream failure says, for a log line that names the service in a field of its own:
 * the message without the service prefix, however often it was added (an error re-thrown with a
 * hint carries it twice: "search.nixos.org: search.nixos.org: HTTP 500").
 */
import type { UpstreamError } from "./errors.js";

export function upstreamDetail(e: Pick<UpstreamError, "service" | "message">): string {
  const prefix = `${e.service}: `;
  let text = e.message;
  while (text.startsWith(prefix)) text = text.slice(prefix.length);
  return text;
}
