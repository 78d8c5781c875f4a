// Credentials stay with their origin: a redirect to another origin (scheme, host or port) drops
// Authorization, Cookie and the credential headers a client names; one within the origin keeps
// them; https is never followed down to http. Two loopback servers on different ports stand for
// two hosts.
import assert from "node:assert/strict";
import { UpstreamError } from "../../src/core/errors.js";
import { createGitHub } from "../../src/upstream/github.js";
import { createGitHubBudget } from "../../src/upstream/github-budget.js";
import { createHttp, redirectHeaders } from "../../src/upstream/http.js";
import { sendJson, startLoopback, type Loopback } from "../helpers/loopback.js";

const SECRETS = { authorization: "Bearer the-token", cookie: "session=s3cret", "x-api-key": "k3y", "proxy-authorization": "Basic cHJveHk=" };

describe("redirects keep credentials to their origin", () => {
  const http = createHttp({ userAgent: "nixie-test", timeoutMs: 2000, retries: 0, maxRetryWaitMs: 1000, maxResponseBytes: 100_000, cacheEntries: 0 });
  let origin: Loopback;
  let other: Loopback;
  beforeEach(async () => {
    other = await startLoopback((_req, res) => sendJson(res, 200, { where: "other" }));
    origin = await startLoopback((req, res) => {
      if (req.path === "/away") {
        res.writeHead(302, { location: `${other.url}/landed` });
        res.end();
      } else if (req.path === "/here") {
        res.writeHead(301, { location: "/landed" });
        res.end();
      } else sendJson(res, 200, { where: "origin" });
    });
  });
  afterEach(async () => {
    await origin.close();
    await other.close();
  });

  it("a redirect to another port drops Authorization, Cookie and the named credential headers; the rest goes on", async () => {
    const res = await http.request({ service: "example", url: `${origin.url}/away`, headers: { ...SECRETS, "x-trace": "keep" }, credentialHeaders: ["X-Api-Key"] });
    assert.equal((JSON.parse(res.body) as { where: string }).where, "other");
    const [landed] = other.requests;
    assert.ok(landed);
    for (const h of Object.keys(SECRETS)) assert.equal(landed.headers[h], undefined, `${h} reached the other origin`);
    assert.equal(landed.headers["x-trace"], "keep");
    // The origin itself got them.
    assert.equal(origin.requests[0]!.headers["authorization"], SECRETS.authorization);
  });

  it("a redirect within the origin keeps them", async () => {
    const res = await http.request({ service: "example", url: `${origin.url}/here`, headers: SECRETS, credentialHeaders: ["x-api-key"] });
    assert.equal((JSON.parse(res.body) as { where: string }).where, "origin");
    const landed = origin.requests.find((r) => r.path === "/landed");
    assert.ok(landed);
    for (const [h, v] of Object.entries(SECRETS)) assert.equal(landed.headers[h], v);
    assert.equal(other.requests.length, 0);
  });

  it("GitHub answering 302 to another host: the token does not go there", async () => {
    const github = createGitHub({ http, api: origin.url, token: "ghp_not-for-elsewhere", budget: createGitHubBudget({ perHour: 100, backgroundPercent: 50 }) });
    origin.handle((_req, res) => {
      res.writeHead(302, { location: `${other.url}/repos/NixOS/nixpkgs/issues/1` });
      res.end();
    });
    other.handle((_req, res) => sendJson(res, 200, { title: "an issue", html_url: "https://github.com/NixOS/nixpkgs/issues/1", state: "open", user: { login: "someone" } }));
    await github.issue("NixOS/nixpkgs", 1);
    assert.equal(origin.requests[0]!.headers["authorization"], "Bearer ghp_not-for-elsewhere");
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0]!.headers["authorization"], undefined);
  });
});

describe("redirectHeaders", () => {
  const headers = { authorization: "Bearer t", Cookie: "c=1", accept: "application/json" };

  it("leaves the headers alone within the origin, default ports spelt or not", () => {
    assert.deepEqual(redirectHeaders(new URL("https://api.example/a"), new URL("https://api.example:443/b"), headers), headers);
  });

  it("drops credentials on a change of host, port or scheme (http -> https too), whatever their case", () => {
    for (const to of ["https://other.example/", "https://api.example:8443/", "http://api.example/"]) {
      const from = new URL(to.startsWith("http:") ? "http://api.example:8080/" : "https://api.example/");
      assert.deepEqual(redirectHeaders(from, new URL(to), headers), { accept: "application/json" }, to);
    }
    assert.deepEqual(redirectHeaders(new URL("http://api.example/"), new URL("https://api.example/"), headers), { accept: "application/json" });
  });

  it("never follows https to http, even on the same host", () => {
    assert.throws(
      () => redirectHeaders(new URL("https://api.example/"), new URL("http://api.example/"), headers, [], "GitHub"),
      (e: unknown) => e instanceof UpstreamError && e.failure === "moved" && e.service === "GitHub",
    );
  });
});
