/**
 * Titles on wiki.nixos.org: translation subpages (`Flakes/de`), how titles compare, and how the
 * hits of the prefix and full-text searches are ranked into candidates.
 */

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
