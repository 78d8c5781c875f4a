/**
 * The search.nixos.org client: packages, options (NixOS, Home Manager, nix-darwin), programs and
 * autocomplete, from the site's Elasticsearch backend, over the shared HTTP layer (cache,
 * single-flight, retries, size limit, timeout all come from there).
 *
 * Index churn: the index alias is `latest-<schema>-nixos-<channel>` and the schema number changes
 * a few times a year. When the alias answers 404 the client tries the next `probeAhead` numbers
 * at once, remembers the first that answers (per channel, in memory) and logs the change once. If
 * none does, it throws an UpstreamError with failure "moved" and a link to the site.
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { UpstreamError, UserError } from "../core/errors.js";
import { deadlineOf, type Deadline, type Http, type HttpResponse } from "./http.js";
import {
  optionsBody,
  packagesBody,
  programsBody,
  splitQuery,
  typeaheadBody,
  type CompleteKind,
  type DocType,
  type EsBody,
  type QueryWords,
} from "./nixos-search-query.js";

/** The name users see in error messages. */
export const SEARCH_SERVICE = "search.nixos.org";

export type SearchConfig = Config["search"];

/** Where options come from; each is a document type in the same index. */
export type OptionSource = "nixos" | "home-manager" | "darwin";
export const OPTION_SOURCES: readonly OptionSource[] = ["nixos", "home-manager", "darwin"];

const DOC_TYPE: Readonly<Record<OptionSource, Exclude<DocType, "package">>> = {
  nixos: "option",
  "home-manager": "home-manager-option",
  darwin: "darwin-option",
};

/** The site's `source=` parameter on /options. */
const SITE_SOURCE: Readonly<Record<OptionSource, string>> = { nixos: "nixos", "home-manager": "home_manager", darwin: "darwin" };

export interface PackageHit {
  readonly attrName: string;
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly homepages: readonly string[];
  readonly programs: readonly string[];
  readonly mainProgram: string | undefined;
}

export interface ProgramHit extends PackageHit {
  /** A program of the package is named exactly like the query (else it only starts with it). */
  readonly exact: boolean;
  /** That program (or the first that starts with the query), as the package spells it. */
  readonly program: string | undefined;
}

export interface OptionHit {
  readonly name: string;
  readonly type: string | undefined;
  /** A Nix expression, as the site shows it. */
  readonly defaultValue: string | undefined;
  /** HTML (`<rendered-html>…</rendered-html>`); turn it into chat text with htmlToRich. */
  readonly descriptionHtml: string | undefined;
  /** The first declaring file, e.g. `nixos/modules/services/web-servers/nginx/default.nix`. */
  readonly declaredIn: string | undefined;
}

export interface SearchPage<T> {
  readonly hits: readonly T[];
  /** How many documents match in all. */
  readonly total: number;
  /** `total` is a lower bound (Elasticsearch stops counting at 10,000). */
  readonly totalIsLowerBound: boolean;
  readonly channel: string;
  /** The same search on search.nixos.org. */
  readonly searchUrl: string;
}

export interface SearchOptions extends Deadline {
  /** A channel from config; resolve user input with `channel()` first. Default: the default channel. */
  readonly channel?: string;
}

export interface NixosSearch {
  readonly channels: readonly string[];
  /** Resolves what a user typed (any case) to a configured channel; UserError listing the valid ones. */
  channel(input: string | undefined): string;
  /** The best matching packages (`results` from config). Words starting with `-` exclude. */
  packages(query: string, opts?: SearchOptions): Promise<SearchPage<PackageHit>>;
  options(query: string, opts?: SearchOptions & { readonly source?: OptionSource }): Promise<SearchPage<OptionHit>>;
  /** Packages that provide a program of that name: exact matches first, then shorter names. */
  programs(program: string, opts?: SearchOptions): Promise<SearchPage<ProgramHit>>;
  /**
   * Autocomplete: at most 25 names of at most 100 characters; [] for fewer than 2 characters. One
   * request without retries: pass the caller's deadline (Discord allows 3 s in all).
   */
  complete(kind: "package" | "program" | OptionSource, partial: string, opts?: SearchOptions): Promise<readonly string[]>;
  /** search.nixos.org/packages for a query, with `show=` when one result is meant. */
  packagesUrl(channel: string, query: string, show?: string): string;
  optionsUrl(channel: string, query: string, source: OptionSource, show?: string): string;
  /** Where an option is declared, on GitHub (NixOS options only; undefined when unknown). */
  declarationUrl(channel: string, source: OptionSource, declaredIn: string): string | undefined;
  /** The schema number in use for a channel (changes after probing). */
  schemaFor(channel: string): number;
}

