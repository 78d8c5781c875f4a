/**
 * Reading wiki.nixos.org's API answers (formatversion 2): every answer is checked, never trusted.
 * Also the intro of a page, from its description or its parsed lead section.
 */
import { HTMLElement, parse as parseHtml } from "node-html-parser";
import { firstSentences, htmlToText } from "../render/html-text.js";

/** A wiki page and its link as the API gives it. */
export interface WikiPage {
  readonly title: string;
  readonly url: string;
}

/** Sentences and characters of an intro. */
const INTRO_SENTENCES = 3;
const INTRO_MAX_CHARS = 500;

/** Elements of a parsed section that are not prose: boxes, language bars, references, edit links. */
const NOT_PROSE = [".mw-pt-languages", "sup.reference", ".reference", ".mw-ref", ".mw-editsection", ".noprint", ".metadata", ".navbox", ".infobox", ".mw-empty-elt", "style"];

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

/** An API error object (`{ error: { code, info } }`) and warnings, present in any answer. */
export function decodeEnvelope(data: unknown): { error?: { code: string; info: string }; warnings?: unknown } {
  const error = asObj(asObj(data)?.["error"]);
  const warnings = asObj(data)?.["warnings"];
  return {
    ...(error ? { error: { code: asStr(error["code"]) ?? "unknown", info: asStr(error["info"]) ?? "" } } : {}),
    ...(warnings === undefined ? {} : { warnings }),
  };
}

/** The HTML of an `action=parse&prop=text` answer. */
export function decodeParsedText(data: unknown): string | undefined {
  return asStr(asObj(asObj(data)?.["parse"])?.["text"]);
}

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

/** index.php?title=…: a link to a page whose `fullurl` is not known. */
export function pageUrl(indexUrl: string, title: string): string {
  const u = new URL(indexUrl);
  u.search = new URLSearchParams({ title }).toString();
  return u.href;
}

/** Follows normalisation and redirects (a few hops at most, never in a loop). */
export function follow(title: string, resolve: ReadonlyMap<string, string>): string {
  let t = title;
  for (let i = 0; i < 4; i++) {
    const next = resolve.get(t);
    if (next === undefined || next === t) break;
    t = next;
  }
  return t;
}
