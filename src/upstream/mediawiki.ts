/**
 * The MediaWiki client for wiki.nixos.org, over the shared HTTP layer.
 *
 * The wiki (MediaWiki 1.45, database search) has no TextExtracts, so an intro comes from the page's
 * `description` property (Description2) when it has one, else from the parsed first section with
 * the Translate language bar, boxes, templates and references left out. Translation subpages
 * (`Flakes/de`) appear in every search; they are dropped unless a language is asked for. Every
 * request uses `format=json&formatversion=2`, goes through one client-side pace
 * (wiki.maxRequestsPerSecond) and the shared cache (wiki.cacheTtlSeconds); the shared layer sends
 * the User-Agent and retries 429 honouring Retry-After. Page links are the API's `fullurl`.
 *
 * A lookup takes up to three rounds (searches, page info, intro). Given a deadline, it answers
 * with what is known when a round is late: the search hits without an intro, or the page without
 * its intro, marked `late`.
 */
import { HTMLElement, parse as parseHtml } from "node-html-parser";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { UpstreamError } from "../core/errors.js";
import { firstSentences, htmlToText } from "../render/html-text.js";
import { IntervalLimiter } from "./cache.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";

/** A wiki page and its link as the API gives it. */
export interface WikiPage {
  readonly title: string;
  readonly url: string;
}

/** The best page for a query, with its intro (plain text, "" when the page has none). */
export interface WikiArticle extends WikiPage {
  readonly intro: string;
}

export interface WikiLookup {
  /** Absent when nothing matched. */
  readonly best?: WikiArticle;
  /** Other matching pages, best first. */
  readonly others: readonly WikiPage[];
  /** The API's spelling suggestion for the query, when it has one. */
  readonly suggestion?: string;
  /** The wiki's own full-text search page for the query. */
  readonly searchUrl: string;
  /**
   * The wiki was late for the deadline: this is what was known by then (titles not checked for
   * redirects, intro left out).
   */
  readonly late?: boolean;
}

export interface LookupOptions extends Deadline {
  /** A language code (`de`, `pt-br`): prefer that translation and keep its subpages. */
  readonly lang?: string;
  /** How many other titles to return (default 3). */
  readonly others?: number;
}

export interface MediaWiki {
  /** Finds the best page for a query, its intro, and a few other matching pages. */
  lookup(query: string, opts?: LookupOptions): Promise<WikiLookup>;
  /**
   * Titles starting with `partial` (opensearch), translation subpages dropped; at most 25. One
   * request without retries: pass the caller's deadline (Discord allows 3 s in all).
   */
  complete(partial: string, limit?: number, opts?: Deadline): Promise<readonly string[]>;
}

export interface MediaWikiDeps {
  readonly config: Pick<Config, "wiki">;
  readonly http: Http;
  readonly log: Logger;
}

/** Sentences and characters of an intro. */
const INTRO_SENTENCES = 3;
const INTRO_MAX_CHARS = 500;
/** Titles asked from each search; more than shown, since translations and duplicates drop out. */
const SEARCH_LIMIT = 10;
/** Candidates whose link and redirect target are looked up in one request. */
const CANDIDATES = 8;
/** Largest parsed section accepted (a lead section is a few kB; a runaway template is not). */
const MAX_PARSE_BYTES = 1_000_000;

/** Language codes as Translate names subpages: `de`, `ja`, `zh-hans`, `pt-br`. */
const LANG_RE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/;
const SUBPAGE_RE = /^(.+)\/([a-z]{2,3}(?:-[a-z0-9]{2,8})*)$/;

/** Whether a code looks like a language code (lower-case). */
export function isLanguageCode(code: string): boolean {
  return LANG_RE.test(code);
}

/** `Flakes/de` -> { base: "Flakes", lang: "de" }; undefined for other titles. */
export function translationOf(title: string): { base: string; lang: string } | undefined {
  const m = SUBPAGE_RE.exec(title);
  return m ? { base: m[1]!, lang: m[2]! } : undefined;
}

/** Lower case, `_` as space, no punctuation at the ends, single spaces: how titles are compared. */
export function normalizeTitle(s: string): string {
  return s
    .toLowerCase()
    .replace(/[_\s]+/g, " ")
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "")
    .trim();
}

/**
 * 2 for the same title (case and `_` aside), 1 for a near-exact one (a plural `s`, or one typo in
 * a longer word), 0 otherwise.
 */