export interface NixosSearchDeps {
  readonly config: SearchConfig;
  readonly http: Http;
  readonly log: Logger;
}

const COMPLETE_MAX = 25;
const CHOICE_MAX_CHARS = 100;
/** !locate asks for this many candidates and ranks them itself. */
const PROGRAM_WINDOW = 50;

export function createNixosSearch(deps: NixosSearchDeps): NixosSearch {
  const { config, http, log } = deps;
  const schemas = new Map<string, number>();
  const base = config.url.replace(/\/+$/, "");
  const site = config.siteUrl.replace(/\/+$/, "");
  const headers: Record<string, string> =
    config.username === "" && config.password === ""
      ? {}
      : { authorization: `Basic ${Buffer.from(`${config.username}:${config.password}`).toString("base64")}` };
  const cacheTtlMs = config.cacheTtlSeconds * 1000;

  const schemaFor = (channel: string): number => schemas.get(channel) ?? config.schema;

  function channel(input: string | undefined): string {
    if (input === undefined || input.trim() === "") return config.defaultChannel;
    const wanted = input.trim().toLowerCase();
    const found = config.channels.find((c) => c.toLowerCase() === wanted);
    if (found === undefined) {
      const shown = [...input.trim()].slice(0, 30).join("");
      throw new UserError(`Unknown channel "${shown}". Channels: ${config.channels.join(", ")}.`);
    }
    return found;
  }

  function siteUrl(path: string, params: Record<string, string | undefined>): string {
    const u = new URL(`${site}${path}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
    return u.href;
  }

  const packagesUrl = (ch: string, query: string, show?: string): string => siteUrl("/packages", { channel: ch, query, show });
  const optionsUrl = (ch: string, query: string, source: OptionSource, show?: string): string =>
    siteUrl("/options", { channel: ch, ...(source === "nixos" ? {} : { source: SITE_SOURCE[source] }), query, show });

  interface PostOptions extends Deadline {
    readonly hintUrl: string;
    readonly retries?: number;
    readonly params?: URLSearchParams;
  }

  /**
   * POSTs a body to the channel's index. On 404, probes the next `probeAhead` schemas together
   * (one round trip, not one per number) and keeps the first that answers. Returns the parsed JSON.
   */
  async function post(ch: string, body: EsBody, opts: PostOptions): Promise<unknown> {
    const first = schemaFor(ch);
    const params = opts.params?.toString() ?? "";
    const qs = params === "" ? "" : `?${params}`;
    const ask = (schema: number): Promise<HttpResponse> =>
      http.request({
        service: SEARCH_SERVICE,
        url: `${base}/${encodeURIComponent(`latest-${schema}-nixos-${ch}`)}/_search${qs}`,
        method: "POST",
        headers,
        json: body,
        accept: [404],
        cacheTtlMs,
        ...(opts.retries === undefined ? {} : { retries: opts.retries }),
        ...deadlineOf(opts),
      });
    let found: { schema: number; res: HttpResponse } | undefined;
    try {
      const res = await ask(first);
      if (res.status !== 404) found = { schema: first, res };
      else {
        const ahead = Array.from({ length: config.probeAhead }, (_, i) => first + 1 + i);
        const answers = await Promise.allSettled(ahead.map(ask));
        // Lower numbers win; an error before the first index that answers fails like it would alone.
        for (const [i, a] of answers.entries()) {
          if (a.status === "rejected") throw a.reason;
          if (a.value.status !== 404) {
            found = { schema: ahead[i]!, res: a.value };
            break;
          }
        }
      }
    } catch (e) {
      throw withSiteHint(e, opts.hintUrl);
    }
    if (found === undefined) {
      throw new UpstreamError(SEARCH_SERVICE, "moved", `no index latest-${first}..${first + config.probeAhead}-nixos-${ch}`, {
        status: 404,
        hint: "Search on the site meanwhile:",
        hintUrl: opts.hintUrl,
      });
    }
    if (found.schema !== first && schemaFor(ch) === first) {
      schemas.set(ch, found.schema);
      log.warn({ channel: ch, from: first, to: found.schema }, "search index moved to a newer schema; using it from now on");
    }
    try {
      return JSON.parse(found.res.body) as unknown;
    } catch {
      throw new UpstreamError(SEARCH_SERVICE, "bad-response", `answer is not JSON (HTTP ${found.res.status})`, {
        status: found.res.status,
        hint: "Search on the site:",
        hintUrl: opts.hintUrl,
      });
    }
  }

  async function packages(query: string, opts: SearchOptions = {}): Promise<SearchPage<PackageHit>> {
    const ch = channel(opts.channel);
    const q = needWords(query);
    const searchUrl = packagesUrl(ch, query.trim());
    const data = await post(ch, packagesBody(q, config.results), { hintUrl: searchUrl, ...deadlineOf(opts) });
    const page = decodePage(data, searchUrl);
    return { ...page, channel: ch, searchUrl, hits: page.sources.flatMap((s) => decodePackage(s) ?? []) };
  }

  async function options(query: string, opts: SearchOptions & { readonly source?: OptionSource } = {}): Promise<SearchPage<OptionHit>> {
    const ch = channel(opts.channel);
    const source = opts.source ?? "nixos";
    const q = needWords(query);
    const searchUrl = optionsUrl(ch, query.trim(), source);
    // The site opts into the shard request cache for options.
    const data = await post(ch, optionsBody(q, DOC_TYPE[source], config.results), { hintUrl: searchUrl, params: new URLSearchParams({ request_cache: "true" }), ...deadlineOf(opts) });
    const page = decodePage(data, searchUrl);
    return { ...page, channel: ch, searchUrl, hits: page.sources.flatMap((s) => decodeOption(s) ?? []) };
  }

  async function programs(program: string, opts: SearchOptions = {}): Promise<SearchPage<ProgramHit>> {
    const ch = channel(opts.channel);
    const name = program.trim().toLowerCase();
    if (name === "") throw new UserError("Which program? Give its name, e.g. rg.");
    const searchUrl = packagesUrl(ch, program.trim());
    const data = await post(ch, programsBody(name, PROGRAM_WINDOW), { hintUrl: searchUrl, ...deadlineOf(opts) });
    const page = decodePage(data, searchUrl);
    const hits = page.sources
      .flatMap((s) => decodePackage(s) ?? [])
      .map((p): ProgramHit => {
        const provided = p.mainProgram === undefined ? p.programs : [...p.programs, p.mainProgram];
        const exact = provided.find((x) => x.toLowerCase() === name);
        return { ...p, exact: exact !== undefined, program: exact ?? provided.find((x) => x.toLowerCase().startsWith(name)) };
      })
      .sort((a, b) => Number(b.exact) - Number(a.exact) || a.attrName.length - b.attrName.length || (a.attrName < b.attrName ? -1 : a.attrName > b.attrName ? 1 : 0))
      .slice(0, config.results);
    return { total: page.total, totalIsLowerBound: page.totalIsLowerBound, channel: ch, searchUrl, hits };
  }

  async function complete(kind: "package" | "program" | OptionSource, partial: string, opts: SearchOptions = {}): Promise<readonly string[]> {
    const ch = channel(opts.channel);
    // Edge n-grams are 2 to 50 characters long.
    const p = [...partial.trim().toLowerCase()].slice(0, 50).join("");
    if ([...p].length < 2) return [];
    const esKind: CompleteKind = kind === "package" || kind === "program" ? kind : DOC_TYPE[kind];
    const hintUrl = kind === "package" || kind === "program" ? packagesUrl(ch, p) : optionsUrl(ch, p, kind);
    const data = await post(ch, typeaheadBody(esKind, p, COMPLETE_MAX), { hintUrl, retries: 0, ...deadlineOf(opts) });
    const names: string[] = [];
    for (const s of decodePage(data, hintUrl).sources) {
      const candidates =
        kind === "package"
          ? [str(s["package_attr_name"])]
          : kind === "program"
            ? [...strings(s["package_programs"]), str(s["package_mainProgram"])].filter((x) => x?.toLowerCase().startsWith(p))
            : [str(s["option_name"])];
      for (const c of candidates) {
        if (c !== undefined && c !== "" && [...c].length <= CHOICE_MAX_CHARS && !names.includes(c)) names.push(c);
      }
    }
    return names.slice(0, COMPLETE_MAX);
  }

  function declarationUrl(ch: string, source: OptionSource, declaredIn: string): string | undefined {
    if (/^https?:\/\//.test(declaredIn)) return declaredIn;
    // Home Manager and nix-darwin paths are relative to their own repositories and branches,
    // which the index does not say; only nixpkgs paths can be linked reliably.
    if (source !== "nixos" || declaredIn.startsWith("/") || declaredIn.includes("..")) return undefined;
    const path = declaredIn.split("/").map(encodeURIComponent).join("/");
    return `https://github.com/NixOS/nixpkgs/blob/nixos-${encodeURIComponent(ch)}/${path}`;
  }

  return {
    channels: config.channels,
    channel,
    packages,
    options,
    programs,
    complete,
    packagesUrl,
    optionsUrl,
    declarationUrl,
    schemaFor,
  };
}

/** Words for a relevance query; at least one that is not an exclusion. */
function needWords(query: string): QueryWords {
  const q = splitQuery(query);
  if (q.words.length === 0) throw new UserError("Give at least one word to search for (words starting with - only exclude).");
  return q;
}

function withSiteHint(e: unknown, hintUrl: string): unknown {
  if (e instanceof UpstreamError && e.hint === undefined) return e.withHint("Search on the site:", hintUrl);
  return e;
}

// ---- decoding: defensive, every field may be missing or of another type ---------------------

type Source = Readonly<Record<string, unknown>>;

interface RawPage {
  readonly total: number;
  readonly totalIsLowerBound: boolean;
  readonly sources: readonly Source[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function decodePage(data: unknown, hintUrl: string): RawPage {
  const hits = isRecord(data) ? data["hits"] : undefined;
  const list = isRecord(hits) ? hits["hits"] : undefined;
  if (!isRecord(hits) || !Array.isArray(list)) {
    throw new UpstreamError(SEARCH_SERVICE, "bad-response", "answer has no hits.hits list", { hint: "Search on the site:", hintUrl });
  }
  const rawTotal = hits["total"];
  // Elasticsearch 7 sends {value, relation}; older engines a bare number.
  const total = isRecord(rawTotal) ? num(rawTotal["value"]) : num(rawTotal);
  const sources = list.flatMap((h) => (isRecord(h) && isRecord(h["_source"]) ? [h["_source"]] : []));
  return {
    total: Math.max(total ?? sources.length, sources.length),
    totalIsLowerBound: isRecord(rawTotal) && rawTotal["relation"] === "gte",
    sources,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return v === "" ? [] : [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : [];
}

function decodePackage(s: Source): PackageHit | undefined {
  const attrName = str(s["package_attr_name"]);
  if (attrName === undefined) return undefined;
  return {
    attrName,
    version: str(s["package_pversion"]),
    description: str(s["package_description"]),
    homepages: strings(s["package_homepage"]),
    programs: strings(s["package_programs"]),
    mainProgram: str(s["package_mainProgram"]),
  };
}

function decodeOption(s: Source): OptionHit | undefined {
  const name = str(s["option_name"]);
  if (name === undefined) return undefined;
  return {
    name,
    type: str(s["option_type"]),
    defaultValue: str(s["option_default"]),
    descriptionHtml: str(s["option_description"]),
    declaredIn: str(s["option_source"]),
  };
}
