/**
 * Builds the GitHub client, the pull request status service and the track store (for
 * src/services.ts), and the tracking check on the feeds' schedule (for src/bot.ts, which owns the
 * lease); its posts go through the outbox. Nothing starts until the job is started.
 */
import type { Logger } from "pino";
import type { Config, Secrets } from "../config.js";
import type { Outbox } from "../delivery/outbox.js";
import { createPollJob, type PollJob } from "../jobs/scheduler.js";
import type { Store } from "../storage/store.js";
import { createGitHub, type GitHub } from "../upstream/github.js";
import { createGitHubBudget, effectiveBudget } from "../upstream/github-budget.js";
import type { Http } from "../upstream/http.js";
import { createStatusService, type HeadsProvider, type StatusService } from "./landing.js";
import { createTracker, type TrackReport } from "./poll.js";
import { createTrackStore, type TrackStore } from "./tracks.js";
import { createLinkExpander, expanderErrorLog, type LinkExpander } from "../links/expander.js";

export interface GitHubServices {
  readonly github: GitHub;
  /** Where nixpkgs pull requests stand (cached containments). */
  readonly prStatus: StatusService;
  /** Which rooms track which pull requests. */
  readonly tracks: TrackStore;
  /** Current channel heads, when a provider is wired (else heads come from GitHub). */
  readonly channelHeads?: HeadsProvider;
  /** Reference expansion in rooms that turned it on. */
  readonly linkExpander: LinkExpander;
}

export function createGitHubServices(deps: {
  config: Config;
  secrets: Secrets;
  http: Http;
  store: Store;
  channelHeads?: HeadsProvider | undefined;
  now?: () => number;
  /** Where the link expander's failures are logged (it stays silent in the room). */
  log?: Logger;
}): GitHubServices {
  const { config, secrets, http, store } = deps;
  const budget = createGitHubBudget({
    perHour: effectiveBudget(config.github.budget, secrets.githubToken !== undefined),
    backgroundPercent: config.github.trackingPercent,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const github = createGitHub({ http, api: config.github.api, token: secrets.githubToken, budget, ...(deps.now ? { now: deps.now } : {}) });
  const prStatus = createStatusService({ github, store, ...(deps.now ? { now: () => new Date(deps.now!()) } : {}) });
  return {
    github,
    prStatus,
    tracks: createTrackStore(store),
    linkExpander: createLinkExpander({
      github,
      status: prStatus,
      store,
      prefix: config.prefix,
      maxPerMessage: config.github.maxLinksPerMessage,
      cooldownMs: config.github.linkCooldownMinutes * 60_000,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.log ? { onError: expanderErrorLog(deps.log.child({ feature: "links" }), deps.now) } : {}),
    }),
    ...(deps.channelHeads ? { channelHeads: deps.channelHeads } : {}),
  };
}

/** The tracking check on its schedule, and a way to run one now and wait for it (tests). */
export type TrackingJob = PollJob<TrackReport>;

/** What the tracking check uses: the GitHub services it reads, the store it keeps state in, its schedule. */
export interface TrackingJobDeps extends Pick<GitHubServices, "github" | "prStatus" | "tracks" | "channelHeads"> {
  readonly store: Store;
  /** When to check (the feeds' schedule, feeds.cron). */
  readonly cron: string;
  /** Where tracking posts are queued for delivery (src/delivery/). */
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly shouldRun?: () => Promise<boolean>;
}

export function createTrackingJob(opts: TrackingJobDeps): TrackingJob {
  const log = opts.log.child({ job: "tracking" });
  const tracker = createTracker({
    github: opts.github,
    status: opts.prStatus,
    tracks: opts.tracks,
    store: opts.store,
    outbox: opts.outbox,
    channelHeads: opts.channelHeads,
    log,
  });
  // The feeds' schedule and the same lease: only the active instance checks and posts.
  return createPollJob({
    cron: opts.cron,
    name: "tracking",
    poll: () => tracker.poll(),
    log,
    ...(opts.shouldRun ? { shouldRun: opts.shouldRun } : {}),
  });
}
