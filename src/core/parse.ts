/**
 * Text -> command name and validated arguments. Pure: no I/O, no services.
 * Grammar: `<prefix><name> [--opt value | --opt=value | --flag] [positional ...]`; double quotes
 * group words (and are removed); a single quote is an apostrophe, a character like any other;
 * `--` ends options; the last positional option may take the rest of the line.
 */
import type { Args, CommandDef, OptionDef, OptionValue } from "./command.js";
import { UserError } from "./errors.js";
import { SLASH, usageOf } from "./usage.js";

export interface Token {
  readonly value: string;
  /** Quoted tokens are never read as `--options`. */
  readonly quoted: boolean;
  /** The line from this token on, exactly as typed (for a `verbatim` option). */
  readonly tail?: string;
}

/**
 * Splits a line into words. Double quotes group (`"home manager"`), with backslash escapes inside;
 * an unpaired double quote is a character. Single quotes never group: in chat they are apostrophes
 * (`don't`, `nix's`), and reading two of them as a pair would eat them and join words.
 */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/u.test(line[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let value = "";
    let quoted = false;
    while (i < n && !/\s/u.test(line[i]!)) {
      const c = line[i]!;
      if (c === '"') {
        const close = findClosingQuote(line, i + 1);
        if (close < 0) {
          // An unpaired quote is read as a literal character rather than an error.
          value += c;
          i++;
          continue;
        }
        quoted = true;
        value += line.slice(i + 1, close).replace(/\\(["\\])/g, "$1");
        i = close + 1;
        continue;
      }
      value += c;
      i++;
    }
    tokens.push({ value, quoted, tail: line.slice(start) });
  }
  return tokens;
}

function findClosingQuote(line: string, from: number): number {
  for (let j = from; j < line.length; j++) {
    if (line[j] === "\\") {
      j++;
      continue;
    }
    if (line[j] === '"') return j;
  }
  return -1;
}

export interface ParsedInvocation {
  readonly name: string;
  readonly tokens: Token[];
}

/** Reads `<prefix><name> …`; undefined when the text is not a command at all. */
export function splitCommand(text: string, prefix: string): ParsedInvocation | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith(prefix)) return undefined;
  const afterPrefix = trimmed.slice(prefix.length);
  const m = /^([^\s"']+)/u.exec(afterPrefix);
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), tokens: tokenize(afterPrefix.slice(m[1]!.length)) };
}

export interface ParseLimits {
  /** Cut for string options without their own maxLength. */
  readonly maxArgLength: number;
}

export interface ParsedArgs {
  readonly args: Args;
  /** Notes for the user, e.g. that a long query was cut. */
  readonly notes: readonly string[];
}

/** Parses the words after the command name into validated arguments. Throws UserError. */
export function parseArgs(cmd: CommandDef, tokens: readonly Token[], prefix: string, limits: ParseLimits): ParsedArgs {
  const byName = new Map(cmd.options.map((o) => [o.name, o] as const));
  const raw = new Map<string, string | true>();
  const positionalWords: string[] = [];
  /** Options given as --name (the others were given by position). */
  const givenNamed = new Set<string>();
  let optionsEnded = false;
  // A verbatim option takes the rest of the line as typed, from its first word on.
  const positionalOpts = cmd.options.filter((o) => o.positional);
  const verbatimAt = positionalOpts.findIndex((o) => o.type === "string" && o.verbatim === true);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const isOption = !optionsEnded && !t.quoted && (t.value === "--" || /^--[^-]/.test(t.value));
    if (verbatimAt >= 0 && !isOption && positionalWords.length === verbatimAt && t.tail !== undefined) {
      raw.set(positionalOpts[verbatimAt]!.name, t.tail.trimEnd());
      break;
    }
    if (!optionsEnded && !t.quoted && t.value === "--") {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && !t.quoted && /^--[^-]/.test(t.value)) {
      const eq = t.value.indexOf("=");
      const name = (eq < 0 ? t.value.slice(2) : t.value.slice(2, eq)).toLowerCase();
      const opt = byName.get(name);
      if (!opt) throw new UserError(unknownOption(cmd, name, prefix));
      if (raw.has(name)) throw new UserError(`--${name} is given twice.`);
      givenNamed.add(name);
      if (eq >= 0) {
        raw.set(name, t.value.slice(eq + 1));
      } else if (opt.type === "boolean") {
        const next = tokens[i + 1];
        if (next && /^(true|false|yes|no|on|off)$/i.test(next.value)) {
          raw.set(name, next.value);
          i++;
        } else {
          raw.set(name, true);
        }
      } else {
        const next = tokens[i + 1];
        if (!next) throw new UserError(`--${name} needs a value. Usage: ${usageOf(cmd, prefix)}`);
        raw.set(name, next.value);
        i++;
      }
      continue;
    }
    positionalWords.push(t.value);
  }

  const positional = cmd.options.filter((o) => o.positional);
  let w = 0;
  for (const opt of positional) {
    if (w >= positionalWords.length) break;
    if (raw.has(opt.name)) continue; // given as --name, so it takes no word
    const takesRest = (opt.type === "string" || opt.type === "choice" || opt.type === "user") && opt.rest === true;
    if (takesRest) {
      raw.set(opt.name, positionalWords.slice(w).join(" "));
      w = positionalWords.length;
    } else {
      raw.set(opt.name, positionalWords[w]!);
      w++;
    }
  }
  if (w < positionalWords.length) {
    const extra = positionalWords.slice(w).join(" ");
    throw new UserError(`Too many words: "${clip(extra, 40)}". Usage: ${usageOf(cmd, prefix)}`);
  }
  // Options given positionally are named in messages as the person typed them: <count>.
  return validateArgs(cmd, raw, prefix, limits, givenNamed);
}

