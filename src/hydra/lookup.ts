/**
 * What Hydra says of one attribute in one jobset, platform by platform: the state of each job (the
 * failing-since walk) and, for a failure, which dependency broke it (from the newest failed
 * build's page). Platforms are asked in parallel; one whose answer does not come by the deadline
 * is "late", the others are shown.
 */
import { UpstreamError } from "../core/errors.js";
import { parseFailedSteps, type FailedStep } from "../upstream/hydra-build-page.js";
import type { Hydra, HydraBuild, HydraCall } from "../upstream/hydra.js";
import type { Deadline } from "../upstream/http.js";
import { jobName, type HydraTarget } from "./jobsets.js";
import { NO_STEPS_STATUSES } from "./status.js";
import { jobState, type JobState } from "./walk.js";

/** Which dependency broke a build: read from its page, or "unknown" when the page could not be read. */
export type DependencyInfo = { readonly kind: "found"; readonly step: FailedStep } | { readonly kind: "unknown" };

export type PlatformReport =
  | { readonly system: string; readonly job: string; readonly kind: "state"; readonly state: JobState; readonly dependency?: DependencyInfo }
  /** No answer by the deadline. */
  | { readonly system: string; readonly job: string; readonly kind: "late" }
  | { readonly system: string; readonly job: string; readonly kind: "error"; readonly error: UpstreamError };

/**
 * The failed step that is not the build itself (a dependency), when the build's status says one
 * may exist. Hydra gives dependants of a step that timed out that step's status instead of
 * "dependency failed" (NixOS/hydra#1201), so any failed step with another name counts.
 */
export function dependencyOf(build: HydraBuild, steps: readonly FailedStep[]): FailedStep | undefined {
  const own = build.nixname;
  return steps.find((s) => own === "" || (s.name !== own && !s.name.startsWith(`${own}-`)));
}

/** Reads the dependency of a failing build, or says it cannot (never a guess). Undefined: no dependency to look for. */
export async function findDependency(hydra: Hydra, build: HydraBuild, d: HydraCall): Promise<DependencyInfo | undefined> {
  if (NO_STEPS_STATUSES.has(build.buildstatus)) return undefined;
  let steps: FailedStep[] | undefined;
  try {
    steps = parseFailedSteps(await hydra.buildPage(build.id, d), hydra.baseUrl);
  } catch {
    return { kind: "unknown" };
  }
  const step = steps === undefined ? undefined : dependencyOf(build, steps);
  if (step) return { kind: "found", step };
  // A build that failed by itself (timed out, log limit) names no other step: nothing to add.
  return build.buildstatus === 2 ? { kind: "unknown" } : undefined;
}

/** One platform: its build list, the walk, and the dependency of a failure. */
async function platform(hydra: Hydra, target: HydraTarget, attr: string, system: string, d: Deadline): Promise<PlatformReport> {
  const job = jobName(target, attr, system);
  try {
    const builds = await hydra.latestBuilds({ project: target.project, jobset: target.jobset, job, system }, d);
    const state = jobState(builds);
    if (state.kind !== "failing") return { system, job, kind: "state", state };
    const dependency = await findDependency(hydra, state.latest, d);
    return { system, job, kind: "state", state, ...(dependency ? { dependency } : {}) };
  } catch (e) {
    if (e instanceof UpstreamError && e.failure === "timeout") return { system, job, kind: "late" };
    if (e instanceof UpstreamError) return { system, job, kind: "error", error: e };
    throw e;
  }
}

/**
 * Every platform of the target, in config order. Throws the first UpstreamError only when no
 * platform answered and at least one failed for a reason other than lateness (Hydra rate-limits
 * nixie: the reply then says when to try again).
 */
export async function lookup(hydra: Hydra, target: HydraTarget, attr: string, d: Deadline): Promise<PlatformReport[]> {
  const reports = await Promise.all(target.systems.map((s) => platform(hydra, target, attr, s, d)));
  if (reports.every((r) => r.kind !== "state")) {
    const failed = reports.find((r): r is Extract<PlatformReport, { kind: "error" }> => r.kind === "error");
    if (failed) throw failed.error;
  }
  return reports;
}
