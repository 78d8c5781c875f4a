/**
 * What !hydra, the `hydra:` feeds and the sweep job use: the Hydra client (one pace, one
 * cool-down for all of them), the channel -> jobset map, the lookup behind !hydra, the feed
 * provider and the sweep over every followed job.
 */
import { msLeft, withDeadline } from "../core/deadline.js";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { UpstreamError, UserError } from "../core/errors.js";
import { rich, type Reply, type RichText } from "../core/reply.js";
import type { FeedProvider } from "../feeds/provider.js";
import type { KV, Store } from "../storage/store.js";
import { createHydra, type Hydra } from "../upstream/hydra.js";
import type { Deadline, Http } from "../upstream/http.js";

/** A command's bound: its deadline as a number (for waits that must fit in it), and its signal when it has one. */
type CommandBound = Deadline & { readonly deadline: number };
import type { NixosSearch } from "../upstream/nixos-search.js";
import { createHydraFeedSource, checkCaps, hydraFeedDef, HYDRA_FEED_KIND, parseHydraFeed, watchedKey, type HydraFeedTarget } from "./feed.js";
import { formatEventPost, reportReply } from "./format.js";
import { emptyHistory, isTransition, jobKey, observe, type HydraEvent, type KnownJob } from "./history.js";
import { channelNames, checkAttr, currentRelease, jobName, resolveChannel } from "./jobsets.js";
import { findDependency, lookup } from "./lookup.js";
import { jobState } from "./walk.js";

/** What one sweep did. */
export interface SweepReport {
  /** Distinct jobs (jobset and attribute) followed. */
  readonly jobs: number;
  /** Requests for build lists: one per job and platform, never more. */
  readonly lists: number;
  /** Build pages read for new failures. */
  readonly pages: number;
  readonly events: number;
  readonly failed: number;
  /** The sweep stopped early: Hydra asked for a rest, or nixie is stopping. */
  readonly stopped?: "cooldown" | "stopping";
}

export interface HydraService {
  readonly client: Hydra;
  /** !hydra: the answer for an attribute in a channel (undefined: the default), within the deadline. */
  report(attr: string, channel: string | undefined, d: CommandBound): Promise<Reply>;
  /** Channel names for autocomplete and help, the current release filled in when known within `timeoutMs`. */
  channelNames(timeoutMs: number): Promise<string[]>;
  readonly feedProvider: FeedProvider;
  /** One sweep over the jobs of the given followed feed names; `stopping()` is asked between requests. */
  sweep(followed: readonly string[], stopping?: () => boolean): Promise<SweepReport>;
  /** The stored events (oldest first). */
  events(): Promise<readonly HydraEvent[]>;
  /** When the last sweep started (unix ms), from the store: a restart keeps the schedule. */
  lastSweepStart(): Promise<number | undefined>;
}

const EVENTS_KEY = "events";
const JOBS_KEY = "jobs";
const HEALTH_KEY = "health";

/** How the last sweep went, for !subscriptions: the jobs it could not read, and a rest Hydra asked for. */
interface SweepHealth {
  /** Unix ms when it started and ended. */
  readonly startedAt?: number;
  readonly at: number;
  /** Job key -> a short reason. */
  readonly failed: Readonly<Record<string, string>>;
  /** Unix ms until which Hydra asked nixie to wait (the sweep stopped there). */
  readonly coolingUntil?: number;
}
/** Observations between two writes of the sweep's state (a crash re-sweeps at most these). */
const WRITE_EVERY = 50;
/** How long !hydra --channel stable waits for the channel status. */
const STABLE_WAIT_MS = 1500;
/** Suggestions after "no such package". */
const SUGGESTIONS = 3;

export interface HydraServiceDeps {
  readonly config: Config;
  readonly http: Http;
  readonly store: Store;
  readonly search: NixosSearch;
  /** The current channels (for "stable"), from the channel status. */
  readonly currentChannels: () => Promise<readonly string[]>;
  readonly log: Logger;
  readonly now?: () => number;
}

