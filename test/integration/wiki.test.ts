// !wiki through the whole bot against a loopback fake of wiki.nixos.org's API, and the client's
// behaviour on the wiki's failures (429, timeouts, API error objects).
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { UpstreamError } from "../../src/core/errors.js";
import { renderPlain } from "../../src/render/plain.js";
import { createHttp, type Http, type HttpRequest } from "../../src/upstream/http.js";
import { createMediaWiki } from "../../src/upstream/mediawiki.js";
import { sendJson, startLoopback, type Loopback, type RecordedRequest } from "../helpers/loopback.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const fixture = <T = unknown>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;

interface FakePage {
  readonly title: string;
  readonly pageid: number;
  readonly description?: string;
  /** HTML of the parsed lead section. */
  readonly lead?: string;
  readonly redirectTo?: string;
}

const flakesLead = fixture<{ parse: { text: string } }>("mediawiki-parse-flakes-intro.json").parse.text;
const homeManagerLead = fixture<{ parse: { text: string } }>("mediawiki-parse-home-manager-intro.json").parse.text;
const flakesDescription = fixture<{ query: { pages: { pageprops: { description: string } }[] } }>("mediawiki-pageprops-flakes.json").query.pages[0]!.pageprops.description;
const general = fixture<{ query: { general: unknown } }>("mediawiki-siteinfo-general.json").query.general;

const PAGES: readonly FakePage[] = [
  { title: "Flakes", pageid: 1293, description: flakesDescription, lead: flakesLead },
  { title: "Flakes/de", pageid: 14701, lead: '<div class="mw-parser-output"><p>Nix Flakes sind eine experimentelle Funktion.</p></div>' },
  { title: "Flakes/ja", pageid: 14702, lead: '<div class="mw-parser-output"><p>Nix flakesはNixの実験的な機能です。</p></div>' },
  { title: "Nix flakes", pageid: 3001, redirectTo: "Flakes" },
  { title: "NixOS system configuration", pageid: 1020, lead: '<div class="mw-parser-output"><p>How a NixOS system is configured.</p></div>' },
  { title: "Nix command", pageid: 1451, lead: '<div class="mw-parser-output"><p>The new nix command line interface.</p></div>' },
  { title: "Home Manager", pageid: 1077, lead: homeManagerLead },
  { title: "Orphan", pageid: 4040 },
];

/** Links the fake hands out; nixie cannot build them itself, so seeing them proves it used fullurl. */
const fullurl = (title: string): string => `https://wiki.nixos.org/view/${encodeURIComponent(title.replace(/ /g, "_"))}`;

const ucfirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A small MediaWiki: opensearch, list=search (+ siteinfo), titles with redirects, parse. */
function fakeWiki(req: RecordedRequest, res: ServerResponse): void {
  const q = req.query;
  if (req.path !== "/w/api.php") return sendJson(res, 404, { error: "not found" });
  const action = q.get("action");
  if (action === "opensearch") {
    const search = q.get("search") ?? "";
    const limit = Number(q.get("limit") ?? "10");
    // like MediaWiki's prefix search: case-insensitive on the first letter only
    const titles = PAGES.map((p) => p.title)
      .filter((t) => search !== "" && t.startsWith(ucfirst(search)))
      .slice(0, limit);
    return sendJson(res, 200, [search, titles, titles.map(() => ""), titles.map(fullurl)]);
  }
  if (action === "query" && q.get("list") === "search") {
    const search = q.get("srsearch") ?? "";
    let answer: { query: Record<string, unknown> };
    if (search === "flakes") answer = fixture("mediawiki-search-flakes.json");
    else if (search === "flaks") answer = fixture("mediawiki-search-flaks-suggestion.json");
    else {
      const words = search.toLowerCase().split(/\s+/);
      const hits = PAGES.filter((p) => p.redirectTo === undefined && words.every((w) => `${p.title} ${p.lead ?? ""}`.toLowerCase().includes(w)));
      answer = { query: { searchinfo: { totalhits: hits.length }, search: hits.map((p) => ({ ns: 0, title: p.title, pageid: p.pageid })) } };
    }
    if (q.get("meta") === "siteinfo") answer.query["general"] = general;
    return sendJson(res, 200, { batchcomplete: true, ...answer });
  }
  if (action === "query" && q.has("titles")) {
    const normalized: { fromencoded: boolean; from: string; to: string }[] = [];
    const redirects: { from: string; to: string }[] = [];
    const pages: unknown[] = [];
    for (const asked of (q.get("titles") ?? "").split("|")) {
      let title = ucfirst(asked.replace(/_/g, " "));
      if (title !== asked) normalized.push({ fromencoded: false, from: asked, to: title });
      let page = PAGES.find((p) => p.title === title);
      if (page?.redirectTo !== undefined && q.get("redirects") === "1") {
        redirects.push({ from: title, to: page.redirectTo });
        title = page.redirectTo;
        page = PAGES.find((p) => p.title === title);
      }
      if (!page) {
        pages.push({ ns: 0, title, missing: true, contentmodel: "wikitext", fullurl: fullurl(title) });
        continue;
      }
      pages.push({
        pageid: page.pageid,
        ns: 0,
        title: page.title,
        contentmodel: "wikitext",
        pagelanguage: "en",
        fullurl: fullurl(page.title),
        editurl: `${fullurl(page.title)}?action=edit`,
        canonicalurl: fullurl(page.title),
        ...(page.description === undefined ? {} : { pageprops: { description: page.description } }),
      });
    }
    const query: Record<string, unknown> = { pages };
    if (normalized.length > 0) query["normalized"] = normalized;
    if (redirects.length > 0) query["redirects"] = redirects;
    return sendJson(res, 200, { batchcomplete: true, query });
  }
  if (action === "parse") {
    const page = PAGES.find((p) => String(p.pageid) === q.get("pageid"));
    if (!page) return sendJson(res, 200, { error: { code: "nosuchpageid", info: `There is no page with ID ${q.get("pageid")}.` } });
    if (page.lead === undefined) return sendJson(res, 200, fixture("mediawiki-error-missingtitle.json"));
    return sendJson(res, 200, { parse: { title: page.title, pageid: page.pageid, text: page.lead } });
  }
  return sendJson(res, 200, { error: { code: "badvalue", info: `Unrecognized value for parameter "action": ${action}.` } });
}

