/**
 * A loopback reverse proxy that waits a fixed time before forwarding each request to a target
 * loopback server: any fake upstream becomes "slow on every request" (deadline tests).
 */
import http from "node:http";
import { startLoopback, type Loopback } from "./loopback.js";

export interface SlowProxy extends Loopback {
  /** Changes the wait before each forwarded request. */
  setDelay(ms: number): void;
}

/** Starts a proxy in front of `target` (http://127.0.0.1:PORT) that holds every request `delayMs`. */
export async function startSlowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  let delay = delayMs;
  const to = new URL(target);
  const loop = await startLoopback(async (req, res) => {
    await new Promise((r) => setTimeout(r, delay));
    await new Promise<void>((done) => {
      const headers = { ...req.headers, host: to.host };
      const out = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("end", done);
        up.on("error", () => done());
      });
      out.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        done();
      });
      out.end(req.body);
    });
  });
  return { ...loop, setDelay: (ms) => (delay = ms) };
}
