import assert from "node:assert/strict";
import pino from "pino";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { errorToReply, upstreamCause, upstreamSentence, utcClock } from "../../src/core/error-reply.js";
import { UpstreamError, type NetworkReason } from "../../src/core/errors.js";
import { GitHubLimitError, GitHubNotFoundError } from "../../src/upstream/github.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import type { Services } from "../../src/core/services.js";
import { renderPlain } from "../../src/render/plain.js";

describe("upstream error replies", () => {
  const now = new Date("2026-11-30T11:00:00Z");

  it("says by cause what happened and what to do", () => {
    const say = (failure: UpstreamError["failure"], opts: { retryAt?: Date } = {}): string => upstreamSentence(new UpstreamError("api.example", failure, "x", opts), now);
    assert.equal(say("rate-limited", { retryAt: new Date("2026-11-30T12:04:10Z") }), "api.example is rate-limiting nixie, try again after 12:05 UTC.");
    assert.equal(say("rate-limited", { retryAt: new Date("2026-12-01T00:30:00Z") }), "api.example is rate-limiting nixie, try again after 2026-12-01 00:30 UTC.");
    assert.equal(say("rate-limited"), "api.example is rate-limiting nixie, try again later.");
    assert.equal(say("unauthorized"), "api.example refused nixie's credentials. The operators have been told.");
    assert.equal(say("bad-response"), "api.example answered something nixie cannot read.");
    assert.equal(say("too-large"), "api.example answered something nixie cannot read.");
    assert.equal(say("status"), "api.example did not answer, try again in a minute.");
    assert.equal(say("network"), "api.example did not answer, try again in a minute.");
    assert.equal(say("timeout"), "api.example did not answer in time, try again in a minute.");
  });

  it("names the network cause in words with the host, and the time waited", () => {
    const net = (reason: NetworkReason): string => upstreamSentence(new UpstreamError("search.nixos.org", "network", "x", { host: "search.nixos.org", reason }), now);
    assert.equal(net("dns"), "nixie cannot find search.nixos.org (DNS lookup failed: is this machine online?)");
    assert.equal(net("refused"), "search.nixos.org refused the connection, try again in a minute.");
    assert.equal(net("tls"), "The certificate of search.nixos.org was not accepted, so nixie did not ask it.");
    assert.equal(net("reset"), "search.nixos.org closed the connection before answering, try again in a minute.");
    assert.equal(net("unreachable"), "nixie cannot reach search.nixos.org (no network route), try again in a minute.");
    // GitHub's service name differs from its host: the way to it names the host.
    assert.equal(
      upstreamSentence(new UpstreamError("GitHub", "network", "x", { host: "api.github.com", reason: "dns" })),
      "nixie cannot find api.github.com (DNS lookup failed: is this machine online?)",
    );
    assert.equal(upstreamSentence(new UpstreamError("GitHub", "timeout", "x", { host: "api.github.com", waitedMs: 5000 })), "GitHub did not answer in 5 s, try again in a minute.");
    assert.equal(upstreamSentence(new UpstreamError("GitHub", "timeout", "x", { waitedMs: 2500 })), "GitHub did not answer in 2.5 s, try again in a minute.");
    // The facts survive a hint.
    const hinted = new UpstreamError("s", "network", "x", { host: "h", reason: "refused" }).withHint("See:");
    assert.equal(upstreamSentence(hinted), "h refused the connection, try again in a minute.");
    assert.equal(upstreamCause(new UpstreamError("Prometheus", "network", "x", { host: "prom.example", reason: "dns" })), "nixie cannot find prom.example (DNS lookup failed)");
  });

  it("GitHub's limit and not-found are UpstreamError kinds: a reply by cause, never an internal error", async () => {
    const limit = new GitHubLimitError(new Date("2026-11-30T12:04:10Z"));
    assert.ok(limit instanceof UpstreamError);
    assert.equal(limit.failure, "rate-limited");
    assert.deepEqual(limit.retryAt, limit.until);
    const gone = new GitHubNotFoundError(12, false);
    assert.ok(gone instanceof UpstreamError);
    assert.equal(gone.failure, "not-found");
    const log = pino({ level: "silent" });
    const r1 = errorToReply(limit, log, {});
    assert.equal(r1.outcome, "upstream-error");
    assert.match(renderPlain(r1.reply), /^GitHub is rate-limiting nixie, try again after \d{4}-\d{2}-\d{2} 12:05 UTC\.$|^GitHub is rate-limiting nixie, try again after 12:05 UTC\.$/);
    const r2 = errorToReply(gone, log, {});
    assert.equal(r2.outcome, "upstream-error");
    assert.equal(renderPlain(r2.reply), "GitHub found nothing by that name or number.");
  });

  it("never says a time before the one given", () => {
    assert.equal(utcClock(new Date("2026-11-30T12:05:00Z"), now), "12:05 UTC");
    assert.equal(utcClock(new Date("2026-11-30T12:05:00.001Z"), now), "12:06 UTC");
  });

  it("names the service once in the error's detail, also after a hint was added", () => {
    const e = new UpstreamError("search.nixos.org", "status", "HTTP 500", { status: 500 }).withHint("Search on the site:", "https://search.nixos.org");
    assert.equal(e.message, "search.nixos.org: HTTP 500");
    assert.equal(e.detail, "HTTP 500");
  });

  it("logs refused credentials at error level once per service, and the service once in each line", async () => {
    const lines: { level: number; msg: string; err?: string; service?: string }[] = [];
    const refuse = defineCommand({
      name: "refuse",
      summary: "Refused",
      options: [{ name: "service", type: "string", description: "Service", positional: true, required: true }],
      run: async (args) => {
        throw new UpstreamError(String(args["service"]), "unauthorized", "HTTP 401", { status: 401 }).withHint("See:", "https://example.org");
      },
    });
    const d = createDispatcher({
      commands: [refuse],
      services: {} as Services,
      prefix: "!",
      maxMessageLength: 500,
      maxArgLength: 100,
      rateLimiter: new RateLimiter(100, 60),
      log: pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) }),
    });
    const say = async (text: string): Promise<string> => renderPlain((await d.handle({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false }))!);
    for (let i = 0; i < 3; i++) assert.equal(await say("!refuse search.example"), "search.example refused nixie's credentials. The operators have been told. See: https://example.org");
    await say("!refuse wiki.example");
    const errors = lines.filter((l) => l.level === 50);
    assert.deepEqual(
      errors.map((l) => l.service),
      ["search.example", "wiki.example"],
    );
    assert.ok(
      errors.every((l) => l.err === "HTTP 401"),
      JSON.stringify(errors),
    );
  });
});
