// The README's console check of !pr works as written: the fake GitHub runs on its own, prints
// its URL, and nixie's console answers !pr against it (issue 20).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { runProcess } from "../helpers/run-process.js";

describe("the fake GitHub on its own (the README's console check)", function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let dir: string;
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints its URL, and printf '!pr 345678\\n' against it shows the branch table", async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-fake-github-"));
    child = spawn(process.execPath, ["--import", "tsx", "test/helpers/fake-github.ts"], { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const line = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (line) resolve(line[1]!);
      });
      child.on("exit", (code) => reject(new Error(`the fake GitHub exited (${code}) before printing its URL`)));
    });
    const r = await runProcess(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`, NIXIE_GITHUB_API: url },
      input: "!pr 345678\n!pr NixOS/nix#1\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#345678 hello: 2\.12\.1 -> 2\.12\.2 <https:\/\/github\.com\/NixOS\/nixpkgs\/pull\/345678>\n/);
    assert.match(r.stdout, / {2}master: ✅ reached\n {2}nixos-unstable-small: ✅ reached\n {2}nixos-unstable: ✅ reached\n {2}nixpkgs-unstable: ✅ reached/);
    assert.match(r.stdout, /^NixOS\/nix#1 .*merged on 2012-05-01\): the first pull request$/m);
  });
});
