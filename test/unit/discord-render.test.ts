/**
 * Discord's limits hold for any reply: many generated replies (seeded, so failures repeat) with
 * long, hostile and multi-byte text, checked against every documented limit.
 */
import assert from "node:assert/strict";
import { bold, cardBlock, code, link, listBlock, rich, textBlock, type Block, type Reply, type RichText } from "../../src/core/reply.js";
import { DISCORD_LIMITS, embedLength, renderDiscord } from "../../src/render/discord.js";

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = ["word ", "@everyone ", "<@123> ", "**", "`", "\\", "[x](y) ", "> ", "# ", "é", "🦀", "\n", "    ", "_", "|", "~"];

function textOf(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  let s = "";
  for (let i = 0; i < n; i++) s += pieces[Math.floor(r() * pieces.length)];
  return s;
}

function richOf(r: () => number, max: number): RichText {
  const kind = r();
  const t = textOf(r, max);
  if (kind < 0.2) return rich(bold(t));
  if (kind < 0.3) return rich(code(t));
  if (kind < 0.4) return rich(link(t, "https://example.org/a(b)c d"));
  return rich(t);
}

function replyOf(r: () => number): Reply {
  const blocks: Block[] = [];
  const n = 1 + Math.floor(r() * 16);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.3) blocks.push(textBlock(...richOf(r, 400)));
    else if (k < 0.45)
      blocks.push(
        listBlock(
          Array.from({ length: Math.floor(r() * 30) }, () => richOf(r, 40)),
          richOf(r, 20),
        ),
      );
    else
      blocks.push(
        cardBlock({
          title: textOf(r, 120),
          url: "https://search.nixos.org/packages?query=x",
          description: richOf(r, 1500),
          fields: Array.from({ length: Math.floor(r() * 30) }, () => ({ name: textOf(r, 80), value: richOf(r, 300), inline: r() < 0.5 })),
          ...(r() < 0.5 ? { footer: textOf(r, 600) } : {}),
        }),
      );
  }
  return { blocks, ...(r() < 0.2 ? { isError: true } : {}) };
}

const len = (s: string | undefined): number => [...(s ?? "")].length;

/**
 * The markdown text outside code spans, with escaped characters dropped: what Discord could turn
 * into mentions. Outside code a backslash escapes the next character; inside, nothing is escaped.
 */
function outsideCode(m: string): string {
  let out = "";
  let inCode = false;
  for (let i = 0; i < m.length; i++) {
    const c = m[i]!;
    if (inCode) inCode = c !== "`";
    else if (c === "\\") i++;
    else if (c === "`") inCode = true;
    else out += c;
  }
  return out;
}

describe("Discord embed titles and field names", () => {
  it("are escaped like any upstream text: no markdown, no mass mention", () => {
    const payload = renderDiscord({ blocks: [cardBlock({ title: "#1 **bold** ||spoiler|| @everyone", fields: [{ name: "__u__", value: rich("v") }] })] });
    const e = payload.embeds[0]!;
    assert.equal(e.title, "\\#1 \\*\\*bold\\*\\* \\|\\|spoiler\\|\\| @\u200beveryone");
    assert.equal(e.fields![0]!.name, "\\_\\_u\\_\\_");
  });
});

describe("Discord renderer limits (generated replies)", () => {
  it("every payload is within Discord's message and embed limits", () => {
    const r = random(7);
    for (let round = 0; round < 100; round++) {
      const p = renderDiscord(replyOf(r));
      const at = `round ${round}`;
      assert.deepEqual(p.allowedMentions, { parse: [] }, at);
      assert.ok(p.content !== undefined || p.embeds.length > 0, `${at}: empty message`);
      assert.ok(len(p.content) <= DISCORD_LIMITS.content, `${at}: content ${len(p.content)}`);
      assert.ok(p.embeds.length <= DISCORD_LIMITS.embeds, `${at}: ${p.embeds.length} embeds`);
      assert.ok(p.embeds.reduce((n, e) => n + embedLength(e), 0) <= DISCORD_LIMITS.embedTotal, `${at}: embed total`);
      for (const e of p.embeds) {
        assert.ok(len(e.title) <= DISCORD_LIMITS.title, `${at}: title`);
        assert.ok(len(e.description) <= DISCORD_LIMITS.description, `${at}: description`);
        assert.ok((e.fields ?? []).length <= DISCORD_LIMITS.fields, `${at}: fields`);
        for (const f of e.fields ?? []) {
          assert.ok(len(f.name.trim()) >= 1 && len(f.name) <= DISCORD_LIMITS.fieldName, `${at}: field name`);
          assert.ok(len(f.value.trim()) >= 1 && len(f.value) <= DISCORD_LIMITS.fieldValue, `${at}: field value`);
        }
        assert.ok(len(e.footer?.text) <= DISCORD_LIMITS.footer, `${at}: footer`);
        // Discord rejects an embed with nothing in it.
        // (Discord trims leading and trailing whitespace before it checks.)
        assert.ok(len(e.title?.trim()) + len(e.description?.trim()) + (e.fields?.length ?? 0) + len(e.footer?.text.trim()) > 0 || e.image, `${at}: empty embed`);
      }
      // Mentions are defused wherever Discord renders markdown (embeds never ping, but content could).
      const marked = [p.content ?? "", ...p.embeds.flatMap((e) => [e.description ?? "", ...(e.fields ?? []).map((f) => f.value)])];
      for (const m of marked) assert.doesNotMatch(outsideCode(m), /@everyone|<@\d/, at);
    }
  });
});
