/**
 * A loopback fake of search.nixos.org's Elasticsearch backend, for tests, end-to-end runs and
 * benchmarks. It checks what the bot sends and answers like the real backend, from the documents
 * in test/fixtures/es-*.json.
 *
 * Checks on every request (a failed check is recorded in `problems` and answered like the real
 * backend would: 400, 401, 405 or 406):
 * - `POST /latest-<schema>-nixos-<channel>/_search` (other schemas or channels answer 404
 *   `index_not_found_exception`, as the real alias does);
 * - HTTP Basic auth with the configured pair, a JSON content type, a JSON object body;
 * - a `type` filter (`term` on `type`) in `query.bool.filter`;
 * - only known query types (no `query_string` or `simple_query_string`: Lucene syntax must not
 *   reach the backend) and only field names as keys, so user input can appear only as JSON
 *   string values. Every string value of each body is listed in `requests[i].strings`.
 *
 * Answers: a small evaluator of the query types the bot uses (bool, dis_max, multi_match, term,
 * prefix, wildcard, constant_score, rank_feature) matches and scores the fixture documents,
 * honours `from`, `size` and `_source`, and counts `hits.total`. Close to Elasticsearch, not equal.
 *
 * Standalone: `node --import tsx test/helpers/fake-search.ts` prints its URL and serves until killed
 * (`FAKE_SEARCH_DELAY_MS` adds a delay to every answer).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sendJson, startLoopback } from "./loopback.js";

/** The public read-only pair of search.nixos.org (also nixie's default config). */
export const PUBLIC_USERNAME = "aWVSALXpZv";
export const PUBLIC_PASSWORD = "X8gPHnzL52wFEekuxsfQ9cSh";

export interface FakeSearchOptions {
  /** Wait this long before every answer (benchmarks use 20). Default 0. */
  readonly delayMs?: number;
  /** The schema number whose aliases exist. Default 51. */
  readonly schema?: number;
  /** Channels that have an index. Default unstable and 26.05. */
  readonly channels?: readonly string[];
  /** Basic auth pair the fake expects. Default: the public pair. */
  readonly username?: string;
  readonly password?: string;
}

/** Ways the fake can misbehave (tests of retries, timeouts and limits). */
export type FakeFailure =
  /** An error status, optionally with Retry-After (e.g. "0"). */
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string }
  /** Never answers (until the fake is closed). */
  | { readonly kind: "hang" }
  /** 200 with a body that is not JSON. */
  | { readonly kind: "malformed" }
  /** 200 with valid JSON but no `hits`. */
  | { readonly kind: "bad-shape" }
  /** 200 with a body of `bytes` bytes (default 6 MB), streamed without Content-Length. */
  | { readonly kind: "huge"; readonly bytes?: number };

export interface FakeSearchRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly schema: number | undefined;
  readonly channel: string | undefined;
  /** The parsed body (undefined when it was not JSON). */
  readonly body: unknown;
  /** Every string value in the body, in document order. */
  readonly strings: readonly string[];
  /** The status the fake answered (undefined while it hangs). */
  status: number | undefined;
}

export interface FakeSearch {
  /** Base URL, e.g. http://127.0.0.1:PORT: the bot's NIXIE_SEARCH_URL. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: FakeSearchRequest[];
  /** What the bot sent wrong; tests assert this stays empty. */
  readonly problems: string[];
  /** Misbehave for the next `times` requests (default: until told otherwise); null: behave. */
  fail(failure: FakeFailure | null, times?: number): void;
  /** Serve another schema number (an index migration). */
  setSchema(schema: number): void;
  /**
   * A package as one channel's index holds it from now on (a re-import): `version` replaces the
   * fixture document's `package_pversion` (a new attribute gets a document like the importer's),
   * null removes the package from that channel.
   */
  setPackage(channel: string, attr: string, version: string | null): void;
  close(): Promise<void>;
}

type Doc = Readonly<Record<string, unknown>>;

