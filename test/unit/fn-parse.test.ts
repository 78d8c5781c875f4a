// Noogle's data file read into !fn's entries (fixture: test/fixtures/noogle-data.json, in Noogle's
// documented shape), the Markdown parts shown, the builtins dump of a local Nix and the merge.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { UpstreamError } from "../../src/core/errors.js";
import { parseBuiltinsDump } from "../../src/fn/builtins-dump.js";
import { mergeBuiltins, type FnEntry } from "../../src/fn/entries.js";
import { firstExample, firstParagraph, inlineToRich } from "../../src/fn/markdown.js";
import { parseToEntries } from "../../src/fn/parse.js";
import { noogleFunctionUrl, noogleSearchUrl, parseNoogleData, repoRelative, sourceUrl } from "../../src/upstream/noogle.js";

const fixture = readFileSync(join(projectRoot, "test", "fixtures", "noogle-data.json"), "utf8");
const parsed = parseToEntries(fixture);
const entry = (path: string): FnEntry => {
  const e = parsed.entries.find((x) => x.path === path);
  assert.ok(e, `${path} is in the fixture`);
  return e;
};

describe("Noogle's data file", () => {
  it("reads every document, its revision and date", () => {
    assert.equal(parsed.entries.length, 15);
    assert.equal(parsed.skipped, 0);
    assert.equal(parsed.rev, "8c1f0e6d2b7a49e3a5d0c4b1f2e3d4c5b6a79801");
    assert.equal(parsed.lastModified, 1764633600);
  });

  it("a lib function: aliases, trimmed type, first paragraph, example, definition, primop arguments", () => {
    const e = entry("lib.mapAttrs");
    assert.deepEqual(e.aliases, ["lib.attrsets.mapAttrs", "builtins.mapAttrs"]);
    assert.equal(e.signature, "mapAttrs :: (String -> Any -> Any) -> AttrSet -> AttrSet");
    assert.match(e.description ?? "", /^Build a new attribute set .* returns the new value\.$/);
    assert.equal(e.example, 'mapAttrs (name: value: name + "=" + toString value) { a = 1; b = 2; }\n=> { a = "a=1"; b = "b=2"; }');
    // content_meta's position (where the docs are), not the inherit line in lib/default.nix
    assert.deepEqual(e.position, { file: "lib/attrsets.nix", line: 1187 });
    assert.deepEqual(e.args, ["f", "attrset"]);
  });

  it("a builtin: its type from builtinTypes, its example from the prose, its arguments, no position", () => {
    const e = entry("builtins.foldl'");
    assert.equal(e.signature, "foldl' :: (b -> a -> b) -> b -> [a] -> b");
    assert.equal(e.description?.endsWith("unevaluated thunks."), true, "the trailing 'Example:' is left to the code block");
    assert.equal(e.example, "builtins.foldl' (acc: x: acc * x) 1 [ 2 3 4 ]");
    assert.deepEqual(e.args, ["op", "nul", "list"]);
    assert.equal(e.position, undefined);
  });

  it("no signature, no example, no docs at all", () => {
    const noType = entry("lib.customisation.makeOverridable");
    assert.equal(noType.signature, undefined);
    assert.equal(noType.example, undefined, "no example section");
    assert.ok(noType.description);
    const id = entry("lib.trivial.id");
    assert.equal(id.example, undefined, "the Type block is not an example");
    const bare = entry("lib.fixedPoints.extends");
    assert.equal(bare.description, undefined);
    assert.deepEqual(bare.position, { file: "lib/fixed-points.nix", line: 244 });
  });

  it("a long example is cut to 8 lines and says how many are left out", () => {
    const e = entry("lib.debug.traceSeqN");
    assert.equal(e.example?.split("\n").length, 8);
    assert.equal(e.exampleCut, 6);
  });

  it("a file that is not Noogle's shape is an UpstreamError nixie cannot read", () => {
    for (const body of ["<html>maintenance</html>", "[]", '{"data": {}}', '{"data": [{"meta": {"path": "not a list"}}]}']) {
      assert.throws(
        () => parseNoogleData(body),
        (e: unknown) => e instanceof UpstreamError && e.failure === "bad-response",
        body,
      );
    }
  });

  it("leaves out malformed documents and hostile paths, and counts them", () => {
    const body = JSON.stringify({
      data: [
        { meta: { path: ["lib", "ok"], aliases: null, signature: null }, content: null },
        { meta: { path: ["lib", "with space"] } },
        { meta: { path: ["lib", "<script>"] } },
        { meta: null },
        "string",
        { meta: { path: ["lib", "odd"], aliases: [["lib", "fine"], ["bad path"], 5], signature: 12, attr_position: { file: "/etc/passwd", line: 1 } }, content: { content: 7 } },
      ],
      upstreamInfo: { rev: "not-a-rev", lastModified: "yesterday" },
    });
    const d = parseNoogleData(body);
    assert.deepEqual(
      d.docs.map((x) => x.path.join(".")),
      ["lib.ok", "lib.odd"],
    );
    assert.equal(d.skipped, 4);
    assert.deepEqual(d.docs[1]!.aliases, [["lib", "fine"]]);
    assert.equal(d.docs[1]!.signature, undefined);
    assert.equal(d.docs[1]!.position, undefined, "only store paths become repository paths");
    assert.equal(d.rev, undefined);
    assert.equal(d.lastModified, undefined);
  });

  it("store paths -> repository paths; anything else is dropped", () => {
    assert.equal(repoRelative("/nix/store/5r8x1kq0l2zv9c7dh3mn4pwa6yj0bgsf-source/lib/attrsets.nix"), "lib/attrsets.nix");
    assert.equal(repoRelative("/nix/store/5r8x1kq0l2zv9c7dh3mn4pwa6yj0bgsf-source/lib/../../etc/passwd"), undefined);
    assert.equal(repoRelative("/home/me/lib/attrsets.nix"), undefined);
    assert.equal(repoRelative("/nix/store/5r8x1kq0l2zv9c7dh3mn4pwa6yj0bgsf-source/lib/a b.nix"), undefined);
  });

  it("links: Noogle's page and search, the definition at the data's revision", () => {
    assert.equal(noogleFunctionUrl("https://noogle.dev/", ["builtins", "foldl'"]), "https://noogle.dev/f/builtins/foldl'");
    assert.equal(noogleSearchUrl("https://noogle.dev", "map attrs&x=1"), "https://noogle.dev/q?term=map%20attrs%26x%3D1");
    assert.equal(
      sourceUrl("https://github.com/NixOS/nixpkgs", "8c1f0e6d2b7a49e3a5d0c4b1f2e3d4c5b6a79801", { file: "lib/attrsets.nix", line: 1187 }),
      "https://github.com/NixOS/nixpkgs/blob/8c1f0e6d2b7a49e3a5d0c4b1f2e3d4c5b6a79801/lib/attrsets.nix#L1187",
    );
  });
});

