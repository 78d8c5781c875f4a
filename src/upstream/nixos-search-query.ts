/**
 * Elasticsearch request bodies for search.nixos.org, built as plain data. Modelled on the site's
 * own bodies (frontend/src/Search/Query.elm and Typeahead.elm in NixOS/nixos-search, schema 51):
 * a dis_max over weighted fields, exact-name and prefix boosts, a fuzzy fallback.
 *
 * User input only ever appears as JSON string values (never as keys, never in a query_string), so
 * Lucene syntax such as `AND`, `*` or quotes has no effect. Inside `wildcard` values the wildcard
 * characters are escaped, so a `*` typed by a user is a literal star, except at the end of a word:
 * `fire*` (or `ripgre?`) is a wildcard that a name must match.
 *
 * Where nixie ranks better than the site (checked against a real engine in test/e2e/search.test.ts):
 * an exact program name counts (`rg` finds ripgrep), `services.<word>.enable` and
 * `programs.<word>.enable` come first for `!option <word>`, a multi-word query whose every word is in
 * a name beats one that matches a description, and `!locate` ranks by popularity among equals.
 */

/** The document types of the search index that nixie asks for. */
export type DocType = "package" | "option" | "home-manager-option" | "darwin-option";

/** A query split the way the site splits it: lower-cased words, `-word` excludes. */
export interface QueryWords {
  readonly words: readonly string[];
  readonly negative: readonly string[];
}

/** At most this many words of each kind reach the backend (each one adds several clauses). */
export const MAX_WORDS = 8;

/** Trims, lower-cases and splits on whitespace; words starting with `-` become exclusions. */
export function splitQuery(query: string): QueryWords {
  const words: string[] = [];
  const negative: string[] = [];
  for (const w of query.trim().toLowerCase().split(/\s+/u)) {
    if (w === "" || w === "-") continue;
    if (w.startsWith("-")) {
      const n = w.replace(/^-+/, "");
      if (n !== "" && !negative.includes(n) && negative.length < MAX_WORDS) negative.push(n);
    } else if (!words.includes(w) && words.length < MAX_WORDS) {
      words.push(w);
    }
  }
  return { words, negative };
}

/** Escapes `*`, `?` and `\` for an Elasticsearch wildcard pattern. */
export function escapeWildcard(s: string): string {
  return s.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** A word ending in `*` or `?` (e.g. `fire*`): its literal start and the trailing wildcards. */
export interface TrailingWildcard {
  readonly base: string;
  readonly suffix: string;
}

/** `fire*` -> {base: "fire", suffix: "*"}; undefined for a word without a trailing wildcard or with nothing before it. */
export function trailingWildcard(word: string): TrailingWildcard | undefined {
  const m = /^(.*?)([*?]+)$/su.exec(word);
  if (m === null || m[1] === "") return undefined;
  return { base: m[1]!, suffix: m[2]! };
}

/** The wildcard value for a trailing-wildcard word: the start escaped, the wildcards kept. */
export function wildcardPattern(w: TrailingWildcard): string {
  return `${escapeWildcard(w.base)}${w.suffix}`;
}

type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };
/** A request body: JSON data, serialised by the HTTP layer. */
export type EsBody = { readonly [k: string]: Json };

interface Weighted {
  readonly field: string;
  readonly weight: number;
}

interface Profile {
  readonly type: DocType;
  readonly filterName: string;
  /** Fields of the cross_fields match, each also with its sub-fields at 0.6 of the weight. */
  readonly weighted: readonly Weighted[];
  /** Fields of the fuzzy fallback. */
  readonly fuzzy: readonly Weighted[];
  /** `*word*` wildcard fields (also used for exclusions). */
  readonly main: readonly string[];
  /** The field the exact-name and prefix boosts look at. */
  readonly primary: string;
  /** Fields of the phrase boost for multi-word queries. */
  readonly phrase: readonly string[];
}

