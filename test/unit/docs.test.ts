// The documentation that is checked against the code: docs/commands.md is generated from the
// command definitions (npm run docs), docs/configuration.md has a row for every config key and
// environment variable with the defaults of config/default.json, and the README is a front door
// whose links lead somewhere.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { ENV_KEYS, SECRET_ENV } from "../../src/config/env.js";
import { commandsMarkdown, COMMANDS_DOC } from "../../scripts/docs.js";

const read = (path: string): string => readFileSync(join(projectRoot, path), "utf8");

/** Every leaf key of a JSON object, dotted (arrays and empty objects, the open maps such as factoids.defaults, are leaves). */
function leafKeys(o: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

/** The cells of each table row of a Markdown text (header and separator rows left out). */
function tableRows(md: string): string[][] {
  const rows = md
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((c) => c.trim()),
    );
  return rows.filter((r) => !r.every((c) => /^-*$/.test(c)) && !(r[0] === "key" || r[0] === "variable"));
}

/** The anchors GitHub makes of a Markdown file's headings. */
function anchors(md: string): Set<string> {
  const out = new Set<string>();
  for (const m of md.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return out;
}

/** The backticked words at the start of a cell: "`a`, `b` (x)" -> ["a", "b"]. */
const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe("docs", () => {
  it("docs/commands.md is what npm run docs makes of the command definitions", () => {
    assert.ok(read(COMMANDS_DOC) === commandsMarkdown(), `${COMMANDS_DOC} is stale: run npm run docs`);
  });

  it("docs/configuration.md documents every config key with its default, and every environment variable", () => {
    const doc = read("docs/configuration.md");
    const defaults = JSON.parse(read("config/default.json")) as Record<string, unknown>;
    const rows = tableRows(doc);
    const keyRows = new Map<string, string[]>();
    const variables = new Set<string>();
    for (const r of rows) {
      // Key tables: key | variable | default | meaning; the secrets table: variable | default | meaning.
      if (r.length === 4) for (const k of ticked(r[0]!)) keyRows.set(k, r);
      for (const v of ticked(r.length === 4 ? r[1]! : r[0]!)) variables.add(v);
    }
    const problems: string[] = [];
    const keys = leafKeys(defaults);
    for (const [key, value] of keys) {
      const row = keyRows.get(key);
      if (!row) {
        problems.push(`missing key ${key} (default ${JSON.stringify(value)})`);
        continue;
      }
      // A default written as a literal must be default.json's.
      const literal = /^`([^`]*)`/.exec(row[2]!)?.[1];
      if (literal === undefined) continue;
      const same =
        typeof value === "string"
          ? literal === value
          : (() => {
              try {
                return JSON.stringify(JSON.parse(literal)) === JSON.stringify(value);
              } catch {
                return false;
              }
            })();
      if (!same) problems.push(`key ${key}: the default shown is ${literal}, config/default.json has ${JSON.stringify(value)}`);
    }
    for (const key of keyRows.keys()) if (!keys.some(([k]) => k === key)) problems.push(`key ${key} is documented but not in config/default.json`);
    for (const [name, key] of Object.entries(ENV_KEYS)) {
      if (!variables.has(name)) problems.push(`missing variable ${name} (${key})`);
      else if (keyRows.get(key)?.[1]?.includes(`\`${name}\``) !== true) problems.push(`variable ${name} is not in the row of ${key}`);
    }
    for (const name of [...Object.values(SECRET_ENV), "NIXIE_CONFIG"]) if (!variables.has(name)) problems.push(`missing variable ${name}`);
    assert.deepEqual(problems, [], `docs/configuration.md:\n${problems.join("\n")}`);
  });

  it("the README is a front door: short, the two commands as written, and links that lead somewhere", () => {
    const readme = read("README.md");
    const lines = readme.split("\n").length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; the reference belongs in docs/`);
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /npm test/);
    const broken: string[] = [];
    for (const d of ["architecture", "commands", "configuration", "deployment", "discord", "eval-sandbox", "feeds-and-tracking", "matrix"]) {
      assert.ok(existsSync(join(projectRoot, "docs", `${d}.md`)), `docs/${d}.md exists`);
    }
    const docs = readdirSync(join(projectRoot, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`);
    for (const file of ["README.md", "CONTRIBUTING.md", ...docs]) {
      for (const m of read(file).matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)) {
        const target = m[1]! === "" ? file : join(dirname(file), m[1]!);
        if (/^[a-z]+:/.test(m[1]!)) continue;
        if (!existsSync(join(projectRoot, target))) broken.push(`${file} -> ${target}`);
        else if (m[2] !== undefined && target.endsWith(".md") && !anchors(read(target)).has(m[2])) broken.push(`${file} -> ${target}#${m[2]}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
