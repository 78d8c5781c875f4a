import assert from "node:assert/strict";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { UserError } from "../../src/core/errors.js";
import { createHttp } from "../../src/upstream/http.js";
import { createNixosSearch, type NixosSearch } from "../../src/upstream/nixos-search.js";

describe("nixos-search client: channels and links", () => {
  let search: NixosSearch;
  before(() => {
    const { config } = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true });
    const http = createHttp({ userAgent: "test", timeoutMs: 1000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 1000, cacheEntries: 10 });
    search = createNixosSearch({ config: config.search, http, log: pino({ level: "silent" }) });
  });

  it("resolves channels from config, any case, and defaults to the configured default", () => {
    assert.equal(search.channel(undefined), "unstable");
    assert.equal(search.channel(" "), "unstable");
    assert.equal(search.channel("UNSTABLE"), "unstable");
    assert.equal(search.channel("26.05"), "26.05");
    assert.deepEqual(search.channels, ["unstable", "26.05"]);
  });

  it("rejects an unknown channel with a user error that lists the valid ones", () => {
    assert.throws(
      () => search.channel("25.11"),
      (e: unknown) => e instanceof UserError && e.message === 'Unknown channel "25.11". Channels: unstable, 26.05.',
    );
    assert.throws(
      () => search.channel("x".repeat(500)),
      (e: unknown) => e instanceof UserError && e.message.length < 100,
    );
  });

  it("builds site links with encoded parameters and show=", () => {
    assert.equal(search.packagesUrl("unstable", "firefox", "firefox"), "https://search.nixos.org/packages?channel=unstable&query=firefox&show=firefox");
    assert.equal(search.packagesUrl("26.05", "a&b=c #x"), "https://search.nixos.org/packages?channel=26.05&query=a%26b%3Dc+%23x");
    assert.equal(
      search.optionsUrl("unstable", "services.nginx.enable", "nixos", "services.nginx.enable"),
      "https://search.nixos.org/options?channel=unstable&query=services.nginx.enable&show=services.nginx.enable",
    );
    assert.equal(search.optionsUrl("unstable", "git", "home-manager"), "https://search.nixos.org/options?channel=unstable&source=home_manager&query=git");
  });

  it("links NixOS option declarations to nixpkgs on the channel's branch, and nothing it cannot resolve", () => {
    assert.equal(
      search.declarationUrl("26.05", "nixos", "nixos/modules/services/web-servers/nginx/default.nix"),
      "https://github.com/NixOS/nixpkgs/blob/nixos-26.05/nixos/modules/services/web-servers/nginx/default.nix",
    );
    assert.equal(search.declarationUrl("unstable", "home-manager", "modules/programs/git.nix"), undefined);
    assert.equal(search.declarationUrl("unstable", "nixos", "../../etc/passwd"), undefined);
    assert.equal(
      search.declarationUrl("unstable", "darwin", "https://github.com/nix-darwin/nix-darwin/blob/master/modules/x.nix"),
      "https://github.com/nix-darwin/nix-darwin/blob/master/modules/x.nix",
    );
  });

  it("links a package's position to its file and line on the channel's branch, and nothing outside nixpkgs", () => {
    assert.equal(search.positionUrl("unstable", "pkgs/by-name/he/hello/package.nix:30"), "https://github.com/NixOS/nixpkgs/blob/nixos-unstable/pkgs/by-name/he/hello/package.nix#L30");
    assert.equal(search.positionUrl("26.05", "pkgs/top-level/all-packages.nix"), "https://github.com/NixOS/nixpkgs/blob/nixos-26.05/pkgs/top-level/all-packages.nix");
    assert.equal(search.positionUrl("unstable", "pkgs/a b/#?.nix:3"), undefined, "whitespace is not a nixpkgs path");
    for (const c of ["\u0000", "\u001b", "\u007f", "\u0085"]) assert.equal(search.positionUrl("unstable", `pkgs/x${c}.nix:3`), undefined, `control character U+${c.charCodeAt(0).toString(16)}`);
    assert.equal(search.positionUrl("unstable", "pkgs/x/%23?.nix:3"), "https://github.com/NixOS/nixpkgs/blob/nixos-unstable/pkgs/x/%2523%3F.nix#L3");
    assert.equal(search.positionUrl("unstable", "/nix/store/abc-source/pkgs/x.nix:1"), undefined);
    assert.equal(search.positionUrl("unstable", "pkgs/../../etc/passwd:1"), undefined);
    assert.equal(search.positionUrl("unstable", ""), undefined);
  });

  it("starts from the configured schema", () => {
    assert.equal(search.schemaFor("unstable"), 51);
  });
});
