/**
 * Discourse as a source of community events. The discourse-post-event plugin's endpoint is used
 * when the site has it (probed once: 404 or 403 means not installed); otherwise the Events
 * category feed, with dates read from the `discourse-local-date` spans (and post-event blocks) in
 * each topic's first post.
 */
import { parse, type HTMLElement } from "node-html-parser";
import { nextDay, zonedInstant } from "../events/time.js";
import type { CommunityEvent } from "../events/types.js";
import { htmlToText } from "../render/html-text.js";
import { truncate } from "../render/text.js";
import type { FeedFetcher } from "./feeds.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";

export interface DiscourseEventsOptions {
  readonly baseUrl: string;
  readonly http: Http;
  readonly fetcher: FeedFetcher;
  readonly cacheTtlMs: number;
}

export interface DiscourseEvents {
  /** Events from the calendar plugin, or undefined when the site does not have it. */
  calendarEvents(opts?: Deadline): Promise<CommunityEvent[] | undefined>;
  /** Whether the site has the calendar plugin: undefined until calendarEvents() has found out. */
  hasCalendar(): boolean | undefined;
  /** Events from the Events category feed (topics with a date in their first post). */
  categoryEvents(opts?: Deadline): Promise<CommunityEvent[]>;
  /** The Events category page, for "nothing upcoming" replies. */
  readonly categoryUrl: string;
}

/** The Events category (its id and path on discourse.nixos.org; the catalog's `events` feed). */
const EVENTS_CATEGORY_ID = 13;
const EVENTS_CATEGORY_PATH = "c/events/13";

/** Length assumed for an event announced with a start time but no end. */
export const DEFAULT_EVENT_HOURS = 3;

interface PluginEvent {
  id?: number;
  starts_at?: string;
  ends_at?: string | null;
  name?: string | null;
  post?: { url?: string; topic?: { id?: number; title?: string } };
}

const base = (u: string): string => u.replace(/\/+$/, "");

/** "/t/slug/123/1" -> "/t/slug/123": the topic, not the post. */
function topicPath(url: string): string {
  return url.replace(/^(\/t\/[^/]+\/\d+)\/\d+$/, "$1");
}

/** Reads the first event time range in a first post's HTML (local-date spans or a post-event block). */
export function eventTimesFromHtml(html: string): Pick<CommunityEvent, "start" | "end" | "allDay" | "startDate" | "endDate"> | undefined {
  const root = parse(html);
  const block = root.querySelector("div.discourse-post-event");
  if (block) {
    const r = postEventTimes(block);
    if (r) return r;
  }
  const spans = root.querySelectorAll("span.discourse-local-date");
  if (spans.length === 0) return undefined;
  const fromIdx = spans.findIndex((s) => s.getAttribute("data-range") === "from");
  const from = fromIdx >= 0 ? spans[fromIdx]! : spans[0]!;
  const to = fromIdx >= 0 ? spans.slice(fromIdx + 1).find((s) => s.getAttribute("data-range") === "to") : undefined;
  const date = from.getAttribute("data-date");
  if (!date) return undefined;
  const time = from.getAttribute("data-time");
  const tz = from.getAttribute("data-timezone");
  const start = zonedInstant(date, time, tz);
  if (!start) return undefined;
  const toDate = to?.getAttribute("data-date");
  const toTime = to?.getAttribute("data-time");
  const toTz = to?.getAttribute("data-timezone") ?? tz;
  const allDay = !time && !toTime;
  if (allDay) {
    const endDate = toDate ?? date;
    const end = zonedInstant(nextDay(endDate), undefined, toTz);
    if (!end || end <= start) return undefined;
    return { start, end, allDay, startDate: date, endDate };
  }
  const end = toDate ? zonedInstant(toDate, toTime, toTz) : new Date(start.getTime() + DEFAULT_EVENT_HOURS * 3_600_000);
  if (!end || end <= start) return { start, end: new Date(start.getTime() + DEFAULT_EVENT_HOURS * 3_600_000), allDay: false };
  return { start, end, allDay: false };
}

