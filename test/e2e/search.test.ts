// !pkg, !option, !locate, !versions and autocomplete against a real search engine: an embedded
// OpenSearch node with search.nixos.org's schema-51 mapping and the corpus in
// test/e2e/servers/opensearch/, started by test/e2e/servers/opensearch.sh.
// Run: NIXIE_E2E_SERVERS=opensearch npm run test:e2e -- test/e2e/search.test.ts
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import pino from "pino";
import { loadConfig } from "../../src/config.js";
import { createHttp } from "../../src/upstream/http.js";
import { createNixosSearch, OPTION_SOURCES, type NixosSearch, type OptionSource } from "../../src/upstream/nixos-search.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";
import { RANKING, type RankingRow } from "./search-ranking.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts the search engine`);
  return v;
}

/** Ordinary and hostile words: Lucene syntax, quotes, wildcards, Unicode, control characters, very long input. */
const INPUTS = [
  "firefox",
  "hello",
  "git",
  "rg",
  "python requests",
  "firefox -esr",
  "GIT",
  "  firefox  ",
  "python313Packages.requests",
  "services.nginx",
  '"firefox"',
  "fire*",
  "*",
  "?",
  "te?t",
  "fi*fox",
  "AND",
  "firefox AND chrome",
  "firefox OR",
  "NOT git",
  "café",
  "über crème brûlée",
  "日本語",
  "😀",
  "a",
  "x y",
  "foo\\bar",
  "[",
  '{"a":1}',
  "/",
  "a:b",
  "~",
  "^2",
  "<script>alert(1)</script>",
  "x".repeat(200),
  "c++",
  "a&b|c",
  "\u0000nul",
  "%00",
  "';--",
  "one two three four five six seven eight nine ten",
  "a-b_c d-e_f g-h_i j-k_l m-n_o p-q_r s-t_u v-w_x -y-z -a_b -c-d -e_f -g-h -i_j -k-l -m_n",
  "** *? ?*",
  "fire\\*",
];

/** Partial words as autocomplete sees them. */
const PARTIALS = ["fi", "fire", "services.ng", "prog", "rg", "*", '"', "AND", "a b c", "ü", "日本", "x".repeat(80), "programs.git.", "nginx virt", "\u0000x"];

interface LoggedRequest {
  readonly path: string;
  readonly status: number;
  readonly error_type?: string;
  readonly error_reason?: string;
}

