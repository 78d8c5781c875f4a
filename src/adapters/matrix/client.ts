/**
 * The real matrix-bot-sdk behind the adapter: client construction, password login, and the SDK's
 * own logging routed into pino (it would otherwise print to stdout, which belongs to the console).
 */
import type { Logger } from "pino";
import type { ClientSpec, MatrixClientLike } from "./adapter.js";
import type { PasswordLogin } from "./login.js";
import { LogLevel, LogService, MatrixAuth, MatrixClient, RustSdkCryptoStorageProvider, SimpleFsStorageProvider } from "./sdk.js";

export function createSdkClient(spec: ClientSpec): MatrixClientLike {
  const storage = spec.syncFile ? new SimpleFsStorageProvider(spec.syncFile) : undefined;
  const crypto = spec.cryptoDir ? new RustSdkCryptoStorageProvider(spec.cryptoDir) : undefined;
  return new MatrixClient(spec.homeserverUrl, spec.accessToken, storage, crypto);
}

export const sdkPasswordLogin: PasswordLogin = async (homeserverUrl, user, password) => {
  const client = await new MatrixAuth(homeserverUrl).passwordLogin(user, password, "nixie");
  return client.accessToken;
};

const text = (parts: unknown[]): string =>
  parts
    .map((p) => (p instanceof Error ? p.message : typeof p === "string" ? p : (() => { try { return JSON.stringify(p); } catch { return String(p); } })()))
    .join(" ")
    .slice(0, 2000);

/**
 * Sends the SDK's log lines to pino. The SDK logs every non-2xx answer as an error, expected ones
 * (404 for missing state, 429 before a retry) included, so its errors are logged as warnings here;
 * nixie logs real failures itself.
 */
export function routeSdkLogs(log: Logger): void {
  const sdk = log.child({ module: "matrix-bot-sdk" });
  LogService.setLogger({
    trace: (m: string, ...p: unknown[]) => sdk.trace({ sdk: m }, text(p)),
    debug: (m: string, ...p: unknown[]) => sdk.debug({ sdk: m }, text(p)),
    info: (m: string, ...p: unknown[]) => sdk.debug({ sdk: m }, text(p)),
    warn: (m: string, ...p: unknown[]) => sdk.warn({ sdk: m }, text(p)),
    error: (m: string, ...p: unknown[]) => sdk.warn({ sdk: m }, text(p)),
  });
  LogService.setLevel(log.isLevelEnabled("debug") ? LogLevel.DEBUG : LogLevel.WARN);
}
