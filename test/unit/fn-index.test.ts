// !fn's matching table over the Noogle fixture (test/fixtures/noogle-data.json): exact paths,
// path endings, aliases, typos and names shared by different functions; and autocomplete.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { mergeBuiltins } from "../../src/fn/entries.js";
import { editDistance, FnIndex, type Match } from "../../src/fn/index.js";
import { parseToEntries } from "../../src/fn/parse.js";

const fixture = readFileSync(join(projectRoot, "test", "fixtures", "noogle-data.json"), "utf8");
const index = new FnIndex(parseToEntries(fixture).entries);

/** What a match shows, in one string: "found lib.mapAttrs", "found X, others Y", "suggest A B", "none". */
function outcome(m: Match): string {
  if (m.kind === "found") return `found ${m.entry.path}${m.others.length > 0 ? `, others ${m.others.join(" ")}` : ""}`;
  if (m.kind === "suggest") return `suggest ${m.names.join(" ")}`;
  return "none";
}

describe("!fn matching", () => {
  const table: [kind: string, query: string, expected: string][] = [
    ["exact", "lib.mapAttrs", "found lib.mapAttrs"],
    ["exact", "lib.attrsets.mapAttrs", "found lib.attrsets.mapAttrs"],
    ["exact", "builtins.mapAttrs", "found builtins.mapAttrs"],
    ["exact, a prime in the name", "builtins.foldl'", "found builtins.foldl'"],
    ["exact, any case", "LIB.MAPATTRS", "found lib.mapAttrs"],
    ["exact, in backticks", "`lib.optionals`", "found lib.optionals"],
    ["suffix: bare name, the lib one first", "mapAttrs", "found lib.mapAttrs"],
    ["suffix: bare name of a builtin", "foldl'", "found builtins.foldl'"],
    ["suffix: namespace and name", "strings.concatMapStrings", "found lib.strings.concatMapStrings"],
    ["suffix: bare name, one place", "traceSeqN", "found lib.debug.traceSeqN"],
    ["alias: a path only named as an alias", "lib.concatMapStrings", "found lib.strings.concatMapStrings"],
    ["alias: lib name of a builtin", "lib.map", "found builtins.map"],
    ["alias: bare name of an aliased builtin", "map", "found builtins.map"],
    ["ambiguous: two functions of one name", "removePrefix", "found lib.strings.removePrefix, others lib.path.removePrefix"],
    ["ambiguous: the full path shows that one only", "lib.path.removePrefix", "found lib.path.removePrefix"],
    ["optional is not optionals", "optional", "found lib.optional"],
    ["typo: a letter missing", "mapAtrs", "suggest lib.mapAttrs"],
    ["typo: two close names", "optinals", "suggest lib.optionals lib.optional"],
    ["typo: swapped letters, the nearest first", "lib.optinoal", "suggest lib.optional lib.optionals"],
    ["typo: a beginning typed", "concatMap", "suggest lib.concatMapStrings"],
    ["nothing near", "zzzzqq", "none"],
    ["empty", "   ", "none"],
    ["a sentence is only text", "how do I map over a list?", "none"],
  ];
  for (const [kind, query, expected] of table) {
    it(`${kind}: ${JSON.stringify(query)} -> ${expected}`, () => {
      assert.equal(outcome(index.lookup(query)), expected);
    });
  }

  it("suggests at most three names", () => {
    const many = new FnIndex(["mapA", "mapB", "mapC", "mapD", "mapE"].map((n) => ({ path: `lib.${n}`, aliases: [], from: "noogle" as const, description: "d" })));
    const m = many.lookup("mapX");
    assert.equal(m.kind, "suggest");
    assert.equal(m.kind === "suggest" && m.names.length, 3);
  });

  it("reads at most 100 characters of a query", () => {
    const long = `lib.mapAttrs${" ".repeat(200)}x`;
    assert.equal(outcome(index.lookup(long)), "found lib.mapAttrs");
  });

  it("a builtin only the local Nix knows is found by its name", () => {
    const merged = new FnIndex(mergeBuiltins(parseToEntries(fixture).entries, { fromTOML: { args: ["e"], doc: "Convert a TOML string to a Nix value." } }));
    assert.equal(outcome(merged.lookup("fromTOML")), "found builtins.fromTOML");
  });

  it("edit distance: transposition counts one, and stops past the limit", () => {
    assert.equal(editDistance("optinoal", "optional", 2), 1);
    assert.equal(editDistance("abc", "xyz", 1), 2);
  });

  it("edit distance (banded, common ends skipped) equals the full table on 5,000 random pairs", () => {
    const full = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
          d[i]![j] = v;
        }
      return d[a.length]![b.length]!;
    };
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const word = (): string => Array.from({ length: rnd(9) }, () => "abcx"[rnd(4)]).join("");
    for (let t = 0; t < 5000; t++) {
      const [a, b, max] = [word(), word(), 1 + rnd(3)];
      assert.equal(editDistance(a, b, max), Math.min(full(a, b), max + 1), `${a} ${b} ${max}`);
    }
  });
});

describe("!fn autocomplete", () => {
  it("paths starting with the text first, then names starting with it", () => {
    assert.deepEqual(index.complete("lib.opt"), ["lib.optional", "lib.optionals"]);
    assert.deepEqual(index.complete("concatM"), ["lib.concatMapStrings", "lib.strings.concatMapStrings"]);
  });
  it("then paths containing it; at most the number asked", () => {
    assert.ok(index.complete("Attrs").includes("lib.attrsets.mapAttrs"));
    assert.equal(index.complete("", 5).length, 5);
    assert.equal(index.complete("lib", 25).length <= 25, true);
  });
});
