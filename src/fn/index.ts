/**
 * The function index in memory and its matching: an exact path (any case), a path's ending
 * (`mapAttrs`, `strings.concatMapStrings`), an alias, and for a typo up to three names that are
 * close. Built once per data load; lookups are map reads plus, only on a miss, one bounded scan.
 */
import type { FnEntry } from "./entries.js";

/** What a query found. */
export type Match =
  | {
      readonly kind: "found";
      readonly entry: FnEntry;
      /** Functions of the same name that are not the one shown nor its aliases (best first). */
      readonly others: readonly string[];
    }
  | { readonly kind: "suggest"; readonly names: readonly string[] }
  | { readonly kind: "none" };

/** The longest query matched, in characters (longer ones are cut by the command). */
export const MAX_QUERY_CHARS = 100;
const SUGGESTIONS = 3;

/**
 * Which of several paths to show first: `lib.x`, then `builtins.x`, then deeper paths; a
 * documented one before one without text.
 */
function rank(path: string, entry: FnEntry): number {
  const parts = path.split(".");
  const depth = parts.length * 10 + (parts[0] === "lib" ? 0 : parts[0] === "builtins" ? 1 : 5);
  return depth + (entry.description === undefined ? 1000 : 0);
}

const lastPart = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

/** Rows of the distance table, reused: a query is at most MAX_QUERY_CHARS long, names are cut to 200. */
const ROWS = [new Uint16Array(202), new Uint16Array(202), new Uint16Array(202)] as const;

/** Optimal string alignment distance, or `max + 1` as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length > 200 || b.length > 200) return max + 1;
  // A common beginning and end change nothing: most near names differ in a few letters only.
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return Math.max(n, m) <= max ? Math.max(n, m) : max + 1;
  let [prev2, prev, cur] = ROWS;
  const far = max + 1;
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : far;
  for (let i = 1; i <= n; i++) {
    // Only the band |i - j| <= max can stay within max.
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[lo - 1] = lo === 1 ? (i <= max ? i : far) : far;
    let best = far;
    const ai = a.charCodeAt(start + i - 1);
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(start + j - 1);
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(start + j - 2) && a.charCodeAt(start + i - 2) === bj) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v > far ? far : v;
      if (v < best) best = v;
    }
    if (hi < m) cur[hi + 1] = far;
    if (best > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]! <= max ? prev[m]! : max + 1;
}

/** Names longer than this share the last length bucket of the typo scan. */
const MAX_NAME = 200;

/** Letters, digits and one bucket for everything else: a name's character counts. */
const HIST = 37;

function histogramInto(s: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const k = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : 36;
    if (out[at + k]! < 255) out[at + k]!++;
  }
}

/**
 * Whether two character counts can be `max` edits apart: a substitution changes them by 2, an
 * insertion or deletion by 1, a transposition not at all. Far cheaper than the distance itself.
 */
function histogramsWithin(a: Uint8Array, b: Uint8Array, at: number, max: number): boolean {
  let diff = 0;
  for (let k = 0; k < HIST; k++) {
    diff += Math.abs(a[k]! - b[at + k]!);
    if (diff > 2 * max) return false;
  }
  return true;
}

/** How far a typo may be from a name of this length. */
const allowedDistance = (n: number): number => (n <= 4 ? 1 : n <= 9 ? 2 : 3);

/** A query as typed -> the text matched: trimmed, without surrounding backticks, at most 100 characters. */
export function normalizeQuery(q: string): string {
  return [
    ...q
      .trim()
      .replace(/^`+|`+$/g, "")
      .trim(),
  ]
    .slice(0, MAX_QUERY_CHARS)
    .join("")
    .trim();
}

