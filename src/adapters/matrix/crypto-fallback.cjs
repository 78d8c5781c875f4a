// Loaded by sdk.ts before matrix-bot-sdk. matrix-bot-sdk requires the native end-to-end-encryption
// package @matrix-org/matrix-sdk-crypto-nodejs eagerly, and that package throws at require time
// when its binary (downloaded from GitHub by a postinstall script) is missing. When that happens,
// this puts a stand-in module into require.cache under the exact path the SDK resolves, so the
// SDK loads and unencrypted rooms work; any use of encryption then throws E2EE_UNAVAILABLE.
// When the native package loads, nothing is changed and encryption can be used.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const CRYPTO = "@matrix-org/matrix-sdk-crypto-nodejs";

/** @returns {{ mode: "native" | "stub" | "not-installed", reason?: string }} */
function installFallback() {
  let target;
  try {
    const sdkMain = require.resolve("matrix-bot-sdk", { paths: [__dirname] });
    target = require.resolve(CRYPTO, { paths: [path.dirname(sdkMain)] });
  } catch {
    return { mode: "not-installed" };
  }
  if (require.cache[target]) return { mode: "native" };
  let reason;
  try {
    require(target);
    return { mode: "native" };
  } catch (e) {
    // a failed require is not cached, so the stand-in below is what the SDK will get
    reason = e && e.message ? String(e.message).split("\n")[0] : String(e);
  }
  const unavailable = (what) =>
    Object.assign(new Error(`${what}: end-to-end encryption is unavailable (${CRYPTO} did not load: ${reason})`), {
      code: "E2EE_UNAVAILABLE",
    });
  const member = (name) =>
    new Proxy(function () {}, {
      construct() {
        throw unavailable(name);
      },
      apply() {
        throw unavailable(name);
      },
      get(_t, p) {
        return typeof p === "string" && p !== "then" ? member(`${name}.${p}`) : undefined;
      },
    });
  const stub = new Module(target, null);
  stub.filename = target;
  stub.paths = Module._nodeModulePaths(path.dirname(target));
  stub.exports = new Proxy(
    {},
    {
      get(_t, p) {
        return typeof p === "string" && p !== "then" && p !== "__esModule" ? member(p) : undefined;
      },
    },
  );
  stub.loaded = true;
  require.cache[target] = stub;
  return { mode: "stub", reason };
}

module.exports = { cryptoSupport: installFallback() };
