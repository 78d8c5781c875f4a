/**
 * The curated events list (config/events.json) that operators keep for the big recurring events.
 * Every entry cites its announcement (`url`); dates are never guessed. Validated when loaded.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { isTimeZone, nextDay, zonedInstant } from "./time.js";
import type { CommunityEvent } from "./types.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)$/;

/** One entry as written in the file. */
interface RawEvent {
  name?: unknown;
  start?: unknown;
  end?: unknown;
  timezone?: unknown;
  place?: unknown;
  url?: unknown;
  tags?: unknown;
}

/**
 * Parses the curated list. `start`/`end` are `YYYY-MM-DD` (whole days, end inclusive) or
 * `YYYY-MM-DDTHH:MM` wall-clock times in `timezone` (default UTC).
 */
export function parseCuratedEvents(json: unknown, where: string): CommunityEvent[] {
  const list = (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) throw new ConfigError(`${where} must hold {"events": [...]}`);
  return list.map((raw: RawEvent, i) => {
    const at = `${where}: events[${i}]`;
    const str = (k: keyof RawEvent, required: boolean): string | undefined => {
      const v = raw[k];
      if (v === undefined && !required) return undefined;
      if (typeof v !== "string" || v.trim() === "") throw new ConfigError(`${at}.${k} must be a non-empty string`);
      return v.trim();
    };
    const name = str("name", true)!;
    const startRaw = str("start", true)!;
    const endRaw = str("end", false) ?? startRaw;
    const tz = str("timezone", false);
    if (tz !== undefined && !isTimeZone(tz)) throw new ConfigError(`${at}.timezone must be a time zone such as Europe/Zurich`);
    const url = str("url", true)!;
    try {
      const u = new URL(url);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
    } catch {
      throw new ConfigError(`${at}.url must be an http(s) URL (the announcement)`);
    }
    const place = str("place", false);
    const tags = raw.tags === undefined ? [] : raw.tags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) throw new ConfigError(`${at}.tags must be a list of strings`);
    let ev: CommunityEvent;
    if (DAY.test(startRaw) && DAY.test(endRaw)) {
      const start = zonedInstant(startRaw, undefined, tz);
      const end = zonedInstant(nextDay(endRaw), undefined, tz);
      if (!start || !end || end <= start) throw new ConfigError(`${at}: start and end must be dates with end not before start`);
      ev = { name, start, end, allDay: true, startDate: startRaw, endDate: endRaw, url, tags: tags as string[], source: "curated" };
    } else {
      const s = DATETIME.exec(startRaw);
      const e = DATETIME.exec(endRaw);
      const start = s ? zonedInstant(s[1]!, s[2], tz) : undefined;
      const end = e ? zonedInstant(e[1]!, e[2], tz) : undefined;
      if (!start || !end || end <= start) throw new ConfigError(`${at}: start and end must both be YYYY-MM-DD, or both YYYY-MM-DDTHH:MM with end after start`);
      ev = { name, start, end, allDay: false, url, tags: tags as string[], source: "curated" };
    }
    return place === undefined ? ev : { ...ev, place };
  });
}

/**
 * Reads and validates the curated list. A missing file is an error like any bad config value
 * (the curated events would silently be gone); "no curated list" is `events.file: ""`.
 */
export function loadCuratedEvents(path: string): CommunityEvent[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ConfigError(`events file ${path} (events.file) does not exist`);
    throw new ConfigError(`events file ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`events file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseCuratedEvents(json, `events file ${path}`);
}