/** Validates raw values (from text or from a slash command) against the option definitions. */
export function validateArgs(
  cmd: CommandDef,
  raw: ReadonlyMap<string, string | number | boolean>,
  prefix: string,
  limits: ParseLimits,
  /**
   * The options the person gave as `--name`; the others are named `<name>` in messages when they
   * are positional. Absent (slash commands): every option is named as Discord shows it, `name:`.
   */
  givenNamed?: ReadonlySet<string>,
): ParsedArgs {
  const label = (opt: OptionDef): string =>
    givenNamed === undefined ? (prefix === SLASH ? `${opt.name}:` : `--${opt.name}`) : givenNamed.has(opt.name) || !opt.positional ? `--${opt.name}` : `<${opt.name}>`;
  const args: Record<string, OptionValue> = {};
  const notes: string[] = [];
  for (const opt of cmd.options) {
    const value = raw.get(opt.name);
    const missing = value === undefined || (typeof value === "string" && value.trim() === "");
    if (missing) {
      if (opt.required) throw new UserError(`Missing ${describeOpt(opt)}. Usage: ${usageOf(cmd, prefix)}`);
      continue;
    }
    args[opt.name] = convert(opt, value, notes, limits, label(opt));
  }
  for (const name of raw.keys()) {
    if (!cmd.options.some((o) => o.name === name)) throw new UserError(unknownOption(cmd, name, prefix));
  }
  return { args, notes };
}

/** `label`: the option as the person gave it (`--count`, `<count>`, `count:`). */
function convert(opt: OptionDef, value: string | number | boolean, notes: string[], limits: ParseLimits, label: string): OptionValue {
  switch (opt.type) {
    case "boolean": {
      if (typeof value === "boolean") return value;
      const s = String(value).toLowerCase();
      if (["true", "yes", "on", "1"].includes(s)) return true;
      if (["false", "no", "off", "0"].includes(s)) return false;
      throw new UserError(`${label} must be true or false, not "${clip(String(value), 20)}".`);
    }
    case "integer": {
      const s = String(value).trim();
      if (!/^-?\d{1,15}$/.test(s)) throw new UserError(`${label} must be a whole number, not "${clip(s, 20)}".`);
      const n = Number(s);
      if (opt.min !== undefined && n < opt.min) throw new UserError(`${label} must be at least ${opt.min}.`);
      if (opt.max !== undefined && n > opt.max) throw new UserError(`${label} must be at most ${opt.max}.`);
      return n;
    }
    case "choice": {
      const s = String(value).trim().toLowerCase();
      const found = opt.choices.find((c) => c.toLowerCase() === s);
      if (found === undefined) throw new UserError(`${label} must be one of ${opt.choices.join(", ")}; "${clip(String(value), 30)}" is not.`);
      return found;
    }
    case "user": {
      // A name or a mention as typed (resolved by the command against ctx.mentions), bounded.
      const s = String(value).trim();
      if ([...s].length > 100) throw new UserError(`${describeOpt(opt)} must be at most 100 characters.`);
      return s;
    }
    case "string": {
      let s = String(value).trim();
      const max = opt.maxLength ?? limits.maxArgLength;
      const chars = [...s];
      if (chars.length > max) {
        s = chars.slice(0, max).join("").trimEnd();
        notes.push(`Your ${opt.name} was cut to its first ${max} characters.`);
      }
      if (opt.minLength !== undefined && [...s].length < opt.minLength) throw new UserError(`${describeOpt(opt)} must be at least ${opt.minLength} characters.`);
      return s;
    }
  }
}

function describeOpt(opt: OptionDef): string {
  return opt.positional ? `<${opt.name}>` : `--${opt.name}`;
}

function unknownOption(cmd: CommandDef, name: string, prefix: string): string {
  const named = cmd.options.map((o) => `--${o.name}`);
  const known = named.length > 0 ? ` Options: ${named.join(", ")}.` : "";
  return `${prefix}${cmd.name} has no option --${clip(name, 30)}.${known}`;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length > n ? `${chars.slice(0, n - 1).join("")}…` : s;
}
