/**
 * `npm run deploy-commands`: registers nixie's slash commands with Discord, globally or, when
 * DISCORD_GUILD_ID is set, in that guild only. Run it after the command list changes; the bot
 * itself never registers. Needs DISCORD_TOKEN (or DISCORD_TOKEN_FILE) and DISCORD_APPLICATION_ID.
 * `--dry-run` prints the JSON instead of sending it.
 */
import { commands } from "../commands/index.js";
import { deployCommands } from "../src/adapters/discord/deploy.js";
import { slashCommandsFor, slashProblems } from "../src/adapters/discord/slash.js";
import { loadConfig } from "../src/config.js";
import { ConfigError } from "../src/core/errors.js";

function fail(message: string): never {
  process.stderr.write(`deploy-commands: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (process.argv.includes("--dry-run")) {
    const json = slashCommandsFor(commands);
    const problems = slashProblems(json);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    if (problems.length > 0) fail(`not valid: ${problems.join("; ")}`);
    return;
  }
  let loaded;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const { config, secrets } = loaded;
  if (secrets.discordToken === undefined) fail("DISCORD_TOKEN (or DISCORD_TOKEN_FILE) is not set");
  if (config.discord.applicationId === "") fail("DISCORD_APPLICATION_ID is not set");
  try {
    const result = await deployCommands({
      token: secrets.discordToken,
      applicationId: config.discord.applicationId,
      guildId: config.discord.guildId,
      apiUrl: config.discord.apiUrl,
      commands,
    });
    const where = result.scope === "guild" ? `in guild ${config.discord.guildId}` : "globally (may take up to an hour to show everywhere)";
    process.stdout.write(`registered ${result.registered.length} slash commands ${where}: ${result.registered.map((n) => `/${n}`).join(" ")}\n`);
  } catch (e) {
    fail((e as Error).message.split("\n")[0] ?? "failed");
  }
}

void main();
