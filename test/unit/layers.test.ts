// The upstream layer knows nothing about commands: core imports upstream types (for Services),
// so an import the other way round would make a circle.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const UPSTREAM = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "upstream");
const FORBIDDEN = [/\/core\/command\.js"/, /\/core\/dispatcher\.js"/, /\/core\/services\.js"/, /\/commands\//];

describe("layers", () => {
  it("src/upstream imports nothing about commands", () => {
    const files = readdirSync(UPSTREAM).filter((f) => f.endsWith(".ts"));
    assert.ok(files.length > 5);
    for (const f of files) {
      const imports = readFileSync(join(UPSTREAM, f), "utf8")
        .split("\n")
        .filter((l) => /^\s*(import|export)\b.*\bfrom\s+"/.test(l));
      for (const line of imports) assert.ok(!FORBIDDEN.some((re) => re.test(line)), `${f}: ${line}`);
    }
  });
});