/** A field's value as text: objects and arrays as their JSON, never "[object Object]". */
function text(v: unknown): string {
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}
interface StoredDoc {
  readonly id: string;
  readonly source: Doc;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** The documents of every test/fixtures/es-*.json answer, without duplicates. */
export function fixtureDocuments(): readonly StoredDoc[] {
  const docs = new Map<string, StoredDoc>();
  for (const f of readdirSync(FIXTURES)
    .filter((n) => /^es-.*\.json$/.test(n))
    .sort()) {
    const data = JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as { hits?: { hits?: { _id: string; _source: Doc }[] } };
    for (const h of data.hits?.hits ?? []) {
      const key = text(h._source["package_attr_name"] ?? h._source["option_name"] ?? h._id);
      if (!docs.has(`${String(h._source["type"])}:${key}`)) docs.set(`${String(h._source["type"])}:${key}`, { id: h._id, source: h._source });
    }
  }
  return [...docs.values()];
}

export async function startFakeSearch(opts: FakeSearchOptions = {}): Promise<FakeSearch> {
  const docs = fixtureDocuments();
  // channel -> attribute -> its document there (null: not in that channel)
  const overrides = new Map<string, Map<string, StoredDoc | null>>();
  const docsFor = (channel: string): readonly StoredDoc[] => {
    const o = overrides.get(channel);
    if (!o) return docs;
    const out: StoredDoc[] = [];
    for (const d of docs) {
      const attr = d.source["type"] === "package" ? String(d.source["package_attr_name"]) : undefined;
      if (attr === undefined || !o.has(attr)) out.push(d);
    }
    for (const d of o.values()) if (d) out.push(d);
    return out;
  };
  const channels = opts.channels ?? ["unstable", "26.05"];
  const auth = `Basic ${Buffer.from(`${opts.username ?? PUBLIC_USERNAME}:${opts.password ?? PUBLIC_PASSWORD}`).toString("base64")}`;
  let schema = opts.schema ?? 51;
  let failure: FakeFailure | null = null;
  let failuresLeft = 0;
  const requests: FakeSearchRequest[] = [];
  const problems: string[] = [];
  const hanging: ServerResponse[] = [];

  const loop = await startLoopback(async (req, res) => {
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      body = undefined;
    }
    const m = /^\/latest-(\d+)-nixos-([^/]+)\/_search$/.exec(req.path);
    const rec: FakeSearchRequest = {
      method: req.method,
      path: req.path,
      query: req.query,
      schema: m ? Number(m[1]) : undefined,
      channel: m ? decodeURIComponent(m[2]!) : undefined,
      body,
      strings: stringsOf(body),
      status: undefined,
    };
    requests.push(rec);
    const answer = (status: number, payload: unknown): void => {
      rec.status = status;
      sendJson(res, status, payload);
    };
    const refuse = (status: number, problem: string): void => {
      problems.push(`${req.method} ${req.path}: ${problem}`);
      answer(status, esError(status, problem));
    };

    if (opts.delayMs) await sleep(opts.delayMs);
    if (req.method !== "POST") return refuse(405, `method ${req.method}, expected POST`);
    if (!m) return refuse(400, "path is not /latest-<schema>-nixos-<channel>/_search");
    if (req.headers.authorization !== auth) return refuse(401, "missing or wrong Basic auth");
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return refuse(406, "content type is not application/json");
    if (!isRecord(body)) return refuse(400, "body is not a JSON object");
    const bad = checkSearchBody(body);
    if (bad !== undefined) return refuse(400, bad);
    if (rec.schema !== schema || !channels.includes(rec.channel ?? "")) {
      return answer(404, {
        error: { root_cause: [{ type: "index_not_found_exception", reason: `no such index [${req.path.split("/")[1]}]` }], type: "index_not_found_exception" },
        status: 404,
      });
    }

    if (failure !== null && failuresLeft > 0) {
      const f = failure;
      if (--failuresLeft === 0) failure = null;
      switch (f.kind) {
        case "status":
          rec.status = f.status;
          sendJson(res, f.status, esError(f.status, "fake failure"), f.retryAfter === undefined ? {} : { "retry-after": f.retryAfter });
          return;
        case "hang":
          hanging.push(res);
          return;
        case "malformed":
          rec.status = 200;
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"took": 3, "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_source": {"type": "pack');
          return;
        case "bad-shape":
          return answer(200, { took: 1, timed_out: false, _shards: {} });
        case "huge":
          rec.status = 200;
          await streamHuge(res, f.bytes ?? 6_000_000);
          return;
      }
    }

    try {
      return answer(200, search(docsFor(rec.channel ?? ""), body, `nixos-${schema}-${rec.channel ?? ""}-1f9c2b7e4d0a8c6e5b3a29d7f1e0c4b8a6d2e9f3`));
    } catch (e) {
      // A query the evaluator cannot run is a problem of the bot's body, answered like a parse error.
      if (e instanceof BadQuery) return refuse(400, e.message);
      throw e;
    }
  });

  return {
    url: loop.url,
    requests,
    problems,
    fail(f, times = Number.POSITIVE_INFINITY) {
      failure = f;
      failuresLeft = f === null ? 0 : times;
    },
    setSchema(n) {
      schema = n;
    },
    setPackage(channel, attr, version) {
      const o = overrides.get(channel) ?? new Map<string, StoredDoc | null>();
      overrides.set(channel, o);
      if (version === null) {
        o.set(attr, null);
        return;
      }
      const base = docs.find((d) => d.source["type"] === "package" && d.source["package_attr_name"] === attr);
      const source: Doc = base
        ? { ...base.source, package_pversion: version }
        : {
            type: "package",
            package_attr_name: attr,
            package_attr_set: attr.includes(".") ? attr.split(".")[0]! : "No package set",
            package_pname: attr.split(".").pop()!,
            package_pversion: version,
            package_platforms: ["x86_64-linux", "aarch64-linux"],
            package_outputs: ["out"],
            package_default_output: "out",
            package_programs: [],
            package_mainProgram: null,
            package_description: `The ${attr} package`,
            package_longDescription: null,
            package_license: [],
            package_license_set: [],
            package_maintainers: [],
            package_maintainers_set: [],
            package_teams: [],
            package_teams_set: [],
            package_homepage: [],
            package_position: null,
            package_system: "x86_64-linux",
            package_hydra: null,
          };
      // A re-import gives documents new ids (the importer bulk-indexes without ids).
      o.set(attr, { id: `${base?.id ?? "new"}-${channel}-${version}`.slice(0, 40), source });
    },
    async close() {
      for (const r of hanging) r.destroy();
      await loop.close();
    },
  };
}

// ---- checks --------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every string value of a JSON value, in document order. */
export function stringsOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out);
  else if (isRecord(v)) for (const x of Object.values(v)) stringsOf(x, out);
  return out;
}

