/**
 * The client side of `/healthz`, for the container's HEALTHCHECK (`scripts/healthcheck.ts`):
 * where the health server of this configuration listens, and one bounded probe of it.
 */
import { createHttp } from "../upstream/http.js";
import { userAgent } from "../version.js";

/** The `/healthz` address for the configured listener, or undefined when the server is off (port 0). */
export function healthzUrl(health: { readonly port: number; readonly host: string }): string | undefined {
  if (health.port <= 0) return undefined;
  const h = health.host.trim().replace(/^\[(.*)\]$/, "$1");
  // A wildcard listener answers on loopback; any other address is asked where it listens.
  const host = h === "" || h === "0.0.0.0" ? "127.0.0.1" : h === "::" ? "[::1]" : h.includes(":") ? `[${h}]` : h;
  return `http://${host}:${health.port}/healthz`;
}

export interface ProbeResult {
  /** 200 from /healthz: the bot is ok, or a healthy standby. */
  readonly healthy: boolean;
  /** One line for the container's health log: the status and the start of the answer, or the error. */
  readonly detail: string;
}

const MAX_DETAIL = 300;

/** GETs `url` once through the shared HTTP layer (no retry); resolves, never rejects, within `timeoutMs`. */
export async function probeHealth(url: string, timeoutMs: number): Promise<ProbeResult> {
  const http = createHttp({ userAgent, timeoutMs, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 64 * 1024, cacheEntries: 1 });
  const line = (healthy: boolean, detail: string): ProbeResult => ({ healthy, detail: detail.replace(/\s+/g, " ").trim().slice(0, MAX_DETAIL) });
  try {
    // 503 carries the reasons: returned, not thrown.
    const res = await http.request({ service: url, url, accept: [503], retries: 0 });
    return line(res.status === 200, `${res.status} ${res.body}`);
  } catch (e) {
    return line(false, e instanceof Error ? e.message : String(e));
  }
}
