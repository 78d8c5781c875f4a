// npm run build (and npm start's prestart): compiles src/, commands/ and scripts/ to dist/ with tsc
// (which also type-checks them), then copies the CommonJS files (*.cjs) that tsc does not emit.
// Plain JS, so it runs before anything is compiled.
//
// A running instance must survive a second `npm start` from the same checkout (a standby, a
// one-off console check), so dist/ is never deleted and rebuilt in place:
// - when the sources, the tsconfig files and the compiler are unchanged since the last build
//   (the fingerprint in dist/.build-id), nothing is done;
// - otherwise the build goes to a fresh folder, and only a complete build replaces dist/, by
//   renaming. A failed build leaves dist/ as it was.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const SOURCES = ["src", "commands", "scripts"];
/**
 * The compiler: TypeScript 7, installed as `typescript-native` (the package named `typescript` is
 * TypeScript 6's JS API, for the linter; see package.json). Called by its path, not through
 * node_modules/.bin/tsc: which package owns that link differs between npm versions.
 */
const tscScript = join(root, "node_modules", "typescript-native", "bin", "tsc");
function compilerPackage() {
  return join("node_modules", "typescript-native", "package.json");
}
const CONFIGS = ["tsconfig.json", "tsconfig.build.json", compilerPackage()];
const ID_FILE = ".build-id";
/** Work folders: `.dist-new-<pid>` (being built), `.dist-old-<pid>` (replaced, being removed). */
const WORK = /^\.dist-(new|old)-(\d+)$/;

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A hash of everything the build reads: source files (paths and contents), tsconfigs, the compiler's version. */
function fingerprint() {
  const hash = createHash("sha256");
  const inputs = [...SOURCES.flatMap((d) => files(join(root, d))), ...CONFIGS.map((f) => join(root, f))].sort();
  for (const path of inputs) {
    hash.update(`${relative(root, path)}\0`);
    hash.update(existsSync(path) ? readFileSync(path) : "(none)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Removes work folders left by a build that was killed. */
function removeStaleWork() {
  for (const name of readdirSync(root)) {
    const m = WORK.exec(name);
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

function copyCjs(dir, to) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyCjs(p, to);
    else if (e.name.endsWith(".cjs")) {
      const target = join(to, relative(root, p));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(p, target);
    }
  }
}

const id = fingerprint();
const idPath = join(dist, ID_FILE);
if (existsSync(idPath) && readFileSync(idPath, "utf8").trim() === id) process.exit(0);

removeStaleWork();
const fresh = join(root, `.dist-new-${process.pid}`);
rmSync(fresh, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tscScript, "-p", join(root, "tsconfig.build.json"), "--outDir", fresh], { stdio: "inherit", cwd: root });
} catch {
  rmSync(fresh, { recursive: true, force: true });
  process.stderr.write("nixie: the build failed (type errors above); dist/ is unchanged\n");
  process.exit(1);
}
copyCjs(join(root, "src"), fresh);
writeFileSync(join(fresh, ID_FILE), `${id}\n`);

// Swap: the old dist/ steps aside and the new one takes its name, two renames in a row, so
// dist/ is complete at every moment but the one between them. A running instance loads its lazy
// modules by path, so it finds them in the new dist/.
const old = join(root, `.dist-old-${process.pid}`);
try {
  renameSync(dist, old);
} catch (e) {
  if (e.code !== "ENOENT") throw e;
}
try {
  renameSync(fresh, dist);
} catch (e) {
  // Another build swapped its dist/ in first: it is as new as this one.
  if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
  rmSync(fresh, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
