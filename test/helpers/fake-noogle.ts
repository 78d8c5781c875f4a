/**
 * A loopback Noogle for the !fn tests: serves the fixture data file (test/fixtures/noogle-data.json,
 * in Noogle's documented shape) at /api/v1/data, or a status, or another body; it can hold the
 * answer until released, to see what nixie says while the data is still loading.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { startLoopback, type Loopback } from "./loopback.js";

export const NOOGLE_FIXTURE = readFileSync(join(projectRoot, "test", "fixtures", "noogle-data.json"), "utf8");

export interface FakeNoogle {
  /** The data file's URL. */
  readonly dataUrl: string;
  readonly server: Loopback;
  /** Requests for the data file so far. */
  requests(): number;
  /** Answer with this status (and a small body) instead of the file; 200 serves `body`. */
  setStatus(status: number): void;
  setBody(body: string): void;
  /** Hold answers until release() (a slow first download). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startFakeNoogle(): Promise<FakeNoogle> {
  let status = 200;
  let body = NOOGLE_FIXTURE;
  let gate: Promise<void> | undefined;
  let open: () => void = () => undefined;
  const server = await startLoopback(async (req, res) => {
    if (req.path !== "/api/v1/data") {
      res.writeHead(404).end("not found");
      return;
    }
    if (gate) await gate;
    if (status !== 200) {
      res.writeHead(status, { "content-type": "text/plain" }).end("unavailable");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  return {
    dataUrl: `${server.url}/api/v1/data`,
    server,
    requests: () => server.requests.filter((r) => r.path === "/api/v1/data").length,
    setStatus: (s) => (status = s),
    setBody: (b) => (body = b),
    hold() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      gate = undefined;
      open();
    },
    close: () => server.close(),
  };
}
