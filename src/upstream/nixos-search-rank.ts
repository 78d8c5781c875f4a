/**
 * Client-side ordering of search.nixos.org hits: deterministic ties (shorter names first, then by
 * name) and `!locate`'s tiers (a package named like the program before one that merely ships it).
 * The engine's score decides first; these only order what it considers equal.
 */

/** A hit with the engine's score and the name the order falls back on. */
export interface Scored<T> {
  readonly item: T;
  readonly score: number;
  readonly name: string;
}

/** Scores this close (relative) are a tie: the same sum computed in another order. */
const EPSILON = 1e-6;

function sameScore(a: number, b: number): boolean {
  return Math.abs(a - b) <= EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Code-point order, independent of the locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Higher score first; equal scores: shorter name first, then by name. */
export function compareScored<T>(a: Scored<T>, b: Scored<T>): number {
  if (!sameScore(a.score, b.score)) return b.score - a.score;
  return a.name.length - b.name.length || byName(a.name, b.name);
}

/** The items in engine order with ties broken deterministically. */
export function breakTies<T>(hits: readonly Scored<T>[]): T[] {
  return [...hits].sort(compareScored).map((h) => h.item);
}

/** What `!locate` knows about a package that provides a program. */
export interface ProgramCandidate {
  readonly attrName: string;
  readonly pname: string | undefined;
  readonly mainProgram: string | undefined;
  /** A program of the package is named exactly like the query. */
  readonly exact: boolean;
}

/**
 * How well a package answers `!locate <program>` (higher first): 4 its attribute name is the
 * program, 3 its pname, 2 its main program, 1 it ships a program of that name, 0 only one starting
 * with it. Case-insensitive.
 */
export function locateTier(program: string, c: ProgramCandidate): number {
  const p = program.toLowerCase();
  if (!c.exact) return 0;
  if (c.attrName.toLowerCase() === p) return 4;
  if (c.pname?.toLowerCase() === p) return 3;
  if (c.mainProgram?.toLowerCase() === p) return 2;
  return 1;
}
