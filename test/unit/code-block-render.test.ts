import assert from "node:assert/strict";
import { codeBlock, textBlock, type Reply } from "../../src/core/reply.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";

const hostile = '{ a = "```\\n@everyone <b>x</b> &amp;"; b = ``` ; }\nline 2\u0007';
const reply: Reply = { blocks: [codeBlock(hostile, "nix"), textBlock("… 3 more characters")] };

describe("code blocks in replies", () => {
  it("plain: the text as is, without control characters", () => {
    assert.equal(renderPlain(reply), '{ a = "```\\n@everyone <b>x</b> &amp;"; b = ``` ; }\nline 2\n… 3 more characters');
  });

  it('Matrix: an escaped <pre><code class="language-nix">', () => {
    const html = renderMatrix(reply).formatted_body;
    assert.ok(html.startsWith('<pre><code class="language-nix">{ a = &quot;```\\n@everyone &lt;b&gt;x&lt;/b&gt; &amp;amp;&quot;; b = ``` ; }\nline 2</code></pre>'), html);
    assert.ok(!html.includes("<b>"));
    assert.equal(renderMatrix({ blocks: [codeBlock("x", 'nix" onclick="y')] }).formatted_body, "<pre><code>x</code></pre>");
  });

  it("Discord: one fenced block that the text's own backticks cannot close", () => {
    const content = renderDiscord(reply).content!;
    assert.ok(content.startsWith("```nix\n"));
    const fenceEnd = content.indexOf("\n```", 7);
    // The only ``` after the opening one is the closing fence.
    assert.equal(content.indexOf("```", 3), fenceEnd + 1);
    assert.ok(content.slice(fenceEnd + 4).startsWith("\n… 3 more characters"));
    // Copying the value loses nothing but zero-width spaces.
    assert.equal(content.slice(7, fenceEnd).replace(/\u200b/g, ""), hostile.replace("\u0007", ""));
  });

  it("Discord: a long block is cut inside its fences, within the message limit", () => {
    const content = renderDiscord({ blocks: [codeBlock("`".repeat(3000))] }).content!;
    assert.ok(content.length <= 2000);
    assert.ok(content.startsWith("```\n") && content.endsWith("\n```"));
    assert.equal(content.split("```").length, 3);
  });
});
