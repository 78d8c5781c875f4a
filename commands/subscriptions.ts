/** !subscriptions: the feeds this room follows. */
import { defineCommand } from "../src/core/command.js";
import { code, link, listBlock, rich, textReply } from "../src/core/reply.js";
import { feedCommand } from "../src/feeds/command-helpers.js";
import { utcDate } from "../src/feeds/format.js";

export default defineCommand({
  name: "subscriptions",
  summary: "The feeds this room follows",
  options: [],
  async run(_args, ctx) {
    const { subscriptions, feeds } = ctx.services;
    const names = await subscriptions.list(ctx.room);
    if (names.length === 0) return textReply(`This room follows no feeds. ${ctx.prefix}feeds lists them; ${feedCommand(ctx.prefix, "subscribe", "<feed>")} adds one.`);
    const defs = names.map((n) => feeds.catalog.get(n)).filter((f) => f !== undefined);
    const statuses = await feeds.statuses(defs);
    const items = await Promise.all(
      names.map(async (name) => {
        const feed = feeds.catalog.get(name);
        const since = await subscriptions.since(ctx.room, name);
        const when = since ? ` (since ${utcDate(since.toISOString())})` : "";
        // A feed removed from config stays listed, so it can still be unsubscribed.
        if (!feed) return rich(code(name), ` — no longer configured${when}`);
        // What the feed's provider says of it now (the last version seen), and its health.
        const state = await feeds.catalog.providerOf(feed)?.describe?.(feed);
        const status = statuses.get(feed.name);
        const health = status && status.failures > 0 ? ` — ⚠ failing: ${status.lastError ?? "error"}` : "";
        return rich(code(name), " — ", link(feed.title, feed.siteUrl), when, state ? ` — ${state}` : "", health);
      }),
    );
    return { blocks: [listBlock(items, rich("This room follows:"))] };
  },
});
