import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/core/errors.js";
import { createGitHubBudget, effectiveBudget } from "../../src/upstream/github-budget.js";

describe("GitHub config and budget", () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { NIXIE_CONFIG: "", ...env }, ignoreLocal: true });

  it("reads NIXIE_GITHUB_API, NIXIE_GITHUB_BUDGET and the token (GITHUB_TOKEN or GITHUB_TOKEN_FILE)", () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-gh-config-"));
    try {
      const d = load({});
      assert.equal(d.config.github.api, "https://api.github.com");
      assert.equal(d.config.github.budget, 0);
      assert.equal(d.config.github.maxTracksPerRoom, 25);
      assert.equal(d.config.github.maxTracksPerUser, 5);
      assert.equal(d.secrets.githubToken, undefined);
      const file = join(dir, "token");
      writeFileSync(file, "ghp_fromfile\n");
      const c = load({ NIXIE_GITHUB_API: "http://127.0.0.1:21999", NIXIE_GITHUB_BUDGET: "120", GITHUB_TOKEN_FILE: file });
      assert.equal(c.config.github.api, "http://127.0.0.1:21999");
      assert.equal(c.config.github.budget, 120);
      assert.equal(c.secrets.githubToken, "ghp_fromfile");
      assert.throws(
        () => load({ NIXIE_GITHUB_BUDGET: "lots" }),
        (e: unknown) => e instanceof ConfigError && /NIXIE_GITHUB_BUDGET/.test(e.message),
      );
      assert.throws(
        () => load({ NIXIE_GITHUB_API: "ftp://x" }),
        (e: unknown) => e instanceof ConfigError && /github.api/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("defaults to 50 an hour without a token and 4,000 with one", () => {
    assert.equal(effectiveBudget(0, false), 50);
    assert.equal(effectiveBudget(0, true), 4000);
    assert.equal(effectiveBudget(7, true), 7);
  });

  it("counts a sliding hour, gives background work only its share, and waits out what GitHub says", () => {
    let t = 0;
    const b = createGitHubBudget({ perHour: 10, backgroundPercent: 50, now: () => t });
    for (let i = 0; i < 5; i++) assert.ok(b.take("background"));
    assert.equal(b.take("background"), false);
    assert.equal(b.nextAt("background").getTime(), 3_600_000);
    for (let i = 0; i < 5; i++) assert.ok(b.take("command"));
    assert.equal(b.take("command"), false);
    t = 3_600_000;
    assert.ok(b.take("background"));
    b.blockUntil(new Date(t + 60_000));
    assert.equal(b.take("command"), false);
    assert.equal(b.nextAt("command").getTime(), t + 60_000);
    t += 60_000;
    assert.ok(b.take("command"));
  });
});
