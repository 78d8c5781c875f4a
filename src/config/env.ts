/**
 * Environment variables: the ones that override a config key (ENV_KEYS), and the secrets, which
 * exist only in the environment (or in a file named by `<NAME>_FILE`). A new variable is one line
 * in ENV_KEYS (and a row in the README's table); its type comes from default.json.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { getPath, type Json, type JsonObject } from "./json.js";
import type { Secrets } from "./types.js";

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
  NIXIE_EVAL: "eval.enabled",
  NIXIE_EVAL_SANDBOX: "eval.sandbox",
  NIXIE_EVAL_NIXPKGS: "eval.nixpkgs",
  NIXIE_EVAL_NIX_INSTANTIATE: "eval.nixInstantiate",
  NIXIE_PROMETHEUS_URL: "channels.prometheusUrl",
  NIXIE_CHANNELS_URL: "channels.channelsUrl",
  NIXIE_GITHUB_API: "github.api",
  NIXIE_GITHUB_BUDGET: "github.budget",
  NIXIE_FN_URL: "fn.url",
  NIXIE_FN_NIX: "fn.nix",
  NIXIE_HYDRA_URL: "hydra.url",
};

/** Where each secret comes from: the variable, or the file named by `<variable>_FILE`. */
export const SECRET_ENV: Readonly<Record<keyof Secrets, string>> = {
  matrixAccessToken: "MATRIX_ACCESS_TOKEN",
  matrixPassword: "MATRIX_PASSWORD",
  discordToken: "DISCORD_TOKEN",
  githubToken: "GITHUB_TOKEN",
};

/** Turns an environment string into the type default.json has at that key. */
export function fromEnv(name: string, keyPath: string, raw: string, defaults: JsonObject): Json {
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

/** A secret from `<name>_FILE` (trimmed, must not be empty) or `<name>`; undefined when unset. */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
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
