import assert from "node:assert/strict";
import { breakTies, locateTier } from "../../src/upstream/nixos-search-rank.js";

describe("nixos-search ranking helpers", () => {
  it("breakTies: higher score first; equal scores shorter names first, then by name (code points)", () => {
    const hits = [
      { item: "b", score: 1, name: "services.prometheus.exporters.nginx.enable" },
      { item: "c", score: 1, name: "services.nginx.enable" },
      { item: "a", score: 2, name: "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" },
      { item: "e", score: 1, name: "imagemagick" },
      { item: "d", score: 1, name: "ImageMagick" },
      { item: "f", score: 1 + 1e-9, name: "x" },
    ];
    assert.deepEqual(breakTies(hits), ["a", "f", "d", "e", "c", "b"]);
    assert.deepEqual(breakTies([...hits].reverse()), ["a", "f", "d", "e", "c", "b"], "the same order whatever order the engine sent");
  });

  it("locateTier: attribute name, then pname, then main program, then any program, then prefixes", () => {
    const c = (attrName: string, pname: string, mainProgram: string, exact = true) => ({ attrName, pname, mainProgram, exact });
    assert.equal(locateTier("Python3", c("python3", "python3", "python3")), 4);
    assert.equal(locateTier("python3", c("python312", "python3", "python3")), 3);
    assert.equal(locateTier("python3", c("python3Minimal", "python3-minimal", "python3")), 2);
    assert.equal(locateTier("python3", c("pypy3", "pypy3", "pypy3")), 1);
    assert.equal(locateTier("rg", c("ripgrep-all", "ripgrep-all", "rga", false)), 0);
  });
});