const PACKAGES: Profile = {
  type: "package",
  filterName: "filter_packages",
  weighted: [
    { field: "package_attr_name", weight: 9 },
    { field: "package_programs", weight: 9 },
    { field: "package_mainProgram", weight: 9 },
    { field: "package_pname", weight: 6 },
    { field: "package_description", weight: 1.3 },
    { field: "package_longDescription", weight: 1 },
    { field: "flake_name", weight: 0.5 },
  ],
  fuzzy: [
    { field: "package_attr_name", weight: 9 },
    { field: "package_programs", weight: 9 },
    { field: "package_mainProgram", weight: 9 },
    { field: "package_pname", weight: 6 },
  ],
  main: ["package_attr_name", "package_pname", "package_programs", "package_mainProgram"],
  primary: "package_attr_name",
  phrase: ["package_description^3", "package_longDescription^1"],
};

function optionsProfile(type: DocType): Profile {
  return {
    type,
    filterName: `filter_${type.replace(/-/g, "_")}s`,
    weighted: [
      { field: "option_name", weight: 6 },
      { field: "option_description", weight: 1 },
      { field: "flake_name", weight: 0.5 },
    ],
    fuzzy: [{ field: "option_name", weight: 6 }],
    main: ["option_name"],
    primary: "option_name",
    phrase: ["option_description^3"],
  };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** `foo bar` -> `foobar`, `foo-bar`, `foo_bar` (how people spell attribute names). */
function glued(words: readonly string[]): string[] {
  if (words.length === 1) return [...words];
  return [...new Set([words.join(""), words.join("-"), words.join("_")])];
}

/** Every word and its dash/underscore variants, for the `*word*` wildcards. */
function variants(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    out.add(w.replace(/_/g, "-"));
    out.add(w.replace(/-/g, "_"));
  }
  return [...out];
}

function wildcard(field: string, word: string): EsBody {
  return { wildcard: { [field]: { value: `*${escapeWildcard(word)}*`, case_insensitive: true } } };
}

function typeFilter(p: Profile): EsBody {
  return { term: { type: { value: p.type, _name: p.filterName } } };
}

/** Each main field matches the word somewhere (`*word*`, dash/underscore variants included). */
function inSomeName(p: Profile, word: string): EsBody {
  return { bool: { should: p.main.flatMap((field) => variants([word]).map((w) => wildcard(field, w))), minimum_should_match: 1 } };
}

/** The bool query shared by the packages and options bodies. */
function relevanceQuery(p: Profile, query: QueryWords, extraShould: readonly EsBody[]): EsBody {
  // `fire*`: scored like `fire`, and a name must match the pattern
  const patterns = query.words.flatMap((w) => trailingWildcard(w) ?? []);
  const q: QueryWords = { words: query.words.map((w) => trailingWildcard(w)?.base ?? w), negative: query.negative };
  const joined = q.words.join(" ");
  const dis: EsBody[] = [
    {
      multi_match: {
        type: "cross_fields",
        query: joined,
        analyzer: "whitespace",
        auto_generate_synonyms_phrase_query: false,
        operator: "and",
        _name: "multi_match",
        fields: p.weighted.flatMap((f) => [`${f.field}^${f.weight}`, `${f.field}.*^${round(f.weight * 0.6)}`]),
      },
    },
    {
      multi_match: {
        type: "best_fields",
        query: joined,
        fuzziness: "1",
        prefix_length: 1,
        operator: "and",
        _name: "fuzzy",
        fields: p.fuzzy.map((f) => `${f.field}^${round(f.weight * 0.05)}`),
      },
    },
    ...p.main.flatMap((field) => variants(q.words).map((w) => wildcard(field, w))),
  ];
  const should: EsBody[] = [];
  for (const g of glued(q.words)) {
    should.push({ term: { [p.primary]: { value: g, case_insensitive: true, boost: 100, _name: "exact_name" } } });
    should.push({ prefix: { [p.primary]: { value: g, case_insensitive: true, boost: 20, _name: "name_prefix" } } });
  }
  if (q.words.length > 1) {
    should.push({
      constant_score: {
        boost: 80,
        filter: { multi_match: { type: "phrase", query: joined, fields: [...p.phrase], _name: "phrase" } },
      },
    });
  }
  if (q.words.length > 1) {
    // every word in a name (`nginx virtualhosts` -> services.nginx.virtualHosts) beats a description match
    should.push({ constant_score: { boost: 50, filter: { bool: { must: q.words.map((w) => inSomeName(p, w)), _name: "all_words_in_name" } } } });
  }
  should.push(...extraShould);
  const mustMatch = patterns.map((w) => ({
    bool: { should: p.main.map((field) => ({ wildcard: { [field]: { value: wildcardPattern(w), case_insensitive: true } } })), minimum_should_match: 1, _name: "trailing_wildcard" },
  }));
  return {
    bool: {
      filter: [typeFilter(p)],
      must_not: variants(q.negative).flatMap((w) => p.main.map((field) => wildcard(field, w))),
      must: [{ dis_max: { tie_breaker: 0.7, queries: dis } }, ...mustMatch],
      should,
    },
  };
}