const QUERY_TYPES = new Set(["bool", "dis_max", "multi_match", "term", "terms", "prefix", "wildcard", "constant_score", "rank_feature", "match_all", "function_score"]);
const TOP_KEYS = new Set(["from", "size", "_source", "sort", "query", "rescore", "aggs", "track_total_hits"]);
/** Index fields (with sub-fields such as `.edge`) and `_score`: the only other keys allowed. */
const FIELD_RE = /^(type|flake_name|_score|package_[A-Za-z_]+|option_[a-z_]+)(\.(edge|attr_path|attr_path_reverse|[a-z_]+))?$/;
/** Parameters of the query types above. */
const PARAM_KEYS = new Set([
  "filter",
  "must",
  "must_not",
  "should",
  "minimum_should_match",
  "boost",
  "_name",
  "tie_breaker",
  "queries",
  "query",
  "fields",
  "type",
  "analyzer",
  "auto_generate_synonyms_phrase_query",
  "operator",
  "fuzziness",
  "prefix_length",
  "value",
  "case_insensitive",
  "field",
  "saturation",
  "pivot",
  "script_score",
  "script",
  "source",
  "functions",
  "window_size",
  "rescore_query",
  "rescore_query_weight",
  "query_weight",
]);

/** The checks the fake applies to a body: undefined when acceptable, else what is wrong with it. */
export function checkSearchBody(body: Record<string, unknown>): string | undefined {
  for (const k of Object.keys(body)) if (!TOP_KEYS.has(k)) return `unknown top-level key ${JSON.stringify(k)}`;
  const badKey = findBadKey(body["query"]) ?? findBadKey(body["sort"]) ?? findBadKey(body["rescore"]);
  if (badKey !== undefined) return `unexpected key ${JSON.stringify(badKey)} (user input must only be a value)`;
  const query = body["query"];
  const filters = isRecord(query) && isRecord(query["bool"]) ? query["bool"]["filter"] : undefined;
  const list = Array.isArray(filters) ? filters : filters === undefined ? [] : [filters];
  const hasType = list.some((f) => isRecord(f) && ((isRecord(f["term"]) && "type" in f["term"]) || (isRecord(f["terms"]) && "type" in f["terms"])));
  if (!hasType) return "no type filter (term on type) in query.bool.filter";
  return undefined;
}

function findBadKey(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const b = findBadKey(x);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (!QUERY_TYPES.has(k) && !PARAM_KEYS.has(k) && !FIELD_RE.test(k)) return k;
    const b = findBadKey(x);
    if (b !== undefined) return b;
  }
  return undefined;
}

function esError(status: number, reason: string): unknown {
  return { error: { root_cause: [{ type: "fake_exception", reason }], type: "fake_exception", reason }, status };
}