/** Resolves with the promise's value, or undefined after `ms` (or on failure). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return withDeadline(
    p.catch(() => undefined),
    { ms },
    () => undefined,
  );
}

export function createHydraService(deps: HydraServiceDeps): HydraService {
  const c = deps.config.hydra;
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ feature: "hydra" });
  const hydra = createHydra({
    baseUrl: c.url,
    http: deps.http,
    requestsPerSecond: c.requestsPerSecond,
    burst: c.burst,
    timeoutMs: c.timeoutMs,
    cooldownMs: c.cooldownSeconds * 1000,
    cacheMs: c.cacheMinutes * 60_000,
    noJobCacheMs: c.noJobCacheMinutes * 60_000,
    now,
  });
  const kvEvents: KV<HydraEvent[]> = deps.store.namespace<HydraEvent[]>("hydra");
  const kvJobs: KV<Record<string, KnownJob>> = deps.store.namespace<Record<string, KnownJob>>("hydra");
  const loadEvents = async (): Promise<readonly HydraEvent[]> => (await kvEvents.get(EVENTS_KEY)) ?? emptyHistory().events;
  const kvHealth: KV<SweepHealth> = deps.store.namespace<SweepHealth>("hydra");
  const loadJobs = async (): Promise<Record<string, KnownJob>> => ({ ...((await kvJobs.get(JOBS_KEY)) ?? emptyHistory().jobs) });
  const release = async (timeoutMs: number): Promise<string | undefined> => currentRelease((await within(deps.currentChannels(), timeoutMs)) ?? []);

  /** "Did you mean …" when the search knows no such attribute; nothing when it cannot tell. */
  async function checkExists(attr: string, d: CommandBound): Promise<{ attr: string; note?: RichText }> {
    try {
      const answer = await deps.search.versions(attr, d);
      if (answer.channels.some((ch) => ch.status === "found")) return { attr: answer.attrName };
      if (answer.channels.some((ch) => ch.status === "failed")) return { attr };
    } catch (e) {
      // The search being down is no reason to keep Hydra's answer from the user.
      log.debug({ err: e instanceof Error ? e.message : String(e) }, "!hydra: the search did not answer; asking Hydra anyway");
      return { attr, note: rich("(search.nixos.org did not answer, so nixie could not check the name)") };
    }
    const names = await deps.search.complete("package", attr, d).catch(() => [] as readonly string[]);
    const close = names.filter((n) => n !== attr).slice(0, SUGGESTIONS);
    throw new UserError(`There is no package ${attr} on search.nixos.org.${close.length > 0 ? ` Did you mean ${close.join(", ")}?` : ""}`);
  }

  const feedProvider: FeedProvider = {
    kind: HYDRA_FEED_KIND,
    source: createHydraFeedSource({ hydra, config: c, events: loadEvents }),
    patterns: [
      { pattern: "hydra:<attr>", description: `when a package's Hydra build breaks or is fixed (${c.defaultChannel}), e.g. hydra:hello` },
      { pattern: "hydra:<attr>@<channel>", description: "the same for another channel's jobset, e.g. hydra:hello@nixos-unstable" },
    ],
    get: (name) => hydraFeedDef(hydra, c, name),
    async admit(feed, where) {
      const t = parseHydraFeed(c, feed.name);
      if (!t) throw new UserError(`${feed.name} is not a Hydra feed.`);
      checkCaps(c, t, where.roomFeeds, where.followed);
      // A release channel must be one of the current ones: a typo (nixos-25.15) would name a
      // jobset Hydra does not have, and the feed would never post. Unchecked when the channel
      // status does not answer in time.
      const typedRelease = /\d\d\.\d\d/.exec(t.target.channel)?.[0];
      if (typedRelease !== undefined) {
        const current = await within(deps.currentChannels(), Math.min(STABLE_WAIT_MS, msLeft(where.signal)));
        if (current !== undefined && !current.some((ch) => ch.includes(typedRelease))) {
          throw new UserError(
            `${t.target.channel} is not a current channel, so Hydra builds no ${t.target.project}/${t.target.jobset}. Channels: ${channelNames(c, currentRelease(current)).join(", ")}.`,
          );
        }
      }
      const checked = await checkExists(t.attr, { deadline: where.deadline, signal: where.signal });
      // Hydra's job names are case-sensitive: a feed under another spelling would never see a build.
      if (checked.attr !== t.attr) throw new UserError(`The attribute is spelled ${checked.attr}: subscribe to hydra:${checked.attr}${feed.name.includes("@") ? `@${t.target.channel}` : ""}.`);
      return rich(`nixie checks ${t.target.project}/${t.target.jobset} every ${Math.round(c.sweepIntervalSeconds / 60) || 1} min and posts only when a build breaks or is fixed.`);
    },
    format: formatEventPost,
    async describe(feed) {
      const t = parseHydraFeed(c, feed.name);
      if (!t) return undefined;
      const [jobs, health] = await Promise.all([loadJobs(), kvHealth.get(HEALTH_KEY)]);
      const parts = t.target.systems.flatMap((s) => {
        const key = jobKey(t.target.project, t.target.jobset, jobName(t.target, t.attr, s));
        const k = jobs[key];
        const failed = health?.failed[key];
        if (failed !== undefined) return [`${s} not read at the last check (${failed})`];
        return k ? [`${s} ${k.green ? "ok" : "failing"}`] : [];
      });
      const rest = health?.coolingUntil !== undefined && health.coolingUntil > now() ? ` · Hydra asked nixie to wait until ${new Date(health.coolingUntil).toISOString().slice(11, 16)} UTC` : "";
      return (parts.length === 0 ? "not checked yet" : parts.join(", ")) + rest;
    },
  };

  return {
    client: hydra,
    feedProvider,
    events: loadEvents,
    async lastSweepStart() {
      return (await kvHealth.get(HEALTH_KEY))?.startedAt;
    },
    async channelNames(timeoutMs) {
      return channelNames(c, await release(timeoutMs));
    },
    async report(attrInput, channelInput, d) {
      const attr = checkAttr(attrInput);
      const wantsStable = /^(nixos-)?stable$/i.test((channelInput ?? "").trim());
      // The channel status gets a moment only: Hydra's answers need the rest of the deadline.
      const target = resolveChannel(c, channelInput, wantsStable ? await release(Math.min(STABLE_WAIT_MS, d.deadline - Date.now())) : undefined);
      const checked = await checkExists(attr, d);
      const reports = await lookup(hydra, target, checked.attr, d);
      return reportReply(hydra, target, checked.attr, reports, checked.note);
    },
    async sweep(followed, stopping = () => false) {
      const startedAt = now();
      const targets = new Map<string, HydraFeedTarget>();
      for (const name of followed) {
        const t = parseHydraFeed(c, name);
        if (t) targets.set(watchedKey(t), t);
      }
      const [stored, jobs] = await Promise.all([loadEvents(), loadJobs()]);
      const events = [...stored];
      // Jobs nobody follows any more are forgotten: a later follower starts from a fresh first sight.
      const wanted = new Set<string>();
      for (const t of targets.values()) for (const s of t.target.systems) wanted.add(jobKey(t.target.project, t.target.jobset, jobName(t.target, t.attr, s)));
      for (const k of Object.keys(jobs)) if (!wanted.has(k)) delete jobs[k];
      let lists = 0;
      let pages = 0;
      let made = 0;
      let failed = 0;
      let stopped: SweepReport["stopped"];
      let unsaved = 0;
      const unread: Record<string, string> = {};
      let newEvents = false;
      const save = async (): Promise<void> => {
        // Events before the job states: a crash in between re-finds the transition (same id, kept once).
        if (newEvents) await kvEvents.set(EVENTS_KEY, events);
        await kvJobs.set(JOBS_KEY, jobs);
        unsaved = 0;
        newEvents = false;
      };
      sweep: for (const t of targets.values()) {
        for (const system of t.target.systems) {
          if (stopping()) {
            stopped = "stopping";
            break sweep;
          }
          const job = jobName(t.target, t.attr, system);
          try {
            lists++;
            const state = jobState(await hydra.latestBuilds({ project: t.target.project, jobset: t.target.jobset, job, system }, { fresh: true, background: true }));
            const known = jobs[jobKey(t.target.project, t.target.jobset, job)];
            let dependency;
            if (state.kind === "failing" && isTransition(known, state)) {
              pages++;
              dependency = await findDependency(hydra, state.latest, { background: true });
            }
            const e = observe(jobs, events, { project: t.target.project, jobset: t.target.jobset, attr: t.attr, system, job, state, ...(dependency ? { dependency } : {}) }, now());
            if (e) {
              made++;
              newEvents = true;
              log.info({ event: e.kind, job, jobset: `${t.target.project}/${t.target.jobset}`, build: e.buildId }, "hydra job changed");
            }
          } catch (err) {
            failed++;
            unread[jobKey(t.target.project, t.target.jobset, job)] = err instanceof UpstreamError ? err.detail.slice(0, 80) : "error";
            if (hydra.coolingUntil() !== undefined) {
              // Hydra asked for a rest: the rest of the jobs wait for the next sweep.
              log.warn({ until: new Date(hydra.coolingUntil() ?? 0).toISOString() }, "hydra sweep stopped: Hydra asked nixie to wait");
              stopped = "cooldown";
              break sweep;
            }
            // One warning per sweep: an outage would otherwise log every job.
            const fields = { job, err: err instanceof UpstreamError ? err.detail : String(err) };
            if (failed === 1) log.warn(fields, "hydra sweep: a job could not be read (further ones this sweep at debug)");
            else log.debug(fields, "hydra sweep: a job could not be read");
          }
          if (++unsaved >= WRITE_EVERY) await save();
        }
      }
      await save();
      const until = hydra.coolingUntil();
      await kvHealth.set(HEALTH_KEY, { startedAt, at: now(), failed: unread, ...(stopped === "cooldown" && until !== undefined ? { coolingUntil: until } : {}) });
      const report: SweepReport = { jobs: targets.size, lists, pages, events: made, failed, ...(stopped ? { stopped } : {}) };
      if (failed > 0) log.warn(report, "hydra sweep done; some jobs could not be read");
      else log.debug(report, "hydra sweep done");
      return report;
    },
  };
}
