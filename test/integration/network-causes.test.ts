// Network failures named by cause, in words, for every upstream: a name that does not resolve, a
// closed port, a server that never answers, a certificate nixie does not accept, a connection
// closed mid-request. No raw error code (ENOTFOUND, ECONNREFUSED…) reaches chat.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { upstreamSentence } from "../../src/core/error-reply.js";
import { UpstreamError } from "../../src/core/errors.js";
import { createHttp, type Http } from "../../src/upstream/http.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

/** `.invalid` never resolves (RFC 6761), so this fails at the resolver, without the internet. */
const NOWHERE = "nixie-test.invalid";
const RAW_CODES = /E[A-Z]{4,}|EAI_|CERT_|ERR_/;

const tls = (name: string): Buffer => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
}

/** The error a request ends with (it must end with one). */
async function failure(http: Http, url: string): Promise<UpstreamError> {
  try {
    await http.request({ service: "search.nixos.org", url });
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `not an UpstreamError: ${String(e)}`);
    return e;
  }
  assert.fail(`${url} answered`);
}

describe("network failures named by cause", function () {
  this.timeout(20_000);
  const http = createHttp({ userAgent: "nixie-test", timeoutMs: 300, retries: 0, maxRetryWaitMs: 1000, maxResponseBytes: 100_000, cacheEntries: 0 });
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await closeServer(s, sockets);
  });
  const track = <S extends Server>(s: S): S => {
    s.on("connection", (c: Socket) => {
      sockets.add(c);
      c.on("close", () => sockets.delete(c));
    });
    servers.push(s);
    return s;
  };

  it("a name that does not resolve: nixie cannot find it (DNS), and it fails fast", async () => {
    const started = Date.now();
    const e = await failure(http, `http://${NOWHERE}/`);
    assert.equal(e.failure, "network");
    assert.equal(e.reason, "dns");
    assert.equal(e.host, NOWHERE);
    assert.equal(upstreamSentence(e), `nixie cannot find ${NOWHERE} (DNS lookup failed: is this machine online?)`);
    assert.ok(Date.now() - started < 250, "the lookup failed before the request's timeout");
  });

  it("a closed port: refused the connection", async () => {
    const s = createHttpServer();
    const port = await listen(s);
    await new Promise<void>((r) => s.close(() => r()));
    const e = await failure(http, `http://127.0.0.1:${port}/`);
    assert.equal(e.reason, "refused");
    assert.equal(upstreamSentence(e), `127.0.0.1:${port} refused the connection, try again in a minute.`);
  });

  it("a server that accepts and never answers: did not answer in 0.3 s (the timeout, in seconds)", async () => {
    const port = await listen(track(createHttpServer(() => undefined)));
    const e = await failure(http, `http://127.0.0.1:${port}/`);
    assert.equal(e.failure, "timeout");
    assert.equal(e.waitedMs, 300);
    assert.equal(upstreamSentence(e), "search.nixos.org did not answer in 0.3 s, try again in a minute.");
  });

  it("a self-signed certificate: the certificate was not accepted, and nothing was asked", async () => {
    let asked = 0;
    const server = track(
      createHttpsServer({ key: tls("self-signed.key"), cert: tls("self-signed.crt") }, (_req, res) => {
        asked++;
        res.end("{}");
      }),
    );
    const port = await listen(server);
    const e = await failure(http, `https://127.0.0.1:${port}/`);
    assert.equal(e.reason, "tls");
    assert.equal(upstreamSentence(e), `The certificate of 127.0.0.1:${port} was not accepted, so nixie did not ask it.`);
    assert.equal(asked, 0);
  });

  it("a certificate that was not accepted is not tried again", async () => {
    let connections = 0;
    const server = track(createHttpsServer({ key: tls("self-signed.key"), cert: tls("self-signed.crt") }, (_req, res) => res.end("{}")));
    server.on("connection", () => connections++);
    const port = await listen(server);
    const retrying = createHttp({ userAgent: "nixie-test", timeoutMs: 2000, retries: 2, maxRetryWaitMs: 1000, maxResponseBytes: 100_000, cacheEntries: 0 });
    assert.equal((await failure(retrying, `https://127.0.0.1:${port}/`)).reason, "tls");
    assert.equal(connections, 1);
  });

  it("a connection closed before the answer: closed the connection", async () => {
    const port = await listen(track(createHttpServer((req) => req.socket.destroy())));
    const e = await failure(http, `http://127.0.0.1:${port}/`);
    assert.equal(e.reason, "reset");
    assert.equal(upstreamSentence(e), `127.0.0.1:${port} closed the connection before answering, try again in a minute.`);
  });
});

describe("network failures named by cause, through the bot, for every upstream", function () {
  this.timeout(30_000);
  let t: TestBot;
  before(async () => {
    const at = `http://${NOWHERE}`;
    t = await startTestBot({
      NIXIE_SEARCH_URL: at,
      NIXIE_WIKI_API: `${at}/w/api.php`,
      NIXIE_DISCOURSE_URL: at,
      NIXIE_GITHUB_API: at,
      NIXIE_PROMETHEUS_URL: at,
      NIXIE_CHANNELS_URL: at,
    });
  });
  after(() => t.stop());

  for (const [command, shown] of [
    ["!pkg firefox", "search"],
    ["!wiki flakes", "the wiki"],
    ["!pr 345678", "GitHub"],
  ] as const) {
    it(`${command}: ${shown} cannot be found, in words`, async () => {
      const text = await t.ask(command);
      assert.match(text, new RegExp(`^nixie cannot find ${NOWHERE.replace(".", "\\.")} \\(DNS lookup failed: is this machine online\\?\\)`));
      assert.doesNotMatch(text, RAW_CODES);
    });
  }

  it("!channels names the DNS failure of Prometheus and of the mirror without ENOTFOUND", async () => {
    const text = await t.ask("!channels");
    assert.match(text, /nixie cannot find nixie-test\.invalid \(DNS lookup failed\)/);
    assert.doesNotMatch(text, RAW_CODES);
  });
});