export class FnIndex {
  /** Every path and alias, lower case -> the entries it names (usually one). */
  private readonly byKey = new Map<string, FnEntry[]>();
  /** Last path part, lower case -> the keys (paths and aliases) ending with it. */
  private readonly byName = new Map<string, string[]>();
  /** The distinct last parts (lower case) and their character counts, for typos. */
  private readonly names: readonly string[];
  private readonly nameHist: Uint8Array;
  /** Index in `names` of the first name of each length (-1: none). */
  private readonly firstOfLength: Int32Array;
  /** Keys in their own case, sorted, for autocomplete; and the same in lower case. */
  private readonly keys: readonly string[];
  private readonly keysLower: readonly string[];
  /** Key (lower case) -> as written. */
  private readonly written = new Map<string, string>();
  readonly size: number;

  constructor(entries: readonly FnEntry[]) {
    this.size = entries.length;
    const add = (key: string, e: FnEntry): void => {
      const k = key.toLowerCase();
      const list = this.byKey.get(k);
      if (list === undefined) {
        this.byKey.set(k, [e]);
        this.written.set(k, key);
        const n = lastPart(k);
        const names = this.byName.get(n);
        if (names === undefined) this.byName.set(n, [k]);
        else names.push(k);
      } else if (!list.includes(e)) list.push(e);
    };
    // Own paths first: an alias never shadows the document of that very path.
    for (const e of entries) add(e.path, e);
    const own = new Set(entries.map((e) => e.path.toLowerCase()));
    for (const e of entries) for (const a of e.aliases) if (!own.has(a.toLowerCase())) add(a, e);
    // By length, so that a typo scans only the names of a length within reach.
    this.names = [...this.byName.keys()].sort((a, b) => a.length - b.length);
    this.firstOfLength = new Int32Array(MAX_NAME + 2).fill(-1);
    for (let i = this.names.length - 1; i >= 0; i--) this.firstOfLength[Math.min(this.names[i]!.length, MAX_NAME)] = i;
    this.nameHist = new Uint8Array(this.names.length * HIST);
    this.names.forEach((n, i) => histogramInto(n, this.nameHist, i * HIST));
    this.keys = [...this.written.values()].sort((a, b) => rankKey(a) - rankKey(b) || (a < b ? -1 : a > b ? 1 : 0));
    this.keysLower = this.keys.map((k) => k.toLowerCase());
  }

  /** Finds a function by path, path ending or alias; else names close to it. */
  lookup(query: string): Match {
    const q = normalizeQuery(query);
    if (q === "") return { kind: "none" };
    const lower = q.toLowerCase();
    const exact = this.byKey.get(lower);
    if (exact !== undefined) {
      const entry = exact.find((e) => e.path === q) ?? exact.find((e) => e.path.toLowerCase() === lower) ?? exact[0]!;
      return { kind: "found", entry, others: this.othersOf(entry, this.withEnding(lower)) };
    }
    const keys = this.withEnding(lower);
    if (keys.length > 0) {
      const best = keys
        .flatMap((k) => this.byKey.get(k)!.map((e) => ({ key: k, e })))
        .sort((a, b) => rank(this.written.get(a.key)!, a.e) - rank(this.written.get(b.key)!, b.e) || (a.key < b.key ? -1 : 1))[0]!;
      // Shown under its own path when the best key is that path; an alias shows the document it names.
      return { kind: "found", entry: best.e, others: this.othersOf(best.e, keys) };
    }
    const names = this.suggest(lower);
    return names.length > 0 ? { kind: "suggest", names } : { kind: "none" };
  }

  /** Paths starting with (then containing) `partial`, best first, at most `max`. */
  complete(partial: string, max = 25): string[] {
    const p = normalizeQuery(partial).toLowerCase();
    const out: string[] = [];
    const taken = new Set<string>();
    const scan = (ok: (k: string) => boolean): void => {
      for (let i = 0; i < this.keys.length && out.length < max; i++) {
        const lower = this.keysLower[i]!;
        if (!taken.has(lower) && ok(lower)) {
          taken.add(lower);
          out.push(this.keys[i]!);
        }
      }
    };
    scan((k) => k.startsWith(p));
    scan((k) => k.startsWith(p, k.lastIndexOf(".") + 1));
    if (p.length >= 2) scan((k) => k.includes(p));
    return out;
  }

