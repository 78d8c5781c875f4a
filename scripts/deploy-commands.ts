/**
 * `npm run deploy-commands`: registers nixie's slash commands with Discord, globally or, when
 * DISCORD_GUILD_ID is set, in that guild only. Run it after the command list changes; the bot
 * itself never registers. Needs DISCORD_TOKEN (or DISCORD_TOKEN_FILE) and DISCORD_APPLICATION_ID.
 * `--dry-run` prints the JSON instead of sending it.
 */
import pino from "pino";
import { commands } from "../commands/index.js";
import { deployCommands } from "../src/adapters/discord/deploy.js";
import { slashCommandsFor, slashProblems } from "../src/adapters/discord/slash.js";
import { loadConfig, type Config } from "../src/config.js";
import { availableCommands, type CommandDef } from "../src/core/command.js";
import { ConfigError } from "../src/core/errors.js";
import { createEvalService } from "../src/eval/service.js";

function fail(message: string): never {
  process.stderr.write(`deploy-commands: ${message}\n`);
  process.exit(1);
}

/** The commands that work on this machine: /eval only where its self-test passes, as in the bot. */
async function usable(config: Config): Promise<CommandDef[]> {
  // It never evaluates: no standby evaluator.
  const evaluator = createEvalService({ config: { ...config.eval, standby: false }, log: pino({ level: "silent" }) });
  await evaluator.start();
  return availableCommands(commands, { eval: evaluator });
}

function load(): ReturnType<typeof loadConfig> {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--dry-run")) {
    const json = slashCommandsFor(await usable(load().config).catch((e: Error) => fail(e.message)));
    const problems = slashProblems(json);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    if (problems.length > 0) fail(`not valid: ${problems.join("; ")}`);
    return;
  }
  const { config, secrets } = load();
  if (secrets.discordToken === undefined) fail("DISCORD_TOKEN (or DISCORD_TOKEN_FILE) is not set");
  if (config.discord.applicationId === "") fail("DISCORD_APPLICATION_ID is not set");
  const registered = await usable(config).catch((e: Error) => fail(e.message));
  try {
    const result = await deployCommands({
      token: secrets.discordToken,
      applicationId: config.discord.applicationId,
      guildId: config.discord.guildId,
      apiUrl: config.discord.apiUrl,
      commands: registered,
    });
    const where = result.scope === "guild" ? `in guild ${config.discord.guildId}` : "globally (may take up to an hour to show everywhere)";
    process.stdout.write(`registered ${result.registered.length} slash commands ${where}: ${result.registered.map((n) => `/${n}`).join(" ")}\n`);
  } catch (e) {
    fail((e as Error).message.split("\n")[0] ?? "failed");
  }
}

void main();
