/**
 * Configuration: config/default.json, then config/local.json (or the file in NIXIE_CONFIG) merged
 * over it, then environment variables. Validated once at start; a bad value stops the bot with a
 * message that names the key. Secrets never live here: they are read from the environment (or
 * `*_FILE`) into a separate Secrets object that is never logged.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import cron from "node-cron";
import { ConfigError } from "./core/errors.js";

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
}

/** Tokens and passwords: only from the environment or files named by `*_FILE` variables. */
export interface Secrets {
  readonly matrixAccessToken?: string;
  readonly matrixPassword?: string;
  readonly discordToken?: string;
  /** GITHUB_TOKEN (or GITHUB_TOKEN_FILE): a larger GitHub budget and conditional requests. */
  readonly githubToken?: string;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly secrets: Secrets;
  /** Where the configuration came from, for the start-up log line. */
  readonly sources: readonly string[];
}

/**
 * The project root (where package.json and config/ live): the nearest folder above this module
 * that has a package.json, so it is the same from src/ (tsx) and from dist/src/ (compiled).
 */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(dirname(fileURLToPath(import.meta.url)), "..");
    dir = parent;
  }
})();

/** Environment variables that override a config key. The names are fixed: operators use them. */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  NIXIE_PREFIX: "prefix",
  NIXIE_LOG_LEVEL: "logLevel",
  NIXIE_DATA_DIR: "dataDir",
  NIXIE_STORE_URL: "store.url",
  NIXIE_SEARCH_URL: "search.url",
  NIXIE_SEARCH_USERNAME: "search.username",
  NIXIE_SEARCH_PASSWORD: "search.password",
  NIXIE_WIKI_API: "wiki.api",
  NIXIE_DISCOURSE_URL: "discourse.url",
  NIXIE_NIXHOUR_FEED: "feeds.nixhourUrl",
  NIXIE_FEEDS_CRON: "feeds.cron",
  NIXIE_HEALTH_PORT: "health.port",
  NIXIE_HEALTH_HOST: "health.host",
  MATRIX_HOMESERVER_URL: "matrix.homeserverUrl",
  MATRIX_USER: "matrix.user",
  DISCORD_APPLICATION_ID: "discord.applicationId",
  DISCORD_API_URL: "discord.apiUrl",
  DISCORD_GUILD_ID: "discord.guildId",
  NIXIE_GITHUB_API: "github.api",
  NIXIE_GITHUB_BUDGET: "github.budget",
};

const SECRET_ENV: Readonly<Record<keyof Secrets, string>> = {
  matrixAccessToken: "MATRIX_ACCESS_TOKEN",
  matrixPassword: "MATRIX_PASSWORD",
  discordToken: "DISCORD_TOKEN",
  githubToken: "GITHUB_TOKEN",
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function readJson(path: string, what: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new ConfigError(`${what} ${path} must hold a JSON object`);
  return value;
}

/** Merges `over` into `base`; the shape of default.json decides which keys exist and their types. */
function mergeInto(base: JsonObject, over: JsonObject, path: string, source: string): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key.startsWith("$")) continue; // "$comment" and friends
    const keyPath = path === "" ? key : `${path}.${key}`;
    if (!(key in base)) throw new ConfigError(`${source}: unknown key "${keyPath}"`);
    const b = base[key]!;
    if (isObject(b)) {
      if (!isObject(value)) throw new ConfigError(`${source}: "${keyPath}" must be an object`);
      out[key] = mergeInto(b, value, keyPath, source);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function setPath(obj: JsonObject, keyPath: string, value: Json): void {
  const parts = keyPath.split(".");
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] as JsonObject;
  o[parts[parts.length - 1]!] = value;
}

function getPath(obj: JsonObject, keyPath: string): Json | undefined {
  let o: Json | undefined = obj;
  for (const p of keyPath.split(".")) o = isObject(o) ? o[p] : undefined;
  return o;
}

/** Turns an environment string into the type default.json has at that key. */
function fromEnv(name: string, keyPath: string, raw: string, defaults: JsonObject): Json {
  const d = getPath(defaults, keyPath);
  if (typeof d === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(`${name} (${keyPath}) must be a number, got "${raw}"`);
    return Number(raw);
  }
  if (typeof d === "boolean") {
    if (!/^(true|false|1|0)$/i.test(raw.trim())) throw new ConfigError(`${name} (${keyPath}) must be true or false, got "${raw}"`);
    return /^(true|1)$/i.test(raw.trim());
  }
  return raw;
}

