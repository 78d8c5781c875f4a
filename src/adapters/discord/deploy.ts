/**
 * Registers the slash commands with Discord: one bulk overwrite (PUT), globally or for one guild.
 * Run by `npm run deploy-commands` when commands change, never by the bot at start.
 */
import { REST, Routes } from "discord.js";
import type { CommandDef } from "../../core/command.js";
import { slashCommandsFor, slashProblems, type SlashCommandJson } from "./slash.js";

export interface DeployOptions {
  readonly token: string;
  readonly applicationId: string;
  /** Register in this guild only (changes show at once; good for testing). Empty: globally. */
  readonly guildId?: string;
  /** REST base like https://discord.com/api (empty: Discord's own). */
  readonly apiUrl?: string;
  readonly commands: readonly CommandDef[];
  /** Timeout of one HTTP request. Default 15000. */
  readonly timeoutMs?: number;
  /**
   * A 429 is waited out (by discord.js) when Discord asks for at most this long; a longer wait
   * (command creation is limited per day) fails at once. Default 60000.
   */
  readonly maxRateLimitWaitMs?: number;
}

export interface DeployResult {
  readonly scope: "global" | "guild";
  /** The names Discord now has registered. */
  readonly registered: readonly string[];
  readonly json: readonly SlashCommandJson[];
}

/** Validates and registers the slash commands; throws on a definition Discord would reject. */
export async function deployCommands(opts: DeployOptions): Promise<DeployResult> {
  const json = slashCommandsFor(opts.commands);
  const problems = slashProblems(json);
  if (problems.length > 0) throw new Error(`slash commands are not valid: ${problems.join("; ")}`);
  const maxWaitMs = opts.maxRateLimitWaitMs ?? 60_000;
  const rest = new REST({
    timeout: opts.timeoutMs ?? 15_000,
    rejectOnRateLimit: (r) => Math.max(r.retryAfter, r.timeToReset) > maxWaitMs,
    ...(opts.apiUrl ? { api: opts.apiUrl.replace(/\/+$/, "") } : {}),
  }).setToken(opts.token);
  const guildId = opts.guildId ?? "";
  const guild = guildId !== "";
  const route = guild ? Routes.applicationGuildCommands(opts.applicationId, guildId) : Routes.applicationCommands(opts.applicationId);
  const answer: unknown = await rest.put(route, { body: json });
  const registered = Array.isArray(answer) ? answer.map((c: { name?: unknown }) => String(c.name)) : [];
  return { scope: guild ? "guild" : "global", registered, json };
}
