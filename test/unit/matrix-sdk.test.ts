// matrix-bot-sdk through src/adapters/matrix/sdk.ts: it loads whether or not the native encryption
// library could be installed, and a missing library fails only where encryption is used.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { cryptoSupport, MatrixClient, SimpleFsStorageProvider } from "../../src/adapters/matrix/sdk.js";

const require = createRequire(import.meta.url);

describe("matrix-bot-sdk without the native encryption library", () => {
  it("loads, and reports whether the library did", () => {
    assert.ok(cryptoSupport.mode === "native" || cryptoSupport.mode === "stub", cryptoSupport.mode);
    assert.equal(typeof MatrixClient, "function");
    assert.equal(typeof SimpleFsStorageProvider, "function");
    const client = new MatrixClient("http://127.0.0.1:9", "token");
    assert.equal(client.crypto, undefined);
  });

  it("puts a stand-in in its place that fails with E2EE_UNAVAILABLE when used", function () {
    if (cryptoSupport.mode !== "stub") this.skip(); // the library is installed here: nothing to stand in for
    assert.match(cryptoSupport.reason ?? "", /\S/);
    const sdkDir = dirname(require.resolve("matrix-bot-sdk"));
    const crypto = require(require.resolve("@matrix-org/matrix-sdk-crypto-nodejs", { paths: [sdkDir] })) as Record<string, new () => unknown>;
    assert.throws(
      () => new crypto["OlmMachine"]!(),
      (e: unknown) => (e as { code?: string }).code === "E2EE_UNAVAILABLE",
    );
    // promise-like checks must not mistake the stand-in for a thenable
    assert.equal((crypto as Record<string, unknown>)["then"], undefined);
  });
});
