/**
 * Configuration: config/default.json, then config/local.json (or the file in NIXIE_CONFIG) merged
 * over it, then environment variables. Validated once at start; bad values stop the bot with one
 * line per bad key. Secrets never live here: they are read from the environment (or `*_FILE`)
 * into a separate Secrets object that is never logged.
 *
 * The parts, in config/: types.ts (the Config shape), env.ts (environment variables and
 * secrets), json.ts (reading and merging files), checker.ts (typed checks), validate.ts (the
 * rules for every key). Adding a key or section: default.json, types.ts, validate.ts, and
 * env.ts when it has an environment variable.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./core/errors.js";
import { Checker } from "./config/checker.js";
import { ENV_KEYS, SECRET_ENV, fromEnv, readSecret } from "./config/env.js";
import { mergeInto, readJson, setPath } from "./config/json.js";
import type { Config, Secrets } from "./config/types.js";
import { validateConfig } from "./config/validate.js";

export type { Config, Secrets } from "./config/types.js";

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

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Folder holding default.json (and local.json); default: <project>/config. */
  readonly configDir?: string;
  /** Skip config/local.json (tests must not depend on a developer's local file). */
  readonly ignoreLocal?: boolean;
}

/**
 * Loads, merges and validates the configuration. Throws one ConfigError whose message has one
 * line per problem found (unknown keys, bad values, unreadable secret files), each naming its key.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? join(projectRoot, "config");
  const defaultsPath = join(dir, "default.json");
  const defaults = readJson(defaultsPath, "default config");
  const sources = [defaultsPath];
  const problems: string[] = [];
  let merged = defaults;
  const explicit = env["NIXIE_CONFIG"];
  const localPath = explicit !== undefined && explicit !== "" ? resolve(explicit) : join(dir, "local.json");
  if (explicit !== undefined && explicit !== "" && !existsSync(localPath)) throw new ConfigError(`NIXIE_CONFIG points to ${localPath}, which does not exist`);
  if (existsSync(localPath) && !(opts.ignoreLocal && (explicit === undefined || explicit === ""))) {
    merged = mergeInto(defaults, readJson(localPath, "config file"), "", localPath, problems);
    sources.push(localPath);
  }
  const collect = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(e.message);
      return undefined;
    }
  };
  for (const [name, keyPath] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = collect(() => fromEnv(name, keyPath, raw, defaults));
    if (value !== undefined) setPath(merged, keyPath, value);
    if (!sources.includes("environment")) sources.push("environment");
  }
  const checker = new Checker(merged);
  validateConfig(checker, resolveFromRoot);
  problems.push(...checker.problems);
  const secrets: { -readonly [K in keyof Secrets]: Secrets[K] } = {};
  for (const [key, name] of Object.entries(SECRET_ENV) as [keyof Secrets, string][]) {
    const v = collect(() => readSecret(env, name));
    if (v !== undefined) secrets[key] = v;
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return { config: deepFreeze(merged as unknown as Config), secrets: Object.freeze(secrets), sources };
}

/** Resolves a path from config against the project root (for relative paths). */
export function resolveFromRoot(p: string): string {
  return isAbsolute(p) ? p : join(projectRoot, p);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