/** The words of a query with trailing wildcards taken off (what the exact-name boosts compare). */
function plainWords(q: QueryWords): string[] {
  return q.words.map((w) => trailingWildcard(w)?.base ?? w);
}

/** Only the fields nixie shows: keeps answers small (long descriptions and examples are big). */
const PACKAGE_SOURCE = ["type", "package_attr_name", "package_pversion", "package_description", "package_homepage", "package_programs", "package_mainProgram"] as const;

/** What a `!pkg` card shows besides: maintainers, teams, licenses and the source position. */
const PACKAGE_CARD_SOURCE = [...PACKAGE_SOURCE, "package_maintainers", "package_teams", "package_license", "package_position"] as const;

/** What `!locate` needs to rank: the package's pname too. */
const PROGRAM_SOURCE = [...PACKAGE_SOURCE, "package_pname"] as const;

const POPULARITY: readonly EsBody[] = [
  { rank_feature: { field: "package_repology_repos", boost: 5, saturation: { pivot: 20 }, _name: "popularity_package_repology_repos" } },
  { rank_feature: { field: "package_dep_count", boost: 5, saturation: { pivot: 1000 }, _name: "popularity_package_dep_count" } },
];

const OPTION_SOURCE = ["type", "option_name", "option_description", "option_type", "option_default", "option_source"] as const;

/** `!pkg`: the site's packages body without aggregations, `size` results. */
export function packagesBody(q: QueryWords, size: number): EsBody {
  return {
    from: 0,
    size,
    _source: [...PACKAGE_CARD_SOURCE],
    sort: [{ _score: "desc" }],
    query: relevanceQuery(PACKAGES, q, [
      // `rg` -> ripgrep, `nvim` -> neovim: a package's program named exactly like the query
      ...glued(plainWords(q)).map((g) => ({
        dis_max: {
          queries: ["package_programs", "package_mainProgram"].map((field) => ({ term: { [field]: { value: g, case_insensitive: true, boost: 50, _name: "program_exact" } } })),
        },
      })),
      ...POPULARITY,
    ]),
    // Among the best hits, shorter attribute names first (the site does the same).
    rescore: {
      window_size: 100,
      query: {
        rescore_query: { function_score: { script_score: { script: { source: "1.0 / doc['package_attr_name'].value.length()" } } } },
        rescore_query_weight: 20,
      },
    },
  };
}

/** `!option`: the site's options body for one document type. */
export function optionsBody(q: QueryWords, type: Exclude<DocType, "package">, size: number): EsBody {
  return {
    from: 0,
    size,
    _source: [...OPTION_SOURCE],
    sort: [{ _score: "desc" }, { option_name: "asc" }],
    query: relevanceQuery(optionsProfile(type), q, [
      // `services nginx` -> `services.nginx.enable`, the module's entry point.
      { term: { "option_name.attr_path_reverse": { value: `${plainWords(q).join(".")}.enable`, boost: 100, _name: "module_entry_point" } } },
      { term: { "option_name.attr_path_reverse": { value: "enable", boost: 10, _name: "module_enable_leaf" } } },
      // `nginx` -> services.nginx.enable before services.prometheus.exporters.nginx.enable
      ...["services", "programs"].map((top) => ({
        term: { option_name: { value: `${top}.${plainWords(q).join(".")}.enable`, case_insensitive: true, boost: 200, _name: "module_enable" } },
      })),
    ]),
  };
}

