/** Reading config files and walking the merged JSON tree by dotted key paths ("search.url"). */
import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a file that must hold a JSON object; `what` names it in the error ("config file"). */
export function readJson(path: string, what: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new ConfigError(`${what} ${path} must hold a JSON object`);
  return value;
}

/**
 * Merges `over` into `base`; the shape of default.json decides which keys exist and their types.
 * Each problem (unknown key, object expected) goes to `problems`; the rest of the file still merges.
 */
export function mergeInto(base: JsonObject, over: JsonObject, path: string, source: string, problems: string[]): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key.startsWith("$")) continue; // "$comment" and friends
    const keyPath = path === "" ? key : `${path}.${key}`;
    if (!(key in base)) {
      problems.push(`${source}: unknown key "${keyPath}"`);
      continue;
    }
    const b = base[key]!;
    // An empty object in default.json is an open map (names the operator chooses, such as
    // factoids.defaults): it is taken as given, and its own validation checks the names.
    if (isObject(b) && Object.keys(b).length === 0) {
      if (isObject(value)) out[key] = value;
      else problems.push(`${source}: "${keyPath}" must be an object`);
    } else if (isObject(b)) {
      if (isObject(value)) out[key] = mergeInto(b, value, keyPath, source, problems);
      else problems.push(`${source}: "${keyPath}" must be an object`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Sets the value at a dotted key path whose parent objects exist (they come from default.json). */
export function setPath(obj: JsonObject, keyPath: string, value: Json): void {
  const parts = keyPath.split(".");
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] as JsonObject;
  o[parts[parts.length - 1]!] = value;
}

/** The value at a dotted key path, or undefined when a part of it is missing. */
export function getPath(obj: JsonObject, keyPath: string): Json | undefined {
  let o: Json | undefined = obj;
  for (const p of keyPath.split(".")) o = isObject(o) ? o[p] : undefined;
  return o;
}
