/**
 * The real matrix-bot-sdk behind the adapter: client construction, password login, and the SDK's
 * own logging routed into pino (it would otherwise print to stdout, which belongs to the console).
 */
import type { Logger } from "pino";
import type { ClientSpec, MatrixClientLike } from "./adapter.js";
import type { PasswordLogin } from "./login.js";
import { LogLevel, LogService, MatrixAuth, MatrixClient, RustSdkCryptoStorageProvider, SimpleFsStorageProvider } from "./sdk.js";

/** A MatrixClient that reports the outcome of each /sync (the SDK itself retries silently). */
class ObservedMatrixClient extends MatrixClient {
  constructor(
    spec: ClientSpec,
    private readonly onSync: ((ok: boolean) => void) | undefined,
  ) {
    const storage = spec.syncFile ? new SimpleFsStorageProvider(spec.syncFile) : undefined;
    const crypto = spec.cryptoDir ? new RustSdkCryptoStorageProvider(spec.cryptoDir) : undefined;
    super(spec.homeserverUrl, spec.accessToken, storage, crypto);
  }

  protected override async doSync(token: string): Promise<unknown> {
    try {
      const res: unknown = await super.doSync(token);
      this.onSync?.(true);
      return res;
    } catch (err) {
      this.onSync?.(false);
      throw err;
    }
  }
}

export function createSdkClient(spec: ClientSpec): MatrixClientLike {
  return new ObservedMatrixClient(spec, spec.onSync);
}

export const sdkPasswordLogin: PasswordLogin = async (homeserverUrl, user, password) => {
  const client = await new MatrixAuth(homeserverUrl).passwordLogin(user, password, "nixie");
  return client.accessToken;
};

const text = (parts: unknown[]): string =>
  parts
    .map((p) =>
      p instanceof Error
        ? p.message
        : typeof p === "string"
          ? p
          : (() => {
              try {
                return JSON.stringify(p);
              } catch {
                return String(p);
              }
            })(),
    )
    .join(" ")
    .slice(0, 2000);

// missing state, a rate limit waited out, and requests that got no answer at all: nixie says
// itself what that means (the homeserver is unreachable, a sync or send is retried)
const EXPECTED = /"errcode":"(M_NOT_FOUND|M_LIMIT_EXCEEDED)"|\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|socket hang up/;

/**
 * Sends the SDK's log lines to pino. The SDK logs every non-2xx answer as an error, expected ones
 * included (404 for missing state, 429 before a retry, a homeserver that does not answer): those
 * go to debug, the rest to warn, since nixie logs the failures that matter itself.
 */
export function routeSdkLogs(log: Logger): void {
  const sdk = log.child({ module: "matrix-bot-sdk" });
  LogService.setLogger({
    trace: (m: string, ...p: unknown[]) => sdk.trace({ sdk: m }, text(p)),
    debug: (m: string, ...p: unknown[]) => sdk.debug({ sdk: m }, text(p)),
    info: (m: string, ...p: unknown[]) => sdk.debug({ sdk: m }, text(p)),
    warn: (m: string, ...p: unknown[]) => sdk.warn({ sdk: m }, text(p)),
    error: (m: string, ...p: unknown[]) => {
      const line = text(p);
      // answers nixie expects and handles (missing state, rate limits it waits out) stay at debug
      if (EXPECTED.test(line)) sdk.debug({ sdk: m }, line);
      else sdk.warn({ sdk: m }, line);
    },
  });
  LogService.setLevel(log.isLevelEnabled("trace") ? LogLevel.TRACE : log.isLevelEnabled("debug") ? LogLevel.DEBUG : LogLevel.WARN);
}
