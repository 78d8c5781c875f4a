/**
 * A snapshot of every channel: revision, update time, Hydra job, from the three Prometheus metrics
 * the status exporter publishes (`channel_revision`, `channel_update_time`, `hydra_job_failed`).
 * Decoding checks each channel and leaves out the ones whose data is wrong, saying why.
 */
import type { PromSample } from "../upstream/prometheus.js";
import { CHANNEL_NAME } from "../upstream/channels.js";

export interface ChannelInfo {
  readonly name: string;
  /** 40 lower-case hex characters. */
  readonly revision: string;
  /** When the channel advanced to this revision, unix milliseconds. */
  readonly updatedAt: number;
  /** Shown on status.nixos.org (`current="1"`). */
  readonly current: boolean;
  /** rolling, stable, beta, deprecated, unmaintained (absent from the fallback). */
  readonly status?: string;
  /** Whether the channel's Hydra job's last finished build failed (absent when unknown). */
  readonly jobFailed?: boolean;
  /** The Hydra job, "project/jobset/job" (absent when unknown). */
  readonly hydraJob?: string;
}

export interface ChannelSnapshot {
  /** Sorted by name. */
  readonly channels: readonly ChannelInfo[];
  /** When nixie read it (unix ms). */
  readonly fetchedAt: number;
  /** "prometheus", or "mirror" when it came from channels.nixos.org because Prometheus failed. */
  readonly source: "prometheus" | "mirror";
  /** Channels left out and why ("nixos-26.05: revision is not 40 hex characters"). */
  readonly problems: readonly string[];
  /** Why Prometheus was not used (fallback snapshots only). */
  readonly primaryError?: string;
}

export const REVISION = /^[0-9a-f]{40}$/;
/** Update times this far ahead of nixie's clock are tolerated (clock skew); further ones are wrong. */
export const FUTURE_SLACK_MS = 5 * 60_000;

/** A problem line names the channel but never repeats more than a little of upstream text. */
const shown = (s: string): string => JSON.stringify(s.length > 48 ? `${s.slice(0, 48)}…` : s);

/** Checks one channel's revision and time; the problem, or undefined when both are fine. */
export function checkChannel(revision: string, updatedAt: number, now: number): string | undefined {
  if (!REVISION.test(revision)) return `revision ${shown(revision)} is not 40 hex characters`;
  if (!Number.isFinite(updatedAt) || updatedAt <= 0) return "its update time is not a time";
  if (updatedAt > now + FUTURE_SLACK_MS) return `its update time ${new Date(updatedAt).toISOString()} is in the future`;
  return undefined;
}

/** Builds a snapshot from the three query results. */
export function decodeSnapshot(q: { revisions: readonly PromSample[]; times: readonly PromSample[]; jobs: readonly PromSample[] }, now: number): Pick<ChannelSnapshot, "channels" | "problems"> {
  const problems: string[] = [];
  const bad = new Set<string>();
  const revisions = new Map<string, PromSample>();
  let unnamed = 0;
  for (const s of q.revisions) {
    const name = s.labels["channel"];
    if (name === undefined || !CHANNEL_NAME.test(name)) {
      unnamed++;
      continue;
    }
    if (s.labels["revision"] === undefined) {
      problems.push(`${name}: channel_revision has no revision label`);
      bad.add(name);
    } else if (revisions.has(name) && revisions.get(name)!.labels["revision"] !== s.labels["revision"]) {
      problems.push(`${name}: two different revisions at once`);
      bad.add(name);
    }
    revisions.set(name, s);
  }
  if (unnamed > 0) problems.push(`${unnamed} channel_revision ${unnamed === 1 ? "series has" : "series have"} no usable channel label`);
  const times = new Map<string, number>();
  for (const s of q.times) {
    const name = s.labels["channel"];
    if (name !== undefined) times.set(name, Number(s.value) * 1000);
  }
  const jobs = new Map<string, { failed: boolean; job?: string }>();
  for (const s of q.jobs) {
    const name = s.labels["channel"];
    if (name === undefined || (s.value !== "0" && s.value !== "1")) continue;
    const { project, jobset, exported_job: job } = s.labels;
    jobs.set(name, { failed: s.value === "1", ...(project && jobset && job ? { job: `${project}/${jobset}/${job}` } : {}) });
  }
  const channels: ChannelInfo[] = [];
  for (const [name, s] of revisions) {
    if (bad.has(name)) continue;
    const revision = s.labels["revision"]!;
    const updatedAt = times.get(name);
    if (updatedAt === undefined) {
      problems.push(`${name}: no channel_update_time`);
      continue;
    }
    const problem = checkChannel(revision, updatedAt, now);
    if (problem) {
      problems.push(`${name}: ${problem}`);
      continue;
    }
    const job = jobs.get(name);
    const status = s.labels["status"];
    channels.push({
      name,
      revision,
      updatedAt,
      current: s.labels["current"] === "1",
      ...(status ? { status } : {}),
      ...(job ? { jobFailed: job.failed } : {}),
      ...(job?.job ? { hydraJob: job.job } : {}),
    });
  }
  channels.sort((a, b) => a.name.localeCompare(b.name));
  return { channels, problems };
}