// ---- a small query evaluator ------------------------------------------------------------------

interface Result {
  readonly match: boolean;
  readonly score: number;
  readonly names: readonly string[];
}

const NO: Result = { match: false, score: 0, names: [] };

class BadQuery extends Error {}

/** Values of a field as lower-case strings; `field.sub` and `field^2` read `field`. */
function values(doc: Doc, field: string): string[] {
  const base = field
    .replace(/\^[\d.]+$/, "")
    .replace(/\.\*$/, "")
    .split(".")[0]!;
  const v = doc[base];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x): x is string => typeof x === "string").map((x) => x.toLowerCase());
}

const named = (params: unknown): string[] => (isRecord(params) && typeof params["_name"] === "string" ? [params["_name"]] : []);
const boostOf = (params: unknown): number => (isRecord(params) && typeof params["boost"] === "number" ? params["boost"] : 1);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function fieldClause(clause: unknown): [string, unknown] {
  if (!isRecord(clause)) throw new BadQuery("clause is not an object");
  const entry = Object.entries(clause).find(([k]) => k !== "_name" && k !== "boost");
  if (!entry) throw new BadQuery("clause has no field");
  return entry;
}

function wildcardRegex(pattern: string, insensitive: boolean): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, insensitive ? "is" : "s");
}

function evaluate(q: unknown, doc: Doc): Result {
  if (!isRecord(q)) throw new BadQuery("query is not an object");
  const [kind, p] = Object.entries(q)[0] ?? [];
  switch (kind) {
    case "match_all":
      return { match: true, score: 1, names: [] };
    case "bool": {
      if (!isRecord(p)) throw new BadQuery("bool is not an object");
      const names: string[] = [];
      let score = 0;
      for (const c of [...asList(p["filter"]), ...asList(p["must"])]) {
        const r = evaluate(c, doc);
        if (!r.match) return NO;
        names.push(...r.names);
        score += r.score;
      }
      for (const c of asList(p["must_not"])) if (evaluate(c, doc).match) return NO;
      const should = asList(p["should"]).map((c) => evaluate(c, doc));
      const matched = should.filter((r) => r.match);
      const needed = typeof p["minimum_should_match"] === "number" ? p["minimum_should_match"] : p["must"] === undefined && p["filter"] === undefined ? 1 : 0;
      if (should.length > 0 && matched.length < needed) return NO;
      for (const r of matched) {
        names.push(...r.names);
        score += r.score;
      }
      return { match: true, score: score * boostOf(p), names: [...names, ...named(p)] };
    }
    case "dis_max": {
      const rs = asList(isRecord(p) ? p["queries"] : undefined)
        .map((c) => evaluate(c, doc))
        .filter((r) => r.match);
      if (rs.length === 0) return NO;
      return { match: true, score: Math.max(...rs.map((r) => r.score)), names: rs.flatMap((r) => r.names) };
    }
    case "constant_score": {
      const r = evaluate(isRecord(p) ? p["filter"] : undefined, doc);
      return r.match ? { match: true, score: boostOf(p), names: r.names } : NO;
    }
    case "multi_match": {
      if (!isRecord(p) || typeof p["query"] !== "string" || !Array.isArray(p["fields"])) throw new BadQuery("multi_match needs query and fields");
      const fields = p["fields"].map(String);
      const text = p["query"].toLowerCase();
      const hay = fields.map((f) => ({ edge: /\.edge(\^|$)/.test(f), weight: Number(/\^([\d.]+)$/.exec(f)?.[1] ?? "1"), vals: values(doc, f) }));
      // The best weight of a field holding the word (0: none does).
      // `fuzziness: "1"`: a word also matches a term one edit away (not in its first character).
      const fuzzy = p["fuzziness"] !== undefined;
      const near = (v: string, w: string): boolean => [v, ...v.split(/[^a-z0-9]+/)].some((t) => t[0] === w[0] && editDistanceAtMostOne(t, w));
      const weightOf = (w: string): number =>
        Math.max(
          0,
          ...hay.filter((h) => h.vals.some((v) => (h.edge ? v.split(/[^a-z0-9]+/).some((t) => t.startsWith(w)) || v.startsWith(w) : v.includes(w) || (fuzzy && near(v, w))))).map((h) => h.weight),
        );
      if (p["type"] === "phrase") return hay.some((h) => h.vals.some((v) => v.includes(text))) ? { match: true, score: boostOf(p), names: named(p) } : NO;
      const weights = text.split(/\s+/).filter(Boolean).map(weightOf);
      if (weights.length === 0 || weights.some((w) => w === 0)) return NO;
      return { match: true, score: (boostOf(p) * weights.reduce((a, b) => a + b, 0)) / weights.length, names: named(p) };
    }
    case "term":
    case "prefix":
    case "wildcard": {
      const [field, spec] = fieldClause(p);
      const params = isRecord(spec) ? spec : { value: spec };
      const value = text(params["value"] ?? "");
      const insensitive = params["case_insensitive"] === true || /^package_(programs|mainProgram)$/.test(field);
      const raw = doc[field.split(".")[0]!];
      const list = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).map(String);
      let ok: boolean;
      if (field.endsWith(".attr_path_reverse")) ok = list.some((v) => v === value || v.endsWith(`.${value}`));
      else if (kind === "wildcard") ok = list.some((v) => wildcardRegex(value, insensitive).test(v));
      else {
        const norm = (s: string): string => (insensitive ? s.toLowerCase() : s);
        ok = list.some((v) => (kind === "term" ? norm(v) === norm(value) : norm(v).startsWith(norm(value))));
      }
      return ok ? { match: true, score: boostOf(params), names: named(params) } : NO;
    }
    case "terms": {
      const [field, spec] = fieldClause(p);
      const list = asList(doc[field]).map(String);
      const ok = asList(spec).some((v) => list.includes(String(v)));
      return ok ? { match: true, score: 1, names: named(p) } : NO;
    }
    case "rank_feature": {
      if (!isRecord(p) || typeof p["field"] !== "string") throw new BadQuery("rank_feature needs a field");
      const v = doc[p["field"]];
      if (typeof v !== "number") return NO;
      const pivot = isRecord(p["saturation"]) && typeof p["saturation"]["pivot"] === "number" ? p["saturation"]["pivot"] : 1;
      return { match: true, score: (boostOf(p) * v) / (v + pivot), names: named(p) };
    }
    default:
      throw new BadQuery(`unknown query [${String(kind)}]`);
  }
}

