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
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { UpstreamError } from "../core/errors.js";
import { IntervalLimiter } from "./cache.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";
import {
  decodeEnvelope,
  decodeOpenSearch,
  decodeOpenSearchPages,
  decodePages,
  decodeParsedText,
  decodeSearch,
  follow,
  introFromDescription,
  introFromSectionHtml,
  pageUrl,
  type PageInfo,
  type PagesAnswer,
  type SearchAnswer,
  type WikiPage,
} from "./mediawiki-decode.js";
import { rankTitles, translationOf } from "./mediawiki-titles.js";

// The ranking and decoding live beside the client; importers of this module keep finding them here.
export * from "./mediawiki-decode.js";
export * from "./mediawiki-titles.js";

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

/** Titles asked from each search; more than shown, since translations and duplicates drop out. */
const SEARCH_LIMIT = 10;
/** Candidates whose link and redirect target are looked up in one request. */
const CANDIDATES = 8;
/** Largest parsed section accepted (a lead section is a few kB; a runaway template is not). */
const MAX_PARSE_BYTES = 1_000_000;

/** A failure that only means the answer came too late (the caller's deadline, or the timeout). */
const isLate = (e: unknown): boolean => e instanceof UpstreamError && e.failure === "timeout";

// ---- the client -------------------------------------------------------------------------------

/** Creates the client. One pace limiter per client: every request to the wiki shares it. */
export function createMediaWiki(deps: MediaWikiDeps): MediaWiki {
  const { http, log } = deps;
  const api = deps.config.wiki.api;
  const service = new URL(api).host;
  const limiter = new IntervalLimiter(deps.config.wiki.maxRequestsPerSecond);
  const cacheTtlMs = deps.config.wiki.cacheTtlSeconds * 1000;

  /** One API call: parameters only through URLSearchParams; API error objects become UpstreamError. */
  async function call(params: Record<string, string>, opts: Deadline & { maxBytes?: number; okErrors?: readonly string[]; retries?: number } = {}): Promise<unknown> {
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
    const { error, warnings } = decodeEnvelope(data);
    if (error) {
      if (opts.okErrors?.includes(error.code)) return undefined;
      // The wiki answered, in its own words, that it failed (maxlag, a database error): an outage.
      throw new UpstreamError(service, "status", `API error ${error.code}: ${error.info}`.trim());
    }
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
      await call(
        {
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
        },
        opts,
      ),
      api,
    );

  const pagesInfo = async (titles: readonly string[], opts: Deadline): Promise<PagesAnswer> =>
    decodePages(await call({ action: "query", titles: titles.join("|"), redirects: "1", prop: "info|pageprops", inprop: "url", ppprop: "description" }, opts));

  async function parsedIntro(pageid: number, opts: Deadline): Promise<string> {
    const data = await call(
      { action: "parse", pageid: String(pageid), prop: "text", section: "0", disableeditsection: "1", disablelimitreport: "1", disabletoc: "1" },
      { maxBytes: MAX_PARSE_BYTES, okErrors: ["missingtitle", "nosuchpageid", "nosuchsection"], ...opts },
    );
    const text = decodeParsedText(data);
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
