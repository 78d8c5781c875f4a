import assert from "node:assert/strict";
import { discordStartFailure } from "../../src/adapters/discord/start-failure.js";
import { matrixStartFailure } from "../../src/adapters/matrix/start-failure.js";
import { ConfigError } from "../../src/core/errors.js";

const hs = "https://matrix.example.org";

describe("start-up failures", () => {
  it("Matrix: unreachable, 5xx and 429 are retried; a refused token or login is not", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" });
    assert.deepEqual(matrixStartFailure(refused, hs), { retry: true, line: `Matrix: homeserver ${hs} unreachable (ECONNREFUSED)` });
    assert.equal(matrixStartFailure({ statusCode: 502 }, hs).retry, true);
    assert.equal(matrixStartFailure({ statusCode: 429, errcode: "M_LIMIT_EXCEEDED" }, hs).retry, true);
    assert.deepEqual(matrixStartFailure({ statusCode: 401, errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token passed." }, hs), {
      retry: false,
      line: `Matrix: homeserver ${hs} refused the access token (401 M_UNKNOWN_TOKEN: Invalid access token passed.)`,
    });
    assert.match(matrixStartFailure({ statusCode: 403, errcode: "M_FORBIDDEN" }, hs).line, /^Matrix: .* refused the login \(403 M_FORBIDDEN\)$/);
    assert.deepEqual(matrixStartFailure(new ConfigError("Matrix needs MATRIX_PASSWORD"), hs), { retry: false, line: "Matrix: Matrix needs MATRIX_PASSWORD" });
  });

  it("Discord: an invalid token or disallowed intents end start-up; anything else is retried", () => {
    const invalid = new Error("Discord: An invalid token was provided.", { cause: Object.assign(new Error("An invalid token was provided."), { code: "TokenInvalid" }) });
    assert.deepEqual(discordStartFailure(invalid), { retry: false, line: "Discord: the bot token was refused (An invalid token was provided.)" });
    const intents = new Error("Discord: Used disallowed intents (prefix commands need …)");
    assert.equal(discordStartFailure(intents).retry, false);
    const down = new Error("Discord: connect ECONNREFUSED 127.0.0.1:1", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
    assert.deepEqual(discordStartFailure(down), { retry: true, line: "Discord: gateway unreachable (connect ECONNREFUSED 127.0.0.1:1)" });
    assert.equal(discordStartFailure(new Error("Discord did not say READY within 30 s")).retry, true);
  });
});
