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
  versionBody,
  attrVersionsBody,
  ATTRS_PER_REQUEST,
  type CompleteKind,
  type DocType,
  type EsBody,
  type QueryWords,
} from "./nixos-search-query.js";
import { breakTies, compareScored, locateTier, type Scored } from "./nixos-search-rank.js";

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

export interface Maintainer {
  readonly name: string;
  /** The GitHub handle, when nixpkgs knows it. */
  readonly github: string | undefined;
}

export interface Team {
  /** e.g. `Mozilla`. */
  readonly name: string;
  /** GitHub team slugs in the NixOS organisation, e.g. `mozilla`. */
  readonly githubTeams: readonly string[];
}

export interface PackageHit {
  readonly attrName: string;
  readonly pname: string | undefined;
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly homepages: readonly string[];
  readonly programs: readonly string[];
  readonly mainProgram: string | undefined;
  /** The following are filled for `packages()` only (other searches do not ask for them). */
  readonly maintainers: readonly Maintainer[];
  readonly teams: readonly Team[];
  /** License short names, e.g. `gpl3Plus`, `mit`. */
  readonly licenses: readonly string[];
  /** Where the package is defined, e.g. `pkgs/by-name/he/hello/package.nix:30`. */
  readonly position: string | undefined;
}

/** An attribute's version in one channel. */
export interface ChannelVersion {
  readonly channel: string;
  /** found: the attribute is in the channel; missing: it is not; failed: the channel did not answer. */
  readonly status: "found" | "missing" | "failed";
  readonly version: string | undefined;
}

export interface VersionsAnswer {
  /** The attribute name as the index spells it (else as given). */
  readonly attrName: string;
  /** One entry per configured channel, in config order. */
  readonly channels: readonly ChannelVersion[];
  /** search.nixos.org for the attribute in the default channel. */
  readonly searchUrl: string;
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
   * The version of one attribute in every configured channel: one request per channel, in
   * parallel, each ending by the caller's deadline. Throws only when no channel answers.
   */
  versions(attr: string, opts?: Deadline): Promise<VersionsAnswer>;
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
  /** A package's `position` (`path:line`) on GitHub at the channel's branch; undefined when not a nixpkgs path. */
  positionUrl(channel: string, position: string): string | undefined;
  /** The schema number in use for a channel (changes after probing). */
  schemaFor(channel: string): number;
  /**
   * Package feeds: the version of each of these exact attribute names (case-sensitive) in one
   * channel, as the index has it now ("" when it gives none); names it does not hold are absent.
   * One request per ATTRS_PER_REQUEST names, one after the other, never answered from the cache.
   * `channel` is an index channel id (`unstable`, `26.05`); unlike the other searches it need not
   * be in config, so that a new release is followed as soon as the channel status shows it.
   */
  attrVersions(channel: string, attrs: readonly string[], opts?: Deadline): Promise<ReadonlyMap<string, string>>;
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
/** !pkg and !option ask for this many (at least `results`) to break ties among them. */
const TIE_WINDOW = 10;
/** Longest attribute name !versions and the package feeds send. */
const ATTR_MAX_CHARS = 200;
/** An index channel id as the backend names its aliases (`unstable`, `26.05`). */
const INDEX_CHANNEL = /^[a-z0-9][a-z0-9._-]{0,40}$/;

export function createNixosSearch(deps: NixosSearchDeps): NixosSearch {
  const { config, http, log } = deps;
  const schemas = new Map<string, number>();
  const base = config.url.replace(/\/+$/, "");
  const site = config.siteUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = config.username === "" && config.password === "" ? {} : { authorization: `Basic ${Buffer.from(`${config.username}:${config.password}`).toString("base64")}` };
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
    /** Overrides the configured cache time (0: always ask the backend). */
    readonly cacheTtlMs?: number;
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
        cacheTtlMs: opts.cacheTtlMs ?? cacheTtlMs,
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
    const data = await post(ch, packagesBody(q, Math.max(config.results, TIE_WINDOW)), { hintUrl: searchUrl, ...deadlineOf(opts) });
    const page = decodePage(data, searchUrl);
    const hits = breakTies(page.hits.flatMap((h) => scored(decodePackage(h.source), h.score, (p) => p.attrName)));
    return { total: page.total, totalIsLowerBound: page.totalIsLowerBound, channel: ch, searchUrl, hits: hits.slice(0, config.results) };
  }

