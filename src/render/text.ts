/** Small text helpers shared by the renderers and commands. */
import type { RichText, Span } from "../core/reply.js";

/** Removes control characters (keeps newlines and tabs) so nothing upstream can mess up a terminal or a client. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
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
  return [...s].length;
}

/** Only http(s) URLs are rendered as links; anything else (javascript:, data:) is shown as text. */
export function isSafeUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

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
