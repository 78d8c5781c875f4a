// The dispatcher gives each command one deadline (commandTimeoutMs after the message) and each
// autocomplete its own (AUTOCOMPLETE_TIMEOUT_MS), and answers for a command that overruns it.
import assert from "node:assert/strict";
import pino from "pino";
import { AUTOCOMPLETE_TIMEOUT_MS, COMMAND_GRACE_MS, defineCommand } from "../../src/core/command.js";
import { createDispatcher } from "../../src/core/dispatcher.js";
import { RateLimiter } from "../../src/core/rate-limit.js";
import { textReply } from "../../src/core/reply.js";
import type { Services } from "../../src/core/services.js";
import { renderPlain } from "../../src/render/plain.js";

describe("dispatcher deadlines", () => {
  const seen: number[] = [];
  const deadline = defineCommand({
    name: "deadline",
    summary: "Says its deadline",
    options: [{ name: "q", type: "string", description: "Query", positional: true, complete: async (_p, ctx) => (seen.push(ctx.deadline), []) }],
    run: async (_args, ctx) => (seen.push(ctx.deadline), textReply("ok")),
  });
  const hang = defineCommand({ name: "hang", summary: "Never ends", options: [], run: () => new Promise(() => undefined) });
  const logs: string[] = [];
  const d = createDispatcher({
    commands: [deadline, hang],
    services: {} as Services,
    prefix: "!",
    maxMessageLength: 500,
    maxArgLength: 100,
    rateLimiter: new RateLimiter(100, 60),
    log: pino({ level: "warn" }, { write: (s: string) => void logs.push(s) }),
    commandTimeoutMs: 300,
  });
  const say = async (text: string): Promise<string> => renderPlain((await d.handle({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false }))!);

  beforeEach(() => {
    seen.length = 0;
  });

  it("hands each command commandTimeoutMs from the message's arrival as its deadline", async () => {
    const before = Date.now();
    await say("!deadline");
    const after = Date.now();
    assert.ok(seen[0]! >= before + 300 && seen[0]! <= after + 300, `${seen[0]! - before} ms`);
  });

  it("hands each autocomplete Discord's budget as its deadline", async () => {
    const before = Date.now();
    await d.complete("deadline", "q", "x", "discord");
    assert.ok(seen[0]! >= before + AUTOCOMPLETE_TIMEOUT_MS && seen[0]! <= Date.now() + AUTOCOMPLETE_TIMEOUT_MS);
  });

  it("answers for a command still running when its deadline and the grace have passed, and logs it", async () => {
    const started = Date.now();
    assert.equal(await say("!hang"), "!hang could not finish in time, try again in a minute.");
    assert.ok(Date.now() - started >= 300 + COMMAND_GRACE_MS - 20);
    assert.ok(logs.some((l) => l.includes("command overran its deadline")));
  });
});