function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ConfigError(`${name}_FILE points to ${file}, which cannot be read: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
    const value = text.trim();
    if (value === "") throw new ConfigError(`${name}_FILE points to ${file}, which is empty`);
    return value;
  }
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Folder holding default.json (and local.json); default: <project>/config. */
  readonly configDir?: string;
  /** Skip config/local.json (tests must not depend on a developer's local file). */
  readonly ignoreLocal?: boolean;
}

/** Loads, merges and validates the configuration. Throws ConfigError naming the bad key. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? join(projectRoot, "config");
  const defaultsPath = join(dir, "default.json");
  const defaults = readJson(defaultsPath, "default config");
  const sources = [defaultsPath];
  let merged = defaults;
  const explicit = env["NIXIE_CONFIG"];
  const localPath = explicit !== undefined && explicit !== "" ? resolve(explicit) : join(dir, "local.json");
  if (explicit !== undefined && explicit !== "" && !existsSync(localPath))
    throw new ConfigError(`NIXIE_CONFIG points to ${localPath}, which does not exist`);
  if (existsSync(localPath) && !(opts.ignoreLocal && (explicit === undefined || explicit === ""))) {
    merged = mergeInto(defaults, readJson(localPath, "config file"), "", localPath);
    sources.push(localPath);
  }
  for (const [name, keyPath] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    setPath(merged, keyPath, fromEnv(name, keyPath, raw, defaults));
    if (!sources.includes("environment")) sources.push("environment");
  }
  const config = validate(merged);
  const secrets: { -readonly [K in keyof Secrets]: Secrets[K] } = {};
  for (const [key, name] of Object.entries(SECRET_ENV) as [keyof Secrets, string][]) {
    const v = readSecret(env, name);
    if (v !== undefined) secrets[key] = v;
  }
  return { config: deepFreeze(config), secrets: Object.freeze(secrets), sources };
}

/** Resolves a path from config against the project root (for relative paths). */
export function resolveFromRoot(p: string): string {
  return isAbsolute(p) ? p : join(projectRoot, p);
}

// ---- validation -------------------------------------------------------------------------------

class Checker {
  constructor(private readonly root: JsonObject) {}

  private get(key: string): Json | undefined {
    return getPath(this.root, key);
  }

  private fail(key: string, expected: string, got: Json | undefined): never {
    const shown = got === undefined ? "nothing" : JSON.stringify(got).slice(0, 80);
    throw new ConfigError(`config key "${key}" must be ${expected}, got ${shown}`);
  }

  /** optional: "" is allowed (means "not set") even when a pattern is given. */
  str(key: string, opts: { nonEmpty?: boolean; pattern?: RegExp; what?: string; optional?: boolean } = {}): void {
    const v = this.get(key);
    if (typeof v !== "string") this.fail(key, "a string", v);
    if (opts.nonEmpty && v.trim() === "") this.fail(key, "a non-empty string", v);
    if (opts.pattern && !(opts.optional && v === "") && !opts.pattern.test(v)) this.fail(key, opts.what ?? `a string matching ${opts.pattern}`, v);
  }

  url(key: string, opts: { optional?: boolean; schemes?: readonly string[] } = {}): void {
    const v = this.get(key);
    if (typeof v !== "string") this.fail(key, "a URL", v);
    if (opts.optional && v === "") return;
    const schemes = opts.schemes ?? ["http:", "https:"];
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      this.fail(key, `a URL (${schemes.join(" or ")})`, v);
    }
    if (!schemes.includes(u.protocol)) this.fail(key, `a URL starting with ${schemes.join(" or ")}`, v);
  }

  int(key: string, min: number, max: number): void {
    const v = this.get(key);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) this.fail(key, `a whole number from ${min} to ${max}`, v);
  }

  bool(key: string): void {
    const v = this.get(key);
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
  }

  oneOf(key: string, values: readonly string[]): void {
    const v = this.get(key);
    if (typeof v !== "string" || !values.includes(v)) this.fail(key, `one of ${values.join(", ")}`, v);
  }

  strings(key: string, opts: { nonEmpty?: boolean } = {}): void {
    const v = this.get(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) this.fail(key, "a list of non-empty strings", v);
    if (opts.nonEmpty && v.length === 0) this.fail(key, "a non-empty list", v);
  }

  cron(key: string): void {
    const v = this.get(key);
    if (typeof v !== "string" || !cron.validate(v)) this.fail(key, 'a cron schedule such as "*/5 * * * *" (seconds allowed)', v);
  }

  feeds(key: string): void {
    const v = this.get(key);
    if (!Array.isArray(v)) this.fail(key, "a list of {name, title, url}", v);
    v.forEach((f, i) => {
      const at = `${key}[${i}]`;
      if (!isObject(f)) this.fail(at, "an object {name, title, url}", f);
      if (typeof f["name"] !== "string" || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(f["name"]))
        this.fail(`${at}.name`, "a short lower-case name (a-z, 0-9, - and _)", f["name"]);
      // Names are what users type: unique, and never one of the built-in feeds.
      const taken = ["announcements", "security", "events", "nixhour", ...v.slice(0, i).map((g) => (isObject(g) ? g["name"] : undefined))];
      if (taken.includes(f["name"])) this.fail(`${at}.name`, "a name not used by a built-in or earlier feed", f["name"]);
      if (typeof f["title"] !== "string" || f["title"] === "") this.fail(`${at}.title`, "a non-empty string", f["title"]);
      try {
        const u = new URL(String(f["url"]));
        if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
      } catch {
        this.fail(`${at}.url`, "an http(s) URL", f["url"]);
      }
    });
  }
}

function validate(c: JsonObject): Config {
  const k = new Checker(c);
  k.str("prefix", { pattern: /^[^\s\w]{1,3}$/u, what: "1 to 3 punctuation characters such as !" });
  k.str("botName", { nonEmpty: true });
  k.oneOf("logLevel", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
  k.str("dataDir", { nonEmpty: true });
  k.url("store.url", { schemes: ["sqlite:", "redis:", "rediss:", "postgres:", "postgresql:"] });
  k.int("http.timeoutMs", 100, 120_000);
  k.int("http.retries", 0, 5);
  k.int("http.maxRetryWaitMs", 0, 120_000);
  k.int("http.maxResponseBytes", 1024, 100_000_000);
  k.int("http.cacheEntries", 0, 1_000_000);
  k.int("input.maxMessageLength", 100, 100_000);
  k.int("input.maxArgLength", 10, 10_000);
  k.int("rateLimit.burst", 1, 1000);
  k.int("rateLimit.perMinute", 1, 10_000);
  k.url("search.url");
  k.url("search.siteUrl");
  k.str("search.username");
  k.str("search.password");
  k.int("search.schema", 1, 10_000);
  k.int("search.probeAhead", 0, 20);
  k.strings("search.channels", { nonEmpty: true });
  k.str("search.defaultChannel", { nonEmpty: true });
  const channels = getPath(c, "search.channels") as string[];
  if (!channels.includes(getPath(c, "search.defaultChannel") as string))
    throw new ConfigError(`config key "search.defaultChannel" must be one of search.channels (${channels.join(", ")})`);
  k.int("search.results", 1, 10);
  k.int("search.cacheTtlSeconds", 0, 86_400);
  k.url("wiki.api");
  k.int("wiki.cacheTtlSeconds", 0, 604_800);
  k.int("wiki.maxRequestsPerSecond", 1, 9);
  k.url("discourse.url");
  k.cron("feeds.cron");
  k.url("feeds.nixhourUrl", { optional: true });
  k.int("feeds.maxPerRoomPerPoll", 1, 20);
  k.int("feeds.backoffCapSeconds", 1, 604_800);
  k.int("feeds.sendPaceMs", 0, 60_000);
  k.int("feeds.maxBodyBytes", 1024, 50_000_000);
  k.int("feeds.leaseSeconds", 2, 3600);
  k.feeds("feeds.extra");
  k.str("events.file", { nonEmpty: true });
  k.int("events.count", 1, 20);
  k.url("matrix.homeserverUrl", { optional: true });
  k.str("matrix.user", { pattern: /^@[^:\s]+:\S+$/, what: "a full Matrix user id such as @nixie:example.org", optional: true });
  k.bool("matrix.encryption");
  k.strings("matrix.admins");
  k.int("matrix.sendIntervalMs", 0, 60_000);
  k.strings("matrix.autojoin.allowedServers");
  k.strings("matrix.autojoin.allowedUsers");
  k.str("discord.applicationId", { pattern: /^\d{5,25}$/, what: "a numeric Discord application id", optional: true });
  k.url("discord.apiUrl", { optional: true });
  k.str("discord.guildId", { pattern: /^\d{5,25}$/, what: "a numeric Discord guild id", optional: true });
  k.bool("discord.prefixCommands");
  k.int("health.port", 0, 65_535);
  k.str("health.host", { nonEmpty: true });
  k.url("github.api");
  k.int("github.budget", 0, 1_000_000);
  k.int("github.trackingPercent", 1, 100);
  k.int("github.maxTracksPerRoom", 0, 10_000);
  k.int("github.maxTracksPerUser", 0, 10_000);
  k.int("github.maxLinksPerMessage", 1, 10);
  k.int("github.linkCooldownMinutes", 0, 10_080);
  return c as unknown as Config;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