  async function options(query: string, opts: SearchOptions & { readonly source?: OptionSource } = {}): Promise<SearchPage<OptionHit>> {
    const ch = channel(opts.channel);
    const source = opts.source ?? "nixos";
    const q = needWords(query);
    const searchUrl = optionsUrl(ch, query.trim(), source);
    // The site opts into the shard request cache for options.
    const data = await post(ch, optionsBody(q, DOC_TYPE[source], Math.max(config.results, TIE_WINDOW)), {
      hintUrl: searchUrl,
      params: new URLSearchParams({ request_cache: "true" }),
      ...deadlineOf(opts),
    });
    const page = decodePage(data, searchUrl);
    const hits = breakTies(page.hits.flatMap((h) => scored(decodeOption(h.source), h.score, (o) => o.name)));
    return { total: page.total, totalIsLowerBound: page.totalIsLowerBound, channel: ch, searchUrl, hits: hits.slice(0, config.results) };
  }

  async function programs(program: string, opts: SearchOptions = {}): Promise<SearchPage<ProgramHit>> {
    const ch = channel(opts.channel);
    const name = program.trim().toLowerCase();
    if (name === "") throw new UserError("Which program? Give its name, e.g. rg.");
    const searchUrl = packagesUrl(ch, program.trim());
    const data = await post(ch, programsBody(name, PROGRAM_WINDOW), { hintUrl: searchUrl, ...deadlineOf(opts) });
    const page = decodePage(data, searchUrl);
    const hits = page.hits
      .flatMap((h) =>
        scored(decodePackage(h.source), h.score, (p) => p.attrName).map((c): Scored<ProgramHit> => {
          const p = c.item;
          const provided = p.mainProgram === undefined ? p.programs : [...p.programs, p.mainProgram];
          const exact = provided.find((x) => x.toLowerCase() === name);
          return { ...c, item: { ...p, exact: exact !== undefined, program: exact ?? provided.find((x) => x.toLowerCase().startsWith(name)) } };
        }),
      )
      // the package named like the program first (python3 before pypy3), then the engine's score (popularity)
      .sort((a, b) => locateTier(name, b.item) - locateTier(name, a.item) || compareScored(a, b))
      .map((c) => c.item)
      .slice(0, config.results);
    return { total: page.total, totalIsLowerBound: page.totalIsLowerBound, channel: ch, searchUrl, hits };
  }

