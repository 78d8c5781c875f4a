/**
 * The parts of a doc comment `!fn` shows, read from its Markdown: the first paragraph, the first
 * example (a fenced block not under a "Type" heading), and inline Markdown as the reply model's
 * rich text (code, links, bold, italic; HTML tags and other markup dropped, never passed on).
 */
import type { RichText, Span } from "../core/reply.js";
import { isSafeUrl } from "../render/text.js";

/** Lines of an example shown; a longer one is cut and says how many lines are left out. */
export const EXAMPLE_LINES = 8;

const FENCE = /^\s{0,3}(```+|~~~+)\s*([^\s`]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;

/** The first paragraph of prose: headings, admonition fences (`:::`) and blank lines before it skipped. */
export function firstParagraph(md: string): string | undefined {
  const lines = md.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    const boundary = t === "" || HEADING.test(line) || FENCE.test(line) || t.startsWith(":::") || /^:\s/.test(t);
    if (boundary) {
      if (out.length > 0) break;
      // A code block before any prose: no paragraph to show.
      if (FENCE.test(line)) return undefined;
      continue;
    }
    out.push(t);
  }
  // Builtins' docs lead into their example: "… Example:" then the code block, shown apart.
  const text = out
    .join(" ")
    .replace(/\s+/g, " ")
    .replace(/\s*\b(?:for )?examples?:$/i, "")
    .trim();
  return text === "" ? undefined : text;
}

export interface Example {
  /** At most EXAMPLE_LINES lines. */
  readonly code: string;
  /** Lines left out (0 when the example is whole). */
  readonly cut: number;
}

/** The first fenced code block that is not the type signature (under "# Type", or the signature itself). */
export function firstExample(md: string, signature?: string): Example | undefined {
  const lines = md.split(/\r?\n/);
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = HEADING.exec(line);
    if (h) {
      // Top-level headings name sections (Inputs, Type, Examples); deeper ones are inside them.
      if (h[1]!.length === 1) section = h[2]!.toLowerCase();
      continue;
    }
    const f = FENCE.exec(line);
    if (!f) continue;
    const marker = f[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      if (lines[j]!.trim().startsWith(marker.slice(0, 3)) && lines[j]!.trim().replace(/[`~]/g, "") === "") break;
      body.push(lines[j]!);
    }
    i = j;
    while (body.length > 0 && body[body.length - 1]!.trim() === "") body.pop();
    while (body.length > 0 && body[0]!.trim() === "") body.shift();
    const code = body.join("\n");
    if (section === "type" || section === "types" || code.trim() === "" || (signature !== undefined && squash(code) === squash(signature))) continue;
    const shown = body.slice(0, EXAMPLE_LINES);
    return { code: shown.join("\n"), cut: body.length - shown.length };
  }
  return undefined;
}

const squash = (s: string): string => s.replace(/\s+/g, " ").trim();

/** HTML elements doc comments use; their tags are dropped (the text between them kept). `<nixpkgs>` is not one. */
const HTML_TAGS = "a|abbr|b|blockquote|br|code|dd|del|details|div|dl|dt|em|h[1-6]|hr|i|img|ins|kbd|li|ol|p|pre|s|samp|small|span|strong|sub|summary|sup|table|tbody|td|th|thead|tr|tt|u|ul|var";
const DROPPED = /<(script|style|iframe|object|embed|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const TAG = new RegExp(`</?(?:${HTML_TAGS})\\b[^<>]*>`, "gi");

/**
 * Inline Markdown -> rich text: `code`, [text](url) (http(s) only; any other link keeps its text),
 * <https://…>, **bold**, *italic*. A `{role}` before code (`{option}`, `{command}`) is dropped.
 */
export function inlineToRich(md: string): RichText {
  const src = md
    .replace(DROPPED, "")
    .replace(TAG, "")
    .replace(/\{[a-z]+\}(?=`)/g, "")
    .replace(/[ \t]{2,}/g, " ");
  const spans: Span[] = [];
  const push = (s: Span): void => {
    if (s.text === "") return;
    const last = spans[spans.length - 1];
    if (s.kind === "text" && last?.kind === "text") spans[spans.length - 1] = { kind: "text", text: last.text + s.text };
    else spans.push(s);
  };
  const token = /(`+)([\s\S]*?[^`])\1(?!`)|\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)\)|<(https?:\/\/[^>\s]+)>|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  let at = 0;
  for (let m = token.exec(src); m !== null; m = token.exec(src)) {
    push({ kind: "text", text: src.slice(at, m.index) });
    at = m.index + m[0].length;
    if (m[1] !== undefined) push({ kind: "code", text: m[2]!.trim() });
    else if (m[4] !== undefined) {
      const label = m[3]!.replace(/[`*]/g, "") || m[4];
      if (/^https?:\/\//.test(m[4]) && isSafeUrl(m[4])) push({ kind: "link", text: label, url: m[4] });
      else push({ kind: "text", text: m[3]!.replace(/[`*]/g, "") });
    } else if (m[5] !== undefined) push(isSafeUrl(m[5]) ? { kind: "link", text: m[5], url: m[5] } : { kind: "text", text: m[5] });
    else if (m[6] !== undefined) push({ kind: "bold", text: m[6] });
    else if (m[7] !== undefined) push({ kind: "italic", text: m[7] });
  }
  push({ kind: "text", text: src.slice(at) });
  return spans;
}
