/** Builds the Matrix adapter from config when Matrix is configured. */
import type { Logger } from "pino";
import type { Config, Secrets } from "../../config.js";
import type { Adapter } from "../../core/adapter.js";
import type { Store } from "../../storage/store.js";
import { createMatrixAdapter, type RoomLifecycle } from "./adapter.js";
import { createSdkClient, routeSdkLogs, sdkPasswordLogin } from "./client.js";
import { cryptoSupport } from "./sdk.js";

export interface MatrixDeps {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly store: Store;
  readonly log: Logger;
  readonly rooms?: RoomLifecycle | undefined;
}

/** Whether config asks for Matrix: a homeserver plus a token, or a user and password. */
export function matrixConfigured(config: Config, secrets: Secrets): boolean {
  return config.matrix.homeserverUrl !== "" && (secrets.matrixAccessToken !== undefined || (config.matrix.user !== "" && secrets.matrixPassword !== undefined));
}

/** The Matrix adapter on the real SDK, or undefined when Matrix is not configured. */
export function matrixAdapterFor(deps: MatrixDeps): Adapter | undefined {
  if (!matrixConfigured(deps.config, deps.secrets)) return undefined;
  const log = deps.log.child({ adapter: "matrix" });
  routeSdkLogs(log);
  if (cryptoSupport.mode !== "native") log.info({ reason: cryptoSupport.reason ?? cryptoSupport.mode }, "matrix: end-to-end encryption library not available");
  return createMatrixAdapter({
    config: deps.config,
    secrets: deps.secrets,
    store: deps.store,
    log,
    rooms: deps.rooms,
    cryptoAvailable: cryptoSupport.mode === "native",
    createClient: createSdkClient,
    login: sdkPasswordLogin,
    sendIntervalMs: deps.config.matrix.sendIntervalMs,
  });
}
