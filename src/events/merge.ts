/** Merging event sources: one entry per event, upcoming ones first, filtered by words. */
import type { CommunityEvent } from "./types.js";

const TOPIC = /\/t\/(?:[^/?#]+\/)?(\d+)(?:[/?#]|$)/;

/** Same topic link, or same name (letters and digits only, lower-case) and same start day. */
function keysOf(e: CommunityEvent): string[] {
  const keys: string[] = [];
  const topic = TOPIC.exec(e.url)?.[1];
  if (topic !== undefined) keys.push(`topic:${topic}`);
  keys.push(`name:${e.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "")}:${e.start.toISOString().slice(0, 10)}`);
  return keys;
}

/**
 * De-duplicates events from several sources. Earlier lists win (curated first: operators'
 * corrections beat what is parsed); a later duplicate only fills in a missing place or tags.
 */
export function mergeEvents(lists: readonly (readonly CommunityEvent[])[]): CommunityEvent[] {
  const out: CommunityEvent[] = [];
  const index = new Map<string, number>();
  for (const list of lists) {
    for (const e of list) {
      const keys = keysOf(e);
      const hit = keys.map((k) => index.get(k)).find((i) => i !== undefined);
      if (hit !== undefined) {
        const kept = out[hit]!;
        out[hit] = {
          ...kept,
          ...(kept.place === undefined && e.place !== undefined ? { place: e.place } : {}),
          tags: [...new Set([...kept.tags, ...e.tags])],
        };
        for (const k of keys) index.set(k, hit);
        continue;
      }
      for (const k of keys) index.set(k, out.length);
      out.push(e);
    }
  }
  return out;
}

/** Events not over at `now`, soonest first, whose name, place or tags contain every filter word. */
export function upcomingEvents(events: readonly CommunityEvent[], now: Date, filter: string | undefined, count: number): CommunityEvent[] {
  const words = (filter ?? "")
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  return events
    .filter((e) => e.end.getTime() > now.getTime())
    .filter((e) => {
      if (words.length === 0) return true;
      const hay = [e.name, e.place ?? "", ...e.tags].join(" ").toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.name.localeCompare(b.name))
    .slice(0, count);
}
