/**
 * The client side of `/healthz`, for the container's HEALTHCHECK (`scripts/healthcheck.ts`):
 * where the health server of this configuration listens, and one bounded probe of it.
 */
import { request } from "node:http";

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

const MAX_BODY = 2048;
const MAX_DETAIL = 300;

/** GETs `url` once; resolves (never rejects) within `timeoutMs`, reading at most 2 KiB of the answer. */
export function probeHealth(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ healthy: r.healthy, detail: r.detail.replace(/\s+/g, " ").slice(0, MAX_DETAIL) });
    };
    const req = request(url, { method: "GET", headers: { accept: "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        if (body.length >= MAX_BODY) res.destroy();
      });
      const end = (): void => finish({ healthy: res.statusCode === 200, detail: `${res.statusCode ?? "no status"} ${body}`.trim() });
      res.on("end", end);
      res.on("close", end);
      res.on("error", end);
    });
    const timer = setTimeout(() => finish({ healthy: false, detail: `no answer from ${url} within ${timeoutMs} ms` }), timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => finish({ healthy: false, detail: `${url}: ${e.code ?? e.message}` }));
    req.end();
  });
}
