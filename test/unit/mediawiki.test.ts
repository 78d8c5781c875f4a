// The MediaWiki client's pure parts (title ranking, translations, intros, decoding) on payloads in
// the shapes wiki.nixos.org answers with, and the !wiki reply built from a lookup.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wikiReply } from "../../commands/wiki.js";
import { renderPlain } from "../../src/render/plain.js";
import { decodeOpenSearch, decodePages, decodeSearch, introFromDescription, introFromSectionHtml, isLanguageCode, rankTitles, titleMatch, translationOf } from "../../src/upstream/mediawiki.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
const API = "https://wiki.nixos.org/w/api.php";

describe("mediawiki: titles", () => {
  it("recognises translation subpages by a language-code last segment", () => {
    assert.deepEqual(translationOf("Flakes/de"), { base: "Flakes", lang: "de" });
    assert.deepEqual(translationOf("Flakes/zh-hans"), { base: "Flakes", lang: "zh-hans" });
    assert.deepEqual(translationOf("NixOS/Installation guide/pt-br"), { base: "NixOS/Installation guide", lang: "pt-br" });
    assert.equal(translationOf("Flakes"), undefined);
    assert.equal(translationOf("NixOS/Installation guide"), undefined);
    assert.equal(translationOf("Rust/Cargo"), undefined);
  });

  it("accepts language codes and refuses anything else", () => {
    for (const ok of ["de", "ja", "zh-hans", "pt-br", "yue"]) assert.equal(isLanguageCode(ok), true, ok);
    for (const bad of ["", "d", "deutsch", "de_DE", "DE", "de/x", "../x", "de-"]) assert.equal(isLanguageCode(bad), false, bad);
  });

  it("tells exact, near-exact and other titles apart", () => {
    assert.equal(titleMatch("flakes", "Flakes"), 2);
    assert.equal(titleMatch("home_manager", "Home Manager"), 2);
    assert.equal(titleMatch("  Home   manager ", "Home Manager"), 2);
    assert.equal(titleMatch("flake", "Flakes"), 1);
    assert.equal(titleMatch("hom manager", "Home Manager"), 1);
    assert.equal(titleMatch("nix", "NixOS"), 0);
    assert.equal(titleMatch("flakes", "Flake templates"), 0);
    assert.equal(titleMatch("", "Flakes"), 0);
  });

  it("ranks an exact prefix-search title above the full-text order", () => {
    const fulltext = ["NixOS system configuration", "Nix command", "Flakes"];
    assert.deepEqual(rankTitles("flakes", ["Flakes", "Flakes/de"], fulltext)[0], "Flakes");
    // a redirect title that matches exactly wins too (it is resolved later)
    assert.equal(rankTitles("nix flakes", ["Nix flakes", "Nix command"], ["Nix command", "Flakes"])[0], "Nix flakes");
  });

  it("ranks a full-text hit whose title matches above better-ranked hits", () => {
    // prefix search is case-sensitive after the first letter, so "home manager" finds no prefix
    assert.deepEqual(rankTitles("home manager", [], ["NixOS", "Home Manager", "Flakes"]), ["Home Manager", "NixOS", "Flakes"]);
  });

  it("puts titles that begin with the query's words before full-text rank, then the rest", () => {
    assert.deepEqual(rankTitles("nix", ["NixOS", "Nix command"], ["Flake templates", "Nix command", "NixOS"]), ["Nix command", "Flake templates", "NixOS"]);
  });

  it("keeps the full-text order when no title matches", () => {
    const search = fixture("mediawiki-search-flakes.json");
    const { titles } = decodeSearch(search, API);
    assert.deepEqual(rankTitles("reproducible builds", [], titles), ["Flakes", "NixOS system configuration", "Nix command", "Home Manager"]);
  });

  it("drops translation subpages unless --lang names their language", () => {
    const prefix = decodeOpenSearch(fixture("mediawiki-opensearch-flakes.json"));
    assert.deepEqual(rankTitles("flakes", prefix, []), ["Flakes"]);
    assert.deepEqual(rankTitles("flakes", prefix, [], "ja"), ["Flakes", "Flakes/ja"]);
    assert.deepEqual(rankTitles("flakes", prefix, [], "en"), ["Flakes"]);
  });
});

