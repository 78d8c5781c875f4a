/** The container's HEALTHCHECK (scripts/healthcheck.ts, src/ops/healthcheck.ts) against loopback servers. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { healthzUrl, probeHealth } from "../../src/ops/healthcheck.js";
import { sendJson, startLoopback, type Loopback } from "../helpers/loopback.js";

interface Run {
  readonly code: number;
  readonly stdout: string;
}

/** Runs the script as the image's HEALTHCHECK does, with only the given environment. */
function healthcheck(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(projectRoot, "scripts", "healthcheck.ts")],
      { cwd: projectRoot, env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 20_000 },
      (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
    );
  });
}

const portOf = (url: string): string => new URL(url).port;

describe("healthzUrl", () => {
  it("asks a wildcard listener on loopback and any other address where it listens", () => {
    assert.equal(healthzUrl({ port: 9090, host: "0.0.0.0" }), "http://127.0.0.1:9090/healthz");
    assert.equal(healthzUrl({ port: 8080, host: "127.0.0.1" }), "http://127.0.0.1:8080/healthz");
    assert.equal(healthzUrl({ port: 8080, host: "::" }), "http://[::1]:8080/healthz");
    assert.equal(healthzUrl({ port: 8080, host: "[::]" }), "http://[::1]:8080/healthz");
    assert.equal(healthzUrl({ port: 8080, host: "fd00::5" }), "http://[fd00::5]:8080/healthz");
    assert.equal(healthzUrl({ port: 8080, host: "nixie.internal" }), "http://nixie.internal:8080/healthz");
  });

  it("has no address when the health server is off", () => {
    assert.equal(healthzUrl({ port: 0, host: "0.0.0.0" }), undefined);
  });
});

describe("probeHealth", () => {
  let server: Loopback;
  before(async () => {
    server = await startLoopback((_req, res) => sendJson(res, 200, { status: "ok" }));
  });
  after(() => server.close());

  it("is healthy on 200 and reports the answer", async () => {
    server.handle((_req, res) => sendJson(res, 200, { status: "standby" }));
    assert.deepEqual(await probeHealth(`${server.url}/healthz`, 2000), { healthy: true, detail: '200 {"status":"standby"}' });
    assert.equal(server.requests.at(-1)?.path, "/healthz");
  });

  it("is unhealthy on 503, with the reasons in one bounded line", async () => {
    const reasons = ["matrix adapter is not connected", "x".repeat(5000)];
    server.handle((_req, res) => sendJson(res, 503, { status: "unavailable", reasons }));
    const r = await probeHealth(`${server.url}/healthz`, 2000);
    assert.equal(r.healthy, false);
    assert.match(r.detail, /^503 \{"status":"unavailable","reasons":\["matrix adapter is not connected"/);
    assert.ok(r.detail.length <= 300);
  });

  it("is unhealthy on any other status, without retrying", async () => {
    const before = server.requests.length;
    server.handle((_req, res) => sendJson(res, 502, { error: "bad gateway" }));
    assert.deepEqual(await probeHealth(`${server.url}/healthz`, 2000), { healthy: false, detail: `${server.url}/healthz: HTTP 502` });
    assert.equal(server.requests.length, before + 1);
  });

  it("is unhealthy, without throwing, when nothing listens or nothing answers in time", async () => {
    const closed = await startLoopback(() => undefined);
    const url = `${closed.url}/healthz`;
    await closed.close();
    const refused = await probeHealth(url, 2000);
    assert.deepEqual(refused, { healthy: false, detail: `${url}: connection refused (ECONNREFUSED)` });

    // accepts the connection, never answers
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await probeHealth(`http://127.0.0.1:${port}/healthz`, 200);
      assert.deepEqual(r, { healthy: false, detail: `http://127.0.0.1:${port}/healthz: no answer within 200 ms` });
    } finally {
      silent.close();
    }
  });
});

describe("scripts/healthcheck.ts (the image's HEALTHCHECK)", function () {
  this.timeout(30_000);
  let server: Loopback;
  let dir: string;
  let config: string;
  before(async () => {
    server = await startLoopback((_req, res) => sendJson(res, 200, { status: "ok" }));
    dir = mkdtempSync(join(tmpdir(), "nixie-healthcheck-"));
    // An empty config file, so a developer's config/local.json cannot change the outcome.
    config = join(dir, "config.json");
    writeFileSync(config, "{}");
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("follows NIXIE_HEALTH_PORT and NIXIE_HEALTH_HOST: exit 0 when /healthz answers 200", async () => {
    server.handle((_req, res) => sendJson(res, 200, { status: "ok" }));
    const before = server.requests.length;
    const r = await healthcheck({ NIXIE_CONFIG: config, NIXIE_HEALTH_PORT: portOf(server.url), NIXIE_HEALTH_HOST: "0.0.0.0" });
    assert.deepEqual(r, { code: 0, stdout: 'healthy: 200 {"status":"ok"}\n' });
    assert.equal(server.requests.length, before + 1);
  });

  it("follows health.port from the config file", async () => {
    const file = join(dir, "port.json");
    writeFileSync(file, JSON.stringify({ health: { port: Number(portOf(server.url)) } }));
    const r = await healthcheck({ NIXIE_CONFIG: file });
    assert.equal(r.code, 0, r.stdout);
  });

  it("exits 1 with the answer when /healthz answers 503", async () => {
    server.handle((_req, res) => sendJson(res, 503, { status: "unavailable", reasons: ["no adapter is running"] }));
    const r = await healthcheck({ NIXIE_CONFIG: config, NIXIE_HEALTH_PORT: portOf(server.url) });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^unhealthy: 503 .*no adapter is running/);
  });

  it("exits 1 saying why when the health server is off", async () => {
    const r = await healthcheck({ NIXIE_CONFIG: config, NIXIE_HEALTH_PORT: "0" });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^unhealthy: the health server is off \(NIXIE_HEALTH_PORT .*--no-healthcheck/);
  });

  it("exits 1 naming the problem when the configuration is invalid", async () => {
    const r = await healthcheck({ NIXIE_CONFIG: config, NIXIE_HEALTH_PORT: "eighty" });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^unhealthy: configuration: .*NIXIE_HEALTH_PORT/);
  });
});
