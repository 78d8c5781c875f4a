// !wiki end to end against a real MediaWiki (Debian's package, SQLite, no TextExtracts), started by
// test/e2e/servers/mediawiki.sh with the pages in test/e2e/wiki-pages/.
// Run: NIXIE_E2E_SERVERS=mediawiki npm run test:e2e -- test/e2e/wiki.test.ts
import assert from "node:assert/strict";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { createHttp } from "../../src/upstream/http.js";
import { createMediaWiki } from "../../src/upstream/mediawiki.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts the wiki`);
  return v;
}

/** Asks the wiki's API directly (not through nixie), to check nixie's answers against. */
async function apiGet(api: string, params: Record<string, string>): Promise<unknown> {
  const u = new URL(api);
  u.search = new URLSearchParams({ ...params, format: "json", formatversion: "2" }).toString();
  const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return res.json();
}

async function fullurlOf(api: string, title: string): Promise<string> {
  const data = (await apiGet(api, { action: "query", titles: title, prop: "info", inprop: "url" })) as { query: { pages: { fullurl: string }[] } };
  return data.query.pages[0]!.fullurl;
}

describe("!wiki against a real MediaWiki", function () {
  let api: string;
  let bot: TestBot;
  let n = 0;
  // a new user per question: the per-user rate limit is not what these tests are about
  const ask = (text: string): Promise<string> => bot.ask(text, { user: `user${n++}` });

  before(async () => {
    api = required("NIXIE_E2E_WIKI_API");
    bot = await startTestBot({ NIXIE_WIKI_API: api });
  });
  after(async () => {
    await bot?.stop();
  });

  it("runs a wiki configured like wiki.nixos.org: no TextExtracts", async () => {
    const data = (await apiGet(api, { action: "query", meta: "siteinfo", siprop: "extensions" })) as { query: { extensions: { name: string }[] } };
    const names = data.query.extensions.map((e) => e.name);
    assert.ok(names.includes("Cite"), names.join(", "));
    assert.ok(!names.includes("TextExtracts"), names.join(", "));
  });

  it("!wiki flakes: the title, the page's first sentences and the API's link", async () => {
    const text = await ask("!wiki flakes");
    const lines = text.split("\n");
    assert.equal(lines[0], `Flakes <${await fullurlOf(api, "Flakes")}>`);
    assert.equal(
      lines[1],
      "  Nix flakes are an experimental feature of the Nix package manager that give every Nix project the same structure and pin its inputs in a lock file. A flake is a directory with a flake.nix file at its root, which declares its inputs and outputs. Builds from a flake are reproducible because every input is recorded in flake.lock.",
    );
    // language bar, maintenance box and the reference marker are gone; translations are not offered
    for (const junk of ["Other languages", "Deutsch", "cleanup", "[1]", "Flakes/de", "Flakes/ja"]) assert.ok(!text.includes(junk), `${junk} in: ${text}`);
    assert.match(lines[2] ?? "", /^Also: /);
  });

  it("resolves a redirect: !wiki nix flakes shows Flakes", async () => {
    const text = await ask("!wiki nix flakes");
    assert.equal(text.split("\n")[0], `Flakes <${await fullurlOf(api, "Flakes")}>`);
  });

  it("resolves a short redirect to another title: !wiki gc", async () => {
    const text = await ask("!wiki gc");
    assert.equal(text.split("\n")[0], `Storage optimization <${await fullurlOf(api, "Storage optimization")}>`);
  });

  it("a near-exact title beats a longer prefix match: !wiki flake", async () => {
    const text = await ask("!wiki flake");
    assert.match(text, /^Flakes </);
    assert.match(text, /Also: .*Flake templates </);
  });

  it("finds a page by its text when no title matches", async () => {
    const text = await ask("!wiki garbage collector");
    assert.match(text, /^Storage optimization </);
  });

  it("leaves an infobox out of the intro", async () => {
    const text = await ask("!wiki home manager");
    const lines = text.split("\n");
    assert.equal(lines[0], `Home Manager <${await fullurlOf(api, "Home Manager")}>`);
    assert.match(lines[1]!, /^ {2}Home Manager is a tool that manages a user's environment, such as dotfiles and user packages, with the Nix package manager\./);
    for (const junk of ["Developer", "nix-community", "MIT", "github.com"]) assert.ok(!lines[1]!.includes(junk), `${junk} in: ${lines[1]}`);
  });

  it("leaves a navigation box out of the intro", async () => {
    const text = await ask("!wiki NixOS");
    assert.match(text.split("\n")[1]!, /^ {2}NixOS is a Linux distribution built on top of the Nix package manager\./);
    assert.ok(!text.includes("Nix ecosystem"), text);
  });

  it("--lang de prefers the German translation", async () => {
    const text = await ask("!wiki flakes --lang de");
    const lines = text.split("\n");
    assert.equal(lines[0], `Flakes/de <${await fullurlOf(api, "Flakes/de")}>`);
    assert.match(lines[1]!, /^ {2}Nix Flakes sind eine experimentelle Funktion des Nix-Paketmanagers/);
    assert.ok(!text.includes("Flakes/ja"), text);
  });

  it("--lang de follows a redirect to the page whose translation it shows", async () => {
    const text = await ask("!wiki nix flakes --lang de");
    assert.equal(text.split("\n")[0], `Flakes/de <${await fullurlOf(api, "Flakes/de")}>`);
  });

  it("no match: says so and links the wiki's own search, which works", async () => {
    const text = await ask("!wiki qwxyzzy");
    const m = /^Nothing on the wiki matches “qwxyzzy”\. Search the wiki: (\S+)$/.exec(text);
    assert.ok(m, text);
    const res = await fetch(m[1]!, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /qwxyzzy/);
  });

  it("completes titles from the wiki's prefix search, without translations", async () => {
    const { config } = loadConfig({ env: { NIXIE_WIKI_API: api, NIXIE_CONFIG: "" }, ignoreLocal: true });
    const http = createHttp({ userAgent: "nixie-e2e/1.0 (+https://example.org)", timeoutMs: 5000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 1_000_000, cacheEntries: 10 });
    const wiki = createMediaWiki({ config, http, log: pino({ level: "silent" }) });
    assert.deepEqual(await wiki.complete("Fla"), ["Flake templates", "Flakes"]);
    assert.deepEqual(await wiki.complete("Nix", 2), ["NixOS", "Nix command"]); // the wiki's order: byte order of titles
    // and through the dispatcher, as Discord's autocomplete asks
    assert.deepEqual(await bot.bot.dispatcher.complete("wiki", "query", "flakes", "test"), [{ name: "Flakes", value: "Flakes" }]);
  });
});
