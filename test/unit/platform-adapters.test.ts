// Which platform adapters config enables: a half-configured platform is a configuration error,
// never a silent fall-back to the console (which, without a terminal, ends at once).
import assert from "node:assert/strict";
import pino from "pino";
import { createPlatformAdapters } from "../../src/adapters/index.js";
import { loadConfig } from "../../src/config.js";
import type { Dispatcher } from "../../src/core/dispatcher.js";
import { ConfigError } from "../../src/core/errors.js";
import type { Services } from "../../src/core/services.js";

function adaptersFor(env: Record<string, string>) {
  const { config, secrets } = loadConfig({ env: { NIXIE_CONFIG: "", ...env }, ignoreLocal: true });
  const services = { store: { namespace: () => ({}) }, subscriptions: {} } as unknown as Services;
  return createPlatformAdapters({ config, secrets, services, dispatcher: {} as Dispatcher, log: pino({ level: "silent" }) });
}

describe("platform adapters from config", () => {
  it("none without credentials (the console then runs)", async () => {
    assert.deepEqual(await adaptersFor({}), []);
  });

  it("Matrix and Discord when both are configured", async () => {
    const adapters = await adaptersFor({ MATRIX_HOMESERVER_URL: "http://hs.invalid", MATRIX_ACCESS_TOKEN: "t", DISCORD_TOKEN: "d", DISCORD_APPLICATION_ID: "123456789012345678" });
    assert.deepEqual(
      adapters.map((a) => a.platform),
      ["matrix", "discord"],
    );
  });

  it("a Matrix homeserver without a token or a user and password is an error naming what is missing", async () => {
    await assert.rejects(
      adaptersFor({ MATRIX_HOMESERVER_URL: "http://hs.invalid" }),
      (e: unknown) => e instanceof ConfigError && /MATRIX_ACCESS_TOKEN/.test(e.message) && /MATRIX_PASSWORD/.test(e.message),
    );
    await assert.rejects(adaptersFor({ MATRIX_HOMESERVER_URL: "http://hs.invalid", MATRIX_USER: "@nixie:hs.invalid" }), ConfigError);
  });

  it("a Discord token without the application id is an error naming it", async () => {
    await assert.rejects(adaptersFor({ DISCORD_TOKEN: "d" }), (e: unknown) => e instanceof ConfigError && /DISCORD_APPLICATION_ID/.test(e.message));
  });
});
