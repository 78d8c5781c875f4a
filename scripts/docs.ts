/**
 * `npm run docs`: writes docs/commands.md from the command definitions (commands/index.ts), the
 * same data !help, argument parsing and the Discord slash commands come from.
 * `npm run docs -- --check` only says whether the file is up to date (exit 1 when stale);
 * test/unit/docs.test.ts fails when it is stale, so a new or changed command means running this.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { commands } from "../commands/index.js";
import type { CommandDef, OptionDef } from "../src/core/command.js";
import { slashUsageOf, usageOf } from "../src/core/usage.js";

/** The file this script writes, relative to the project root. */
export const COMMANDS_DOC = join("docs", "commands.md");

/** `text` as inline code, with a fence longer than any run of backticks inside it. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function optionLine(o: OptionDef): string {
  const name = o.positional ? `<${o.name}>` : `--${o.name}`;
  const kind =
    o.type === "choice"
      ? `one of ${o.choices.map(code).join(", ")}`
      : o.type === "integer"
        ? `a whole number${o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : ""}`
        : o.type === "boolean"
          ? "a flag"
          : o.raw
            ? `text exactly as typed, at most ${o.maxLength} characters`
            : "text";
  const extras = [kind, o.required ? "required" : "optional"];
  if (o.type === "string" && o.rest) extras.push("takes the rest of the line");
  if (o.type === "string" && o.complete) extras.push("autocompletes on Discord");
  return `- ${code(name)} (Discord ${code(`${o.name}:`)}): ${o.description}; ${extras.join(", ")}.`;
}

function section(cmd: CommandDef, prefix: string): string {
  const lines = [`## ${prefix}${cmd.name}`, "", `${code(usageOf(cmd, prefix))}: ${cmd.summary}.`, ""];
  if (cmd.details) lines.push(cmd.details, "");
  if (cmd.options.length > 0) lines.push("Options:", "", ...cmd.options.map(optionLine), "");
  const notes = [`On Discord: ${code(slashUsageOf(cmd))}.`];
  if (cmd.aliases && cmd.aliases.length > 0) notes.push(`Also (not as a slash command): ${cmd.aliases.map((a) => code(prefix + a)).join(", ")}.`);
  if (cmd.needsManager) notes.push("Only room managers (moderators) can use it.");
  if (cmd.available) notes.push("Only where it works here (decided at start; see [the sandbox](eval-sandbox.md)): otherwise it is neither in `!help` nor a command.");
  lines.push(notes.join("\n\n"));
  if (cmd.examples && cmd.examples.length > 0) lines.push("", "Examples:", "", ...cmd.examples.map((e) => `- ${code(prefix + e)}`));
  return lines.join("\n");
}

/** docs/commands.md for `list`, shown with the default prefix `!`. */
export function commandsMarkdown(list: readonly CommandDef[] = commands, prefix = "!"): string {
  const index = list.map((c) => `| [${code(prefix + c.name)}](#${c.name}) | ${c.summary} |`);
  return [
    "# Commands",
    "",
    "<!-- Generated from the command definitions by `npm run docs` (scripts/docs.ts). Do not edit: change the command and run it again. -->",
    "",
    `Every command, as ${code("!help <command>")} explains it, with the default prefix ${code(prefix)} (config key ${code("prefix")}). Each is also a Discord slash command with the same options. How a command line is read (words, ${code("--name value")}, double quotes) is in the [README](../README.md#how-a-command-line-is-read).`,
    "",
    "| command | what it does |",
    "|---|---|",
    ...index,
    "",
    ...list.map((c) => section(c, prefix)).flatMap((s) => [s, ""]),
  ].join("\n");
}

const root = join(fileURLToPath(import.meta.url), "..", "..");

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = join(root, COMMANDS_DOC);
  const want = commandsMarkdown();
  if (process.argv.includes("--check")) {
    let have = "";
    try {
      have = readFileSync(path, "utf8");
    } catch {
      // missing: stale
    }
    if (have !== want) {
      console.error(`${COMMANDS_DOC} is stale: run npm run docs`);
      process.exit(1);
    }
    console.log(`${COMMANDS_DOC} is up to date`);
  } else {
    writeFileSync(path, want);
    console.log(`wrote ${COMMANDS_DOC} (${commands.length} commands)`);
  }
}
