/**
 * The shape of the validated configuration. One member per section of config/default.json;
 * a new section adds its interface member here (and its keys to default.json, its checks to
 * validate.ts, its environment variables to env.ts).
 */

export interface FeedConfig {
  /** Short name users type: `!subscribe announcements`. */
  readonly name: string;
  readonly title: string;
  readonly url: string;
}

export interface Config {
  readonly prefix: string;
  readonly botName: string;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly dataDir: string;
  readonly store: { readonly url: string };
  readonly http: {
    readonly timeoutMs: number;
    readonly retries: number;
    readonly maxRetryWaitMs: number;
    readonly maxResponseBytes: number;
    readonly cacheEntries: number;
  };
  readonly input: { readonly maxMessageLength: number; readonly maxArgLength: number };
  readonly rateLimit: { readonly burst: number; readonly perMinute: number };
  readonly search: {
    readonly url: string;
    readonly siteUrl: string;
    readonly username: string;
    readonly password: string;
    readonly schema: number;
    readonly probeAhead: number;
    readonly channels: readonly string[];
    readonly defaultChannel: string;
    readonly results: number;
    readonly cacheTtlSeconds: number;
  };
  readonly wiki: { readonly api: string; readonly cacheTtlSeconds: number; readonly maxRequestsPerSecond: number };
  readonly discourse: { readonly url: string };
  readonly feeds: {
    readonly cron: string;
    readonly nixhourUrl: string;
    readonly maxPerRoomPerPoll: number;
    readonly backoffCapSeconds: number;
    readonly sendPaceMs: number;
    readonly maxBodyBytes: number;
    /** Lease that lets exactly one instance run the feed jobs. */
    readonly leaseSeconds: number;
    readonly extra: readonly FeedConfig[];
  };
  readonly events: { readonly file: string; readonly count: number };
  readonly matrix: {
    readonly homeserverUrl: string;
    readonly user: string;
    readonly encryption: boolean;
    readonly admins: readonly string[];
    /** Minimum pause between two Matrix sends (ms). */
    readonly sendIntervalMs: number;
    readonly autojoin: { readonly allowedServers: readonly string[]; readonly allowedUsers: readonly string[] };
  };
  readonly discord: {
    readonly applicationId: string;
    readonly apiUrl: string;
    readonly guildId: string;
    readonly prefixCommands: boolean;
  };
  readonly health: { readonly port: number; readonly host: string };
  /** `!eval`: Nix evaluation in a sandbox (see src/eval/). */
  readonly eval: {
    /** auto: on when nix-instantiate is found and the start-up self-test passes. */
    readonly enabled: "auto" | "on" | "off";
    /** auto: bubblewrap when it is installed and works here, else none. */
    readonly sandbox: "auto" | "bwrap" | "none";
    /** A nixpkgs or nixpkgs.lib checkout for `-I nixpkgs=`; "" = the language and builtins only. */
    readonly nixpkgs: string;
    readonly nixInstantiate: string;
    /** RLIMIT_AS of the evaluator. */
    readonly memoryBytes: number;
    readonly timeoutMs: number;
    /** stdout and stderr are each read up to this, then the evaluator is killed. */
    readonly outputBytes: number;
    readonly maxConcurrent: number;
    /** Evaluations waiting for a slot; more are refused ("busy"). */
    readonly queue: number;
    /** One evaluation per person per this many seconds. */
    readonly perUserSeconds: number;
    /** The evaluator's uid and gid when nixie runs as root. */
    readonly uid: number;
    readonly gid: number;
    /** Keep one sandboxed evaluator spawned ahead, waiting on stdin, while fewer than maxConcurrent run. */
    readonly standby: boolean;
  };
  /** Channel status (!channels, !channel, the channel feeds). */
  readonly channels: {
    /** The Prometheus behind status.nixos.org. */
    readonly prometheusUrl: string;
    /** channels.nixos.org: the fallback when Prometheus fails. */
    readonly channelsUrl: string;
    readonly statusUrl: string;
    readonly hydraUrl: string;
    /** The repository whose commits the revisions are (commit and compare links). */
    readonly githubUrl: string;
    /** How long !channels reuses an answer (at most 60 s). */
    readonly cacheSeconds: number;
    /** Channels asked from channelsUrl when Prometheus fails and nixie knows no current channels yet. */
    readonly fallbackChannels: readonly string[];
  };
  /** The GitHub REST API: !pr, !track and reference expansion. */
  readonly github: {
    readonly api: string;
    /** Requests per hour nixie may spend; 0 means 50 without a token, 4,000 with one. */
    readonly budget: number;
    /** The part of the budget (percent) the tracking checks may use; the rest is for commands. */
    readonly trackingPercent: number;
    readonly maxTracksPerRoom: number;
    readonly maxTracksPerUser: number;
    readonly maxLinksPerMessage: number;
    readonly linkCooldownMinutes: number;
  };
  /** `pkg:<attr>` feeds: package version changes per channel (see src/pkg-feed/). */
  readonly pkgFeeds: {
    /** How often the watched attributes are looked up (the search index changes every two hours at most). */
    readonly intervalSeconds: number;
    /** `pkg:` feeds one room may follow. */
    readonly maxPerRoom: number;
    /** Distinct attributes all rooms together may watch. */
    readonly maxWatched: number;
  };
  /** `!fn`: Noogle's data file of lib and builtins functions, and the local Nix's builtins. */
  readonly fn: {
    /** Noogle's data file; "" = off (only the local Nix's builtins). */
    readonly url: string;
    /** Noogle's site: function pages and searches. */
    readonly siteUrl: string;
    /** The nixpkgs repository the definitions are linked in. */
    readonly nixpkgsUrl: string;
    /** Fetch the data file again when the copy in use is this old. */
    readonly refreshHours: number;
    /** Larger data files are refused. */
    readonly maxBytes: number;
    /** The whole download may take this long. */
    readonly timeoutMs: number;
    /** The `nix` executable for `nix __dump-builtins`; "" = do not ask it. */
    readonly nix: string;
  };
  /** Hydra (hydra.nixos.org): !hydra and the `hydra:` feeds (see docs/hydra.md). */
  readonly hydra: {
    readonly url: string;
    /** The channel !hydra and `hydra:<attr>` mean when none is given. */
    readonly defaultChannel: string;
    /** Client-side pace for every Hydra request, and the burst it allows. */
    readonly requestsPerSecond: number;
    readonly burst: number;
    /** One Hydra request's timeout (below the command deadline). */
    readonly timeoutMs: number;
    /** After a 429, 502 or 503: no Hydra request at all for this long (or as long as Retry-After says). */
    readonly cooldownSeconds: number;
    /** How long a job's build list is reused; "no job" answers are kept longer. */
    readonly cacheMinutes: number;
    readonly noJobCacheMinutes: number;
    /** Pause between the starts of two sweeps of the followed jobs (at least 2 s). */
    readonly sweepIntervalSeconds: number;
    readonly maxSubscriptionsPerRoom: number;
    /** Distinct jobs (jobset and attribute) followed over all rooms. */
    readonly maxWatchedJobs: number;
    readonly jobsets: readonly HydraJobsetConfig[];
  };
}

/** One channel name users give to !hydra, and the Hydra jobset that builds it. */
export interface HydraJobsetConfig {
  /** What users type: `nixos-unstable`, or a pattern with `{release}` (YY.MM): `nixos-{release}`. */
  readonly channel: string;
  /** `project/jobset`, with `{release}` where the channel has it: `nixos/release-{release}`. */
  readonly jobset: string;
  /** Put before the attribute to make the job name: "" (nixpkgs jobsets) or "nixpkgs." (NixOS jobsets). */
  readonly jobPrefix: string;
  /** The platforms the jobset builds, in the order !hydra lists them. */
  readonly systems: readonly string[];
}

/** Tokens and passwords: only from the environment or files named by `*_FILE` variables. */
export interface Secrets {
  readonly matrixAccessToken?: string;
  readonly matrixPassword?: string;
  readonly discordToken?: string;
  /** GITHUB_TOKEN (or GITHUB_TOKEN_FILE): a larger GitHub budget and conditional requests. */
  readonly githubToken?: string;
}
