import assert from "node:assert/strict";
import { bold, cardBlock, code, link, listBlock, rich, textBlock, type Reply } from "../../src/core/reply.js";
import { DISCORD_LIMITS, embedLength, escapeDiscord, renderDiscord } from "../../src/render/discord.js";
import { escapeHtml, renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";
import { truncate } from "../../src/render/text.js";

const hostile = `<script>alert("x")</script> & @everyone <@123> **bold** [x](https://evil) \u0007`;

const sample: Reply = {
  blocks: [
    textBlock("Found ", bold("2"), " packages for ", code("fire<fox>")),
    cardBlock({
      title: "firefox 132.0",
      url: "https://search.nixos.org/packages?query=firefox&show=firefox",
      description: rich("A web browser ", link("homepage", "https://www.mozilla.org/")),
      fields: [{ name: "Platforms", value: rich("linux, darwin"), inline: true }],
      footer: "nixos-unstable",
    }),
    listBlock([rich("one"), rich(link("two", "https://example.org/2"))], rich("More:")),
  ],
};

describe("plain renderer", () => {
  it("renders text, cards and lists readably", () => {
    assert.equal(
      renderPlain(sample),
      [
        "Found 2 packages for `fire<fox>`",
        "firefox 132.0 <https://search.nixos.org/packages?query=firefox&show=firefox>",
        "  A web browser homepage <https://www.mozilla.org/>",
        "  Platforms: linux, darwin",
        "  nixos-unstable",
        "More:",
        "• one",
        "• two <https://example.org/2>",
      ].join("\n"),
    );
  });
  it("strips control characters and never shows unsafe URLs as links", () => {
    const out = renderPlain({ blocks: [textBlock("a\u0007b\u001b[31m", link("click", "javascript:alert(1)"))] });
    assert.equal(out, "ab[31mclick");
  });
});

describe("matrix renderer", () => {
  it("produces an m.notice with plain body, escaped HTML and no mentions", () => {
    const c = renderMatrix(sample);
    assert.equal(c.msgtype, "m.notice");
    assert.equal(c.format, "org.matrix.custom.html");
    assert.deepEqual(c["m.mentions"], {});
    assert.equal(c.body, renderPlain(sample));
    assert.match(c.formatted_body, /<code>fire&lt;fox&gt;<\/code>/);
    assert.match(c.formatted_body, /<a href="https:\/\/search\.nixos\.org\/packages\?query=firefox&amp;show=firefox">firefox 132\.0<\/a>/);
    assert.match(c.formatted_body, /<ul><li>one<\/li>/);
  });
  it("escapes every piece of hostile text", () => {
    const c = renderMatrix({ blocks: [textBlock(hostile), cardBlock({ title: hostile, url: 'https://x.org/"><script>', fields: [{ name: hostile, value: rich(hostile) }] })] });
    assert.doesNotMatch(c.formatted_body, /<script>/);
    assert.doesNotMatch(c.formatted_body, /"><script>/);
    assert.match(c.formatted_body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; @everyone/);
    assert.ok(!c.formatted_body.includes("\u0007"));
  });
  it("drops javascript: links to text", () => {
    const c = renderMatrix({ blocks: [textBlock(link("x", "javascript:alert(1)"))] });
    assert.equal(c.formatted_body, "<p>x</p>");
  });
  it("escapes quotes for attributes", () => {
    assert.equal(escapeHtml(`"'<>&`), "&quot;&#39;&lt;&gt;&amp;");
  });
});

describe("discord renderer", () => {
  it("puts text in content and cards in embeds, with mentions disabled", () => {
    const p = renderDiscord(sample);
    assert.deepEqual(p.allowedMentions, { parse: [] });
    assert.equal(p.embeds.length, 1);
    assert.equal(p.embeds[0]!.title, "firefox 132.0");
    assert.equal(p.embeds[0]!.url, "https://search.nixos.org/packages?query=firefox&show=firefox");
    assert.equal(p.embeds[0]!.description, "A web browser [homepage](https://www.mozilla.org/)");
    assert.deepEqual(p.embeds[0]!.fields, [{ name: "Platforms", value: "linux, darwin", inline: true }]);
    assert.match(p.content ?? "", /^Found \*\*2\*\* packages for `fire<fox>`\nMore:\n• one\n• \[two\]\(https:\/\/example\.org\/2\)$/);
  });
  it("escapes markdown and defuses mentions in user text", () => {
    const s = escapeDiscord(hostile);
    assert.match(s, /@\u200beveryone/);
    assert.match(s, /<\u200b@123>/);
    assert.match(s, /\\\*\\\*bold\\\*\\\*/);
    assert.match(s, /\\\[x\\\]\\\(https:\/\/evil\\\)/);
    assert.ok(!s.includes("\u0007"));
  });
  it("keeps backticks from breaking out of code spans", () => {
    const p = renderDiscord({ blocks: [textBlock(code("a`b``c"))] });
    assert.equal(p.content, "`aˋbˋˋc`");
  });
  it("enforces content, title, description, field and footer limits", () => {
    const long = "word ".repeat(3000);
    const p = renderDiscord({
      blocks: [
        textBlock(long),
        cardBlock({
          title: long,
          description: rich(long),
          fields: Array.from({ length: 40 }, (_, i) => ({ name: `${i} ${long}`, value: rich(long) })),
          footer: long,
        }),
      ],
    });
    assert.ok([...(p.content ?? "")].length <= DISCORD_LIMITS.content);
    const e = p.embeds[0]!;
    assert.ok([...(e.title ?? "")].length <= DISCORD_LIMITS.title);
    assert.ok([...(e.description ?? "")].length <= DISCORD_LIMITS.description);
    assert.ok((e.fields ?? []).length <= DISCORD_LIMITS.fields);
    for (const f of e.fields ?? []) {
      assert.ok([...f.name].length <= DISCORD_LIMITS.fieldName);
      assert.ok([...f.value].length <= DISCORD_LIMITS.fieldValue);
    }
    assert.ok([...(e.footer?.text ?? "")].length <= DISCORD_LIMITS.footer);
    assert.ok(embedLength(e) <= DISCORD_LIMITS.embedTotal);
  });
  it("keeps at most 10 embeds within 6000 characters in total and says what was left out", () => {
    const cards = Array.from({ length: 14 }, (_, i) => cardBlock({ title: `card ${i}`, description: rich("x".repeat(1500)) }));
    const p = renderDiscord({ blocks: cards });
    assert.ok(p.embeds.length <= DISCORD_LIMITS.embeds);
    assert.ok(p.embeds.reduce((n, e) => n + embedLength(e), 0) <= DISCORD_LIMITS.embedTotal);
    const shown = p.embeds.length;
    assert.equal(p.content, `…and ${14 - shown} more not shown here.`);
  });
  it("leaves out links and images longer than Discord accepts", () => {
    const long = `https://example.org/${"a".repeat(2100)}`;
    const p = renderDiscord({ blocks: [textBlock(link("docs", long)), cardBlock({ title: "t", url: long, image: long, description: rich(link("more", long)) })] });
    assert.equal(p.content, "docs");
    assert.equal(p.embeds[0]!.url, undefined);
    assert.equal(p.embeds[0]!.image, undefined);
    assert.equal(p.embeds[0]!.description, "more");
  });

  it("never sends an empty message", () => {
    assert.equal(renderDiscord({ blocks: [] }).content, "…");
  });
  it("marks errors in red", () => {
    const p = renderDiscord({ blocks: [cardBlock({ title: "x" })], isError: true });
    assert.equal(p.embeds[0]!.color, 0xd9534f);
  });
});

describe("truncate", () => {
  it("cuts at a word boundary with an ellipsis and never exceeds the limit", () => {
    assert.equal(truncate("hello wonderful world", 18), "hello wonderful…");
    assert.equal(truncate("supercalifragilistic", 8), "superca…");
    assert.equal(truncate("short", 10), "short");
    assert.equal([...truncate("🦀".repeat(50), 10)].length, 10);
  });
});
