/**
 * Typed checks of the merged config tree. Each check notes what is wrong and carries on, so one
 * start reports every bad key at once; each method says whether the key passed.
 */
import { existsSync, statSync } from "node:fs";
import cron from "node-cron";
import { getPath, isObject, type Json, type JsonObject } from "./json.js";
import { cleanText, nameProblem, textProblem } from "../factoids/rules.js";

export class Checker {
  /** One line per bad key, in the order checked. */
  readonly problems: string[] = [];

  constructor(private readonly root: JsonObject) {}

  /** The value at a key path (after a passing check, of the checked type). */
  get(key: string): Json | undefined {
    return getPath(this.root, key);
  }

  /** Notes that `key` must be `expected`; returns false so a check can `return this.fail(...)`. */
  fail(key: string, expected: string, got: Json | undefined): false {
    const shown = got === undefined ? "nothing" : JSON.stringify(got).slice(0, 80);
    this.problems.push(`config key "${key}" must be ${expected}, got ${shown}`);
    return false;
  }

  /** optional: "" is allowed (means "not set") even when a pattern is given. */
  str(key: string, opts: { nonEmpty?: boolean; pattern?: RegExp; what?: string; optional?: boolean } = {}): boolean {
    const v = this.get(key);
    if (typeof v !== "string") return this.fail(key, "a string", v);
    if (opts.nonEmpty && v.trim() === "") return this.fail(key, "a non-empty string", v);
    if (opts.pattern && !(opts.optional && v === "") && !opts.pattern.test(v)) return this.fail(key, opts.what ?? `a string matching ${opts.pattern}`, v);
    return true;
  }

  url(key: string, opts: { optional?: boolean; schemes?: readonly string[] } = {}): boolean {
    const v = this.get(key);
    if (typeof v !== "string") return this.fail(key, "a URL", v);
    if (opts.optional && v === "") return true;
    const schemes = opts.schemes ?? ["http:", "https:"];
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return this.fail(key, `a URL (${schemes.join(" or ")})`, v);
    }
    if (!schemes.includes(u.protocol)) return this.fail(key, `a URL starting with ${schemes.join(" or ")}`, v);
    return true;
  }

  int(key: string, min: number, max: number): boolean {
    const v = this.get(key);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) return this.fail(key, `a whole number from ${min} to ${max}`, v);
    return true;
  }

  bool(key: string): boolean {
    const v = this.get(key);
    if (typeof v !== "boolean") return this.fail(key, "true or false", v);
    return true;
  }

  oneOf(key: string, values: readonly string[]): boolean {
    const v = this.get(key);
    if (typeof v !== "string" || !values.includes(v)) return this.fail(key, `one of ${values.join(", ")}`, v);
    return true;
  }

  strings(key: string, opts: { nonEmpty?: boolean } = {}): boolean {
    const v = this.get(key);
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) return this.fail(key, "a list of non-empty strings", v);
    if (opts.nonEmpty && v.length === 0) return this.fail(key, "a non-empty list", v);
    return true;
  }

  cron(key: string): boolean {
    const v = this.get(key);
    if (typeof v !== "string" || !cron.validate(v)) return this.fail(key, 'a cron schedule such as "*/5 * * * *" (seconds allowed)', v);
    return true;
  }

  /** A path to an existing file; `resolve` turns a relative path into the one that is opened. */
  file(key: string, resolve: (p: string) => string, opts: { optional?: boolean } = {}): boolean {
    const v = this.get(key);
    if (typeof v !== "string") return this.fail(key, "a file path", v);
    if (opts.optional && v === "") return true;
    const path = resolve(v);
    let isFile: boolean;
    try {
      isFile = existsSync(path) && statSync(path).isFile();
    } catch {
      isFile = false;
    }
    if (isFile) return true;
    this.problems.push(`config key "${key}" names ${path}, which is not a file${opts.optional ? ' (use "" for none)' : ""}`);
    return false;
  }

  feeds(key: string): boolean {
    const v = this.get(key);
    if (!Array.isArray(v)) return this.fail(key, "a list of {name, title, url}", v);
    const before = this.problems.length;
    v.forEach((f, i) => {
      const at = `${key}[${i}]`;
      if (!isObject(f)) return void this.fail(at, "an object {name, title, url}", f);
      if (typeof f["name"] !== "string" || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(f["name"])) this.fail(`${at}.name`, "a short lower-case name (a-z, 0-9, - and _)", f["name"]);
      // Names are what users type: unique, and never one of the built-in feeds.
      const taken = ["announcements", "security", "events", "nixhour", "channels", ...v.slice(0, i).map((g) => (isObject(g) ? g["name"] : undefined))];
      if (taken.includes(f["name"])) this.fail(`${at}.name`, "a name not used by a built-in or earlier feed", f["name"]);
      if (typeof f["title"] !== "string" || f["title"] === "") this.fail(`${at}.title`, "a non-empty string", f["title"]);
      try {
        if (typeof f["url"] !== "string") throw new Error("not a string");
        const u = new URL(f["url"]);
        if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
      } catch {
        this.fail(`${at}.url`, "an http(s) URL", f["url"]);
      }
    });
    return this.problems.length === before;
  }

  /** Factoid defaults: name -> text, each following the rules of !learn. */
  factoids(key: string): boolean {
    const v = this.get(key);
    if (!isObject(v)) return this.fail(key, "an object of factoid name -> text", v);
    const before = this.problems.length;
    for (const [name, text] of Object.entries(v)) {
      const at = `${key}.${name}`;
      const badName = nameProblem(name, new Set());
      if (badName) this.problems.push(`config key "${at}": ${badName}`);
      if (typeof text !== "string") this.fail(at, "a string", text);
      else {
        const badText = textProblem(cleanText(text));
        if (badText) this.problems.push(`config key "${at}": ${badText}`);
      }
    }
    return this.problems.length === before;
  }
}
