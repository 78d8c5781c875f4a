import assert from "node:assert/strict";
import { evalCommand, nixFlags } from "../../src/eval/sandbox.js";

const base = { nixInstantiate: "/usr/bin/nix-instantiate", prlimit: "/usr/bin/prlimit", bwrap: "/usr/bin/bwrap", memoryBytes: 1073741824, cpuSeconds: 11, nixpkgs: "" };

describe("eval sandbox command", () => {
  it("is the measured recipe: dummy store, restrict-eval, no URIs, no IFD, pure-eval, expression on stdin", () => {
    assert.deepEqual(nixFlags(""), [
      "--eval",
      "--strict",
      "--store",
      "dummy://",
      "--option",
      "restrict-eval",
      "true",
      "--option",
      "allowed-uris",
      "",
      "--option",
      "allow-import-from-derivation",
      "false",
      "--option",
      "pure-eval",
      "true",
      "-",
    ]);
  });

  it("offers nixpkgs through -I instead of pure-eval (which refuses every <…> look-up)", () => {
    const flags = nixFlags("/srv/nixpkgs");
    assert.ok(!flags.includes("pure-eval"));
    assert.deepEqual(flags.slice(-3), ["-I", "nixpkgs=/srv/nixpkgs", "-"]);
    assert.ok(flags.includes("restrict-eval"));
  });

  it("sets RLIMIT_AS and RLIMIT_CPU with prlimit around everything, with only HOME and PATH", () => {
    const c = evalCommand({ ...base, kind: "none" });
    assert.equal(c.file, "/usr/bin/prlimit");
    assert.deepEqual(c.args.slice(0, 4), ["--as=1073741824", "--cpu=11", "--", "/usr/bin/nix-instantiate"]);
    assert.deepEqual(Object.keys(c.env).sort(), ["HOME", "PATH"]);
    assert.equal(c.uid, undefined);
  });

  it("drops to the configured uid and gid when asked (nixie runs as root)", () => {
    const c = evalCommand({ ...base, kind: "none", runAs: { uid: 65534, gid: 65533 } });
    assert.equal(c.uid, 65534);
    assert.equal(c.gid, 65533);
  });

  it("wraps nix in bubblewrap: nothing shared, read-only /usr, /nix and nixpkgs, tmpfs /tmp, dies with nixie", () => {
    const c = evalCommand({ ...base, kind: "bwrap", nixpkgs: "/srv/nixpkgs" });
    const a = c.args.join(" ");
    assert.equal(c.args[3], "/usr/bin/bwrap");
    for (const part of ["--unshare-all", "--die-with-parent", "--ro-bind /usr /usr", "--ro-bind-try /nix /nix", "--tmpfs /tmp", "--ro-bind /srv/nixpkgs /srv/nixpkgs"])
      assert.ok(a.includes(part), part);
    assert.ok(!a.includes("--bind "), "nothing is bound writable");
    assert.ok(a.indexOf("-- /usr/bin/nix-instantiate") > a.indexOf("--tmpfs"));
    assert.equal(c.env["HOME"], "/tmp");
  });
});
