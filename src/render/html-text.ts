/**
 * Upstream HTML (option descriptions, Discourse posts, wiki sections) -> the reply model's rich
 * text. Keeps code as code, links as links (http(s) only), bold and italic; drops everything else
 * (scripts, styles, images, and whatever the caller's selectors name). Never passes markup through.
 */
import { parse, NodeType, type HTMLElement, type Node } from "node-html-parser";
import type { RichText, Span } from "../core/reply.js";
import { isSafeUrl } from "./text.js";

export interface HtmlToTextOptions {
  /** CSS selectors of elements to drop entirely (e.g. ".mw-pt-languages", "sup.reference"). */
  readonly remove?: readonly string[];
  /** Base URL for relative links; relative links without it become plain text. */
  readonly baseUrl?: string;
  /** Keep line breaks between blocks (default) or fold everything onto one line. */
  readonly singleLine?: boolean;
}

const BLOCK = new Set(["p", "div", "li", "ul", "ol", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr", "blockquote", "dl", "dt", "dd", "section", "aside", "figure", "hr"]);
const DROP = ["script", "style", "noscript", "template", "img", "svg", "math", "iframe", "video", "audio", "button", "input", "select", "textarea"];

/** Converts HTML to rich text spans. */
export function htmlToRich(html: string, opts: HtmlToTextOptions = {}): RichText {
  const root = parse(html, { comment: false, blockTextElements: { script: false, style: false, noscript: false } });
  for (const sel of [...DROP, ...(opts.remove ?? [])]) {
    for (const el of root.querySelectorAll(sel)) el.remove();
  }
  const spans: Span[] = [];
  const push = (kind: Span["kind"], text: string, url?: string): void => {
    if (text === "") return;
    const last = spans[spans.length - 1];
    if (kind === "text" && last && last.kind === "text") {
      spans[spans.length - 1] = { kind: "text", text: last.text + text };
      return;
    }
    spans.push(kind === "link" ? { kind, text, url: url ?? "" } : ({ kind, text } as Span));
  };
  const breakLine = (): void => push("text", "\n");

  const walk = (node: Node, style: "text" | "bold" | "italic"): void => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      push(style, node.text.replace(/\s+/g, " "));
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const el = node as HTMLElement;
    const tag = el.rawTagName?.toLowerCase() ?? "";
    if (tag === "code" || tag === "tt" || tag === "kbd" || tag === "samp") {
      push("code", el.text.replace(/\s+/g, " ").trim());
      return;
    }
    if (tag === "pre") {
      breakLine();
      push("code", el.text.trim().replace(/\s*\n\s*/g, " ⏎ "));
      breakLine();
      return;
    }
    if (tag === "a") {
      const href = el.getAttribute("href");
      const text = el.text.replace(/\s+/g, " ").trim();
      const url = href === undefined ? undefined : absolute(href, opts.baseUrl);
      if (url && isSafeUrl(url) && text !== "") push("link", text, url);
      else push(style, text);
      return;
    }
    const nextStyle = tag === "strong" || tag === "b" ? "bold" : tag === "em" || tag === "i" ? "italic" : style;
    const block = BLOCK.has(tag);
    if (block) breakLine();
    if (tag === "li") push("text", "• ");
    for (const child of el.childNodes) walk(child, nextStyle);
    if (block) breakLine();
  };
  walk(root, "text");
  return tidy(spans, opts.singleLine === true);
}

/** Converts HTML to plain text (no formatting). */
export function htmlToText(html: string, opts: HtmlToTextOptions = {}): string {
  return htmlToRich(html, opts)
    .map((s) => s.text)
    .join("");
}

function absolute(href: string, base: string | undefined): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

/** Collapses spaces, trims lines, keeps at most one blank line, trims the ends. */
function tidy(spans: Span[], singleLine: boolean): RichText {
  const out: Span[] = [];
  for (const s of spans) {
    let text = s.text;
    if (s.kind === "text") {
      text = text.replace(/[ \t]*\n[ \t]*/g, "\n").replace(/\n{3,}/g, "\n\n");
      if (singleLine) text = text.replace(/\n+/g, " ");
      text = text.replace(/ {2,}/g, " ");
    }
    out.push({ ...s, text });
  }
  // trim leading/trailing whitespace of the whole text
  while (out.length > 0 && out[0]!.kind === "text" && out[0]!.text.trim() === "") out.shift();
  while (out.length > 0 && out[out.length - 1]!.kind === "text" && out[out.length - 1]!.text.trim() === "") out.pop();
  if (out.length > 0 && out[0]!.kind === "text") out[0] = { kind: "text", text: out[0]!.text.trimStart() };
  const last = out.length - 1;
  if (last >= 0 && out[last]!.kind === "text") out[last] = { kind: "text", text: out[last]!.text.trimEnd() };
  // join across spans: no double spaces or blank lines at span borders
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1]!;
    const cur = out[i]!;
    if (prev.kind === "text" && cur.kind === "text") continue;
    if (cur.kind === "text" && /[ \n]$/.test(prev.text) && /^[ ]/.test(cur.text)) out[i] = { kind: "text", text: cur.text.trimStart() };
  }
  return out;
}

/**
 * The first sentences of a text, at most `maxChars` characters, cut at a sentence boundary when
 * one is in range, else at a word boundary with "…".
 */
export function firstSentences(text: string, maxSentences: number, maxChars: number): string {
  // Only the start can be shown: a long text is cut first, so the work stays bounded.
  const limit = maxChars * 4 + 64;
  const start = text.trimStart();
  const flat = start.slice(0, limit).replace(/\s+/g, " ").trim();
  const more = start.length > limit;
  const sentenceEnd = /[.!?](?=\s+[A-Z0-9"'(`“])|[.!?]$/g;
  let end = -1;
  let count = 0;
  let m: RegExpExecArray | null;
  while ((m = sentenceEnd.exec(flat)) !== null) {
    const candidate = m.index + 1;
    if (candidate > maxChars) break;
    end = candidate;
    if (++count >= maxSentences) break;
  }
  if (end > 0) return flat.slice(0, end);
  const chars = [...flat];
  if (chars.length <= maxChars) return more ? `${flat.replace(/\S*$/u, "").trimEnd() || flat}…` : flat;
  const cut = chars.slice(0, maxChars - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars * 0.5 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
