/** Wall-clock times in a named time zone -> instants, with Intl (no time-zone library needed). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The offset of `tz` from UTC at an instant, in ms (Europe/Berlin in winter: +3600000). */
function offsetMs(instant: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const n = (type: string): number => parts[type] ?? NaN;
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour") % 24, n("minute"), n("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A valid IANA zone name (unknown ones would throw inside Intl). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant of a wall-clock date and time in a zone (UTC when the zone is missing or unknown).
 * Undefined for malformed input.
 */
export function zonedInstant(date: string, time: string | undefined, tz: string | undefined): Date | undefined {
  const d = DATE.exec(date);
  if (!d) return undefined;
  const t = time === undefined || time === "" ? ["", "0", "0", "0"] : TIME.exec(time);
  if (!t) return undefined;
  const guess = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0));
  if (Number.isNaN(guess)) return undefined;
  if (tz === undefined || tz === "" || !isTimeZone(tz)) return new Date(guess);
  // Twice: the offset at the guess may differ from the offset at the result around DST changes.
  const first = guess - offsetMs(guess, tz);
  return new Date(guess - offsetMs(first, tz));
}

/** The day after a YYYY-MM-DD date, as YYYY-MM-DD. */
export function nextDay(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  return new Date(t + 86_400_000).toISOString().slice(0, 10);
}
