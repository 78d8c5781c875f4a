/** Usage lines generated from command definitions, shared by help and error messages. */
import type { Args, CommandDef, OptionDef } from "./command.js";

function placeholder(o: OptionDef): string {
  if (o.type === "choice") return o.choices.join("|");
  if (o.type === "boolean") return "";
  return o.name;
}

/** The prefix under which usage is shown in Discord's slash syntax. */
export const SLASH = "/";

/** `/pkg query:<query> [channel:<channel>]`: required options first, as Discord lists them. */
export function slashUsageOf(cmd: CommandDef): string {
  const parts = [`${SLASH}${cmd.name}`];
  const ordered = [...cmd.options.filter((o) => o.required), ...cmd.options.filter((o) => !o.required)];
  for (const o of ordered) {
    const body = o.type === "boolean" ? `${o.name}:True|False` : `${o.name}:<${placeholder(o) || o.name}>`;
    parts.push(o.required ? body : `[${body}]`);
  }
  return parts.join(" ");
}

/** `!pkg [--channel <channel>] <query>`, or the slash form when the prefix is "/". */
export function usageOf(cmd: CommandDef, prefix: string): string {
  if (prefix === SLASH) return slashUsageOf(cmd);
  const parts = [`${prefix}${cmd.name}`];
  for (const o of cmd.options.filter((x) => !x.positional)) {
    const ph = placeholder(o);
    const body = ph === "" ? `--${o.name}` : `--${o.name} <${ph}>`;
    parts.push(o.required ? body : `[${body}]`);
  }
  for (const o of cmd.options.filter((x) => x.positional)) {
    const body = `<${placeholder(o) || o.name}>${(o.type === "string" || o.type === "choice" || o.type === "user") && o.rest ? "…" : ""}`;
    parts.push(o.required ? body : `[${body}]`);
  }
  return parts.join(" ");
}

/** Parsed arguments in slash syntax: `/pkg query:firefox channel:26.05` (for examples in help). */
export function slashInvocation(cmd: CommandDef, args: Args): string {
  const parts = [`${SLASH}${cmd.name}`];
  const ordered = [...cmd.options.filter((o) => o.required), ...cmd.options.filter((o) => !o.required)];
  for (const o of ordered) {
    const v = args[o.name];
    if (v !== undefined) parts.push(`${o.name}:${String(v)}`);
  }
  return parts.join(" ");
}
