/**
 * The one entry point to matrix-bot-sdk. The crypto fallback must be evaluated before the SDK
 * (ESM evaluates imports in order), so everything in nixie imports the SDK from here, never
 * directly; that way no import sorter can move the fallback after the SDK.
 */
import fallback from "./crypto-fallback.cjs";

export { LogLevel, LogService, MatrixAuth, MatrixClient, MatrixError, RustSdkCryptoStorageProvider, SimpleFsStorageProvider } from "matrix-bot-sdk";

/** "native" when encrypted rooms can work, "stub" when the native library is missing. */
export const cryptoSupport = fallback.cryptoSupport;
