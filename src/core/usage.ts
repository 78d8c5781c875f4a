/** Usage lines generated from command definitions, shared by help and error messages. */
import type { CommandDef, OptionDef } from "./command.js";

function placeholder(o: OptionDef): string {
  if (o.type === "choice") return o.choices.join("|");
  if (o.type === "boolean") return "";
  return o.name;
}

/** `!pkg [--channel <channel>] <query>` */
export function usageOf(cmd: CommandDef, prefix: string): string {
  const parts = [`${prefix}${cmd.name}`];
  for (const o of cmd.options.filter((x) => !x.positional)) {
    const ph = placeholder(o);
    const body = ph === "" ? `--${o.name}` : `--${o.name} <${ph}>`;
    parts.push(o.required ? body : `[${body}]`);
  }
  for (const o of cmd.options.filter((x) => x.positional)) {
    const body = `<${placeholder(o) || o.name}>${(o.type === "string" || o.type === "choice") && o.rest ? "…" : ""}`;
    parts.push(o.required ? body : `[${body}]`);
  }
  return parts.join(" ");
}