describe("!wiki against a fake wiki.nixos.org", function () {
  let wiki: Loopback;
  let bot: TestBot;
  let api: string;
  const requestsOf = (action: string): RecordedRequest[] => wiki.requests.filter((r) => r.query.get("action") === action);

  let configDir: string;

  before(() => {
    // the fastest pace config allows, so the tests wait less (the pace itself is tested below: "paces its requests")
    configDir = mkdtempSync(join(tmpdir(), "nixie-wiki-"));
    writeFileSync(join(configDir, "wiki.json"), JSON.stringify({ wiki: { maxRequestsPerSecond: 9 } }));
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  beforeEach(async () => {
    wiki = await startLoopback(fakeWiki);
    api = `${wiki.url}/w/api.php`;
    bot = await startTestBot({ NIXIE_WIKI_API: api, NIXIE_CONFIG: join(configDir, "wiki.json") });
  });
  afterEach(async () => {
    await bot.stop();
    await wiki.close();
  });

  it("answers with the exact title, its description as intro, its fullurl and other titles", async () => {
    const text = await bot.ask("!wiki flakes");
    const lines = text.split("\n");
    assert.equal(lines[0], `Flakes <${fullurl("Flakes")}>`);
    assert.match(lines[1]!, /^ {2}Nix flakes are an experimental feature first introduced in the 2\.4 Nix release, aiming to address/);
    assert.equal(lines[2], `Also: NixOS system configuration <${fullurl("NixOS system configuration")}>, Nix command <${fullurl("Nix command")}>, Home Manager <${fullurl("Home Manager")}>`);
    assert.ok(!text.includes("Flakes/"), "no translation subpages");
    assert.equal(requestsOf("parse").length, 0, "the description made parsing unnecessary");
  });

  it("asks politely: JSON format version 2, the User-Agent, text search, no TextExtracts", async () => {
    await bot.ask("!wiki flakes");
    assert.ok(wiki.requests.length >= 3);
    for (const r of wiki.requests) {
      assert.equal(r.method, "GET");
      assert.equal(r.query.get("format"), "json");
      assert.equal(r.query.get("formatversion"), "2");
      assert.match(String(r.headers["user-agent"]), /^nixie\/\d+\.\d+\.\d+ \(\+https?:\/\/\S+\)$/);
      assert.notEqual(r.query.get("prop"), "extracts");
    }
    const search = requestsOf("query").find((r) => r.query.get("list") === "search")!;
    assert.equal(search.query.get("srwhat"), "text");
    assert.equal(search.query.get("srnamespace"), "0");
    assert.equal(requestsOf("opensearch")[0]!.query.get("redirects"), "return");
  });

  it("falls back to the parsed lead section when the page has no description", async () => {
    const text = await bot.ask("!wiki Home Manager");
    const lines = text.split("\n");
    assert.equal(lines[0], `Home Manager <${fullurl("Home Manager")}>`);
    assert.equal(
      lines[1],
      "  Home Manager allows you to manage your user configuration (dotfiles, user packages, services) declaratively, using the Nix language. It works on NixOS, other Linux distributions and macOS, as a module or standalone. Its options are listed in the Home Manager manual.",
    );
    const parse = requestsOf("parse");
    assert.equal(parse.length, 1);
    assert.equal(parse[0]!.query.get("pageid"), "1077");
    assert.equal(parse[0]!.query.get("section"), "0");
  });

  it("prefers an exact title found only by full-text search over better-ranked hits", async () => {
    // prefix search is case-sensitive after the first letter: "home manager" finds nothing there
    const text = await bot.ask("!wiki home manager");
    assert.match(text, /^Home Manager </);
  });

  it("resolves a redirect title and links the target page", async () => {
    const text = await bot.ask("!wiki nix flakes");
    assert.match(text.split("\n")[0]!, new RegExp(`^Flakes <${fullurl("Flakes").replace(/[.?/]/g, "\\$&")}>$`));
    assert.ok(!/Also: .*Flakes </.test(text), "the redirect does not appear again as another title");
  });

  it("prefers the translation asked for with --lang", async () => {
    const text = await bot.ask("!wiki flakes --lang ja");
    const lines = text.split("\n");
    assert.equal(lines[0], `Flakes/ja <${fullurl("Flakes/ja")}>`);
    assert.equal(lines[1], "  Nix flakesはNixの実験的な機能です。");
    assert.ok(!text.includes("Flakes/de"), "other languages stay out");
  });

  it("finds the translation of the page a redirect leads to", async () => {
    const text = await bot.ask("!wiki nix flakes --lang de");
    const lines = text.split("\n");
    assert.equal(lines[0], `Flakes/de <${fullurl("Flakes/de")}>`);
    assert.equal(lines[1], "  Nix Flakes sind eine experimentelle Funktion.");
  });

  it("keeps the English page when the asked translation does not exist", async () => {
    const text = await bot.ask("!wiki Home Manager --lang de");
    assert.match(text, /^Home Manager </);
  });

  it("refuses a --lang that is not a language code, without asking the wiki", async () => {
    const text = await bot.ask("!wiki flakes --lang ../../etc");
    assert.equal(text, "--lang takes a language code such as de, ja or pt-br.");
    const slash = await bot.bot.dispatcher.invoke(
      { room: { platform: "test", id: "room1" }, user: { id: "carol" }, text: "", canManageRoom: async () => false, slash: true },
      "wiki",
      new Map([
        ["query", "flakes"],
        ["lang", "../../etc"],
      ]),
    );
    assert.equal(renderPlain(slash!), "lang: takes a language code such as de, ja or pt-br.");
    assert.equal(wiki.requests.length, 0);
  });

  it("says when nothing matches, offering the API's suggestion and the wiki's own search", async () => {
    const text = await bot.ask("!wiki flaks");
    assert.equal(text, "Nothing on the wiki matches “flaks”. Did you mean `!wiki flakes`? Search the wiki: https://wiki.nixos.org/w/index.php?search=flaks&title=Special%3ASearch&fulltext=1");
  });

  it("builds the search link from the API address when siteinfo is missing", async () => {
    wiki.handle((req, res) => {
      if (req.query.get("list") === "search") return sendJson(res, 200, { batchcomplete: true, query: { search: [] } });
      return fakeWiki(req, res);
    });
    const text = await bot.ask("!wiki zzz qqq");
    assert.equal(text, `Nothing on the wiki matches “zzz qqq”. Search the wiki: ${wiki.url}/w/index.php?search=zzz+qqq&title=Special%3ASearch&fulltext=1`);
  });

  it("passes the query as one parameter value, whatever it contains", async () => {
    const query = 'a&b|c=d "quoted" #x %20';
    await bot.ask(`!wiki ${query}`);
    const open = requestsOf("opensearch")[0]!;
    assert.equal(open.query.get("search"), "a&b|c=d quoted #x %20");
    assert.equal(open.query.get("action"), "opensearch");
    assert.equal(requestsOf("query")[0]!.query.get("srsearch"), "a&b|c=d quoted #x %20");
  });

  it("shows the page without an intro when the lead cannot be parsed", async () => {
    const text = await bot.ask("!wiki orphan");
    assert.equal(text, `Orphan <${fullurl("Orphan")}>`);
  });

  it("caches answers: the same question again asks the wiki nothing", async () => {
    const first = await bot.ask("!wiki flakes");
    const n = wiki.requests.length;
    const second = await bot.ask("!wiki flakes", { user: "bob" });
    assert.equal(second, first);
    assert.equal(wiki.requests.length, n);
  });

  it("completes titles from opensearch, without translations, at most 25", async () => {
    const choices = await bot.bot.dispatcher.complete("wiki", "query", "fla", "test");
    assert.deepEqual(choices, [{ name: "Flakes", value: "Flakes" }]);
    const open = requestsOf("opensearch")[0]!;
    assert.equal(open.query.get("search"), "fla");
    assert.ok(Number(open.query.get("limit")) <= 50);
    assert.deepEqual(await bot.bot.dispatcher.complete("wiki", "query", "   ", "test"), []);
  });

  it("reports an API error object as the wiki not answering, with the search link", async () => {
    wiki.handle((_req, res) => sendJson(res, 200, { error: { code: "internal_api_error_DBQueryError", info: "Database query error." } }));
    const text = await bot.ask("!wiki flakes");
    assert.equal(text, `${new URL(api).host} did not answer, try again in a minute. Search the wiki yourself: ${wiki.url}/w/index.php?search=flakes&title=Special%3ASearch&fulltext=1`);
  });

  it("marks itself slow and lists --lang in its help", async () => {
    assert.equal(bot.bot.dispatcher.find("wiki")?.slow, true);
    const help = await bot.ask("!help wiki");
    assert.match(help, /--lang/);
  });
});

describe("mediawiki client on failures", () => {
  let wiki: Loopback;
  const sleeps: number[] = [];
  const log = pino({ level: "silent" });
  const config = (api: string) => ({ wiki: { api, cacheTtlSeconds: 3600, maxRequestsPerSecond: 9 } });
  const makeHttp = (timeoutMs = 2000): Http =>
    createHttp({
      userAgent: "nixie-test/1.0 (+https://example.org/nixie)",
      timeoutMs,
      retries: 2,
      maxRetryWaitMs: 5000,
      maxResponseBytes: 100_000,
      cacheEntries: 100,
      // waits are recorded and kept short
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, 2));
      },
    });

  beforeEach(async () => {
    sleeps.length = 0;
    wiki = await startLoopback(fakeWiki);
  });
  afterEach(async () => {
    await wiki.close();
  });

  it("waits as long as a 429's Retry-After says, then succeeds", async () => {
    let limited = 0;
    wiki.handle((req, res) => {
      if (limited < 1) {
        limited++;
        res.writeHead(429, { "retry-after": "1", "content-type": "text/html" });
        res.end("<html><body>429 Too Many Requests</body></html>");
        return;
      }
      fakeWiki(req, res);
    });
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(), log });
    const found = await mw.lookup("flakes");
    assert.equal(found.best?.title, "Flakes");
    assert.deepEqual(sleeps, [1000]);
  });

  it("gives up on a wiki that keeps answering 429, as rate-limited, with the search link", async () => {
    wiki.handle((_req, res) => {
      res.writeHead(429, { "retry-after": "0" });
      res.end();
    });
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(), log });
    await assert.rejects(mw.lookup("flakes"), (e: unknown) => {
      assert.ok(e instanceof UpstreamError);
      assert.equal(e.failure, "rate-limited");
      assert.equal(e.status, 429);
      assert.equal(e.hintUrl, `${wiki.url}/w/index.php?search=flakes&title=Special%3ASearch&fulltext=1`);
      return true;
    });
  });

  it("times out with a typed error", async () => {
    wiki.handle(() => undefined); // never answers
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(200), log });
    await assert.rejects(mw.lookup("flakes"), (e: unknown) => e instanceof UpstreamError && e.failure === "timeout" && e.service === new URL(wiki.url).host);
  });

  it("turns an API error object into an outage (status) error naming the code", async () => {
    wiki.handle((_req, res) => sendJson(res, 200, fixture("mediawiki-error-missingtitle.json")));
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(), log });
    await assert.rejects(mw.lookup("flakes"), (e: unknown) => e instanceof UpstreamError && e.failure === "status" && /missingtitle/.test(e.message));
  });

  it("sends every request through one pace limiter and the configured cache time", async () => {
    const seen: HttpRequest[] = [];
    const inner = makeHttp();
    const recording: Http = { ...inner, request: (r) => (seen.push(r), inner.request(r)), json: (r) => (seen.push(r), inner.json(r)) };
    const mw = createMediaWiki({ config: { wiki: { api: `${wiki.url}/w/api.php`, cacheTtlSeconds: 120, maxRequestsPerSecond: 9 } }, http: recording, log });
    await mw.lookup("home manager");
    await mw.complete("Fla");
    assert.ok(seen.length >= 4, String(seen.length));
    assert.ok(seen[0]!.limiter !== undefined);
    for (const r of seen) {
      assert.equal(r.limiter, seen[0]!.limiter, "one limiter for the whole wiki");
      assert.equal(r.cacheTtlMs, 120_000);
    }
  });

  it("paces its requests at wiki.maxRequestsPerSecond", async () => {
    const arrivals: number[] = [];
    wiki.handle((req, res) => {
      arrivals.push(Date.now());
      fakeWiki(req, res);
    });
    const mw = createMediaWiki({ config: { wiki: { api: `${wiki.url}/w/api.php`, cacheTtlSeconds: 3600, maxRequestsPerSecond: 5 } }, http: makeHttp(), log });
    await mw.lookup("home manager"); // opensearch and search together, then pages, then parse
    assert.equal(arrivals.length, 4);
    // Measured from the first arrival (each arrival jitters a little, starts are 200 ms apart).
    for (let i = 1; i < arrivals.length; i++) assert.ok(arrivals[i]! - arrivals[0]! >= i * 200 - 40, `arrivals: ${arrivals.map((t) => t - arrivals[0]!).join(", ")} ms`);
  });

  it("autocomplete asks once, without retries: a late answer is of no use to Discord", async () => {
    wiki.handle((_req, res) => {
      res.writeHead(503, { "retry-after": "0" });
      res.end();
    });
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(), log });
    await assert.rejects(mw.complete("fla"), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    assert.equal(wiki.requests.length, 1);
    assert.deepEqual(sleeps, []);
  });

  it("autocomplete gives up by the caller's deadline (Discord's 3 seconds), whatever the request timeout", async () => {
    wiki.handle(() => undefined); // never answers
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(8000), log });
    const started = Date.now();
    await assert.rejects(mw.complete("fla", 25, { deadline: started + 2500 }), (e: unknown) => e instanceof UpstreamError && e.failure === "timeout");
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
  });

  it("completes with at most the asked number of titles", async () => {
    const mw = createMediaWiki({ config: config(`${wiki.url}/w/api.php`), http: makeHttp(), log });
    assert.deepEqual(await mw.complete("n", 1), ["Nix flakes"]);
    assert.deepEqual(await mw.complete("Flakes/"), []);
  });
});
