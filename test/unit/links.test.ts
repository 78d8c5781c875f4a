import assert from "node:assert/strict";
import pino from "pino";
import type { IncomingMessage } from "../../src/core/adapter.js";
import { UpstreamError } from "../../src/core/errors.js";
import { age, createLinkExpander, expanderErrorLog } from "../../src/links/expander.js";
import type { StatusService } from "../../src/pr-tracking/landing.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { GitHubLimitError, type GitHub } from "../../src/upstream/github.js";
import { READ_LIMIT, findReferences } from "../../src/links/references.js";

const labels = (text: string, max = 3): string[] => findReferences(text, max).map((r) => `${r.repo}#${r.number}`);

describe("reference expansion: which references a message has", () => {
  it("finds nixpkgs#N, NixOS/nix#N and home-manager#N, each once, at most the maximum", () => {
    assert.deepEqual(labels("see nixpkgs#123, NixOS/nix#45 and home-manager#678"), ["NixOS/nixpkgs#123", "NixOS/nix#45", "nix-community/home-manager#678"]);
    assert.deepEqual(labels("nixpkgs#1 nixpkgs#1 NixOS/nixpkgs#1"), ["NixOS/nixpkgs#1"]);
    assert.deepEqual(labels("nixpkgs#1 nixpkgs#2 nixpkgs#3 nixpkgs#4"), ["NixOS/nixpkgs#1", "NixOS/nixpkgs#2", "NixOS/nixpkgs#3"]);
  });

  it("never reads URLs, code, quotes, bare #N or other repositories", () => {
    assert.deepEqual(labels("https://github.com/NixOS/nixpkgs/pull/1 and https://example.org/nixpkgs#2"), []);
    assert.deepEqual(labels("`nixpkgs#3` and\n```\nnixpkgs#4\n```"), []);
    assert.deepEqual(labels("> nixpkgs#5 said someone\nok"), []);
    assert.deepEqual(labels("#6 and foo/nixpkgs#7 and mynixpkgs#8 and nixpkgs#9x and nixpkgs#10/files"), []);
  });

  it("reads only the start of a long message", () => {
    const filler = "x ".repeat(READ_LIMIT);
    assert.deepEqual(labels(`nixpkgs#1 ${filler} nixpkgs#2`), ["NixOS/nixpkgs#1"]);
    assert.deepEqual(labels(`${"`".repeat(200_000)} ${filler}nixpkgs#3`), []);
  });

  it("says how old something is in words", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    assert.equal(age("2026-11-27T11:00:00Z", now), "3 days");
    assert.equal(age("2026-11-30T11:00:00Z", now), "1 hour");
    assert.equal(age("2026-11-30T11:59:50Z", now), "1 minute");
  });
});

describe("reference expansion: failures are logged, never said in the room", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore("sqlite://:memory:");
  });
  afterEach(() => store.close());

  /** A GitHub whose issue look-ups fail with `fail()`; nothing else is asked. */
  const failingGitHub = (fail: () => Error): GitHub => ({ issue: async () => Promise.reject(fail()) }) as unknown as GitHub;
  const message = (text: string): IncomingMessage => ({ room: { platform: "test", id: "r" }, user: { id: "u" }, text, canManageRoom: async () => false });

  it("logs at warn once per cause per minute, and answers nothing in the room", async () => {
    let t = Date.parse("2026-11-30T12:00:00Z");
    const lines: { level: number; msg: string; failure?: string; reason?: string }[] = [];
    const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
    let cause: () => Error = () => new UpstreamError("GitHub", "network", "connection refused (ECONNREFUSED)", { host: "api.github.com", reason: "refused" });
    const expander = createLinkExpander({
      github: failingGitHub(() => cause()),
      status: {} as StatusService,
      store,
      prefix: "!",
      maxPerMessage: 3,
      cooldownMs: 0,
      now: () => t,
      onError: expanderErrorLog(log, () => t),
    });
    await expander.setEnabled("test:r", true);
    assert.equal(await expander.expand(message("see nixpkgs#1 and nixpkgs#2")), null);
    assert.equal(await expander.expand(message("and NixOS/nix#3")), null);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 40);
    assert.equal(lines[0]!.reason, "refused");
    // Another cause is logged at once; the first again only after a minute.
    cause = () => new UpstreamError("GitHub", "status", "HTTP 500", { status: 500 });
    await expander.expand(message("nixpkgs#4"));
    assert.equal(lines.length, 2);
    cause = () => new UpstreamError("GitHub", "network", "connection refused (ECONNREFUSED)", { host: "api.github.com", reason: "refused" });
    t += 59_000;
    await expander.expand(message("nixpkgs#5"));
    assert.equal(lines.length, 2);
    t += 1_000;
    await expander.expand(message("nixpkgs#6"));
    assert.equal(lines.length, 3);
    // A spent budget is expected, not a failure: nothing logged.
    cause = () => new GitHubLimitError(new Date(t + 60_000));
    t += 120_000;
    await expander.expand(message("nixpkgs#7"));
    assert.equal(lines.length, 3);
  });
});