  async function versions(attr: string, opts: Deadline = {}): Promise<VersionsAnswer> {
    const wanted = attr.trim();
    if (wanted === "") throw new UserError("Which package? Give its attribute name, e.g. hello.");
    if (/\s/u.test(wanted)) throw new UserError("Give one attribute name, e.g. python3Packages.requests.");
    if ([...wanted].length > ATTR_MAX_CHARS) throw new UserError(`An attribute name has at most ${ATTR_MAX_CHARS} characters.`);
    const searchUrl = packagesUrl(config.defaultChannel, wanted, wanted);
    const settled = await Promise.allSettled(
      config.channels.map(async (ch) => {
        const hintUrl = packagesUrl(ch, wanted, wanted);
        const page = decodePage(await post(ch, versionBody(wanted, 5), { hintUrl, ...deadlineOf(opts) }), hintUrl);
        const found = page.hits.flatMap((h) => decodePackage(h.source) ?? []);
        // the exact spelling first, else the only case-insensitive match
        return found.find((p) => p.attrName === wanted) ?? (found.length === 1 ? found[0] : undefined);
      }),
    );
    if (settled.every((r) => r.status === "rejected")) throw (settled[0] as PromiseRejectedResult).reason;
    let attrName: string | undefined;
    const channels = settled.map((r, i): ChannelVersion => {
      const channel = config.channels[i]!;
      if (r.status === "rejected") {
        log.warn({ channel, err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, "!versions: a channel did not answer");
        return { channel, status: "failed", version: undefined };
      }
      if (r.value === undefined) return { channel, status: "missing", version: undefined };
      attrName ??= r.value.attrName;
      return { channel, status: "found", version: r.value.version };
    });
    return { attrName: attrName ?? wanted, channels, searchUrl };
  }

  async function attrVersions(ch: string, attrs: readonly string[], opts: Deadline = {}): Promise<ReadonlyMap<string, string>> {
    if (!INDEX_CHANNEL.test(ch)) throw new UserError(`"${[...ch].slice(0, 30).join("")}" is not a channel of the search index.`);
    // Only names that could be attributes reach the query (callers check them; this bounds them).
    const wanted = [...new Set(attrs)].filter((a) => a !== "" && [...a].length <= ATTR_MAX_CHARS);
    const out = new Map<string, string>();
    const hintUrl = siteUrl("/packages", { channel: ch });
    for (let i = 0; i < wanted.length; i += ATTRS_PER_REQUEST) {
      const chunk = wanted.slice(i, i + ATTRS_PER_REQUEST);
      const page = decodePage(await post(ch, attrVersionsBody(chunk), { hintUrl, cacheTtlMs: 0, ...deadlineOf(opts) }), hintUrl);
      const asked = new Set(chunk);
      for (const h of page.hits) {
        const name = h.source["package_attr_name"];
        if (typeof name !== "string" || !asked.has(name)) continue;
        const v = h.source["package_pversion"];
        out.set(name, typeof v === "string" ? v : "");
      }
    }
    return out;
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
    for (const { source: s } of decodePage(data, hintUrl).hits) {
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
    if (source !== "nixos") return undefined;
    return nixpkgsUrl(ch, declaredIn);
  }

  function positionUrl(ch: string, position: string): string | undefined {
    const m = /^(.*?)(?::(\d+))?$/su.exec(position.trim());
    const path = m?.[1] ?? "";
    const line = m?.[2];
    const url = nixpkgsUrl(ch, path);
    return url === undefined || line === undefined ? url : `${url}#L${line}`;
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
    positionUrl,
    versions,
    schemaFor,
    attrVersions,
  };
}

/** A path relative to nixpkgs on GitHub at the channel's branch; undefined for anything else. */
function nixpkgsUrl(ch: string, path: string): string | undefined {
  if (path === "" || path.startsWith("/") || path.split("/").includes("..") || /[\s\p{Cc}]/u.test(path)) return undefined;
  return `https://github.com/NixOS/nixpkgs/blob/nixos-${encodeURIComponent(ch)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** A decoded hit with its score, or nothing when it did not decode. */
function scored<T>(item: T | undefined, score: number, nameOf: (t: T) => string): Scored<T>[] {
  return item === undefined ? [] : [{ item, score, name: nameOf(item) }];
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

interface RawHit {
  readonly source: Source;
  /** The engine's score (0 when it sent none). */
  readonly score: number;
}

interface RawPage {
  readonly total: number;
  readonly totalIsLowerBound: boolean;
  readonly hits: readonly RawHit[];
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
  const decoded = list.flatMap((h): RawHit[] => (isRecord(h) && isRecord(h["_source"]) ? [{ source: h["_source"], score: num(h["_score"]) ?? 0 }] : []));
  return {
    total: Math.max(total ?? decoded.length, decoded.length),
    totalIsLowerBound: isRecord(rawTotal) && rawTotal["relation"] === "gte",
    hits: decoded,
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
    pname: str(s["package_pname"]),
    version: str(s["package_pversion"]),
    description: str(s["package_description"]),
    homepages: strings(s["package_homepage"]),
    programs: strings(s["package_programs"]),
    mainProgram: str(s["package_mainProgram"]),
    maintainers: records(s["package_maintainers"]).flatMap((m) => {
      const github = str(m["github"]);
      const name = str(m["name"]) ?? github;
      return name === undefined ? [] : [{ name, github: github !== undefined && GITHUB_HANDLE.test(github) ? github : undefined }];
    }),
    teams: records(s["package_teams"]).flatMap((t) => {
      const name = str(t["shortName"]);
      return name === undefined ? [] : [{ name, githubTeams: strings(t["githubTeams"]).filter((x) => GITHUB_HANDLE.test(x)) }];
    }),
    licenses: records(s["package_license"]).flatMap((l) => str(l["shortName"]) ?? str(l["spdxId"]) ?? str(l["fullName"]) ?? []),
    position: str(s["package_position"]),
  };
}

/** GitHub user and team names: letters, digits, single dashes (teams also `_` and `.`). */
const GITHUB_HANDLE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;

/** The objects of a list (e.g. nested maintainers); anything else is dropped. */
function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? [v] : [];
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
