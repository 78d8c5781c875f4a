/** Small text helpers shared by the renderers and commands. */
import type { RichText, Span } from "../core/reply.js";

/** Removes control characters (keeps newlines and tabs) so nothing upstream can mess up a terminal or a client. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "");
}

/** Cuts to at most `max` characters (code points), at a word boundary when one is near, adding "…". */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 1) return "…".slice(0, max);
  const cut = chars.slice(0, max - 1).join("");
  const space = cut.search(/\s+\S*$/u);
  const base = space > cut.length * 0.6 ? cut.slice(0, space) : cut;
  return `${base.trimEnd()}…`;
}

/** Length in code points (what users and Discord count). */
export function charLength(s: string): number {
  // As [...s].length, without building the array (this runs for every span of every reply):
  // a surrogate pair is one code point, a lone surrogate counts as one.
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Only http(s) URLs are rendered as links; anything else (javascript:, data:) is shown as text. */
export function isSafeUrl(url: string): boolean {
  // Every renderer asks about every link, and the same links recur (site, maintainers, source):
  // parsing a URL is the dearest part of rendering a card, so answers are remembered (bounded).
  const known = safeUrls.get(url);
  if (known !== undefined) return known;
  let safe: boolean;
  try {
    const u = new URL(url);
    safe = u.protocol === "https:" || u.protocol === "http:";
  } catch {
    safe = false;
  }
  if (safeUrls.size >= SAFE_URL_MEMO) safeUrls.clear();
  if (url.length <= 2048) safeUrls.set(url, safe);
  return safe;
}

const SAFE_URL_MEMO = 1000;
const safeUrls = new Map<string, boolean>();

/** Cuts rich text to at most `max` characters (the "…" included), at a word boundary, keeping the spans' kinds. */
export function truncateRich(text: RichText, max: number): RichText {
  if (text.reduce((n, s) => n + charLength(s.text), 0) <= max) return text;
  const out: Span[] = [];
  // Room for the closing "…".
  let left = max - 1;
  for (const s of text) {
    const n = charLength(s.text);
    if (n <= left) {
      out.push(s);
      left -= n;
      continue;
    }
    // Too short a remainder for a readable word: end with an ellipsis instead.
    if (left >= 8) out.push({ ...s, text: truncate(s.text, left) });
    else out.push({ kind: "text", text: "…" });
    break;
  }
  return out;
}