describe("mediawiki: intros", () => {
  it("takes the lead of a parsed section without language bar, boxes and references", () => {
    const parsed = fixture("mediawiki-parse-flakes-intro.json") as { parse: { text: string } };
    const intro = introFromSectionHtml(parsed.parse.text);
    assert.match(intro, /^Nix flakes are an experimental feature first introduced in the 2\.4 Nix release, aiming/);
    assert.match(intro, /reproducible Nix expressions\. A flake is a directory which directly contains a Nix file called flake\.nix, that follows a very specific structure\.$/);
    for (const junk of ["Other languages", "Deutsch", "cleanup", "[1]", "Reference Manual", "↑"]) assert.ok(!intro.includes(junk), `intro contains ${junk}: ${intro}`);
  });

  it("skips infoboxes, hatnotes, styles, empty paragraphs and navboxes around the lead", () => {
    const parsed = fixture("mediawiki-parse-home-manager-intro.json") as { parse: { text: string } };
    const intro = introFromSectionHtml(parsed.parse.text);
    assert.ok(intro.startsWith("Home Manager allows you to manage your user configuration (dotfiles, user packages, services) declaratively, using the Nix language."), intro);
    assert.ok(intro.endsWith("Its options are listed in the Home Manager manual."), `three sentences at most: ${intro}`);
    for (const junk of ["français", "User environment manager", "confused", "float", "·", "[1]", "README"]) assert.ok(!intro.includes(junk), `intro contains ${junk}: ${intro}`);
  });

  it("cuts at a sentence boundary within the length limit", () => {
    const long = `<div class="mw-parser-output"><p>${"This sentence is long enough to matter here. ".repeat(20)}</p></div>`;
    const intro = introFromSectionHtml(long);
    assert.ok(intro.length <= 500, String(intro.length));
    assert.match(intro, /matter here\.$/);
  });

  it("finds paragraphs inside one more wrapper, but not inside boxes", () => {
    const html =
      '<div class="mw-parser-output"><div lang="de" dir="ltr" class="mw-content-ltr">' +
      '<table class="wikitable"><tr><td><p>In a table.</p></td></tr></table><div class="hatnote"><p>A hatnote.</p></div>' +
      "<p>The lead. It goes on.</p></div></div>";
    assert.equal(introFromSectionHtml(html), "The lead. It goes on.");
  });

  it("gives an empty intro for a section with no paragraphs", () => {
    assert.equal(introFromSectionHtml('<div class="mw-parser-output"><table class="infobox"><tr><td>x</td></tr></table></div>'), "");
  });

  it("uses a description property as plain text, decoding entities only when present", () => {
    assert.equal(introFromDescription("Use a &lt;code&gt; tag &amp; more. Second one."), "Use a <code> tag & more. Second one.");
    assert.equal(introFromDescription("5 < 6 and that is all."), "5 < 6 and that is all.");
    assert.equal(introFromDescription("   "), "");
  });
});

