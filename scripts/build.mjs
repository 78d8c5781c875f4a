// npm run build: compiles src/, commands/ and scripts/ to dist/ with tsc (which also type-checks
// them), then copies the CommonJS files (*.cjs) that tsc does not emit. Plain JS, so it runs
// before anything is compiled.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc");
try {
  execFileSync(tsc, ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
} catch {
  process.stderr.write("nixie: the build failed (type errors above)\n");
  process.exit(1);
}

function copyCjs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyCjs(p);
    else if (e.name.endsWith(".cjs")) {
      const to = join(dist, relative(root, p));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(p, to);
    }
  }
}
copyCjs(join(root, "src"));