export function titleMatch(query: string, title: string): 0 | 1 | 2 {
  const q = normalizeTitle(query);
  const t = normalizeTitle(title);
  if (q === "" || t === "") return 0;
  if (q === t) return 2;
  const singular = (s: string): string => s.replace(/(?<=\w\w)s$/, "");
  if (singular(q) === singular(t)) return 1;
  if (q.length >= 5 && Math.abs(q.length - t.length) <= 1 && distanceAtMostOne(q, t)) return 1;
  return 0;
}

/** Whether two strings differ by at most one insertion, deletion or substitution. */
function distanceAtMostOne(a: string, b: string): boolean {
  if (a.length > b.length) return distanceAtMostOne(b, a);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.slice(i) === b.slice(i + 1);
}

/**
 * Orders candidate titles, best first: exact then near-exact titles (from the prefix search, or a
 * full-text hit whose title matches), then prefix matches that begin with the query's whole words
 * ("nix" -> "Nix command", not "NixOS"), then full-text rank, then the remaining prefix matches.
 * Translation subpages are dropped unless `lang` names their language.
 */
export function rankTitles(query: string, prefix: readonly string[], fulltext: readonly string[], lang?: string): string[] {
  const allowed = (t: string): boolean => {
    const tr = translationOf(t);
    return tr === undefined || (lang !== undefined && lang !== "en" && tr.lang === lang);
  };
  const base = (t: string): string => translationOf(t)?.base ?? t;
  const titled = [...prefix, ...fulltext].filter(allowed);
  const exact = titled.filter((t) => titleMatch(query, base(t)) === 2);
  const near = titled.filter((t) => titleMatch(query, base(t)) === 1);
  const q = normalizeTitle(query);
  const words = prefix.filter((t) => allowed(t) && q !== "" && normalizeTitle(base(t)).startsWith(`${q} `));
  const out: string[] = [];
  for (const t of [...exact, ...near, ...words, ...fulltext.filter(allowed), ...prefix.filter(allowed)]) {
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** Elements of a parsed section that are not prose: boxes, language bars, references, edit links. */
const NOT_PROSE = [
  ".mw-pt-languages",
  "sup.reference",
  ".reference",
  ".mw-ref",
  ".mw-editsection",
  ".noprint",
  ".metadata",
  ".navbox",
  ".infobox",
  ".mw-empty-elt",
  "style",
];

/** Boxes whose paragraphs are never the intro, when paragraphs are not at the top level. */
const BOXES = "table, .navbox, .infobox, .mw-pt-languages, .hatnote, .noprint, .metadata, .mw-references-wrap, blockquote";

/**
 * The first sentences of a parsed section: only its top-level paragraphs count, so whatever
 * templates add around them (infoboxes, navigation and maintenance boxes, the language bar) is
 * left out, and references inside them are removed. Should the paragraphs sit in one more
 * wrapper, any paragraph outside a known kind of box counts.
 */
export function introFromSectionHtml(html: string): string {
  const root = parseHtml(html);
  const container = root.querySelector(".mw-parser-output") ?? root;
  const isP = (n: unknown): n is HTMLElement => n instanceof HTMLElement && n.rawTagName?.toLowerCase() === "p";
  let paragraphs = container.childNodes.filter(isP).filter((p) => p.text.trim() !== "");
  if (paragraphs.length === 0) paragraphs = container.querySelectorAll("p").filter((p) => p.text.trim() !== "" && p.closest(BOXES) === null);
  const text = paragraphs
    .map((p) => htmlToText(p.toString(), { remove: NOT_PROSE, singleLine: true }))
    .filter((t) => t.trim() !== "")
    .join(" ");
  return text === "" ? "" : firstSentences(text, INTRO_SENTENCES, INTRO_MAX_CHARS);
}

/** A page description (Description2) as plain text, cut like an intro. */
export function introFromDescription(description: string): string {
  // The property is meant to be plain text; decode it only when it carries entities or tags.
  const text = /<[a-z!/]|&[#a-z0-9]+;/i.test(description) ? htmlToText(description, { singleLine: true }) : description;
  return text.trim() === "" ? "" : firstSentences(text, INTRO_SENTENCES, INTRO_MAX_CHARS);
}

// ---- decoding (the API answers are checked, never trusted) -------------------------------------

type Obj = Readonly<Record<string, unknown>>;
const asObj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] => asArr(v).filter((x): x is string => typeof x === "string");

/** The titles of an opensearch answer `[query, titles, descriptions, urls]`. */
export function decodeOpenSearch(data: unknown): string[] {
  return Array.isArray(data) ? strings(data[1]) : [];
}

/** The titles of an opensearch answer with their links (titles without a link are left out). */
export function decodeOpenSearchPages(data: unknown): WikiPage[] {
  if (!Array.isArray(data)) return [];
  const urls = asArr(data[3]);
  return asArr(data[1]).flatMap((t, i) => {
    const url = urls[i];
    return typeof t === "string" && typeof url === "string" && url !== "" ? [{ title: t, url }] : [];
  });
}

export interface SearchAnswer {
  readonly titles: readonly string[];
  readonly suggestion?: string;
  readonly totalhits?: number;
  /** From meta=siteinfo: where index.php lives. */
  readonly indexUrl?: string;
}

/** A `list=search` answer (with `meta=siteinfo&siprop=general` when present). */
export function decodeSearch(data: unknown, apiUrl: string): SearchAnswer {
  const query = asObj(asObj(data)?.["query"]);
  const titles = asArr(query?.["search"])
    .map((h) => asStr(asObj(h)?.["title"]))
    .filter((t): t is string => t !== undefined);
  const info = asObj(query?.["searchinfo"]);
  const suggestion = asStr(info?.["suggestion"])?.trim();
  const total = info?.["totalhits"];
  const general = asObj(query?.["general"]);
  const server = asStr(general?.["server"]);
  const script = asStr(general?.["script"]);
  let indexUrl: string | undefined;
  if (server !== undefined && script !== undefined) {
    try {
      // server may be protocol-relative ("//wiki.nixos.org"): resolve it against the API URL
      indexUrl = new URL(script, new URL(server, apiUrl)).href;
    } catch {
      indexUrl = undefined;
    }
  }
  return {
    titles,
    ...(suggestion ? { suggestion } : {}),
    ...(typeof total === "number" ? { totalhits: total } : {}),
    ...(indexUrl ? { indexUrl } : {}),
  };
}

export interface PageInfo {
  readonly title: string;
  readonly pageid: number;
  readonly url: string;
  readonly description?: string;
}

export interface PagesAnswer {
  /** Asked title (also after normalisation) -> the title it leads to (redirects followed). */
  readonly resolve: ReadonlyMap<string, string>;
  /** Existing pages by title. */
  readonly pages: ReadonlyMap<string, PageInfo>;
}

/** A `prop=info|pageprops&inprop=url&redirects=1` answer (formatversion 2). */
export function decodePages(data: unknown): PagesAnswer {
  const query = asObj(asObj(data)?.["query"]);
  const resolve = new Map<string, string>();
  for (const list of ["normalized", "redirects"]) {
    for (const r of asArr(query?.[list])) {
      const from = asStr(asObj(r)?.["from"]);
      const to = asStr(asObj(r)?.["to"]);
      if (from !== undefined && to !== undefined) resolve.set(from, to);
    }
  }
  const pages = new Map<string, PageInfo>();
  for (const p of asArr(query?.["pages"])) {
    const o = asObj(p);
    const title = asStr(o?.["title"]);
    const url = asStr(o?.["fullurl"]);
    const pageid = o?.["pageid"];
    if (!o || title === undefined || url === undefined || typeof pageid !== "number") continue;
    if (o["missing"] === true || o["invalid"] === true) continue;
    const description = asStr(asObj(o["pageprops"])?.["description"]);
    pages.set(title, { title, pageid, url, ...(description !== undefined && description.trim() !== "" ? { description } : {}) });
  }
  return { resolve, pages };
}

/** A failure that only means the answer came too late (the caller's deadline, or the timeout). */
const isLate = (e: unknown): boolean => e instanceof UpstreamError && e.failure === "timeout";

/** index.php?title=…: a link to a page whose `fullurl` is not known. */
function pageUrl(indexUrl: string, title: string): string {
  const u = new URL(indexUrl);
  u.search = new URLSearchParams({ title }).toString();
  return u.href;
}

/** Follows normalisation and redirects (a few hops at most, never in a loop). */
function follow(title: string, resolve: ReadonlyMap<string, string>): string {
  let t = title;
  for (let i = 0; i < 4; i++) {
    const next = resolve.get(t);
    if (next === undefined || next === t) break;
    t = next;
  }
  return t;
}

// ---- the client -------------------------------------------------------------------------------

/** Creates the client. One pace limiter per client: every request to the wiki shares it. */
export function createMediaWiki(deps: MediaWikiDeps): MediaWiki {
  const { http, log } = deps;
  const api = deps.config.wiki.api;
  const service = new URL(api).host;
  const limiter = new IntervalLimiter(deps.config.wiki.maxRequestsPerSecond);
  const cacheTtlMs = deps.config.wiki.cacheTtlSeconds * 1000;

  /** One API call: parameters only through URLSearchParams; API error objects become UpstreamError. */
  async function call(
    params: Record<string, string>,
    opts: Deadline & { maxBytes?: number; okErrors?: readonly string[]; retries?: number } = {},
  ): Promise<unknown> {
    const url = new URL(api);
    url.search = new URLSearchParams({ ...params, format: "json", formatversion: "2" }).toString();
    const { data } = await http.json<unknown>({
      service,
      url: url.href,
      cacheTtlMs,
      limiter,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      ...(opts.retries === undefined ? {} : { retries: opts.retries }),
      ...deadlineOf(opts),
    });
    const error = asObj(asObj(data)?.["error"]);
    if (error) {
      const code = asStr(error["code"]) ?? "unknown";
      if (opts.okErrors?.includes(code)) return undefined;
      // The wiki answered, in its own words, that it failed (maxlag, a database error): an outage.
      throw new UpstreamError(service, "status", `API error ${code}: ${asStr(error["info"]) ?? ""}`.trim());
    }
    const warnings = asObj(data)?.["warnings"];
    if (warnings !== undefined) log.debug({ service, action: params["action"], warnings }, "wiki API warnings");
    return data;
  }

  /** index.php beside api.php: the fallback when siteinfo is not at hand. */
  const fallbackIndexUrl = (): string => new URL("index.php", api).href;

  function searchPage(query: string, indexUrl: string): string {
    const u = new URL(indexUrl);
    u.search = new URLSearchParams({ search: query, title: "Special:Search", fulltext: "1" }).toString();
    return u.href;
  }

  const openSearch = async (search: string, limit: number, opts: Deadline & { retries?: number } = {}): Promise<unknown> =>
    call({ action: "opensearch", search, namespace: "0", limit: String(limit), redirects: "return" }, opts);

  const fullTextSearch = async (search: string, opts: Deadline): Promise<SearchAnswer> =>
    decodeSearch(
      await call({
        action: "query",
        list: "search",
        srsearch: search,
        // database search backends default to a title search; the text is what we want
        srwhat: "text",
        srnamespace: "0",
        srlimit: String(SEARCH_LIMIT),
        srinfo: "totalhits|suggestion",
        srprop: "",
        meta: "siteinfo",
        siprop: "general",
      }, opts),
      api,
    );

  const pagesInfo = async (titles: readonly string[], opts: Deadline): Promise<PagesAnswer> =>
    decodePages(
      await call({ action: "query", titles: titles.join("|"), redirects: "1", prop: "info|pageprops", inprop: "url", ppprop: "description" }, opts),
    );

  async function parsedIntro(pageid: number, opts: Deadline): Promise<string> {
    const data = await call(
      { action: "parse", pageid: String(pageid), prop: "text", section: "0", disableeditsection: "1", disablelimitreport: "1", disabletoc: "1" },
      { maxBytes: MAX_PARSE_BYTES, okErrors: ["missingtitle", "nosuchpageid", "nosuchsection"], ...opts },
    );
    const text = asStr(asObj(asObj(data)?.["parse"])?.["text"]);
    return text === undefined ? "" : introFromSectionHtml(text);
  }

  async function lookup(query: string, opts: LookupOptions = {}): Promise<WikiLookup> {
    const lang = opts.lang?.toLowerCase();
    const wantOthers = opts.others ?? 3;
    const deadline = deadlineOf(opts);
    const withHint = (e: unknown): never => {
      if (e instanceof UpstreamError) throw e.withHint("Search the wiki yourself:", searchPage(query, fallbackIndexUrl()));
      throw e;
    };
    try {
      const [prefixAnswer, foundAnswer] = await Promise.allSettled([openSearch(query, SEARCH_LIMIT, deadline), fullTextSearch(query, deadline)]);
      // One search late still leaves the other's hits; both failing, or any other failure, fails.
      if (prefixAnswer.status === "rejected" && (foundAnswer.status === "rejected" || !isLate(prefixAnswer.reason))) throw prefixAnswer.reason;
      if (foundAnswer.status === "rejected" && !isLate(foundAnswer.reason)) throw foundAnswer.reason;
      const prefix = prefixAnswer.status === "fulfilled" ? decodeOpenSearchPages(prefixAnswer.value) : [];
      const found: SearchAnswer = foundAnswer.status === "fulfilled" ? foundAnswer.value : { titles: [] };
      const indexUrl = found.indexUrl ?? fallbackIndexUrl();
      const searchUrl = searchPage(query, indexUrl);
      const ranked = rankTitles(
        query,
        prefix.map((p) => p.title),
        found.titles,
        lang,
      ).slice(0, CANDIDATES);
      const notFound = (): WikiLookup => ({ others: [], searchUrl, ...(found.suggestion ? { suggestion: found.suggestion } : {}) });
      /** The search hits as they are, when the wiki is too slow to check them and read an intro. */
      const hitsOnly = (): WikiLookup => {
        if (ranked.length === 0) return { ...notFound(), late: true };
        const pages = ranked.map((title) => ({ title, url: prefix.find((p) => p.title === title)?.url ?? pageUrl(indexUrl, title) }));
        return { best: { ...pages[0]!, intro: "" }, others: pages.slice(1, 1 + wantOthers), searchUrl, late: true };
      };
      if (prefixAnswer.status === "rejected" || foundAnswer.status === "rejected") return hitsOnly();
      if (ranked.length === 0) return notFound();

      // The translation of the top candidate, if one was asked for, is looked up with the rest.
      const top = ranked[0]!;
      const translate = lang !== undefined && lang !== "en";
      const wanted = translate && translationOf(top) === undefined ? `${top}/${lang}` : undefined;
      let info: PagesAnswer;
      try {
        info = await pagesInfo(wanted === undefined ? ranked : [...ranked, wanted], deadline);
      } catch (e) {
        if (isLate(e)) return hitsOnly();
        throw e;
      }
      const existing: PageInfo[] = [];
      for (const t of ranked) {
        const page = info.pages.get(follow(t, info.resolve));
        if (page && !existing.some((p) => p.title === page.title)) existing.push(page);
      }
      let translated = wanted === undefined ? undefined : info.pages.get(follow(wanted, info.resolve));
      let late = false;
      // The top candidate was a redirect (`Nix flakes` -> `Flakes`) or is missing: the translation
      // is a subpage of the page it leads to, which costs one more request.
      const first = existing[0];
      if (translate && translated === undefined && first !== undefined && translationOf(first.title) === undefined && `${first.title}/${lang}` !== wanted) {
        const again = `${first.title}/${lang}`;
        try {
          const more = await pagesInfo([again], deadline);
          translated = more.pages.get(follow(again, more.resolve));
        } catch (e) {
          if (!isLate(e)) throw e;
          late = true;
        }
      }
      const best = translated ?? first;
      if (!best) return notFound();
      const bestBase = translationOf(best.title)?.base ?? best.title;
      const others = existing
        .filter((p) => p.title !== best.title && p.title !== bestBase)
        .filter((p) => lang === undefined || translationOf(p.title)?.base !== bestBase)
        .slice(0, wantOthers)
        .map((p) => ({ title: p.title, url: p.url }));
      let intro = "";
      if (best.description !== undefined) intro = introFromDescription(best.description);
      else if (!late) {
        try {
          intro = await parsedIntro(best.pageid, deadline);
        } catch (e) {
          if (!isLate(e)) throw e;
          late = true;
        }
      }
      return { best: { title: best.title, url: best.url, intro }, others, searchUrl, ...(late ? { late } : {}) };
    } catch (e) {
      return withHint(e);
    }
  }

  return {
    lookup,
    async complete(partial, limit = 25, opts = {}) {
      const p = partial.trim();
      if (p === "") return [];
      const n = Math.max(1, Math.min(25, limit));
      // ask for more than needed: translation subpages drop out. No retries (and the caller's
      // deadline): the answer is useless after Discord's 3 s, and retries would take the pace from lookups.
      const titles = decodeOpenSearch(await openSearch(p, Math.min(50, n * 2), { retries: 0, ...deadlineOf(opts) }));
      return titles.filter((t) => translationOf(t) === undefined).slice(0, n);
    },
  };
}
