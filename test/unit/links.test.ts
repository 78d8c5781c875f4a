import assert from "node:assert/strict";
import { age } from "../../src/links/expander.js";
import { READ_LIMIT, findReferences } from "../../src/links/references.js";

const labels = (text: string, max = 3): string[] => findReferences(text, max).map((r) => `${r.repo}#${r.number}`);

describe("reference expansion: which references a message has", () => {
  it("finds nixpkgs#N, NixOS/nix#N and home-manager#N, each once, at most the maximum", () => {
    assert.deepEqual(labels("see nixpkgs#123, NixOS/nix#45 and home-manager#678"), ["NixOS/nixpkgs#123", "NixOS/nix#45", "nix-community/home-manager#678"]);
    assert.deepEqual(labels("nixpkgs#1 nixpkgs#1 NixOS/nixpkgs#1"), ["NixOS/nixpkgs#1"]);
    assert.deepEqual(labels("nixpkgs#1 nixpkgs#2 nixpkgs#3 nixpkgs#4"), ["NixOS/nixpkgs#1", "NixOS/nixpkgs#2", "NixOS/nixpkgs#3"]);
  });

  it("never reads URLs, code, quotes, bare #N or other repositories", () => {
    assert.deepEqual(labels("https://github.com/NixOS/nixpkgs/pull/1 and https://example.org/nixpkgs#2"), []);
    assert.deepEqual(labels("`nixpkgs#3` and\n```\nnixpkgs#4\n```"), []);
    assert.deepEqual(labels("> nixpkgs#5 said someone\nok"), []);
    assert.deepEqual(labels("#6 and foo/nixpkgs#7 and mynixpkgs#8 and nixpkgs#9x and nixpkgs#10/files"), []);
  });

  it("reads only the start of a long message", () => {
    const filler = "x ".repeat(READ_LIMIT);
    assert.deepEqual(labels(`nixpkgs#1 ${filler} nixpkgs#2`), ["NixOS/nixpkgs#1"]);
    assert.deepEqual(labels(`${"`".repeat(200_000)} ${filler}nixpkgs#3`), []);
  });

  it("says how old something is in words", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    assert.equal(age("2026-11-27T11:00:00Z", now), "3 days");
    assert.equal(age("2026-11-30T11:00:00Z", now), "1 hour");
    assert.equal(age("2026-11-30T11:59:50Z", now), "1 minute");
  });
});
