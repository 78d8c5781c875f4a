// scripts/build.mjs in a scratch project whose "compiler" is a stand-in: it records what dist/
// held while it ran, and copies src/*.ts to the output folder it is given.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";

const FAKE_TSC = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const root = process.cwd();
const main = path.join(root, "dist", "src", "main.js");
fs.appendFileSync(path.join(root, "tsc.log"), JSON.stringify({ args: process.argv.slice(2), distMain: fs.existsSync(main) ? fs.readFileSync(main, "utf8") : null }) + "\\n");
if (fs.existsSync(path.join(root, "src", "broken.ts"))) { console.error("src/broken.ts: error TS2322"); process.exit(2); }
const i = process.argv.indexOf("--outDir");
const out = i < 0 ? path.join(root, "dist") : process.argv[i + 1];
fs.mkdirSync(path.join(out, "src"), { recursive: true });
for (const f of fs.readdirSync(path.join(root, "src"))) if (f.endsWith(".ts")) fs.copyFileSync(path.join(root, "src", f), path.join(out, "src", f.replace(/\\.ts$/, ".js")));
`;

describe("npm run build (scripts/build.mjs)", function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "nixie-build-"));
    // The compiler is called by its path in the typescript-native package (see build.mjs).
    for (const d of ["scripts", "src", join("node_modules", "typescript-native", "bin")]) mkdirSync(join(dir, d), { recursive: true });
    copyFileSync(join(projectRoot, "scripts", "build.mjs"), join(dir, "scripts", "build.mjs"));
    writeFileSync(join(dir, "tsconfig.json"), "{}");
    writeFileSync(join(dir, "tsconfig.build.json"), "{}");
    writeFileSync(join(dir, "src", "main.ts"), "v1");
    writeFileSync(join(dir, "src", "shim.cjs"), "cjs");
    writeFileSync(join(dir, "node_modules", "typescript-native", "bin", "tsc"), FAKE_TSC);
    writeFileSync(join(dir, "node_modules", "typescript-native", "package.json"), JSON.stringify({ name: "typescript", version: "7.0.0-fake" }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const build = () => spawnSync(process.execPath, [join(dir, "scripts", "build.mjs")], { cwd: dir, encoding: "utf8" });
  const runs = (): { args: string[]; distMain: string | null }[] =>
    existsSync(join(dir, "tsc.log"))
      ? readFileSync(join(dir, "tsc.log"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { args: string[]; distMain: string | null })
      : [];
  const distMain = () => readFileSync(join(dir, "dist", "src", "main.js"), "utf8");
  const leftovers = () => readdirSync(dir).filter((n) => n.startsWith(".dist-"));

  it("builds dist/, with the .cjs files", () => {
    const r = build();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(distMain(), "v1");
    assert.equal(readFileSync(join(dir, "dist", "src", "shim.cjs"), "utf8"), "cjs");
    assert.equal(runs().length, 1);
  });

  it("does nothing when the sources are unchanged, so a second npm start leaves a running dist/ alone", () => {
    const r = build();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runs().length, 1, "the compiler did not run");
    assert.equal(distMain(), "v1");
  });

  it("compiles changed sources into a fresh folder while dist/ stays whole, then swaps it in", () => {
    writeFileSync(join(dir, "src", "main.ts"), "v2");
    const r = build();
    assert.equal(r.status, 0, r.stderr);
    const last = runs().at(-1)!;
    assert.equal(runs().length, 2);
    assert.equal(last.distMain, "v1", "dist/ was complete while the compiler ran");
    assert.doesNotMatch(last.args[last.args.indexOf("--outDir") + 1] ?? "", /[/\\]dist$/);
    assert.equal(distMain(), "v2");
    assert.deepEqual(leftovers(), []);
  });

  it("leaves dist/ as it was when the build fails", () => {
    writeFileSync(join(dir, "src", "broken.ts"), "x");
    const r = build();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the build failed \(type errors above\); dist\/ is unchanged/);
    assert.equal(distMain(), "v2");
    assert.deepEqual(leftovers(), []);
    rmSync(join(dir, "src", "broken.ts"));
  });

  it("removes the work folder of a build that was killed", () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    mkdirSync(join(dir, `.dist-new-${dead}`, "src"), { recursive: true });
    writeFileSync(join(dir, "src", "main.ts"), "v3");
    assert.equal(build().status, 0);
    assert.equal(distMain(), "v3");
    assert.deepEqual(leftovers(), []);
  });
});
