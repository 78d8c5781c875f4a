/**
 * status.nixos.org's thresholds and nixie's wording of ages: a channel is `fine` under 3 days,
 * `late` under 10 days and `stuck` from 10 days on, measured to the millisecond.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const LATE_MS = 3 * DAY_MS;
export const STUCK_MS = 10 * DAY_MS;

export type ChannelStatus = "fine" | "late" | "stuck";

export function statusOf(updatedAt: number, now: number): ChannelStatus {
  const age = now - updatedAt;
  if (age < LATE_MS) return "fine";
  if (age < STUCK_MS) return "late";
  return "stuck";
}

/** "14 h ago" under 2 days, "5 d ago" beyond ("< 1 h ago" for the first hour). Whole units, rounded down. */
export function ageText(updatedAt: number, now: number): string {
  const ms = Math.max(0, now - updatedAt);
  if (ms < HOUR_MS) return "< 1 h ago";
  if (ms < 2 * DAY_MS) return `${Math.floor(ms / HOUR_MS)} h ago`;
  return `${Math.floor(ms / DAY_MS)} d ago`;
}

/** "2 d 4 h", "14 h", "35 min": the time between two updates. */
export function intervalText(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** "2026-11-28 21:40 UTC". */
export function utcMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const shortRev = (rev: string): string => rev.slice(0, 7);
