import assert from "node:assert/strict";
import { checkSearchBody, stringsOf } from "../helpers/fake-search.js";
import {
  MAX_WORDS,
  escapeWildcard,
  optionsBody,
  packagesBody,
  programsBody,
  splitQuery,
  trailingWildcard,
  versionBody,
  wildcardPattern,
  typeaheadBody,
  type EsBody,
} from "../../src/upstream/nixos-search-query.js";

/** Every object key of a body, at any depth. */
function keysOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keysOf(x, out);
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      keysOf(x, out);
    }
  }
  return out;
}

/** What the backend would receive: the body after a JSON round trip. */
const wire = (b: EsBody): Record<string, unknown> => JSON.parse(JSON.stringify(b)) as Record<string, unknown>;

describe("nixos-search query bodies", () => {
  describe("splitQuery", () => {
    it("lower-cases, splits on any whitespace and keeps -words as exclusions", () => {
      assert.deepEqual(splitQuery("  Firefox\tWayland  -ESR -bin "), { words: ["firefox", "wayland"], negative: ["esr", "bin"] });
    });

    it("ignores a lone dash and duplicate words", () => {
      assert.deepEqual(splitQuery("git - git --lfs"), { words: ["git"], negative: ["lfs"] });
    });

    it(`keeps at most ${MAX_WORDS} words of each kind`, () => {
      const q = splitQuery(Array.from({ length: 30 }, (_, i) => `w${i} -n${i}`).join(" "));
      assert.equal(q.words.length, MAX_WORDS);
      assert.equal(q.negative.length, MAX_WORDS);
      assert.equal(q.words[0], "w0");
    });
  });

  it("escapes wildcard characters and backslashes", () => {
    assert.equal(escapeWildcard("a*b?c\\d"), "a\\*b\\?c\\\\d");
  });

  describe("packagesBody", () => {
    const body = wire(packagesBody(splitQuery("firefox -esr"), 3));
    const query = body["query"] as { bool: { filter: unknown[]; must_not: unknown[]; must: { dis_max: { queries: unknown[] } }[]; should: unknown[] } };

    it("filters on type package and asks for the configured size", () => {
      assert.deepEqual(query.bool.filter[0], { term: { type: { value: "package", _name: "filter_packages" } } });
      assert.equal(body["size"], 3);
      assert.equal(body["from"], 0);
    });

    it("models the site: dis_max of cross_fields, fuzzy and *word* wildcards; name boosts; rescore", () => {
      const dis = query.bool.must[0]!.dis_max;
      const mm = (dis.queries[0] as { multi_match: { type: string; query: string; fields: string[] } }).multi_match;
      assert.equal(mm.type, "cross_fields");
      assert.equal(mm.query, "firefox");
      assert.ok(mm.fields.includes("package_attr_name^9") && mm.fields.includes("package_attr_name.*^5.4"));
      assert.equal((dis.queries[1] as { multi_match: { fuzziness: string } }).multi_match.fuzziness, "1");
      assert.deepEqual(dis.queries[2], { wildcard: { package_attr_name: { value: "*firefox*", case_insensitive: true } } });
      assert.deepEqual(query.bool.should[0], { term: { package_attr_name: { value: "firefox", case_insensitive: true, boost: 100, _name: "exact_name" } } });
      assert.ok(body["rescore"]);
    });

    it("turns -words into must_not wildcards on every main field", () => {
      assert.equal(query.bool.must_not.length, 4);
      assert.deepEqual(query.bool.must_not[0], { wildcard: { package_attr_name: { value: "*esr*", case_insensitive: true } } });
    });

    it("excludes the dash and underscore spellings of an excluded word too", () => {
      const b = wire(packagesBody(splitQuery("python -foo_bar"), 3)) as { query: { bool: { must_not: { wildcard: Record<string, { value: string }> }[] } } };
      const values = new Set(b.query.bool.must_not.map((c) => Object.values(c.wildcard)[0]!.value));
      assert.deepEqual([...values].sort(), ["*foo-bar*", "*foo_bar*"]);
    });

    it("adds a phrase boost only for several words, and glued variants of them", () => {
      const multi = JSON.stringify(packagesBody(splitQuery("python requests"), 3));
      assert.match(multi, /"type":"phrase","query":"python requests"/);
      for (const g of ["pythonrequests", "python-requests", "python_requests"]) assert.ok(multi.includes(`"value":"${g}"`), g);
      assert.doesNotMatch(JSON.stringify(body), /"phrase"/);
    });
  });

  describe("hostile input stays a value", () => {
    // The first ${MAX_WORDS} words reach the backend; the rest must not either way.
    const hostile = `@everyone 🦊 "quoted" it's back\\slash * AND <b>x</b> OR NOT {"a":1} name:firefox (x) ~2 -"not"`;
    const bodies: [string, EsBody][] = [
      ["packages", packagesBody(splitQuery(hostile), 3)],
      ["options", optionsBody(splitQuery(hostile), "option", 3)],
      ["programs", programsBody(hostile.toLowerCase(), 50)],
      ["typeahead", typeaheadBody("package", hostile.toLowerCase(), 25)],
    ];
    for (const [name, b] of bodies) {
      it(`${name}: no user text in keys, no query_string, passes the fake's checks`, () => {
        const w = wire(b);
        const keys = keysOf(w);
        for (const word of ["and", "@everyone", "🦊", "<b>x</b>", "name:firefox", '{"a":1}', "it's"]) {
          assert.ok(!keys.some((k) => k.includes(word)), `${word} must not be a key`);
        }
        assert.ok(!keys.includes("query_string") && !keys.includes("simple_query_string"));
        assert.equal(checkSearchBody(w), undefined);
        const strings = stringsOf(w);
        assert.ok(
          strings.some((s) => s.includes("@everyone")),
          "the words are sent as values",
        );
        assert.ok(strings.some((s) => s.includes("🦊")));
      });
    }

    it("escapes a user's * inside wildcard values", () => {
      const strings = stringsOf(wire(packagesBody(splitQuery("* a?b"), 3)));
      assert.ok(strings.includes("*\\**"), "a lone * is a literal star");
      assert.ok(strings.includes("*a\\?b*"));
      assert.ok(!strings.includes("***"));
    });

    it("a trailing * or ? is a wildcard a name must match; the start of the word stays literal", () => {
      assert.deepEqual(trailingWildcard("fire*"), { base: "fire", suffix: "*" });
      assert.deepEqual(trailingWildcard("ripgre?"), { base: "ripgre", suffix: "?" });
      assert.equal(trailingWildcard("*"), undefined, "nothing before it: a literal star");
      assert.equal(trailingWildcard("fi*fox"), undefined);
      assert.equal(wildcardPattern({ base: "a*b\\", suffix: "*" }), "a\\*b\\\\*");
      const b = wire(packagesBody(splitQuery("fire*"), 3));
      const s = JSON.stringify(b);
      assert.match(s, /"_name":"trailing_wildcard"/);
      assert.match(s, /"wildcard":\{"package_attr_name":\{"value":"fire\*","case_insensitive":true\}\}/);
      assert.match(s, /"term":\{"package_attr_name":\{"value":"fire","case_insensitive":true,"boost":100/, "scored like the word without the star");
      assert.ok(!stringsOf(b).includes("*fire\\**"));
      assert.equal(checkSearchBody(b), undefined);
    });
  });

  describe("ranking clauses", () => {
    it("!pkg: an exact program name counts (rg -> ripgrep)", () => {
      const s = JSON.stringify(wire(packagesBody(splitQuery("rg"), 3)));
      assert.match(s, /"term":\{"package_programs":\{"value":"rg","case_insensitive":true,"boost":50,"_name":"program_exact"\}/);
      assert.match(s, /"term":\{"package_mainProgram":\{"value":"rg"/);
    });

    it("!option <word>: services.<word>.enable and programs.<word>.enable get their own boost", () => {
      const s = JSON.stringify(wire(optionsBody(splitQuery("nginx"), "option", 3)));
      assert.match(s, /"term":\{"option_name":\{"value":"services.nginx.enable","case_insensitive":true,"boost":200,"_name":"module_enable"\}/);
      assert.match(s, /"value":"programs.nginx.enable"/);
    });

    it("several words: a boost when every word is in a name", () => {
      assert.match(JSON.stringify(optionsBody(splitQuery("nginx virtualhosts"), "option", 3)), /"_name":"all_words_in_name"/);
      assert.doesNotMatch(JSON.stringify(optionsBody(splitQuery("nginx"), "option", 3)), /all_words_in_name/);
    });

    it("!locate: the programs must match; popularity only orders them", () => {
      const b = wire(programsBody("python3", 50)) as { query: { bool: { must: unknown[]; should: { rank_feature: unknown }[] } } };
      assert.equal(b.query.bool.must.length, 1);
      assert.ok(b.query.bool.should.every((c) => "rank_feature" in c));
    });

    it("!versions: an exact attribute name, any case", () => {
      const s = JSON.stringify(versionBody("gitFull", 5));
      assert.match(s, /"term":\{"package_attr_name":\{"value":"gitFull","case_insensitive":true/);
      assert.equal(checkSearchBody(wire(versionBody("gitFull", 5))), undefined);
    });
  });

  describe("optionsBody", () => {
    it("filters on the document type of the source and boosts the module's enable option", () => {
      const b = wire(optionsBody(splitQuery("services nginx"), "home-manager-option", 5));
      const s = JSON.stringify(b);
      assert.match(s, /"term":\{"type":\{"value":"home-manager-option","_name":"filter_home_manager_options"\}\}/);
      assert.match(s, /"option_name.attr_path_reverse":\{"value":"services.nginx.enable","boost":100/);
      assert.deepEqual(b["sort"], [{ _score: "desc" }, { option_name: "asc" }]);
      assert.equal(b["size"], 5);
    });
  });

  describe("programsBody", () => {
    it("matches exact programs and main programs (score 10) before prefixes (score 1)", () => {
      const b = wire(programsBody("rg", 50));
      const s = JSON.stringify(b);
      assert.match(s, /"constant_score":\{"boost":10,"filter":\{"term":\{"package_programs":\{"value":"rg","case_insensitive":true,"_name":"program_exact"\}/);
      assert.match(s, /"term":\{"package_mainProgram":\{"value":"rg"/);
      assert.match(s, /"constant_score":\{"boost":1,"filter":\{"prefix":\{"package_programs"/);
      assert.match(s, /"minimum_should_match":1/);
    });
  });

  it("asks only for the fields an answer shows (no long descriptions or examples; maintainers and licenses only for cards)", () => {
    const q = splitQuery("nginx");
    const shown = ["type", "package_attr_name", "package_pversion", "package_description", "package_homepage", "package_programs", "package_mainProgram"];
    assert.deepEqual(packagesBody(q, 3)["_source"], [...shown, "package_maintainers", "package_teams", "package_license", "package_position"]);
    assert.deepEqual(programsBody("rg", 50)["_source"], [...shown, "package_pname"]);
    assert.deepEqual(versionBody("hello", 5)["_source"], ["type", "package_attr_name", "package_pversion"]);
    assert.deepEqual(optionsBody(q, "option", 3)["_source"], ["type", "option_name", "option_description", "option_type", "option_default", "option_source"]);
  });

  describe("typeaheadBody", () => {
    it("uses the edge n-gram fields of the kind asked for", () => {
      assert.match(JSON.stringify(typeaheadBody("package", "fir", 25)), /"fields":\["package_attr_name.edge\^4","package_pname.edge\^3","package_description.edge\^0.5"\]/);
      assert.match(JSON.stringify(typeaheadBody("darwin-option", "serv", 25)), /"value":"darwin-option".*"option_name.edge\^4"/);
      const prog = JSON.stringify(typeaheadBody("program", "rg", 25));
      assert.match(prog, /"value":"package".*"package_programs.edge\^4","package_mainProgram.edge\^4"/);
      assert.match(prog, /"size":25/);
    });
  });
});
