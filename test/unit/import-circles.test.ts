// No module in src/ or commands/ imports, directly or through others, a module that imports it
// back (issue 19). dependency-cruiser resolves the imports the way TypeScript does, with the
// project's rules (.dependency-cruiser.mjs, the same that `npm run lint:deps` applies); type-only
// imports count.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every circle among the modules under `paths` (relative to the root), as "a.ts -> b.ts -> a.ts". */
async function circles(paths: string[]): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(ROOT, ".dependency-cruiser.mjs"));
  const { output } = await cruise(paths, { ...options, baseDir: ROOT }, {}, { tsConfig: extractTSConfig(join(ROOT, "tsconfig.json")) });
  const result = output as ICruiseResult;
  assert.ok(result.summary.totalCruised > 0, `nothing cruised under ${paths.join(", ")}`);
  return result.summary.violations.filter((v) => v.rule.name === "no-circular").map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(" -> "));
}

describe("import circles", function () {
  // Loading TypeScript and reading ~150 modules takes a few seconds on a busy machine.
  this.timeout(60_000);

  it("src/ and commands/ have none", async () => {
    const found = await circles(["src", "commands"]);
    assert.deepEqual(found, [], `import circles:\n${found.join("\n")}`);
  });

  it("a circle made only of type imports counts (and a module that merely imports it does not)", async () => {
    const found = await circles(["test/fixtures/import-circle"]);
    assert.ok(found.length > 0, "the type-only circle was not found");
    for (const c of found) {
      assert.match(c, /import-circle\/a\.ts/);
      assert.match(c, /import-circle\/b\.ts/);
      assert.doesNotMatch(c, /import-circle\/c\.ts/);
    }
  });
});
