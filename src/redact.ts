/**
 * Secrets never reach a log: every line is scrubbed as text, after it is serialised and before it
 * is written, whatever produced it (nixie, discord.js's debug strings, matrix-bot-sdk's request
 * logs, an error message quoting a header). pino's `redact` only knows keys; this knows values:
 *
 * - every configured secret (tokens, passwords, the search password and its Basic-auth form, a
 *   store URL's password), and tokens learnt while running (a Matrix password login's token);
 * - anything shaped like a Discord bot token (its second and third parts are replaced) or a Matrix
 *   access token (`syt_…`, `mct_…` and the like), configured or not;
 * - the value of a `Bearer` authorization.
 */
import type { Config, Secrets } from "./config.js";

/** Shorter values are not scrubbed: a two-letter "secret" would blank out half of every line. */
export const MIN_SECRET_LENGTH = 6;

export const REDACTED = "[redacted]";

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// A Discord token: base64 of the bot's numeric id, a timestamp part, an HMAC part (discord.js logs
// the first two with the third starred out). Only the first part is kept, and only when it
// decodes to a snowflake, so that dotted names elsewhere are left alone.
const DISCORD_TOKEN = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{20,32})\.([A-Za-z0-9_-]{4,10})(?:\.[A-Za-z0-9_*-]{10,})?(?![A-Za-z0-9_-])/g;
// Synapse (syt_, syr_), MAS (mct_, mcr_, mat_, mar_) access and refresh tokens.
const MATRIX_TOKEN = /(?<![A-Za-z0-9_])(sy[tr]|mc[tr]|ma[tr])_[A-Za-z0-9_-]{8,}/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

function isSnowflakePart(part: string): boolean {
  try {
    return /^\d{15,21}$/.test(Buffer.from(part, "base64url").toString("latin1"));
  } catch {
    return false;
  }
}

/** The forms a secret can take in a log line: as is, JSON-escaped, percent-encoded. */
function formsOf(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
}

/** A set of secret values plus the token shapes; `scrub` returns text without any of them. */
export class SecretScrubber {
  private readonly values = new Set<string>();
  private known: RegExp | undefined;

  /** Adds secrets to scrub (undefined and too short values are ignored). */
  add(...values: readonly (string | undefined)[]): this {
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
      for (const form of formsOf(value)) this.values.add(form);
      // discord.js prints a token's first two parts: they are a secret too
      const parts = value.split(".");
      if (parts.length === 3 && parts[1]!.length >= 4) this.values.add(`${parts[0]}.${parts[1]}`);
      this.known = undefined;
    }
    return this;
  }

  scrub(text: string): string {
    if (this.values.size > 0) {
      // longest first, so a secret that contains another is replaced whole
      this.known ??= new RegExp(
        [...this.values]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|"),
        "g",
      );
      text = text.replace(this.known, REDACTED);
    }
    return text
      .replace(DISCORD_TOKEN, (whole, id: string) => (isSnowflakePart(id) ? `${id}.${REDACTED}` : whole))
      .replace(MATRIX_TOKEN, (_whole, prefix: string) => `${prefix}_${REDACTED}`)
      .replace(BEARER, (_whole, word: string) => `${word} ${REDACTED}`);
  }
}

/** The process's scrubber: main.ts fills it from the configuration, adapters add tokens they learn. */
export const logScrubber = new SecretScrubber();

/** Adds a secret learnt at run time (a login's access token) to the process's scrubber. */
export function redactInLogs(value: string | undefined): void {
  logScrubber.add(value);
}

/** The Basic-auth header value for a user and password, as nixie sends it. */
export function basicAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString("base64");
}

/** The password in a store URL (and its decoded form), or undefined. */
export function urlPassword(url: string): string[] {
  try {
    const p = new URL(url).password;
    return p === "" ? [] : [p, decodeURIComponent(p)];
  } catch {
    return [];
  }
}

/**
 * Every secret value of a loaded configuration: each Secrets entry (whatever platforms add there),
 * the search password and its Basic-auth form, and a store URL's password.
 */
export function configuredSecrets(loaded: { readonly config: Config; readonly secrets: Secrets }): string[] {
  const { search, store } = loaded.config;
  const fromSecrets = Object.values(loaded.secrets).filter((v): v is string => typeof v === "string");
  const searchAuth = search.password === "" ? [] : [search.password, basicAuth(search.username, search.password)];
  return [...fromSecrets, ...searchAuth, ...urlPassword(store.url)];
}
