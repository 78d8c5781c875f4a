/** !feeds: every configured feed, how many rooms follow it, its last successful poll, failures. */
import { defineCommand } from "../src/core/command.js";
import { bold, code, link, listBlock, rich, type Span } from "../src/core/reply.js";
import { feedCommand } from "../src/feeds/command-helpers.js";
import { utcDateTime } from "../src/feeds/format.js";

function ago(from: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 90) return "just now";
  const m = Math.floor(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** Followed feeds of other rooms that no list holds (`pkg:<attr>`) shown by name; the rest are counted. */
const OTHERS_SHOWN = 10;

export default defineCommand({
  name: "feeds",
  summary: "The feeds nixie can post, who follows them, and their health",
  options: [],
  async run(_args, ctx) {
    const { feeds, subscriptions } = ctx.services;
    // The fixed feeds, then the providers' feeds (channel:<name>, …) that some room follows.
    const fixed = feeds.catalog.list();
    const known = await feeds.catalog.known();
    const names = new Set(known.map((f) => f.name));
    const mine = new Set(await subscriptions.list(ctx.room));
    // Feeds no list holds (pkg:<attr>) may be thousands: this room's, then a few others, then a count.
    const others = (await subscriptions.followed()).filter((n) => !names.has(n) && !mine.has(n));
    const shownNames = [...[...mine].filter((n) => !names.has(n)), ...others.slice(0, OTHERS_SHOWN)];
    const followed = shownNames.map((n) => feeds.catalog.get(n)).filter((f) => f !== undefined);
    const all = [...known, ...followed];
    // Who follows what: one store round trip for every feed.
    const followers = await subscriptions.roomsForMany(all.map((f) => f.name));
    const catalog = all.filter((f) => fixed.includes(f) || (followers.get(f.name)?.length ?? 0) > 0);
    const now = ctx.now();
    const statuses = await feeds.statuses(catalog);
    const items = await Promise.all(
      catalog.map(async (feed) => {
        const rooms = followers.get(feed.name)?.length ?? 0;
        const status = statuses.get(feed.name);
        const spans: (string | Span)[] = [code(feed.name), " — ", link(feed.title, feed.siteUrl)];
        spans.push(` — ${rooms} ${rooms === 1 ? "room" : "rooms"}${mine.has(feed.name) ? " (this one too)" : ""}`);
        if (status?.lastSuccessAt) spans.push(` — last read ${ago(new Date(status.lastSuccessAt), now)}`);
        else if (rooms > 0) spans.push(" — not read yet");
        if (status && status.failures > 0) {
          const since = utcDateTime(status.failingSince ?? status.lastAttemptAt ?? now.toISOString());
          const next = status.nextAttemptAt ? `; next try ${utcDateTime(status.nextAttemptAt)}` : "";
          spans.push(" — ", bold("⚠ failing"), ` since ${since}: ${status.lastError ?? "error"}${next}`);
        }
        return rich(...spans);
      }),
    );
    const more = others.length - Math.min(others.length, OTHERS_SHOWN);
    if (more > 0) items.push(rich(`… and ${more} more ${more === 1 ? "feed" : "feeds"} followed in other rooms`));
    for (const p of feeds.catalog.patterns) items.push(rich(code(p.pattern), ` — ${p.description}`));
    return { blocks: [listBlock(items, rich(`Feeds (${feedCommand(ctx.prefix, "subscribe", "<feed>")} to follow one here):`))] };
  },
});
