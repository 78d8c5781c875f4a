import assert from "node:assert/strict";
import pino from "pino";
import { defineCommand } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { upstreamSentence, utcClock } from "../../src/core/error-reply.js";
import { UpstreamError } from "../../src/core/errors.js";
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
    const say = async (text: string): Promise<string> =>
      renderPlain((await d.handle({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false }))!);
    for (let i = 0; i < 3; i++) assert.equal(await say("!refuse search.example"), "search.example refused nixie's credentials. The operators have been told. See: https://example.org");
    await say("!refuse wiki.example");
    const errors = lines.filter((l) => l.level === 50);
    assert.deepEqual(errors.map((l) => l.service), ["search.example", "wiki.example"]);
    assert.ok(errors.every((l) => l.err === "HTTP 401"), JSON.stringify(errors));
  });
});
