// The fn.* config keys: defaults, the two environment variables, "" switching a source off, and
// bad values named by key.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/core/errors.js";

describe("!fn config", () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { NIXIE_CONFIG: "", ...env }, ignoreLocal: true });

  it("defaults: Noogle's data file, daily, at most 30 MB in 60 s, and /usr/bin/nix", () => {
    assert.deepEqual(load({}).config.fn, {
      url: "https://noogle.dev/api/v1/data",
      siteUrl: "https://noogle.dev",
      nixpkgsUrl: "https://github.com/NixOS/nixpkgs",
      refreshHours: 24,
      maxBytes: 30_000_000,
      timeoutMs: 60_000,
      nix: "/usr/bin/nix",
    });
  });

  it('reads NIXIE_FN_URL and NIXIE_FN_NIX; a config file may switch both off with ""', () => {
    const c = load({ NIXIE_FN_URL: "http://127.0.0.1:8123/api/v1/data", NIXIE_FN_NIX: "/opt/nix/bin/nix" }).config.fn;
    assert.equal(c.url, "http://127.0.0.1:8123/api/v1/data");
    assert.equal(c.nix, "/opt/nix/bin/nix");
    const dir = mkdtempSync(join(tmpdir(), "nixie-fn-config-"));
    try {
      const file = join(dir, "c.json");
      writeFileSync(file, JSON.stringify({ fn: { url: "", nix: "" } }));
      const off = load({ NIXIE_CONFIG: file }).config.fn;
      assert.equal(off.url, "");
      assert.equal(off.nix, "");
      writeFileSync(file, JSON.stringify({ fn: { refreshHours: 0, maxBytes: "big", siteUrl: "javascript:alert(1)" } }));
      assert.throws(
        () => load({ NIXIE_CONFIG: file }),
        (e: unknown) => e instanceof ConfigError && /fn\.refreshHours/.test(e.message) && /fn\.maxBytes/.test(e.message) && /fn\.siteUrl/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(
      () => load({ NIXIE_FN_URL: "ftp://noogle.dev" }),
      (e: unknown) => e instanceof ConfigError && /fn\.url/.test(e.message),
    );
  });
});
