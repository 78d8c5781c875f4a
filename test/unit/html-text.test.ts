import assert from "node:assert/strict";
import { firstSentences, htmlToRich, htmlToText } from "../../src/render/html-text.js";

describe("htmlToRich", () => {
  it("keeps code, links and emphasis as spans and drops other markup", () => {
    const r = htmlToRich('<rendered-html><p>Whether to enable <code>nginx</code>. See <a href="https://nginx.org/">the docs</a> <strong>now</strong>.</p></rendered-html>');
    assert.deepEqual(r, [
      { kind: "text", text: "Whether to enable " },
      { kind: "code", text: "nginx" },
      { kind: "text", text: ". See " },
      { kind: "link", text: "the docs", url: "https://nginx.org/" },
      { kind: "text", text: " " },
      { kind: "bold", text: "now" },
      { kind: "text", text: "." },
    ]);
  });

  it("decodes entities and never lets script or unsafe links through", () => {
    const text = htmlToText('<p>a &lt;b&gt; &amp; c</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>');
    assert.equal(text, "a <b> & c\nx");
    const r = htmlToRich('<a href="javascript:alert(1)">x</a>');
    assert.ok(r.every((s) => s.kind !== "link"));
  });

  it("removes elements named by selectors and resolves relative links against a base", () => {
    const r = htmlToRich('<div class="mw-pt-languages">Other languages</div><p>Flakes <a href="/wiki/Nix">Nix</a><sup class="reference">[1]</sup></p>', {
      remove: [".mw-pt-languages", "sup.reference"],
      baseUrl: "https://wiki.nixos.org/",
    });
    assert.deepEqual(r, [
      { kind: "text", text: "Flakes " },
      { kind: "link", text: "Nix", url: "https://wiki.nixos.org/wiki/Nix" },
    ]);
  });

  it("reads a code block inside <pre> as code, not as markup", () => {
    const r = htmlToRich('<pre><code class="lang-auto">nix build .#hello\nnix run &amp;&amp; echo ok</code></pre>');
    assert.deepEqual(r, [{ kind: "code", text: "nix build .#hello ⏎ nix run && echo ok" }]);
  });

  it("folds blocks onto one line when asked", () => {
    assert.equal(htmlToText("<p>one</p>\n<p>two</p><ul><li>a</li><li>b</li></ul>", { singleLine: true }), "one two • a • b");
  });
});

describe("firstSentences", () => {
  it("cuts at a sentence boundary", () => {
    const t = "Flakes are an experimental feature. They pin inputs. A third one follows here.";
    assert.equal(firstSentences(t, 2, 200), "Flakes are an experimental feature. They pin inputs.");
    assert.equal(firstSentences(t, 3, 60), "Flakes are an experimental feature. They pin inputs.");
  });

  it("does not split on abbreviations followed by lower case, and cuts long text at a word", () => {
    assert.equal(firstSentences("Use e.g. nix build. Then run.", 1, 100), "Use e.g. nix build.");
    const huge = `${" ".repeat(5000)}${"word ".repeat(100_000)}`;
    const start = firstSentences(huge, 2, 50);
    assert.ok(start.startsWith("word word") && start.endsWith("…") && [...start].length <= 50, start);
    const long = "word ".repeat(100);
    const cut = firstSentences(long, 2, 50);
    assert.ok(cut.endsWith("…") && [...cut].length <= 50);
  });
});
