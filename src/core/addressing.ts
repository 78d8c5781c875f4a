/**
 * Addressing nixie by name instead of the prefix: "nixie: help", "nixie, pkg firefox",
 * "@nixie: help" (a Matrix client's mention pill shows the name). The same on every platform:
 * bot.ts applies it to each message before the dispatcher sees it; Discord's own mention
 * (`<@id> help`) is turned into this form by its adapter, which alone knows the bot's id.
 */

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Built once per bot name, not for every message in every room.
const patterns = new Map<string, RegExp>();
function patternFor(botName: string): RegExp {
  let re = patterns.get(botName);
  if (!re) patterns.set(botName, (re = new RegExp(`^\\s*@?${escapeRegExp(botName)}[:,]\\s*(\\S[\\s\\S]*)$`, "iu")));
  return re;
}

/**
 * The command in a message that addresses nixie by name, in prefix form ("nixie: help" →
 * "!help", "nixie: !help" → "!help"); undefined when the message does not address it by name.
 */
export function addressedCommand(text: string, prefix: string, botName: string): string | undefined {
  const m = patternFor(botName).exec(text);
  if (!m) return undefined;
  const rest = m[1]!;
  return rest.startsWith(prefix) ? rest : `${prefix}${rest}`;
}
