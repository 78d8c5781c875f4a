/**
 * Users on the end-to-end Synapse: registered through the shared-secret admin API (the way an
 * operator creates a bot account), each with its own access token.
 */
import { createHmac, randomBytes } from "node:crypto";
import pino from "pino";
import { routeSdkLogs } from "../../../src/adapters/matrix/client.js";

export interface SynapseEnv {
  readonly url: string;
  readonly secret: string;
}

export interface RegisteredUser {
  readonly userId: string;
  readonly accessToken: string;
  readonly password: string;
}

/** The Synapse started by test/e2e/servers/synapse.sh, or undefined when it is not running. */
export function synapseFromEnv(env: NodeJS.ProcessEnv = process.env): SynapseEnv | undefined {
  const url = env["NIXIE_E2E_SYNAPSE_URL"];
  const secret = env["NIXIE_E2E_SYNAPSE_SECRET"];
  return url && secret ? { url, secret } : undefined;
}

async function call(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Registers `localpart` (made unique per run) and returns its id and token. */
export async function registerUser(s: SynapseEnv, localpart: string, opts: { admin?: boolean } = {}): Promise<RegisteredUser> {
  const endpoint = `${s.url}/_synapse/admin/v1/register`;
  const { nonce } = (await call(endpoint)) as { nonce: string };
  const username = `${localpart}-${randomBytes(4).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const admin = opts.admin ?? false;
  const mac = createHmac("sha1", s.secret)
    .update(`${nonce}\0${username}\0${password}\0${admin ? "admin" : "notadmin"}`)
    .digest("hex");
  const res = await call(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, username, password, admin, mac }),
  });
  return { userId: String(res["user_id"]), accessToken: String(res["access_token"]), password };
}

/**
 * Lifts Synapse's rate limits for one user through the admin API (what an operator does for a
 * trusted account). The suite does it for the human test users only, so their many quick messages
 * do not wait; nixie's own account keeps the server's default limits.
 */
export async function exemptFromRateLimits(s: SynapseEnv, adminToken: string, userId: string): Promise<void> {
  await call(`${s.url}/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ messages_per_second: 0, burst_count: 0 }),
  });
}

/**
 * The test's own Matrix clients log through matrix-bot-sdk's console logger until nixie routes the
 * SDK's logs; route them now, as nixie does, so that answers the SDK expects (a person without
 * m.direct account data gets M_NOT_FOUND) are not printed as errors among the test results.
 */
export function routeTestSdkLogs(): void {
  routeSdkLogs(pino({ level: process.env["NIXIE_TEST_LOG"] ?? "warn" }, pino.destination(2)));
}
