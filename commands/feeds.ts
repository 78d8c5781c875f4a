/** !feeds: every configured feed, how many rooms follow it, its last successful poll, failures. */
import { defineCommand } from "../src/core/command.js";
import { bold, code, link, listBlock, rich, type Span } from "../src/core/reply.js";
import { utcDateTime } from "../src/feeds/format.js";

export function ago(from: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 90) return "just now";
  const m = Math.floor(s / 60);
  if (m < 90) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

export default defineCommand({
  name: "feeds",
  summary: "The feeds nixie can post, who follows them, and their health",
  options: [],
  async run(_args, ctx) {
    const { feeds, subscriptions } = ctx.services;
    const mine = new Set(await subscriptions.list(ctx.room));
    const now = ctx.now();
    const items = await Promise.all(
      feeds.catalog.list().map(async (feed) => {
        const rooms = (await subscriptions.roomsFor(feed.name)).length;
        const status = await feeds.status(feed.name);
        const spans: Span[] = [code(feed.name), { kind: "text", text: " — " }, link(feed.title, feed.siteUrl)];
        spans.push({ kind: "text", text: ` — ${rooms} ${rooms === 1 ? "room" : "rooms"}${mine.has(feed.name) ? " (this one too)" : ""}` });
        if (status?.lastSuccessAt) spans.push({ kind: "text", text: ` — last read ${ago(new Date(status.lastSuccessAt), now)}` });
        else if (rooms > 0) spans.push({ kind: "text", text: " — not read yet" });
        if (status && status.failures > 0) {
          spans.push({ kind: "text", text: " — " }, bold("⚠ failing"));
          spans.push({
            kind: "text",
            text: ` since ${utcDateTime(status.failingSince ?? status.lastAttemptAt ?? now.toISOString())}: ${status.lastError ?? "error"}${
              status.nextAttemptAt ? `; next try ${utcDateTime(status.nextAttemptAt)}` : ""
            }`,
          });
        }
        return rich(...spans);
      }),
    );
    return { blocks: [listBlock(items, rich(`Feeds (${ctx.prefix}subscribe <feed> to follow one here):`))] };
  },
});