/**
 * `!locate`: packages whose programs (or meta.mainProgram) are exactly the name, or start with it.
 * Both fields are keywords with a lower-case normalizer since schema 51; `case_insensitive`
 * keeps older schemas working too. Exact matches score 10 per field, prefix matches 1.
 */
export function programsBody(program: string, size: number): EsBody {
  const exact = (field: string, name: string): EsBody => ({
    constant_score: { boost: 10, filter: { term: { [field]: { value: program, case_insensitive: true, _name: name } } } },
  });
  const prefix = (field: string): EsBody => ({
    constant_score: { boost: 1, filter: { prefix: { [field]: { value: program, case_insensitive: true, _name: "program_prefix" } } } },
  });
  return {
    from: 0,
    size,
    _source: [...PROGRAM_SOURCE],
    sort: [{ _score: "desc" }, { package_attr_name: "asc" }],
    query: {
      bool: {
        filter: [typeFilter(PACKAGES)],
        must: [
          {
            bool: {
              should: [exact("package_programs", "program_exact"), exact("package_mainProgram", "main_program_exact"), prefix("package_programs"), prefix("package_mainProgram")],
              minimum_should_match: 1,
            },
          },
        ],
        // among packages that provide it alike, the popular one first (python3 before pypy3)
        should: [...POPULARITY],
      },
    },
  };
}

/** What an autocomplete asks for. */
export type CompleteKind = DocType | "program";

/** The site's typeahead body (edge n-gram fields), for autocomplete. */
export function typeaheadBody(kind: CompleteKind, partial: string, size: number): EsBody {
  const fields =
    kind === "package"
      ? ["package_attr_name.edge^4", "package_pname.edge^3", "package_description.edge^0.5"]
      : kind === "program"
        ? ["package_programs.edge^4", "package_mainProgram.edge^4"]
        : ["option_name.edge^4", "option_description.edge^0.5"];
  const source = kind === "package" ? ["type", "package_attr_name"] : kind === "program" ? ["type", "package_programs", "package_mainProgram"] : ["type", "option_name"];
  const type = kind === "program" ? "package" : kind;
  return {
    from: 0,
    size,
    _source: source,
    query: {
      bool: {
        filter: [{ term: { type: { value: type, _name: "filter_typeahead" } } }],
        must: [{ multi_match: { query: partial, type: "best_fields", operator: "and", fields } }],
      },
    },
  };
}

/** `!versions`: the package with exactly this attribute name (any case), its version only. */
export function versionBody(attr: string, size: number): EsBody {
  return {
    from: 0,
    size,
    _source: ["type", "package_attr_name", "package_pversion"],
    query: {
      bool: {
        filter: [typeFilter(PACKAGES), { term: { package_attr_name: { value: attr, case_insensitive: true, _name: "attr_exact" } } }],
      },
    },
  };
}

/**
 * Package feeds: the packages whose attribute names are exactly these (a `terms` query on the
 * keyword field, case-sensitive as nixpkgs is), their versions only. One body per chunk of at most
 * ATTRS_PER_REQUEST names; `size` is the chunk's length, as an attribute name is unique per channel.
 */
export function attrVersionsBody(attrs: readonly string[]): EsBody {
  return {
    from: 0,
    size: attrs.length,
    _source: ["type", "package_attr_name", "package_pversion"],
    query: {
      bool: {
        filter: [typeFilter(PACKAGES), { terms: { package_attr_name: [...attrs], _name: "watched_attrs" } }],
      },
    },
  };
}

/** Attribute names per package-feed request (Elasticsearch's default `terms` limit is 65,536). */
export const ATTRS_PER_REQUEST = 1000;
