/**
 * The health and metrics HTTP server: `/healthz` answers 200 when every adapter is connected and
 * the store answers (or, on a standby, when the store answers); 200 with status "degraded" and
 * the reasons when the store answers and some adapters are connected but not all (a homeserver
 * being retried, say: restarting nixie would not mend it and would cut the other platforms);
 * else 503 with the reasons as JSON. `/metrics` is Prometheus text.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Adapter } from "../core/adapter.js";
import type { Store } from "../storage/store.js";
import type { Metrics } from "./metrics.js";

export interface HealthDeps {
  readonly adapters: () => readonly Adapter[];
  readonly store: Store;
  readonly metrics: Metrics;
  /** How long the store may take to answer a health check. */
  readonly storeTimeoutMs?: number;
  /** A standby (another instance is active) is healthy without connected adapters. */
  readonly role?: () => "active" | "standby";
}

export interface HealthReport {
  readonly status: "ok" | "standby" | "degraded" | "unavailable";
  readonly adapters: Record<string, "connected" | "disconnected">;
  readonly store: "ok" | "unavailable";
  readonly reasons: readonly string[];
}

export async function checkHealth(deps: Omit<HealthDeps, "metrics">): Promise<HealthReport> {
  const reasons: string[] = [];
  const adapters: Record<string, "connected" | "disconnected"> = {};
  const standby = deps.role?.() === "standby";
  let connected = 0;
  for (const a of deps.adapters()) {
    const ok = a.isConnected();
    if (ok) connected++;
    adapters[a.platform] = ok ? "connected" : "disconnected";
    if (!ok && !standby) reasons.push(`${a.platform} adapter is not connected`);
  }
  if (deps.adapters().length === 0) reasons.push("no adapter is running");
  let store: HealthReport["store"] = "ok";
  try {
    await deps.store.ping(deps.storeTimeoutMs ?? 2000);
  } catch (e) {
    store = "unavailable";
    reasons.push(`${deps.store.backend} store does not answer: ${(e as Error).message.split("\n")[0]}`);
  }
  const degraded = store === "ok" && connected > 0 && !standby;
  return { status: reasons.length === 0 ? (standby ? "standby" : "ok") : degraded ? "degraded" : "unavailable", adapters, store, reasons };
}

export interface HealthServer {
  /** http://host:port */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(deps: HealthDeps, port: number, host: string): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      void checkHealth(deps).then((report) => {
        const body = JSON.stringify(report);
        res.writeHead(report.status === "unavailable" ? 503 : 200, { "content-type": "application/json", "cache-control": "no-store" }).end(body);
      });
      return;
    }
    if (path === "/metrics") {
      void deps.metrics.render().then(
        (text) => res.writeHead(200, { "content-type": deps.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