describe("!fn Markdown", () => {
  it("the first paragraph skips headings and stops at a blank line, a heading or a fence", () => {
    assert.equal(firstParagraph("# Title\n\nOne\ntwo.\n\nThree."), "One two.");
    assert.equal(firstParagraph("Text\n```nix\nx\n```"), "Text");
    assert.equal(firstParagraph("```nix\nx\n```\nText"), undefined);
  });

  it("the first example is the first code block outside the Type section", () => {
    const md = "Doc.\n\n# Type\n\n```\nf :: a\n```\n\n# Examples\n:::{.example}\n## usage\n\n```nix\nf 1\n```\n:::";
    assert.deepEqual(firstExample(md, "f :: a"), { code: "f 1", cut: 0 });
    assert.equal(firstExample("Doc.\n\n```\nf :: a\n```", "f :: a"), undefined, "the signature itself is not an example");
  });

  it("inline Markdown becomes spans; HTML tags and scripts go, <nixpkgs> and @ stay as text", () => {
    const spans = inlineToRich("Use `f` on <b>all</b> [docs](https://nixos.org) or [evil](javascript:alert(1)) <script>alert(1)</script><nixpkgs> @room *x*");
    assert.deepEqual(spans, [
      { kind: "text", text: "Use " },
      { kind: "code", text: "f" },
      { kind: "text", text: " on all " },
      { kind: "link", text: "docs", url: "https://nixos.org" },
      { kind: "text", text: " or evil <nixpkgs> @room " },
      { kind: "italic", text: "x" },
    ]);
  });
});

describe("!fn builtins from the local Nix", () => {
  it("reads nix __dump-builtins (Nix 2.8) and __dump-language (newer), leaving out odd entries", () => {
    const old = parseBuiltinsDump(JSON.stringify({ "foldl'": { args: ["op", "nul", "list"], arity: 3, doc: "Reduce *list*.\n\n```nix\nfoldl' f 0 l\n```" }, "bad name": { args: [] }, x: 5 }));
    assert.deepEqual(Object.keys(old), ["foldl'"]);
    assert.deepEqual(old["foldl'"]!.args, ["op", "nul", "list"]);
    const lang = parseBuiltinsDump(JSON.stringify({ builtins: { map: { args: ["f", "list"], doc: "Apply." } }, constants: { true: { doc: "" } } }));
    assert.deepEqual(Object.keys(lang), ["map"]);
    assert.throws(() => parseBuiltinsDump("nope"));
  });

  it("Nix's own text wins for a builtin it knows; Noogle's type and aliases stay; a builtin Noogle lacks is added", () => {
    const merged = mergeBuiltins(parsed.entries, {
      map: { args: ["fn", "xs"], doc: "Local text for map.\n\n```nix\nmap f [ ]\n```" },
      fromTOML: { args: ["e"], doc: "Convert a TOML string." },
    });
    const map = merged.find((e) => e.path === "builtins.map")!;
    assert.equal(map.description, "Local text for map.");
    assert.equal(map.example, "map f [ ]");
    assert.deepEqual(map.args, ["fn", "xs"]);
    assert.equal(map.signature, "map :: (a -> b) -> [a] -> [b]");
    assert.deepEqual(map.aliases, ["lib.map", "lib.lists.map"]);
    assert.equal(map.from, "nix");
    assert.equal(merged.find((e) => e.path === "lib.mapAttrs")?.from, "noogle", "lib names keep nixpkgs' text");
    const toml = merged.find((e) => e.path === "builtins.fromTOML")!;
    assert.deepEqual(toml, { path: "builtins.fromTOML", aliases: [], from: "nix", description: "Convert a TOML string.", args: ["e"] });
    assert.equal(merged.length, parsed.entries.length + 1);
  });
});
