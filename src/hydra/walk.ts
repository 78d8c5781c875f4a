/**
 * Since when is a job failing: the walk over one job's newest finished builds (newest first) back
 * to the last success. Aborted (3) and cancelled (4) builds are skipped, as Hydra's own "previous
 * build" lookup does; the oldest failure after the last success is the first broken build.
 */
import type { HydraBuild } from "../upstream/hydra.js";
import { SKIPPED_STATUSES } from "./status.js";

export type JobState =
  /** Hydra lists no finished build: no job for that platform (unfree, broken, not for it). */
  | { readonly kind: "no-job" }
  /** Only aborted or cancelled builds in the window: nothing to say yet. */
  | { readonly kind: "undecided"; readonly latest: HydraBuild }
  | { readonly kind: "succeeded"; readonly build: HydraBuild }
  | {
      readonly kind: "failing";
      /** The newest failed build. */
      readonly latest: HydraBuild;
      /** The oldest failure after the last success (or the oldest in the window). */
      readonly firstBroken: HydraBuild;
      /** Failed builds since the last success (aborted and cancelled ones not counted). */
      readonly failed: number;
      readonly lastSuccess?: HydraBuild;
      /** No success within the window: failing for at least `failed` builds, since before firstBroken. */
      readonly atLeast: boolean;
    };

/** The state of a job from its newest finished builds (any order; newest by id first is used). */
export function jobState(builds: readonly HydraBuild[]): JobState {
  if (builds.length === 0) return { kind: "no-job" };
  const sorted = [...builds].sort((a, b) => b.id - a.id);
  const counted = sorted.filter((b) => !SKIPPED_STATUSES.has(b.buildstatus));
  const latest = counted[0];
  if (latest === undefined) return { kind: "undecided", latest: sorted[0]! };
  if (latest.buildstatus === 0) return { kind: "succeeded", build: latest };
  let failed = 0;
  let firstBroken = latest;
  for (const b of counted) {
    if (b.buildstatus === 0) return { kind: "failing", latest, firstBroken, failed, lastSuccess: b, atLeast: false };
    failed++;
    firstBroken = b;
  }
  return { kind: "failing", latest, firstBroken, failed, atLeast: true };
}

/** Whether the newest counted build succeeded: what the feed compares between sweeps (undefined: nothing to compare). */
export function isGreen(state: JobState): boolean | undefined {
  if (state.kind === "succeeded") return true;
  if (state.kind === "failing") return false;
  return undefined;
}
