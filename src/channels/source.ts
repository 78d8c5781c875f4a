/**
 * Where channel snapshots come from: three Prometheus instant queries (never more per snapshot),
 * or, when Prometheus fails, channels.nixos.org's `<channel>/git-revision` for the channels nixie
 * last saw as current. Snapshots are shared: one in flight at a time, and reused for a short while.
 */
import type { Logger } from "pino";
import { upstreamCause } from "../core/error-reply.js";
import { UpstreamError } from "../core/errors.js";
import type { KV, Store } from "../storage/store.js";
import type { ChannelMirror } from "../upstream/channels.js";
import type { Prometheus } from "../upstream/prometheus.js";
import { checkChannel, decodeSnapshot, type ChannelInfo, type ChannelSnapshot } from "./snapshot.js";

export interface ChannelSource {
  /** A snapshot at most `maxAgeMs` old (default: the configured cache time). */
  snapshot(opts?: { maxAgeMs?: number }): Promise<ChannelSnapshot>;
  /** Every current channel and its revision, from the same cached snapshot as !channels. */
  heads(): Promise<ReadonlyMap<string, string>>;
  /** The channel names of the last Prometheus snapshot (stored, so a restart keeps them). */
  known(): Promise<KnownChannels>;
}

export interface KnownChannels {
  readonly all: readonly string[];
  readonly current: readonly string[];
}

export interface ChannelSourceOptions {
  readonly prometheus: Prometheus;
  readonly mirror: ChannelMirror;
  readonly store: Store;
  readonly cacheMs: number;
  /** Asked from the mirror when no current channel is known yet. */
  readonly fallbackChannels: readonly string[];
  readonly log: Logger;
  readonly now?: () => number;
  /** Shown with errors: where people can look instead (status.nixos.org). */
  readonly statusUrl: string;
}

/** At most this many channels are asked from the mirror (one request each, plus its redirect). */
export const MAX_MIRROR_CHANNELS = 20;

/** The three queries of one snapshot. */
export const QUERIES = { revisions: "channel_revision", times: "channel_update_time", jobs: "hydra_job_failed" } as const;

const KNOWN_KEY = "known";

/** An error for chat (a note of !channels): network failures and timeouts in words, else the message. */
const reason = (e: unknown): string => (e instanceof UpstreamError && (e.failure === "network" || e.failure === "timeout") ? upstreamCause(e) : e instanceof Error ? e.message : String(e));
/** An error for a log line: the message, node's error code included. */
const logged = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * An UpstreamError's message without its "<service>: " prefix; a network failure or a timeout in
 * words (no raw error codes in chat).
 */
function withoutService(e: unknown): string {
  if (!(e instanceof UpstreamError)) return reason(e);
  if (e.failure === "network" || e.failure === "timeout") return upstreamCause(e);
  return e.message.startsWith(`${e.service}: `) ? e.message.slice(e.service.length + 2) : e.message;
}

/** The Prometheus failure, saying what it answered and that the fallback failed too. */
function explain(primary: unknown, mirrorProblem: string | undefined, statusUrl: string): unknown {
  if (!(primary instanceof UpstreamError)) return primary;
  const what = withoutService(primary);
  const mirror = mirrorProblem ? `; channels.nixos.org failed too (${mirrorProblem})` : "";
  return primary.withHint(`Prometheus: ${what}${mirror}. The status page:`, statusUrl);
}

export function createChannelSource(opts: ChannelSourceOptions): ChannelSource {
  const now = opts.now ?? Date.now;
  const kv: KV<KnownChannels> = opts.store.namespace<KnownChannels>("channels");
  let last: ChannelSnapshot | undefined;
  let inflight: Promise<ChannelSnapshot> | undefined;
  let knownWritten = "";

  async function remember(channels: readonly ChannelInfo[]): Promise<void> {
    const known: KnownChannels = { all: channels.map((c) => c.name), current: channels.filter((c) => c.current).map((c) => c.name) };
    const key = JSON.stringify(known);
    if (key === knownWritten) return;
    try {
      await kv.set(KNOWN_KEY, known);
      knownWritten = key;
    } catch (e) {
      opts.log.warn({ err: logged(e) }, "could not store the channel names");
    }
  }

  async function known(): Promise<KnownChannels> {
    return (await kv.get(KNOWN_KEY)) ?? { all: [], current: [] };
  }

  async function fromPrometheus(): Promise<ChannelSnapshot> {
    const p = opts.prometheus;
    const [revisions, times, jobs] = await Promise.all([
      p.query(QUERIES.revisions),
      p.query(QUERIES.times),
      // Without the Hydra status the channels are still worth showing.
      p.query(QUERIES.jobs).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    ]);
    if (revisions.length === 0) throw new UpstreamError(p.service, "bad-response", "answered no channel_revision series (is the channel exporter down?)");
    const t = now();
    const decoded = decodeSnapshot({ revisions, times, jobs: jobs.ok ? jobs.r : [] }, t);
    const problems = [...decoded.problems];
    if (!jobs.ok) problems.push(`Hydra job status unknown: ${reason(jobs.e)}`);
    if (decoded.channels.length === 0) throw new UpstreamError(p.service, "bad-response", `answered no usable channel (${decoded.problems.slice(0, 3).join("; ")})`);
    await remember(decoded.channels);
    return { channels: decoded.channels, problems, fetchedAt: t, source: "prometheus" };
  }

  async function fromMirror(primary: unknown): Promise<ChannelSnapshot> {
    const k = await known().catch(() => ({ all: [], current: [] }));
    const names = (k.current.length > 0 ? k.current : opts.fallbackChannels).slice(0, MAX_MIRROR_CHANNELS);
    const results = await Promise.allSettled(names.map((n) => opts.mirror.gitRevision(n)));
    const t = now();
    const channels: ChannelInfo[] = [];
    const problems: string[] = [];
    results.forEach((r, i) => {
      const name = names[i]!;
      if (r.status === "rejected") {
        problems.push(`${name}: ${reason(r.reason)}`);
        return;
      }
      const problem = checkChannel(r.value.revision, r.value.updatedAt, t);
      if (problem) problems.push(`${name}: ${problem}`);
      else channels.push({ name, revision: r.value.revision, updatedAt: r.value.updatedAt, current: true });
    });
    if (channels.length === 0) throw explain(primary, problems[0], opts.statusUrl);
    channels.sort((a, b) => a.name.localeCompare(b.name));
    return { channels, problems, fetchedAt: t, source: "mirror", primaryError: withoutService(primary) };
  }

  async function fetchSnapshot(): Promise<ChannelSnapshot> {
    try {
      return await fromPrometheus();
    } catch (e) {
      opts.log.warn({ err: logged(e) }, "Prometheus failed; reading the channels from channels.nixos.org");
      return await fromMirror(e);
    }
  }

  async function snapshot(o: { maxAgeMs?: number } = {}): Promise<ChannelSnapshot> {
    const maxAge = Math.min(o.maxAgeMs ?? opts.cacheMs, opts.cacheMs);
    // maxAge 0 (a poll) always asks: a snapshot taken in the same millisecond may predate a change.
    if (last && maxAge > 0 && now() - last.fetchedAt <= maxAge) return last;
    inflight ??= fetchSnapshot()
      .then((s) => {
        last = s;
        return s;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  return {
    snapshot,
    async heads() {
      const s = await snapshot();
      return new Map(s.channels.filter((c) => c.current).map((c) => [c.name, c.revision] as const));
    },
    known,
  };
}
