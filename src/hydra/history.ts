/**
 * What the sweep remembers between runs, in the store: the last known colour of every watched
 * (jobset, job) and an event log of transitions, each with a stable id built from the build id
 * (`…#<build>:broke`, `…#<build>:fixed`). The feed source serves the log; the watcher's seen ids
 * and outbox make each event a post exactly once. A pure function applies one observation, so a
 * restart (or another instance after a takeover) continues where the last sweep stopped.
 */
import type { HydraBuild } from "../upstream/hydra.js";
import type { DependencyInfo } from "./lookup.js";
import { statusWords } from "./status.js";
import type { JobState } from "./walk.js";

/** The last thing seen of one job on one platform. */
export interface KnownJob {
  /** The newest counted build (aborted and cancelled ones never change it). */
  readonly buildId: number;
  readonly green: boolean;
  /** Unix ms of the sweep that saw it. */
  readonly seenAt: number;
}

/** A job broke (success -> failure) or was fixed (failure -> success). */
export interface HydraEvent {
  readonly id: string;
  readonly kind: "broke" | "fixed";
  readonly project: string;
  readonly jobset: string;
  readonly attr: string;
  readonly system: string;
  readonly job: string;
  readonly buildId: number;
  readonly nixname: string;
  /** Words of the new build's status. */
  readonly status: string;
  /** Unix ms: the build's queue time. */
  readonly at: number;
  /** broke: the first broken build's time (unix ms) and how many failed since the last success. */
  readonly since?: number;
  readonly failed?: number;
  readonly atLeast?: boolean;
  /** broke: the dependency, when the build page named one; "unknown" when it could not be read. */
  readonly dependency?: { readonly name: string; readonly status: string; readonly logUrl?: string; readonly propagatedFrom?: number } | "unknown";
  /** broke: the build has a log of its own (not when a dependency failed). */
  readonly hasLog?: boolean;
}

export interface HydraHistory {
  /** `<project>/<jobset>|<job>` -> what was seen last. */
  readonly jobs: Readonly<Record<string, KnownJob>>;
  /** Oldest first, at most MAX_EVENTS. */
  readonly events: readonly HydraEvent[];
}

/** Events kept: transitions are rare, and the feed poll reads new ones within minutes. */
export const MAX_EVENTS = 1000;

export const emptyHistory = (): HydraHistory => ({ jobs: {}, events: [] });

export const jobKey = (project: string, jobset: string, job: string): string => `${project}/${jobset}|${job}`;

export interface Observation {
  readonly project: string;
  readonly jobset: string;
  readonly attr: string;
  readonly system: string;
  readonly job: string;
  readonly state: JobState;
  readonly dependency?: DependencyInfo;
}

/** The newest counted build of a state, if it has one. */
function newest(state: JobState): HydraBuild | undefined {
  if (state.kind === "succeeded") return state.build;
  if (state.kind === "failing") return state.latest;
  return undefined;
}

/**
 * Whether an observation is a transition from what is stored: true when it broke or was fixed
 * (the caller then reads the dependency before applying it). First sight and "no job" are never.
 */
export function isTransition(known: KnownJob | undefined, state: JobState): boolean {
  const b = newest(state);
  if (!known || !b || b.id === known.buildId) return false;
  return known.green !== (state.kind === "succeeded");
}

/** Applies one observation (mutating `jobs` and `events`, the sweep's working copies); returns the event it made, if any. */
export function observe(jobs: Record<string, KnownJob>, events: HydraEvent[], o: Observation, now: number): HydraEvent | undefined {
  const key = jobKey(o.project, o.jobset, o.job);
  const known = jobs[key];
  const b = newest(o.state);
  if (!b) return undefined; // no job, or only aborted/cancelled builds: nothing changes
  const transition = isTransition(known, o.state);
  jobs[key] = { buildId: b.id, green: o.state.kind === "succeeded", seenAt: now };
  if (!transition) return undefined;
  const base = `hydra:${key}#${b.id}`;
  const common = { project: o.project, jobset: o.jobset, attr: o.attr, system: o.system, job: o.job, buildId: b.id, nixname: b.nixname, status: statusWords(b.buildstatus), at: b.timestamp * 1000 };
  let e: HydraEvent;
  if (o.state.kind === "failing") {
    const dep = o.dependency;
    e = {
      id: `${base}:broke`,
      kind: "broke",
      ...common,
      since: o.state.firstBroken.timestamp * 1000,
      failed: o.state.failed,
      atLeast: o.state.atLeast,
      hasLog: b.buildstatus !== 2,
      ...(dep === undefined
        ? {}
        : {
            dependency:
              dep.kind === "unknown"
                ? ("unknown" as const)
                : {
                    name: dep.step.name,
                    status: dep.step.status,
                    ...(dep.step.logUrl ? { logUrl: dep.step.logUrl } : {}),
                    ...(dep.step.propagatedFrom !== undefined ? { propagatedFrom: dep.step.propagatedFrom } : {}),
                  },
          }),
    };
  } else e = { id: `${base}:fixed`, kind: "fixed", ...common };
  if (!events.some((x) => x.id === e.id)) events.push(e);
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  return e;
}