describe("mediawiki: decoding", () => {
  it("reads opensearch titles and ignores what is not a title", () => {
    assert.deepEqual(decodeOpenSearch(fixture("mediawiki-opensearch-flakes.json")), ["Flakes", "Flakes/de", "Flakes/fr", "Flakes/ja", "Flakes/zh"]);
    assert.deepEqual(decodeOpenSearch({ error: { code: "x" } }), []);
    assert.deepEqual(decodeOpenSearch(["q", ["A", 3, null, "B"]]), ["A", "B"]);
  });

  it("reads full-text hits, the total, a suggestion and index.php from siteinfo", () => {
    const plain = decodeSearch(fixture("mediawiki-search-flakes.json"), API);
    assert.equal(plain.titles.length, 5);
    assert.equal(plain.totalhits, 187);
    assert.equal(plain.suggestion, undefined);
    assert.equal(plain.indexUrl, undefined);
    const suggested = decodeSearch(fixture("mediawiki-search-flaks-suggestion.json"), API);
    assert.deepEqual(suggested.titles, []);
    assert.equal(suggested.suggestion, "flakes");
    assert.equal(suggested.indexUrl, "https://wiki.nixos.org/w/index.php");
  });

  it("resolves a protocol-relative server against the API URL", () => {
    const d = decodeSearch({ query: { search: [], general: { server: "//wiki.example.org", script: "/w/index.php" } } }, "https://x.test/w/api.php");
    assert.equal(d.indexUrl, "https://wiki.example.org/w/index.php");
  });

  it("reads pages with their fullurl and description, redirects and normalised titles; drops missing ones", () => {
    const { resolve, pages } = decodePages(fixture("mediawiki-pages-flakes.json"));
    assert.equal(resolve.get("Nix flakes"), "Flakes");
    assert.equal(resolve.get("flakes"), "Flakes");
    assert.deepEqual([...pages.keys()], ["Flakes", "NixOS system configuration", "Nix command"]);
    assert.equal(pages.get("Flakes")?.url, "https://wiki.nixos.org/wiki/Flakes");
    assert.match(pages.get("Flakes")?.description ?? "", /^Nix flakes are an experimental feature/);
    assert.equal(pages.get("Nix command")?.description, undefined, "an empty description is no description");
    assert.equal(pages.get("Flakes")?.pageid, 1293);
  });

  it("drops pages without a fullurl (an answer asked without inprop=url): nixie could not link them", () => {
    const { pages } = decodePages(fixture("mediawiki-pageprops-flakes.json"));
    // this answer was asked without inprop=url: no link, so no page nixie could show
    assert.equal(pages.size, 0);
  });
});

describe("!wiki reply", () => {
  const searchUrl = "https://wiki.nixos.org/w/index.php?search=flaks&title=Special%3ASearch&fulltext=1";

  it("shows the title with its link, the intro, then other titles as links", () => {
    const text = renderPlain(
      wikiReply(
        "flakes",
        {
          best: { title: "Flakes", url: "https://wiki.nixos.org/wiki/Flakes", intro: "Nix flakes are an experimental feature." },
          others: [
            { title: "Nix command", url: "https://wiki.nixos.org/wiki/Nix_command" },
            { title: "Home Manager", url: "https://wiki.nixos.org/wiki/Home_Manager" },
          ],
          searchUrl,
        },
        "!",
      ),
    );
    assert.equal(
      text,
      [
        "Flakes <https://wiki.nixos.org/wiki/Flakes>",
        "  Nix flakes are an experimental feature.",
        "Also: Nix command <https://wiki.nixos.org/wiki/Nix_command>, Home Manager <https://wiki.nixos.org/wiki/Home_Manager>",
      ].join("\n"),
    );
  });

  it("leaves out an empty intro and an empty list of others", () => {
    const text = renderPlain(wikiReply("x", { best: { title: "X", url: "https://wiki.nixos.org/wiki/X", intro: "" }, others: [], searchUrl }, "!"));
    assert.equal(text, "X <https://wiki.nixos.org/wiki/X>");
  });

  it("says when nothing matched, with the API's suggestion and the wiki's search link", () => {
    const text = renderPlain(wikiReply("flaks", { others: [], suggestion: "flakes", searchUrl }, "!"));
    assert.equal(text, `Nothing on the wiki matches “flaks”. Did you mean \`!wiki flakes\`? Search the wiki: ${searchUrl}`);
    const slash = renderPlain(wikiReply("flaks", { others: [], suggestion: "flakes", searchUrl }, "/"));
    assert.match(slash, /Did you mean `\/wiki query:flakes`\?/, "a slash command's syntax");
    const none = renderPlain(wikiReply("flaks", { others: [], searchUrl }, "?"));
    assert.equal(none, `Nothing on the wiki matches “flaks”. Search the wiki: ${searchUrl}`);
  });
});