function postEventTimes(el: HTMLElement): Pick<CommunityEvent, "start" | "end" | "allDay"> | undefined {
  const split = (v: string | undefined): [string, string | undefined] | undefined => {
    const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$/.exec(v?.trim() ?? "");
    return m ? [m[1]!, m[2]] : undefined;
  };
  const tz = el.getAttribute("data-timezone");
  const s = split(el.getAttribute("data-start"));
  if (!s) return undefined;
  const start = zonedInstant(s[0], s[1], tz);
  if (!start) return undefined;
  const e = split(el.getAttribute("data-end"));
  const end = e ? zonedInstant(e[0], e[1], tz) : undefined;
  return { start, end: end && end > start ? end : new Date(start.getTime() + DEFAULT_EVENT_HOURS * 3_600_000), allDay: false };
}

const PLACE = /(?:^|\n)\s*(?:Where|Location|Place|Venue)\s*:\s*([^\n]+)/i;

/** A "Where: …" / "Location: …" line of the post, when there is one. */
export function placeFromHtml(html: string): string | undefined {
  const text = htmlToText(html, { remove: ["aside.onebox"] });
  const m = PLACE.exec(text);
  if (!m) return undefined;
  const place = m[1]!
    .replace(/\.\s.*$/, "")
    .replace(/[.\s]+$/, "")
    .trim();
  return place === "" ? undefined : truncate(place, 120);
}

export function createDiscourseEvents(opts: DiscourseEventsOptions): DiscourseEvents {
  const site = base(opts.baseUrl);
  const service = (() => {
    try {
      return new URL(site).host;
    } catch {
      return "Discourse";
    }
  })();
  // undefined: not probed yet; false: the plugin is not installed (remembered for the process).
  let pluginPresent: boolean | undefined;

  return {
    categoryUrl: `${site}/${EVENTS_CATEGORY_PATH}`,
    hasCalendar: () => pluginPresent,
    async calendarEvents(call = {}) {
      if (pluginPresent === false) return undefined;
      const url = new URL(`${site}/discourse-post-event/events.json`);
      url.search = new URLSearchParams({ category_id: String(EVENTS_CATEGORY_ID), include_subcategories: "true" }).toString();
      const res = await opts.http.request({ service, url: url.toString(), accept: [403, 404], cacheTtlMs: opts.cacheTtlMs, ...deadlineOf(call) });
      if (res.status === 403 || res.status === 404) {
        pluginPresent = false;
        return undefined;
      }
      let data: { events?: PluginEvent[] };
      try {
        data = JSON.parse(res.body) as { events?: PluginEvent[] };
      } catch {
        // An HTML page instead of JSON: a site without the plugin that does not 404.
        pluginPresent = false;
        return undefined;
      }
      if (!Array.isArray(data.events)) {
        pluginPresent = false;
        return undefined;
      }
      pluginPresent = true;
      const out: CommunityEvent[] = [];
      for (const e of data.events) {
        const start = e.starts_at ? new Date(e.starts_at) : undefined;
        if (!start || Number.isNaN(start.getTime())) continue;
        const endRaw = e.ends_at ? new Date(e.ends_at) : undefined;
        const end = endRaw && endRaw > start ? endRaw : new Date(start.getTime() + DEFAULT_EVENT_HOURS * 3_600_000);
        const name = e.post?.topic?.title ?? e.name ?? undefined;
        const path = e.post?.url;
        if (!name || !path) continue;
        out.push({ name: truncate(name, 200), start, end, allDay: false, url: `${site}${topicPath(path)}`, tags: [], source: "calendar" });
      }
      return out;
    },
    async categoryEvents(call = {}) {
      const feed = await opts.fetcher.read(`${site}/${EVENTS_CATEGORY_PATH}.rss`, opts.cacheTtlMs, call);
      const out: CommunityEvent[] = [];
      for (const item of feed.items) {
        if (!item.html || !item.title || !item.link) continue;
        const times = eventTimesFromHtml(item.html);
        if (!times) continue;
        const place = placeFromHtml(item.html);
        out.push({ name: truncate(item.title, 200), ...times, ...(place ? { place } : {}), url: item.link, tags: [...item.categories], source: "category" });
      }
      return out;
    },
  };
}
