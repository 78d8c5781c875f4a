/**
 * The rules for every config key, one block per section of config/default.json, in the file's
 * order. A new section appends its block here; every bad key is reported, not only the first.
 */
import type { Checker } from "./checker.js";

/** A Discord id ("snowflake"): 17 to 20 digits. */
const SNOWFLAKE = /^\d{17,20}$/;

/**
 * Checks every key of the merged tree; problems go to `k.problems`. `resolvePath` turns a
 * relative file path from config into the one that is opened.
 */
export function validateConfig(k: Checker, resolvePath: (p: string) => string): void {
  // top level
  k.str("prefix", { pattern: /^[^\s\w]{1,3}$/u, what: "1 to 3 punctuation characters such as !" });
  k.str("botName", { nonEmpty: true });
  k.oneOf("logLevel", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
  k.str("dataDir", { nonEmpty: true });

  // store
  if (k.url("store.url", { schemes: ["sqlite:", "redis:", "rediss:", "postgres:", "postgresql:"] })) {
    const url = k.get("store.url") as string;
    if (url.startsWith("sqlite:") && !/^sqlite:\/\/./.test(url)) k.fail("store.url", "sqlite://PATH, such as sqlite://data/nixie.sqlite (relative) or sqlite:///var/lib/nixie/nixie.sqlite", url);
  }

  // http
  k.int("http.timeoutMs", 100, 120_000);
  k.int("http.retries", 0, 5);
  k.int("http.maxRetryWaitMs", 0, 120_000);
  k.int("http.maxResponseBytes", 1024, 100_000_000);
  k.int("http.cacheEntries", 0, 1_000_000);

  // input, rateLimit
  k.int("input.maxMessageLength", 100, 100_000);
  k.int("input.maxArgLength", 10, 10_000);
  k.int("rateLimit.burst", 1, 1000);
  k.int("rateLimit.perMinute", 1, 10_000);

  // search
  k.url("search.url");
  k.url("search.siteUrl");
  k.str("search.username");
  k.str("search.password");
  k.int("search.schema", 1, 10_000);
  k.int("search.probeAhead", 0, 20);
  if (k.strings("search.channels", { nonEmpty: true }) && k.str("search.defaultChannel", { nonEmpty: true })) {
    const channels = k.get("search.channels") as string[];
    const chosen = k.get("search.defaultChannel") as string;
    if (!channels.includes(chosen)) k.fail("search.defaultChannel", `one of search.channels (${channels.join(", ")})`, chosen);
  }
  k.int("search.results", 1, 10);
  k.int("search.cacheTtlSeconds", 0, 86_400);

  // wiki, discourse
  k.url("wiki.api");
  k.int("wiki.cacheTtlSeconds", 0, 604_800);
  k.int("wiki.maxRequestsPerSecond", 1, 9);
  k.url("discourse.url");

  // feeds
  k.cron("feeds.cron");
  k.url("feeds.nixhourUrl", { optional: true });
  k.int("feeds.maxPerRoomPerPoll", 1, 20);
  k.int("feeds.backoffCapSeconds", 1, 604_800);
  k.int("feeds.sendPaceMs", 0, 60_000);
  k.int("feeds.maxBodyBytes", 1024, 50_000_000);
  k.int("feeds.leaseSeconds", 2, 3600);
  k.feeds("feeds.extra");

  // events: "" means no curated list; a path that does not exist is a mistake, not an empty list.
  k.file("events.file", resolvePath, { optional: true });
  k.int("events.count", 1, 20);

  // matrix
  k.url("matrix.homeserverUrl", { optional: true });
  k.str("matrix.user", { pattern: /^@[^:\s]+:\S+$/, what: "a full Matrix user id such as @nixie:example.org", optional: true });
  k.bool("matrix.encryption");
  k.strings("matrix.admins");
  k.int("matrix.sendIntervalMs", 0, 60_000);
  k.strings("matrix.autojoin.allowedServers");
  k.strings("matrix.autojoin.allowedUsers");

  // discord
  k.str("discord.applicationId", { pattern: SNOWFLAKE, what: "a Discord application id (a snowflake: 17 to 20 digits)", optional: true });
  k.url("discord.apiUrl", { optional: true });
  k.str("discord.guildId", { pattern: SNOWFLAKE, what: "a Discord guild id (a snowflake: 17 to 20 digits)", optional: true });
  k.bool("discord.prefixCommands");

  // health
  k.int("health.port", 0, 65_535);
  k.str("health.host", { nonEmpty: true });

  // eval
  k.oneOf("eval.enabled", ["auto", "on", "off"]);
  k.oneOf("eval.sandbox", ["auto", "bwrap", "none"]);
  k.str("eval.nixpkgs");
  k.str("eval.nixInstantiate", { nonEmpty: true });
  k.int("eval.memoryBytes", 64 * 1024 * 1024, 64 * 1024 * 1024 * 1024);
  k.int("eval.timeoutMs", 100, 60_000);
  k.int("eval.outputBytes", 1024, 16 * 1024 * 1024);
  k.int("eval.maxConcurrent", 1, 32);
  k.int("eval.queue", 0, 1000);
  k.int("eval.perUserSeconds", 0, 3600);
  k.int("eval.uid", 1, 4_294_967_294);
  k.int("eval.gid", 1, 4_294_967_294);
  k.bool("eval.standby");

  // channels
  k.url("channels.prometheusUrl");
  k.url("channels.channelsUrl");
  k.url("channels.statusUrl");
  k.url("channels.hydraUrl");
  k.url("channels.githubUrl");
  k.int("channels.cacheSeconds", 0, 60);
  k.strings("channels.fallbackChannels");

  // github
  k.url("github.api");
  k.int("github.budget", 0, 1_000_000);
  k.int("github.trackingPercent", 1, 100);
  k.int("github.maxTracksPerRoom", 0, 10_000);
  k.int("github.maxTracksPerUser", 0, 10_000);
  k.int("github.maxLinksPerMessage", 1, 10);
  k.int("github.linkCooldownMinutes", 0, 10_080);

  // pkgFeeds: a few seconds at least (tests), a day at most; caps bounded by one poll's cost
  k.int("pkgFeeds.intervalSeconds", 2, 86_400);
  k.int("pkgFeeds.maxPerRoom", 0, 1000);
  k.int("pkgFeeds.maxWatched", 0, 20_000);

  // fn
  k.url("fn.url", { optional: true });
  k.url("fn.siteUrl");
  k.url("fn.nixpkgsUrl");
  k.int("fn.refreshHours", 1, 24 * 30);
  k.int("fn.maxBytes", 1024, 100_000_000);
  k.int("fn.timeoutMs", 1000, 600_000);
  k.str("fn.nix");

  // hydra
  k.url("hydra.url");
  // Up to 1,000 a second for a private Hydra (and the benchmark); hydra.nixos.org allows about 2.
  k.int("hydra.requestsPerSecond", 1, 1000);
  k.int("hydra.burst", 1, 1000);
  k.int("hydra.timeoutMs", 100, 120_000);
  k.int("hydra.cooldownSeconds", 1, 3600);
  k.int("hydra.cacheMinutes", 0, 1440);
  k.int("hydra.noJobCacheMinutes", 0, 10_080);
  k.int("hydra.sweepIntervalSeconds", 2, 86_400);
  k.int("hydra.maxSubscriptionsPerRoom", 0, 1000);
  k.int("hydra.maxWatchedJobs", 0, 100_000);
  if (hydraJobsets(k, "hydra.jobsets") && k.str("hydra.defaultChannel", { nonEmpty: true })) {
    const channels = (k.get("hydra.jobsets") as { channel: string }[]).map((j) => j.channel).filter((c) => !c.includes("{release}"));
    const chosen = k.get("hydra.defaultChannel") as string;
    if (!channels.includes(chosen)) k.fail("hydra.defaultChannel", `a channel of hydra.jobsets without {release} (${channels.join(", ")})`, chosen);
  }

  // factoids: the defaults follow the rules of !learn (command names are checked at start, where
  // the commands are known)
  k.int("factoids.maxPerRoom", 0, 10_000);
  k.factoids("factoids.defaults");
}

const HYDRA_CHANNEL = /^[a-z0-9][a-z0-9.-]*(\{release\}[a-z0-9.-]*)?$/;
const HYDRA_JOBSET = /^[A-Za-z0-9_-]+\/[A-Za-z0-9._-]*(\{release\}[A-Za-z0-9._-]*)?$/;
const HYDRA_PREFIX = /^([A-Za-z_][A-Za-z0-9_+-]*\.)*$/;
const HYDRA_SYSTEM = /^[a-z0-9_]+-[a-z0-9_]+$/;

/** The channel -> jobset map: every name users may type goes into a Hydra URL, so each is checked here. */
function hydraJobsets(k: Checker, key: string): boolean {
  const v = k.get(key);
  if (!Array.isArray(v) || v.length === 0) return k.fail(key, "a non-empty list of {channel, jobset, jobPrefix, systems}", v);
  let ok = true;
  const seen = new Set<string>();
  v.forEach((j, i) => {
    const at = `${key}[${i}]`;
    if (typeof j !== "object" || j === null || Array.isArray(j)) {
      ok = k.fail(at, "an object {channel, jobset, jobPrefix, systems}", j);
      return;
    }
    const channel = j["channel"];
    const jobset = j["jobset"];
    if (typeof channel !== "string" || !HYDRA_CHANNEL.test(channel) || seen.has(channel)) ok = k.fail(`${at}.channel`, "a unique lower-case channel name, with at most one {release}", channel);
    else seen.add(channel);
    if (typeof jobset !== "string" || !HYDRA_JOBSET.test(jobset)) ok = k.fail(`${at}.jobset`, "project/jobset, with at most one {release}", jobset);
    else if (typeof channel === "string" && channel.includes("{release}") !== jobset.includes("{release}")) ok = k.fail(`${at}.jobset`, "{release} exactly when the channel has it", jobset);
    if (typeof j["jobPrefix"] !== "string" || !HYDRA_PREFIX.test(j["jobPrefix"])) ok = k.fail(`${at}.jobPrefix`, 'an attribute path ending in "." or ""', j["jobPrefix"]);
    const systems = j["systems"];
    if (!Array.isArray(systems) || systems.length === 0 || systems.length > 8 || !systems.every((s) => typeof s === "string" && HYDRA_SYSTEM.test(s)))
      ok = k.fail(`${at}.systems`, "1 to 8 systems such as x86_64-linux", systems);
  });
  return ok;
}
