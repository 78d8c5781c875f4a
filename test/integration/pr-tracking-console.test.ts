import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { runProcess } from "../helpers/run-process.js";

describe("PR tracking from the console (npm start)", function () {
  this.timeout(90_000);
  let dir: string;
  let gh: FakeGitHub;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-pr-console-"));
    gh = await startFakeGitHub();
  });
  after(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the console shows the branch table: printf '!pr 345678\\n' | npm start --silent against the fake", async function () {
    this.timeout(90_000);
    await gh.merge(345_678, { title: "crash test", base: "master" });
    for (const b of ["nixos-unstable-small", "nixos-unstable", "nixpkgs-unstable"]) await gh.advance(b, "master");
    const out = await runProcess("npm", ["start", "--silent"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, "npm.sqlite")}`, NIXIE_GITHUB_API: gh.url },
      input: "!pr 345678\n",
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^#345678 crash test <https:\/\/github.com\/NixOS\/nixpkgs\/pull\/345678>\n/);
    assert.match(out.stdout, / {2}master: ✅ reached\n {2}nixos-unstable-small: ✅ reached\n {2}nixos-unstable: ✅ reached\n {2}nixpkgs-unstable: ✅ reached/);
  });
});
