/**
 * Discord slash command JSON, generated from the same command definitions that the dispatcher,
 * the parser and !help read. `deploy-commands` registers what this returns; the adapter never does.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { CommandDef, OptionDef } from "../../core/command.js";

/** Discord's documented limits for application commands. */
export const SLASH_LIMITS = {
  commands: 100,
  name: 32,
  description: 100,
  options: 25,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  /** Sum of the name, description and every option's name, description and choices. */
  total: 4000,
} as const;

/** Discord's rule for command and option names (we only generate lower-case ASCII ones). */
const NAME_RE = /^[a-z0-9_-]{1,32}$/;

export type SlashCommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The one permission that gates room-manager commands (/subscribe, /unsubscribe). */
export const MANAGER_PERMISSION = PermissionFlagsBits.ManageChannels;

function optionJson(o: OptionDef): APIApplicationCommandBasicOption {
  const base = { name: o.name, description: o.description, required: o.required === true };
  switch (o.type) {
    case "string":
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(o.minLength !== undefined ? { min_length: o.minLength } : {}),
        ...(o.maxLength !== undefined ? { max_length: o.maxLength } : {}),
        ...(o.complete ? { autocomplete: true } : {}),
      };
    case "integer":
      return {
        ...base,
        type: ApplicationCommandOptionType.Integer,
        ...(o.min !== undefined ? { min_value: o.min } : {}),
        ...(o.max !== undefined ? { max_value: o.max } : {}),
      };
    case "boolean":
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case "user":
      return { ...base, type: ApplicationCommandOptionType.User };
    case "choice":
      return { ...base, type: ApplicationCommandOptionType.String, choices: o.choices.map((c) => ({ name: c, value: c })) };
  }
}

/**
 * The slash command for one definition. Aliases are not registered (Discord has none, and
 * duplicates would clutter the command picker). Required options come first, as Discord demands;
 * otherwise the definition's order is kept.
 */
export function slashCommandFor(cmd: CommandDef): SlashCommandJson {
  const options = [...cmd.options.filter((o) => o.required), ...cmd.options.filter((o) => !o.required)].map(optionJson);
  return {
    type: ApplicationCommandType.ChatInput,
    name: cmd.name,
    description: cmd.summary,
    ...(options.length > 0 ? { options } : {}),
    // Room-manager commands: hidden from members without Manage Channels by default (server
    // admins may change that in Discord's settings, so the adapter checks again at run time) and
    // only offered in servers, where channel permissions exist.
    ...(cmd.needsManager ? { default_member_permissions: MANAGER_PERMISSION.toString(), contexts: [InteractionContextType.Guild] } : {}),
  };
}

/** Slash commands for every definition, in the order given. */
export function slashCommandsFor(commands: readonly CommandDef[]): SlashCommandJson[] {
  return commands.map(slashCommandFor);
}

const chars = (s: string): number => [...s].length;

/**
 * Everything in `json` that Discord would reject (names, lengths, counts); empty when it is fine.
 * deploy-commands refuses to send a list with problems.
 */
export function slashProblems(json: readonly SlashCommandJson[]): string[] {
  const problems: string[] = [];
  if (json.length > SLASH_LIMITS.commands) problems.push(`${json.length} commands, at most ${SLASH_LIMITS.commands}`);
  const names = new Set<string>();
  for (const c of json) {
    const at = `/${c.name}`;
    if (!NAME_RE.test(c.name)) problems.push(`${at}: name must match ${NAME_RE}`);
    if (names.has(c.name)) problems.push(`${at}: defined twice`);
    names.add(c.name);
    if (chars(c.description) < 1 || chars(c.description) > SLASH_LIMITS.description) problems.push(`${at}: description must be 1-100 characters`);
    const options = c.options ?? [];
    if (options.length > SLASH_LIMITS.options) problems.push(`${at}: ${options.length} options, at most ${SLASH_LIMITS.options}`);
    let total = chars(c.name) + chars(c.description);
    let sawOptional = false;
    const optionNames = new Set<string>();
    for (const o of options) {
      const oat = `${at} ${o.name}`;
      if (!NAME_RE.test(o.name)) problems.push(`${oat}: name must match ${NAME_RE}`);
      if (optionNames.has(o.name)) problems.push(`${oat}: defined twice`);
      optionNames.add(o.name);
      if (chars(o.description) < 1 || chars(o.description) > SLASH_LIMITS.description) problems.push(`${oat}: description must be 1-100 characters`);
      total += chars(o.name) + chars(o.description);
      const required = "required" in o && o.required === true;
      if (required && sawOptional) problems.push(`${oat}: a required option must come before the optional ones`);
      if (!required) sawOptional = true;
      const choices = "choices" in o && Array.isArray(o.choices) ? (o.choices as readonly { name: string; value: string | number }[]) : [];
      if (choices.length > SLASH_LIMITS.choices) problems.push(`${oat}: ${choices.length} choices, at most ${SLASH_LIMITS.choices}`);
      if (choices.length > 0 && "autocomplete" in o && o.autocomplete) problems.push(`${oat}: choices and autocomplete exclude each other`);
      for (const ch of choices) {
        const value = String(ch.value);
        if (chars(ch.name) < 1 || chars(ch.name) > SLASH_LIMITS.choiceName) problems.push(`${oat}: choice "${ch.name}" name must be 1-100 characters`);
        if (chars(value) < 1 || chars(value) > SLASH_LIMITS.choiceValue) problems.push(`${oat}: choice "${ch.name}" value must be 1-100 characters`);
        total += chars(ch.name) + chars(value);
      }
    }
    if (total > SLASH_LIMITS.total) problems.push(`${at}: ${total} characters in all, at most ${SLASH_LIMITS.total}`);
  }
  return problems;
}