/** Levenshtein distance ≤ 1 (one insertion, deletion or substitution). */
function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function search(docs: readonly StoredDoc[], body: Record<string, unknown>, index: string): unknown {
  // Throws BadQuery for a query it cannot evaluate.
  const scored = docs.map((doc) => ({ doc, r: evaluate(body["query"] ?? { match_all: {} }, doc.source) })).filter((x) => x.r.match);
  const nameOf = (d: StoredDoc): string => text(d.source["package_attr_name"] ?? d.source["option_name"] ?? "");
  // Score, then shorter names (the site's rescore), then by name.
  scored.sort((a, b) => b.r.score - a.r.score || nameOf(a.doc).length - nameOf(b.doc).length || nameOf(a.doc).localeCompare(nameOf(b.doc)));
  const from = typeof body["from"] === "number" ? body["from"] : 0;
  const size = typeof body["size"] === "number" ? body["size"] : 10;
  const include = Array.isArray(body["_source"]) ? body["_source"].map(String) : undefined;
  const page = scored.slice(from, from + size);
  return {
    took: 3,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: scored.length, relation: "eq" },
      max_score: page[0]?.r.score ?? null,
      hits: page.map(({ doc, r }) => ({
        _index: index,
        _id: doc.id,
        _score: r.score,
        _source: include ? Object.fromEntries(Object.entries(doc.source).filter(([k]) => include.includes(k))) : doc.source,
        matched_queries: [...new Set(r.names)],
      })),
    },
  };
}

async function streamHuge(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.alloc(64 * 1024, "a");
  const head = '{"hits": {"total": {"value": 1}, "hits": [{"_source": {"type": "package", "package_attr_name": "huge", "package_description": "';
  res.write(head);
  let sent = head.length;
  while (sent < bytes && !res.destroyed) {
    const ok = res.write(chunk);
    sent += chunk.length;
    if (!ok) {
      await new Promise<void>((r) => {
        const done = (): void => {
          res.off("drain", done).off("close", done);
          r();
        };
        res.on("drain", done).on("close", done);
      });
    }
  }
  if (!res.destroyed) res.end('"}}]}}');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Standalone: print the URL and serve until killed.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const delay = Number(process.env["FAKE_SEARCH_DELAY_MS"] ?? "0");
  // No top-level await: test runners may load this file through require().
  void startFakeSearch({ delayMs: Number.isFinite(delay) && delay > 0 ? delay : 0 }).then((fake) => {
    process.stdout.write(`${fake.url}\n`);
    const stop = (): void => void fake.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
