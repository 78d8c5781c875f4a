/**
 * The bot account's access token: MATRIX_ACCESS_TOKEN when given; otherwise a password login,
 * done once, whose token is kept in the store ("meta" namespace) so restarts reuse the same
 * device (transaction ids and encryption keys belong to a device).
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../../core/errors.js";
import type { KV } from "../../storage/store.js";

export interface Credentials {
  readonly homeserverUrl: string;
  /** Full user id (matrix.user), needed for password login. */
  readonly user: string;
  readonly accessToken?: string | undefined;
  readonly password?: string | undefined;
}

/** Performs a password login and returns the new access token. */
export type PasswordLogin = (homeserverUrl: string, user: string, password: string) => Promise<string>;

interface SavedToken {
  readonly accessToken: string;
  readonly savedAt: string;
}

export interface AccessToken {
  readonly token: string;
  /** Where it came from; a saved token that the server rejects is dropped and replaced once. */
  readonly source: "config" | "saved" | "login";
}

/** The store key of the saved token: one per homeserver and account, without either in clear. */
export function tokenKey(c: Pick<Credentials, "homeserverUrl" | "user">): string {
  return `matrix-token:${createHash("sha256").update(`${c.homeserverUrl}\n${c.user}`).digest("hex").slice(0, 24)}`;
}

export async function resolveAccessToken(c: Credentials, meta: KV<unknown>, login: PasswordLogin, opts: { fresh?: boolean } = {}): Promise<AccessToken> {
  if (c.accessToken) return { token: c.accessToken, source: "config" };
  if (!c.user || !c.password) throw new ConfigError("Matrix needs MATRIX_ACCESS_TOKEN, or MATRIX_USER and MATRIX_PASSWORD");
  const key = tokenKey(c);
  if (!opts.fresh) {
    const saved = (await meta.get(key)) as SavedToken | undefined;
    if (saved && typeof saved.accessToken === "string" && saved.accessToken !== "") return { token: saved.accessToken, source: "saved" };
  }
  const token = await login(c.homeserverUrl, c.user, c.password);
  const value: SavedToken = { accessToken: token, savedAt: new Date().toISOString() };
  await meta.set(key, value);
  return { token, source: "login" };
}
