import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, projectRoot } from "../../src/config.js";
import { ConfigError } from "../../src/core/errors.js";

const dir = mkdtempSync(join(tmpdir(), "nixie-config-"));
const defaults = readFileSync(join(projectRoot, "config", "default.json"), "utf8");
writeFileSync(join(dir, "default.json"), defaults);

const load = (env: Record<string, string> = {}, local?: unknown) => {
  const file = join(dir, "custom.json");
  if (local !== undefined) writeFileSync(file, JSON.stringify(local));
  return loadConfig({ env: local === undefined ? env : { NIXIE_CONFIG: file, ...env }, configDir: dir });
};
const configError = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes("\n"));

describe("config", () => {
  it("loads the defaults, which are valid", () => {
    const { config, secrets } = load();
    assert.equal(config.prefix, "!");
    assert.equal(config.store.url, "sqlite://data/nixie.sqlite");
    assert.equal(config.search.url, "https://search.nixos.org/backend");
    assert.deepEqual(secrets, {});
  });

  it("merges a config file over the defaults and the environment over both", () => {
    const { config, sources } = load({ NIXIE_PREFIX: "?", NIXIE_FEEDS_CRON: "*/10 * * * * *" }, { prefix: "%", search: { results: 5 } });
    assert.equal(config.prefix, "?");
    assert.equal(config.search.results, 5);
    assert.equal(config.search.schema, 51, "untouched keys keep their default");
    assert.equal(config.feeds.cron, "*/10 * * * * *");
    assert.equal(sources.length, 3);
  });

  it("maps every documented environment variable", () => {
    const { config } = load({
      NIXIE_STORE_URL: "redis://127.0.0.1:6379",
      NIXIE_LOG_LEVEL: "debug",
      NIXIE_SEARCH_URL: "http://127.0.0.1:1/backend",
      NIXIE_WIKI_API: "http://127.0.0.1:2/w/api.php",
      NIXIE_DISCOURSE_URL: "http://127.0.0.1:3",
      NIXIE_NIXHOUR_FEED: "http://127.0.0.1:4/feed.xml",
      NIXIE_HEALTH_PORT: "9100",
    });
    assert.equal(config.store.url, "redis://127.0.0.1:6379");
    assert.equal(config.logLevel, "debug");
    assert.equal(config.search.url, "http://127.0.0.1:1/backend");
    assert.equal(config.wiki.api, "http://127.0.0.1:2/w/api.php");
    assert.equal(config.discourse.url, "http://127.0.0.1:3");
    assert.equal(config.feeds.nixhourUrl, "http://127.0.0.1:4/feed.xml");
    assert.equal(config.health.port, 9100);
  });

  it("names the key and what it expects for a bad value, in one line", () => {
    configError(() => load({ NIXIE_LOG_LEVEL: "loud" }), /config key "logLevel" must be one of fatal, error/);
    configError(() => load({ NIXIE_STORE_URL: "mysql://x" }), /"store\.url" must be a URL starting with sqlite:/);
    configError(() => load({ NIXIE_FEEDS_CRON: "every minute" }), /"feeds\.cron" must be a cron schedule/);
    configError(() => load({ NIXIE_HEALTH_PORT: "http" }), /NIXIE_HEALTH_PORT \(health\.port\) must be a number/);
    configError(() => load({}, { search: { results: 50 } }), /"search\.results" must be a whole number from 1 to 10, got 50/);
    configError(() => load({}, { search: { defaultChannel: "24.05" } }), /"search\.defaultChannel" must be one of search\.channels/);
    configError(() => load({}, { pkgFeeds: { intervalSeconds: 1 } }), /"pkgFeeds\.intervalSeconds" must be a whole number from 2 to 86400, got 1/);
    configError(() => load({}, { pkgFeeds: { maxWatched: 100_000 } }), /"pkgFeeds\.maxWatched" must be a whole number from 0 to 20000/);
    configError(() => load({}, { pkgFeeds: { maxPerRoom: -1 } }), /"pkgFeeds\.maxPerRoom" must be a whole number from 0 to 1000/);
    configError(() => load({}, { prefix: "" }), /"prefix" must be 1 to 3 punctuation characters/);
    configError(() => load({}, { serach: {} }), /unknown key "serach"/);
    configError(() => load({}, { search: "x" }), /"search" must be an object/);
    configError(() => load({}, { feeds: { extra: [{ name: "Bad Name", title: "t", url: "https://x" }] } }), /"feeds\.extra\[0\]\.name" must be a short lower-case name/);
  });

  it("refuses an events file that does not exist, and allows none", () => {
    configError(() => load({}, { events: { file: "config/no-such-events.json" } }), /config key "events\.file" names \/.*\/config\/no-such-events\.json, which is not a file \(use "" for none\)$/);
    configError(() => load({}, { events: { file: dir } }), /"events\.file" names .*, which is not a file/);
    assert.equal(load({}, { events: { file: "" } }).config.events.file, "");
  });

  it("takes Discord ids only as snowflakes (17 to 20 digits)", () => {
    assert.equal(load({ DISCORD_APPLICATION_ID: "12345678901234567" }).config.discord.applicationId, "12345678901234567");
    assert.equal(load({ DISCORD_GUILD_ID: "12345678901234567890" }).config.discord.guildId, "12345678901234567890");
    for (const id of ["123456", "123456789012345678901", "1234567890123456x", " 123456789012345678"])
      configError(() => load({ DISCORD_APPLICATION_ID: id }), /config key "discord\.applicationId" must be a Discord application id \(a snowflake: 17 to 20 digits\)/);
    configError(() => load({ DISCORD_GUILD_ID: "99999" }), /config key "discord\.guildId" must be a Discord guild id \(a snowflake/);
  });

  it("refuses a sqlite store URL without a path", () => {
    for (const url of ["sqlite:", "sqlite:nixie.sqlite", "sqlite://"])
      configError(() => load({ NIXIE_STORE_URL: url }), /config key "store\.url" must be sqlite:\/\/PATH, such as sqlite:\/\/data\/nixie\.sqlite/);
    assert.equal(load({ NIXIE_STORE_URL: "sqlite:///var/lib/nixie/nixie.sqlite" }).config.store.url, "sqlite:///var/lib/nixie/nixie.sqlite");
  });

  it("reports every bad key at once, one line each", () => {
    const problems = (f: () => unknown): string[] => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.message.split("\n");
      }
      assert.fail("no ConfigError");
    };
    const lines = problems(() =>
      load(
        { NIXIE_LOG_LEVEL: "loud", NIXIE_HEALTH_PORT: "http", DISCORD_TOKEN_FILE: join(dir, "missing") },
        { serach: {}, search: { results: 50, defaultChannel: "24.05" }, feeds: { extra: [{ name: "Bad Name", title: "", url: "ftp://x" }] } },
      ),
    );
    const expected = [
      /unknown key "serach"/,
      /NIXIE_HEALTH_PORT \(health\.port\) must be a number/,
      /"logLevel" must be one of/,
      /"search\.defaultChannel" must be one of search\.channels/,
      /"search\.results" must be a whole number/,
      /"feeds\.extra\[0\]\.name" must be a short lower-case name/,
      /"feeds\.extra\[0\]\.title" must be a non-empty string/,
      /"feeds\.extra\[0\]\.url" must be an http\(s\) URL/,
      /DISCORD_TOKEN_FILE points to .*missing, which cannot be read/,
    ];
    assert.equal(lines.length, expected.length, lines.join("\n"));
    for (const re of expected)
      assert.ok(
        lines.some((l) => re.test(l)),
        `${re} in:\n${lines.join("\n")}`,
      );
  });

  it("explains a config file that is missing or not JSON", () => {
    configError(() => loadConfig({ env: { NIXIE_CONFIG: join(dir, "nope.json") }, configDir: dir }), /NIXIE_CONFIG points to .*nope\.json, which does not exist/);
    writeFileSync(join(dir, "broken.json"), "{ nope");
    configError(() => loadConfig({ env: { NIXIE_CONFIG: join(dir, "broken.json") }, configDir: dir }), /is not valid JSON/);
  });

  it("reads secrets from the environment or from *_FILE, and never from config", () => {
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "  file-token\n");
    const { secrets, config } = load({ DISCORD_TOKEN_FILE: tokenFile, MATRIX_ACCESS_TOKEN: "env-token" });
    assert.equal(secrets.discordToken, "file-token");
    assert.equal(secrets.matrixAccessToken, "env-token");
    assert.doesNotMatch(JSON.stringify(config), /file-token|env-token/);
    configError(() => load({ DISCORD_TOKEN_FILE: join(dir, "missing") }), /DISCORD_TOKEN_FILE points to .*missing, which cannot be read: ENOENT/);
  });

  it("freezes the result", () => {
    const { config } = load();
    assert.throws(() => {
      (config as { prefix: string }).prefix = "?";
    }, TypeError);
  });
});
