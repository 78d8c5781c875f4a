/** !event replies: dates in UTC (or the announced days), how soon, place and the announcement. */
import { bold, link, listBlock, rich, textBlock, type Reply, type RichText } from "../core/reply.js";
import type { UpcomingResult } from "./service.js";
import type { CommunityEvent } from "./types.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function day(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? m} ${y}`;
}

const hhmm = (d: Date): string => d.toISOString().slice(11, 16);

/** "28 Nov 2026, 09:00–17:00 UTC", "7–11 Dec 2026" (whole days as announced), … */
export function eventDates(e: CommunityEvent): string {
  if (e.allDay && e.startDate && e.endDate) {
    if (e.startDate === e.endDate) return day(e.startDate);
    const [sy, sm] = e.startDate.split("-");
    const [ey, em] = e.endDate.split("-");
    if (sy === ey && sm === em) return `${Number(e.startDate.slice(8))}–${day(e.endDate)}`;
    return `${day(e.startDate)} – ${day(e.endDate)}`;
  }
  const sd = e.start.toISOString().slice(0, 10);
  const ed = e.end.toISOString().slice(0, 10);
  if (sd === ed) return `${day(sd)}, ${hhmm(e.start)}–${hhmm(e.end)} UTC`;
  return `${day(sd)} ${hhmm(e.start)} UTC – ${day(ed)} ${hhmm(e.end)} UTC`;
}

/**
 * "happening now", "in 12 days", "in 5 hours", "in 20 minutes". Days are calendar days in UTC
 * (the dates the answer shows): an event on the 10th is "in 3 days" on the 7th, whatever the hour.
 */
export function howSoon(e: CommunityEvent, now: Date): string {
  const ms = e.start.getTime() - now.getTime();
  if (ms <= 0) return "happening now";
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  if (minutes < 60) return `in ${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `in ${hours} ${hours === 1 ? "hour" : "hours"}`;
  const days = Math.round((utcDay(e.start) - utcDay(now)) / 86_400_000);
  return `in ${days} ${days === 1 ? "day" : "days"}`;
}

/** Midnight UTC of the day of `d`, in ms. */
function utcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function formatEvents(r: UpcomingResult, now: Date, filter: string | undefined): Reply {
  const note = r.discourseFailed ? [textBlock(`${r.discourseFailed}, so this list may miss events announced there.`)] : [];
  if (r.events.length === 0) {
    const what = filter ? `No upcoming events match "${filter}".` : "No upcoming events are known.";
    return { blocks: [textBlock(`${what} See the `, link("Events category", r.categoryUrl), " for announcements."), ...note] };
  }
  const items: RichText[] = r.events.map((e) => rich(bold(e.name), ` — ${eventDates(e)} (${howSoon(e, now)})`, ...(e.place ? [` — ${e.place}`] : []), " — ", link("announcement", e.url)));
  const title = rich(filter ? `Upcoming events matching "${filter}":` : "Upcoming community events:");
  return { blocks: [listBlock(items, title), ...note] };
}
