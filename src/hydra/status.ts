/** Hydra's build status numbers in words, and what the failing-since walk does with them. */

/** Aborted and cancelled builds say nothing about the package: the walk skips them, as Hydra does. */
export const SKIPPED_STATUSES: ReadonlySet<number> = new Set([3, 4]);

/**
 * Statuses after which nixie does not look for a failed dependency: success, cancelled and "failed
 * with output" have no "Failed build steps" table, and a plain failure (1) is the build's own (a
 * dependant of a step that failed with 1 gets "dependency failed"). Others (2, and 7 and the like,
 * which Hydra copies to dependants: NixOS/hydra#1201) may name one.
 */
export const NO_STEPS_STATUSES: ReadonlySet<number> = new Set([0, 1, 4, 6]);

const WORDS: Readonly<Record<number, string>> = {
  0: "succeeded",
  1: "failed",
  2: "dependency failed",
  3: "aborted",
  4: "cancelled",
  6: "failed with output",
  7: "timed out",
  9: "unsupported system",
  10: "log limit exceeded",
  11: "output limit exceeded",
  12: "not deterministic",
};

/** "failed", "dependency failed", "timed out", …; any number Hydra adds later reads "aborted", as on Hydra's pages. */
export function statusWords(buildstatus: number): string {
  return WORDS[buildstatus] ?? "aborted";
}
