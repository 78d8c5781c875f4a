/**
 * Raw arguments: a command whose only option is `raw` gets the rest of the message exactly as
 * typed, without the quote handling, `--option` parsing and length cut of src/core/parse.ts.
 * Used by !eval, whose Nix expressions have their own quotes, backslashes and lines.
 */
import type { CommandDef, StringOption } from "./command.js";
import { UserError } from "./errors.js";
import type { ParsedArgs } from "./parse.js";
import { usageOf } from "./usage.js";

/** The command's raw option, if it has one. */
export function rawOption(cmd: CommandDef): StringOption | undefined {
  const o = cmd.options[0];
  return o?.type === "string" && o.raw === true ? o : undefined;
}

/** What follows `<prefix><name>` in the message, untouched (the name as splitCommand read it). */
export function rawRemainder(text: string, prefix: string, name: string): string {
  return text.trimStart().slice(prefix.length + name.length);
}

/**
 * The code in a raw argument: one code block around the whole of it is removed, fenced
 * (```` ```nix ```` + newline … ```` ``` ````, language optional) or inline (`` `…` ``);
 * otherwise the text itself. Outer blank space goes; nothing inside changes.
 *
 * A fence on one line (```` ```nix 1 + 1``` ````) drops only the tag `nix`: any other word
 * there could be the start of the expression (```` ```x + 1``` ````).
 */
export function extractCode(text: string): string {
  const t = text.trim();
  const oneLine = /^```nix[ \t]+([^\n]*?)```$/i.exec(t);
  if (oneLine) return oneLine[1]!.trim();
  const fenced = /^```(?:[\w+-]*[ \t]*\n)?([\s\S]*?)```$/.exec(t);
  if (fenced) return fenced[1]!.trim();
  const inline = /^`([^`]+)`$/.exec(t);
  if (inline) return inline[1]!.trim();
  return t;
}

/** Validates a raw argument (from a message or a slash command option). Throws UserError. */
export function parseRawArgs(cmd: CommandDef, opt: StringOption, text: string, prefix: string): ParsedArgs {
  const max = opt.maxLength ?? 0;
  // Bounds the work before counting characters: code points are at most 2 UTF-16 units, and a
  // code fence adds a few.
  const tooLong = (n: number): never => {
    throw new UserError(`Your ${opt.name} is ${n} characters long; at most ${max} are accepted.`);
  };
  if (text.length > 2 * max + 64) tooLong([...text].length);
  const code = extractCode(text);
  const length = [...code].length;
  if (length > max) tooLong(length);
  if (code === "") {
    if (opt.required) throw new UserError(`Missing <${opt.name}>. Usage: ${usageOf(cmd, prefix)}`);
    return { args: {}, notes: [] };
  }
  if (opt.minLength !== undefined && length < opt.minLength) throw new UserError(`<${opt.name}> must be at least ${opt.minLength} characters.`);
  return { args: { [opt.name]: code }, notes: [] };
}
