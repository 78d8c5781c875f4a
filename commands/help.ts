/** !help and !help <command>: generated from the command definitions. */
import { defineCommand, type CommandDef } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { code, listBlock, rich, textBlock, type Reply, type RichText } from "../src/core/reply.js";
import { parseArgs, splitCommand } from "../src/core/parse.js";
import { parseRawArgs, rawOption, rawRemainder } from "../src/core/raw-arg.js";
import { SLASH, slashInvocation, usageOf } from "../src/core/usage.js";

/** An example as typed: `!pkg --channel 26.05 firefox`, or `/pkg query:firefox channel:26.05`. */
function example(cmd: CommandDef, text: string, prefix: string): string {
  if (prefix !== SLASH) return `${prefix}${text}`;
  const inv = splitCommand(`${SLASH}${text}`, SLASH);
  if (!inv) return `${SLASH}${text}`;
  try {
    const raw = rawOption(cmd);
    const parsed = raw ? parseRawArgs(cmd, raw, rawRemainder(`${SLASH}${text}`, SLASH, inv.name), SLASH) : parseArgs(cmd, inv.tokens, SLASH, { maxArgLength: 1000 });
    return slashInvocation(cmd, parsed.args);
  } catch {
    return `${SLASH}${text}`;
  }
}

function commandHelp(cmd: CommandDef, prefix: string): Reply {
  const blocks = [textBlock(code(usageOf(cmd, prefix)), ` — ${cmd.summary}`)];
  if (cmd.details) blocks.push(textBlock(cmd.details));
  if (cmd.options.length > 0) {
    const items: RichText[] = cmd.options.map((o) => {
      const name = prefix === SLASH ? `${o.name}:` : o.positional ? `<${o.name}>` : `--${o.name}`;
      const extra = o.type === "choice" ? ` (one of ${o.choices.join(", ")})` : o.type === "integer" && o.min !== undefined && o.max !== undefined ? ` (${o.min}–${o.max})` : "";
      return rich(code(name), ` ${o.description}${extra}${o.required ? "" : " (optional)"}`);
    });
    blocks.push(listBlock(items, rich("Options:")));
  }
  // Aliases are not slash commands.
  if (prefix !== SLASH && cmd.aliases && cmd.aliases.length > 0) blocks.push(textBlock(`Also: ${cmd.aliases.map((a) => prefix + a).join(", ")}`));
  if (cmd.examples && cmd.examples.length > 0) {
    blocks.push(
      listBlock(
        cmd.examples.map((e) => rich(code(example(cmd, e, prefix)))),
        rich("Examples:"),
      ),
    );
  }
  if (cmd.needsManager) blocks.push(textBlock("Only room managers (moderators) can use it."));
  return { blocks };
}

export default defineCommand({
  name: "help",
  aliases: ["commands"],
  summary: "List the commands, or explain one",
  examples: ["help", "help pkg"],
  options: [{ name: "command", type: "string", description: "The command to explain", positional: true, maxLength: 40 }],
  async run(args, ctx) {
    const prefix = ctx.prefix;
    const wanted = args["command"];
    const commands = ctx.commands;
    if (typeof wanted === "string") {
      // `!help pkg`, `!help !pkg` and `!help /pkg` ask the same; nothing else is stripped.
      const typed = wanted.trim();
      const name = (typed.startsWith(prefix) ? typed.slice(prefix.length) : typed.startsWith(SLASH) ? typed.slice(SLASH.length) : typed).toLowerCase();
      const cmd = commands.find((c) => c.name === name || (c.aliases ?? []).includes(name));
      if (!cmd) {
        const asked = /^[\w-]+$/u.test(name) ? `${prefix}${name}` : `"${typed}"`;
        throw new UserError(`There is no command ${asked}. ${prefix}help lists them all.`);
      }
      return commandHelp(cmd, prefix);
    }
    const items = commands.map((c) => rich(code(`${prefix}${c.name}`), ` — ${c.summary}`));
    return {
      blocks: [
        listBlock(items, rich("nixie answers questions about Nix and NixOS. Commands:")),
        textBlock(code(prefix === SLASH ? "/help command:<command>" : `${prefix}help <command>`), " explains one."),
      ],
    };
  },
});
