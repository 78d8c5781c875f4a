// truncateRich: cutting rich text (an option description, say) to a length limit, spans kept.
import assert from "node:assert/strict";
import { code, link, plainOf, rich } from "../../src/core/reply.js";
import { charLength, truncateRich } from "../../src/render/text.js";

describe("truncateRich", () => {
  it("keeps text that fits as it is", () => {
    const text = rich("Whether to enable ", code("nginx"), ".");
    assert.equal(truncateRich(text, 24), text);
    assert.equal(truncateRich(text, 100), text);
  });

  it("cuts inside a span at a word boundary and keeps the span's kind", () => {
    const out = truncateRich(rich("See ", link("the nginx documentation for every directive", "https://nginx.org/")), 20);
    assert.equal(out[1]?.kind, "link");
    assert.ok(charLength(plainOf(out)) <= 20, plainOf(out));
    assert.match(plainOf(out), /…$/);
  });

  it("never goes over the limit, not even when a span ends exactly at it", () => {
    for (const first of [300, 299, 295]) {
      const out = truncateRich(rich("a".repeat(first), code("more"), " and then some more words"), 300);
      assert.ok(charLength(plainOf(out)) <= 300, `${first}: ${charLength(plainOf(out))} characters`);
      assert.match(plainOf(out), /…$/, "says that something was left out");
    }
  });
});

describe("charLength", () => {
  it("counts code points like [...s].length: pairs once, lone surrogates once each", () => {
    const cases = ["", "abc", "🦀", "a🦀b", "🦀🦀", "\ud83e", "\udd80", "a\ud83eb", "\udd80\ud83e", "x\ud83e", "\ud83e\ud83e\udd80", "é́", "日本語"];
    for (const s of cases) assert.equal(charLength(s), [...s].length, JSON.stringify(s));
  });
});