describe("search against a real engine (OpenSearch, schema-51 mapping)", function () {
  let url: string;
  let log: string;
  let search: NixosSearch;

  /** Requests the engine's proxy logged after `offset` bytes of its log. */
  function loggedSince(offset: number): LoggedRequest[] {
    return readFileSync(log)
      .subarray(offset)
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as LoggedRequest);
  }

  before(() => {
    url = required("NIXIE_E2E_SEARCH_URL");
    log = required("NIXIE_E2E_SEARCH_LOG");
    const { config } = loadConfig({ env: { NIXIE_SEARCH_URL: url, NIXIE_CONFIG: "" }, ignoreLocal: true });
    const http = createHttp({ userAgent: "nixie-e2e/1.0 (+https://example.org)", timeoutMs: 10_000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 5_000_000, cacheEntries: 0 });
    search = createNixosSearch({ config: { ...config.search, cacheTtlSeconds: 0 }, http, log: pino({ level: "silent" }) });
  });

  describe("every body kind is accepted, with ordinary and hostile input", () => {
    async function noneRefused(run: () => Promise<number>): Promise<void> {
      const offset = statSync(log).size;
      const sent = await run();
      // the proxy logs a request after answering it: give the last lines a moment
      let logged = loggedSince(offset);
      for (let i = 0; i < 50 && logged.length < sent; i++) {
        await new Promise((r) => setTimeout(r, 20));
        logged = loggedSince(offset);
      }
      assert.ok(logged.length >= sent, `${logged.length} requests logged, ${sent} sent`);
      const refused = logged.filter((r) => r.status !== 200);
      assert.deepEqual(refused, [], JSON.stringify(refused.slice(0, 3)));
    }

    it("packages (!pkg)", async () => {
      await noneRefused(async () => {
        let n = 0;
        for (const q of INPUTS) {
          if (
            q
              .trim()
              .split(/\s+/)
              .every((w) => w.startsWith("-"))
          )
            continue;
          await search.packages(q);
          n++;
        }
        return n;
      });
    });

    for (const source of OPTION_SOURCES) {
      it(`options of ${source} (!option --source ${source})`, async () => {
        await noneRefused(async () => {
          for (const q of INPUTS) await search.options(q, { source });
          return INPUTS.length;
        });
      });
    }

    it("programs (!locate)", async () => {
      await noneRefused(async () => {
        const names = INPUTS.filter((q) => !/\s/.test(q.trim()) && q.trim() !== "");
        for (const p of names) await search.programs(p);
        return names.length;
      });
    });

    for (const kind of ["package", "program", ...OPTION_SOURCES] as const) {
      it(`typeahead for ${kind} (autocomplete)`, async () => {
        await noneRefused(async () => {
          let n = 0;
          for (const p of PARTIALS) {
            const names = await search.complete(kind, p);
            assert.ok(names.length <= 25);
            if ([...p.trim()].length >= 2) n++;
          }
          return n;
        });
      });
    }

    it("versions in every channel (!versions)", async () => {
      await noneRefused(async () => {
        for (const q of ["hello", "AND", "fire*", '"x"', "python313Packages.requests", "café-noir", "x".repeat(200)]) await search.versions(q);
        return 7 * search.channels.length;
      });
    });

    it("package feed lookups: one terms query per channel, exact names only, whatever the strings", async () => {
      await noneRefused(async () => {
        const names = [...INPUTS.filter((q) => q !== "" && [...q].length <= 200), "hello", "python313Packages.requests", "café-noir", "Hello"];
        for (const ch of search.channels) {
          const found = await search.attrVersions(ch, names);
          // case-sensitive: GIT and Hello are no attributes
          assert.deepEqual([...found.keys()].sort(), ["AND", "café-noir", "firefox", "git", "hello", "python313Packages.requests"], ch);
        }
        return search.channels.length;
      });
    });

    it("hostile words match literally: AND is a package, café finds café-noir, a lone * or a quote finds nothing", async () => {
      assert.equal((await search.packages("AND")).hits[0]?.attrName, "AND");
      assert.equal((await search.packages("café")).hits[0]?.attrName, "café-noir");
      assert.equal((await search.packages("*")).hits.length, 0);
      assert.equal((await search.packages('"firefox"')).hits.length, 0);
      assert.equal((await search.packages("fire\\*")).hits.length, 0);
      assert.equal((await search.packages("fi*fox")).hits.length, 0, "a star inside a word stays literal");
    });
  });

  describe("the ranking table: the result a Nix user expects comes first", () => {
    async function top(row: RankingRow): Promise<readonly string[]> {
      switch (row.kind) {
        case "packages":
          return (await search.packages(row.query)).hits.map((h) => h.attrName);
        case "programs":
          return (await search.programs(row.query)).hits.map((h) => h.attrName);
        default: {
          const source: OptionSource = row.kind === "option" ? "nixos" : row.kind === "home-manager-option" ? "home-manager" : "darwin";
          return (await search.options(row.query, { source })).hits.map((h) => h.name);
        }
      }
    }

    it("has at least 30 queries", () => assert.ok(RANKING.length >= 30, String(RANKING.length)));

    for (const row of RANKING) {
      it(`${row.kind} ${JSON.stringify(row.query)} -> ${row.expected} (${row.why})`, async () => {
        const names = await top(row);
        assert.equal(names[0], row.expected, `got ${names.join(", ")}`);
      });
    }
  });

  describe("ranking rules", () => {
    it("a trailing * or ? is a wildcard: fire* finds firefox and friends, ripgre? finds ripgrep", async () => {
      const fire = await search.packages("fire*");
      assert.ok(
        fire.hits.every((h) => h.attrName.toLowerCase().startsWith("fire")),
        fire.hits.map((h) => h.attrName).join(", "),
      );
      assert.ok(fire.total >= 10, String(fire.total));
      assert.equal((await search.packages("ripgre?")).hits[0]?.attrName, "ripgrep");
      assert.equal((await search.options("services.nginx.virtualhost*")).hits[0]?.name, "services.nginx.virtualHosts");
    });

    it("!locate python3: every exact provider, the one named like the program first", async () => {
      const names = (await search.programs("python3")).hits.map((h) => h.attrName);
      assert.equal(names[0], "python3");
      const page = await search.programs("python3");
      assert.ok(page.hits.every((h) => h.exact));
    });

    it("!option tor: services.tor.enable first although the exporter's enable sorts before it", async () => {
      const names = (await search.options("tor")).hits.map((h) => h.name);
      assert.equal(names[0], "services.tor.enable");
      assert.ok(names.includes("services.prometheus.exporters.tor.enable"), names.join(", "));
      assert.ok("services.prometheus.exporters.tor.enable" < "services.tor.enable");
    });

    it("ties are broken by shorter names, then by name: the same order every time", async () => {
      const a = (await search.packages("python")).hits.map((h) => h.attrName);
      const b = (await search.packages("python")).hits.map((h) => h.attrName);
      assert.deepEqual(a, b);
      const opts = (await search.options("enable")).hits.map((h) => h.name);
      assert.deepEqual(
        opts,
        [...opts].sort((x, y) => x.length - y.length || (x < y ? -1 : 1)),
        "all score alike: shortest first",
      );
    });
  });

  describe("commands on the real engine", () => {
    let bot: TestBot;
    let n = 0;
    const ask = (text: string): Promise<string> => bot.ask(text, { user: `user${n++}` });

    before(async () => {
      bot = await startTestBot({ NIXIE_SEARCH_URL: url });
    });
    after(async () => {
      await bot?.stop();
    });

    it("!pkg hello: maintainers with GitHub links, the source file on GitHub at the channel's branch, licenses", async () => {
      const text = await ask("!pkg hello");
      assert.match(text, /^hello 2\.12\.2/m);
      assert.match(text, /Maintainers: Ada Example <https:\/\/github\.com\/ada-example>, Bo Sample <https:\/\/github\.com\/bosample>/);
      assert.match(text, /Source: pkgs\/by-name\/he\/hello\/package\.nix:30 <https:\/\/github\.com\/NixOS\/nixpkgs\/blob\/nixos-unstable\/pkgs\/by-name\/he\/hello\/package\.nix#L30>/);
      assert.match(text, /License: gpl3Plus/);
    });

    it("!pkg --channel 26.05 hello links the 26.05 branch", async () => {
      const text = await ask("!pkg --channel 26.05 hello");
      assert.match(text, /^hello 2\.12\.1/m);
      assert.match(text, /blob\/nixos-26\.05\/pkgs\/by-name\/he\/hello\/package\.nix#L30/);
    });

    it("!pkg nix: five maintainers, +N more, and the team", async () => {
      const text = await ask("!pkg nix");
      const line = text.split("\n").find((l) => l.includes("Maintainers:")) ?? "";
      assert.equal((line.match(/https:\/\/github\.com\//g) ?? []).length, 5, line);
      assert.match(line, /\+2 more/);
      assert.match(text, /Team: Nix <https:\/\/github\.com\/orgs\/NixOS\/teams\/nix-team>/);
    });

    it("!versions hello: both channels side by side", async () => {
      assert.equal(await ask("!versions hello"), "hello: unstable 2.12.2 · 26.05 2.12.1");
    });

    it("!versions of a package missing in 26.05 says so", async () => {
      assert.match(await ask("!versions ghostty"), /^ghostty: unstable 1\.2\.0 · not in 26\.05$/);
    });

    it("!versions of an unknown attribute says it is in no channel", async () => {
      assert.match(await ask("!versions nosuchpackage"), /No package nosuchpackage in unstable or 26\.05/);
    });
  });
});