  /** The best path among those ending with `name`. */
  private bestKeyOf(name: string): string {
    return [...this.byName.get(name)!].sort((a, b) => rankKey(a) - rankKey(b))[0]!;
  }

  /** Keys equal to `q` or ending with `.q`. */
  private withEnding(q: string): string[] {
    const names = this.byName.get(lastPart(q)) ?? [];
    return names.filter((k) => k === q || k.endsWith(`.${q}`));
  }

  /** The other functions among `keys`: neither `entry`, nor its aliases, nor aliases of each other. */
  private othersOf(entry: FnEntry, keys: readonly string[]): string[] {
    const same = new Set([entry.path, ...entry.aliases].map((p) => p.toLowerCase()));
    const shown = new Set<FnEntry>([entry]);
    const out: { key: string; r: number }[] = [];
    for (const k of keys) {
      if (same.has(k)) continue;
      for (const e of this.byKey.get(k)!) {
        if (shown.has(e) || e.aliases.some((a) => same.has(a.toLowerCase()))) continue;
        shown.add(e);
        // One name per function: the best of its paths among the keys.
        const group = [e.path, ...e.aliases].map((p) => p.toLowerCase()).filter((p) => keys.includes(p));
        const best = group.sort((a, b) => rankKey(a) - rankKey(b))[0] ?? k;
        for (const g of group) same.add(g);
        out.push({ key: this.written.get(best) ?? best, r: rankKey(best) });
      }
    }
    return out.sort((a, b) => a.r - b.r || (a.key < b.key ? -1 : 1)).map((o) => o.key);
  }

  /** Up to three paths close to the query: its name against names, a dotted query against paths. */
  private suggest(q: string): string[] {
    const dotted = q.includes(".");
    const max = allowedDistance(q.length);
    const scored: { key: string; d: number }[] = [];
    if (dotted) {
      for (const k of this.byKey.keys()) {
        const d = editDistance(q, k, max);
        if (d <= max) scored.push({ key: k, d });
      }
    } else {
      const qHist = new Uint8Array(HIST);
      histogramInto(q, qHist, 0);
      let from = -1;
      for (let n = Math.max(0, q.length - max); n <= MAX_NAME && from < 0; n++) from = this.firstOfLength[n]!;
      for (let i = Math.max(0, from); from >= 0 && i < this.names.length; i++) {
        const name = this.names[i]!;
        if (name.length > q.length + max) break;
        if (!histogramsWithin(qHist, this.nameHist, i * HIST, max)) continue;
        const d = editDistance(q, name, max);
        if (d <= max) scored.push({ key: this.bestKeyOf(name), d });
      }
      // A beginning typed (mapAttr…) counts as near as the farthest typo allowed.
      if (q.length >= 4 && scored.length < SUGGESTIONS) {
        for (const name of this.names) if (name.length > q.length + max && name.startsWith(q)) scored.push({ key: this.bestKeyOf(name), d: max });
      }
    }
    const seen = new Set<FnEntry>();
    const out: string[] = [];
    for (const s of scored.sort((a, b) => a.d - b.d || rankKey(a.key) - rankKey(b.key) || (a.key < b.key ? -1 : 1))) {
      const e = this.byKey.get(s.key)![0]!;
      if (seen.has(e)) continue;
      seen.add(e);
      out.push(this.written.get(s.key) ?? s.key);
      if (out.length >= SUGGESTIONS) break;
    }
    return out;
  }
}

/** Shorter paths first; `lib.` before `builtins.` before anything else. */
function rankKey(key: string): number {
  const dot = key.indexOf(".");
  const root = dot < 0 ? key : key.slice(0, dot).toLowerCase();
  let parts = 1;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 46) parts++;
  return parts * 10 + (root === "lib" ? 0 : root === "builtins" ? 1 : 5);
}
