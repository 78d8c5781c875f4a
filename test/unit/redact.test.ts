import assert from "node:assert/strict";
import pino from "pino";
import { basicAuth, configuredSecrets, REDACTED, SecretScrubber } from "../../src/redact.js";
import { loadConfig } from "../../src/config.js";

const discordToken = `${Buffer.from("1100000000000000001").toString("base64url")}.GzQx7b.k3Yp0vT9sWq2LmN8rXc4HdJf6aBe1UiOo5Rg`;

describe("secret scrubber", () => {
  it("scrubs configured values in every form a log line carries", () => {
    const s = new SecretScrubber().add('pa"ss\\word-1', "tok-123456", undefined, "abc");
    assert.equal(s.scrub('{"msg":"login with pa\\"ss\\\\word-1 and tok-123456"}'), `{"msg":"login with ${REDACTED} and ${REDACTED}"}`);
    assert.equal(s.scrub("https://x/?p=pa%22ss%5Cword-1"), `https://x/?p=${REDACTED}`);
    // too short to scrub without blanking out ordinary text
    assert.equal(s.scrub("abc"), "abc");
  });

  it("scrubs anything shaped like a Discord token, configured or not, keeping only the bot id part", () => {
    const s = new SecretScrubber();
    const [id, second] = discordToken.split(".");
    assert.equal(s.scrub(`Provided token: ${id}.${second}.***************`), `Provided token: ${id}.${REDACTED}`);
    assert.equal(s.scrub(`auth ${discordToken} ok`), `auth ${id}.${REDACTED} ok`);
    // dotted names that are not tokens stay
    assert.equal(s.scrub("nixos-unstable-small-channel.tar.xz and pkgs.python3Packages.requests"), "nixos-unstable-small-channel.tar.xz and pkgs.python3Packages.requests");
  });

  it("scrubs Matrix access tokens and Bearer values", () => {
    const s = new SecretScrubber();
    assert.equal(s.scrub("token syt_bml4aWU_abcdefghij_0AbCdE, mct_AbCdEfGhIjKlMn"), `token syt_${REDACTED}, mct_${REDACTED}`);
    assert.equal(s.scrub("authorization: Bearer 0123456789abcdefXYZ"), `authorization: Bearer ${REDACTED}`);
  });

  it("covers nested error strings of a pino line, not only keys", () => {
    const s = new SecretScrubber().add("hunter2-secret");
    const lines: string[] = [];
    const log = pino({ level: "trace" }, { write: (l: string) => void lines.push(s.scrub(l)) });
    log.error({ err: new Error("request failed with password hunter2-secret"), nested: { deep: ["hunter2-secret"] } }, "oops hunter2-secret");
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes("hunter2"), lines[0]);
    assert.doesNotThrow(() => JSON.parse(lines[0]!));
  });

  it("collects every secret of a configuration, with the search Basic-auth form and a store password", () => {
    const loaded = loadConfig({
      env: { NIXIE_CONFIG: "", DISCORD_TOKEN: discordToken, NIXIE_SEARCH_USERNAME: "u", NIXIE_SEARCH_PASSWORD: "searchpw1", NIXIE_STORE_URL: "redis://:st%40rePw@127.0.0.1:1" },
      ignoreLocal: true,
    });
    const all = configuredSecrets(loaded);
    for (const v of [discordToken, "searchpw1", basicAuth("u", "searchpw1"), "st%40rePw", "st@rePw"]) assert.ok(all.includes(v), v);
  });
});
