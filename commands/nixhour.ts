/** !nixhour: the latest Nix Hour episodes, newest first. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { link, listBlock, rich, textReply } from "../src/core/reply.js";
import { utcDate } from "../src/feeds/format.js";

export default defineCommand({
  name: "nixhour",
  summary: "The latest episodes of the Nix Hour",
  examples: ["nixhour", "nixhour 5"],
  options: [{ name: "count", type: "integer", description: "How many episodes (1-10)", positional: true, min: 1, max: 10 }],
  slow: true,
  async run(args, ctx) {
    const feed = ctx.services.feeds.catalog.get("nixhour");
    if (!feed) throw new UserError("The Nix Hour feed is not configured here.");
    const count = typeof args["count"] === "number" ? args["count"] : 3;
    const entries = await ctx.services.feeds.latest(feed, count, { signal: ctx.signal });
    if (entries.length === 0) return textReply("No episodes found in ", link("the Nix Hour playlist", feed.siteUrl), ".");
    const items = entries.map((e) => rich(e.link ? link(e.title, e.link) : e.title, e.published ? ` — ${utcDate(e.published)}` : ""));
    return { blocks: [listBlock(items, rich(link("The Nix Hour", feed.siteUrl), ": latest episodes"))] };
  },
});
