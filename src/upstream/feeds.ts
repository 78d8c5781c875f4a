/**
 * Fetches RSS/Atom feeds through the shared HTTP layer (conditional requests with ETag and
 * Last-Modified, bounded body) and parses them with rss-parser into plain, typed items.
 */
import Parser from "rss-parser";
import { UpstreamError } from "../core/errors.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";

/** One feed item as parsed, before any identity or formatting decisions. */
export interface FeedItem {
  readonly guid?: string;
  readonly link?: string;
  readonly title?: string;
  /** ISO date of publication (RSS pubDate, Atom published). */
  readonly published?: string;
  /** Atom `updated` (changes on edits: never a reason to post again). */
  readonly updated?: string;
  readonly author?: string;
  readonly categories: readonly string[];
  /** HTML of the item (RSS description / content). */
  readonly html?: string;
  /** YouTube `yt:videoId`, or the id from `yt:video:<id>`. */
  readonly videoId?: string;
  readonly thumbnail?: string;
}

export interface ParsedFeed {
  readonly title?: string;
  readonly link?: string;
  readonly items: readonly FeedItem[];
}

/** Validators from the previous answer, sent back so that an unchanged feed costs a 304. */
export interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

export type FetchResult = { readonly status: "not-modified" } | { readonly status: "ok"; readonly feed: ParsedFeed; readonly validators: Validators };

export interface FeedFetcher {
  /** Fetches and parses a feed; throws UpstreamError (HTTP error, timeout, too large, not a feed). */
  fetch(url: string, validators?: Validators): Promise<FetchResult>;
  /** Like fetch() without validators, served from the shared cache for `cacheTtlMs` (commands). */
  read(url: string, cacheTtlMs: number, opts?: Deadline): Promise<ParsedFeed>;
}

export interface FeedFetcherOptions {
  readonly http: Http;
  readonly maxBodyBytes: number;
}

type Custom = {
  videoId?: string;
  updated?: string;
  mediaGroup?: { "media:thumbnail"?: { $?: { url?: string } }[] };
  id?: string;
  author?: string;
};

const parser = new Parser<Record<string, unknown>, Custom>({
  customFields: { item: [["yt:videoId", "videoId"], "updated", ["media:group", "mediaGroup"]] },
});

const ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1";

/** The service name users see in errors: the feed's host. */
export function serviceOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "feed";
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

function isoOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Parses feed XML; throws UpstreamError("bad-response") when it is not a feed. */
export async function parseFeed(xml: string, service: string): Promise<ParsedFeed> {
  let out: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    out = await parser.parseString(xml);
  } catch (e) {
    throw new UpstreamError(service, "bad-response", `not a readable feed: ${(e as Error).message.split("\n")[0] ?? ""}`, { cause: e });
  }
  const items: FeedItem[] = (out.items ?? []).map((it) => {
    const ytId = str(it.videoId) ?? /^yt:video:([A-Za-z0-9_-]+)$/.exec(str(it.id) ?? "")?.[1];
    const thumb = it.mediaGroup?.["media:thumbnail"]?.[0]?.$?.url;
    const author = str(it.creator) ?? str(it.author);
    const html = str(it.content);
    const item: Record<string, unknown> = { categories: (it.categories ?? []).filter((c): c is string => typeof c === "string") };
    const set = (k: keyof FeedItem, v: string | undefined): void => {
      if (v !== undefined) item[k] = v;
    };
    set("guid", str(it.guid) ?? str(it.id));
    set("link", str(it.link));
    set("title", str(it.title));
    set("published", isoOf(it.isoDate) ?? isoOf(it.pubDate));
    set("updated", isoOf(it.updated));
    set("author", author);
    set("html", html);
    set("videoId", ytId);
    set("thumbnail", str(thumb));
    return item as unknown as FeedItem;
  });
  return { ...(str(out.title) ? { title: str(out.title)! } : {}), ...(str(out.link) ? { link: str(out.link)! } : {}), items };
}

export function createFeedFetcher(opts: FeedFetcherOptions): FeedFetcher {
  const { http } = opts;
  return {
    async fetch(url, validators = {}) {
      const service = serviceOf(url);
      const headers: Record<string, string> = { accept: ACCEPT };
      if (validators.etag) headers["if-none-match"] = validators.etag;
      if (validators.lastModified) headers["if-modified-since"] = validators.lastModified;
      const res = await http.request({
        service,
        url,
        headers,
        accept: [304],
        maxBytes: opts.maxBodyBytes,
      });
      if (res.status === 304) return { status: "not-modified" };
      const feed = await parseFeed(res.body, service);
      const next: { etag?: string; lastModified?: string } = {};
      if (res.headers["etag"]) next.etag = res.headers["etag"];
      if (res.headers["last-modified"]) next.lastModified = res.headers["last-modified"];
      return { status: "ok", feed, validators: next };
    },
    async read(url, cacheTtlMs, call = {}) {
      const service = serviceOf(url);
      const res = await http.request({
        service,
        url,
        headers: { accept: ACCEPT },
        maxBytes: opts.maxBodyBytes,
        cacheTtlMs,
        ...deadlineOf(call),
      });
      return parseFeed(res.body, service);
    },
  };
}
