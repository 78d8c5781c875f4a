/** `npm run deploy-commands` (scripts/deploy-commands.ts) against the fake Discord. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RateLimitError } from "discord.js";
import { commands } from "../../commands/index.js";
import { deployCommands } from "../../src/adapters/discord/deploy.js";
import { slashCommandsFor } from "../../src/adapters/discord/slash.js";
import { projectRoot } from "../../src/config.js";
import { IDS, startFakeDiscord, type FakeDiscord } from "../helpers/fake-discord.js";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the script as `npm run deploy-commands` does, with only the given environment. */
function deployScript(env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(projectRoot, "scripts", "deploy-commands.ts"), ...args],
      { cwd: projectRoot, env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("deploy-commands (fake Discord)", function () {
  this.timeout(25_000);
  let fake: FakeDiscord;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    fake = await startFakeDiscord();
    dir = mkdtempSync(join(tmpdir(), "nixie-deploy-"));
    // An empty config file, so a developer's config/local.json cannot change the outcome.
    writeFileSync(join(dir, "config.json"), "{}");
    env = { NIXIE_CONFIG: join(dir, "config.json"), DISCORD_APPLICATION_ID: IDS.app, DISCORD_API_URL: fake.apiUrl };
  });
  after(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("registers every command in the guild named by DISCORD_GUILD_ID, with one PUT of the generated JSON", async () => {
    writeFileSync(join(dir, "token"), "file-token\n");
    // NIXIE_EVAL=off: /eval is registered only where its self-test passes (test/integration/eval.test.ts).
    const run = await deployScript({ ...env, DISCORD_TOKEN_FILE: join(dir, "token"), DISCORD_GUILD_ID: IDS.guild, NIXIE_EVAL: "off" });
    assert.equal(run.code, 0, run.stderr);
    const puts = fake.calls("PUT", /commands$/);
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.path, `/applications/${IDS.app}/guilds/${IDS.guild}/commands`);
    assert.equal(puts[0]!.auth, "Bot file-token");
    const expected = commands.filter((c) => c.name !== "eval");
    assert.deepEqual(puts[0]!.body, JSON.parse(JSON.stringify(slashCommandsFor(expected))));
    assert.match(run.stdout, new RegExp(`registered ${expected.length} slash commands in guild ${IDS.guild}: /help /about`));
    assert.doesNotMatch(run.stdout, /\/eval/);
    // Nothing else: it registers and leaves (no gateway connection).
    assert.deepEqual(fake.gateway, []);
  });

  it("registers globally without a guild id", async () => {
    const result = await deployCommands({ token: "t", applicationId: IDS.app, apiUrl: fake.apiUrl, commands });
    assert.equal(result.scope, "global");
    assert.deepEqual(
      result.registered,
      commands.map((c) => c.name),
    );
    assert.equal(fake.calls("PUT", /commands$/).at(-1)!.path, `/applications/${IDS.app}/commands`);
  });

  it("fails at once instead of waiting out a long rate limit, and waits out a short one", async () => {
    fake.rateLimitCommands(1, 0.05);
    const result = await deployCommands({ token: "t", applicationId: IDS.app, apiUrl: fake.apiUrl, commands });
    assert.equal(result.registered.length, commands.length);
    // Discord allows 200 command creations a day: the wait can be hours.
    fake.rateLimitCommands(1, 3600);
    const began = Date.now();
    await assert.rejects(deployCommands({ token: "t", applicationId: IDS.app, apiUrl: fake.apiUrl, commands }), RateLimitError);
    assert.ok(Date.now() - began < 5000);
  });

  it("says in one line what is missing", async () => {
    const run = await deployScript({ ...env });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, "deploy-commands: DISCORD_TOKEN (or DISCORD_TOKEN_FILE) is not set\n");
  });

  it("reports Discord's refusal without a stack trace", async () => {
    const run = await deployScript({ ...env, DISCORD_TOKEN: "t", DISCORD_APPLICATION_ID: "1100000000000000999", DISCORD_API_URL: `${fake.url}/elsewhere` });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^deploy-commands: .+\n$/);
  });
});
