/** Whether the native encryption library loaded ("native") or was replaced by a stand-in ("stub"). */
export declare const cryptoSupport: {
  readonly mode: "native" | "stub" | "not-installed";
  /** Why the native library did not load (first line of the error). */
  readonly reason?: string;
};
