/** !subscribe <feed>: this room gets new entries of a configured feed (room managers only). */
import { defineCommand } from "../src/core/command.js";
import { bold, link, textReply } from "../src/core/reply.js";
import { feedCommand, feedOption, resolveFeed } from "../src/feeds/command-helpers.js";

export default defineCommand({
  name: "subscribe",
  aliases: ["sub"],
  summary: "Post new entries of a feed in this room (room managers only)",
  details: "Only entries that appear after subscribing are posted, at most a few per poll. Feeds are configured by the operators: the feeds command lists them.",
  examples: ["subscribe announcements", "subscribe nixhour"],
  options: [feedOption("Which feed (see !feeds)")],
  needsManager: true,
  async run(args, ctx) {
    const feed = resolveFeed(ctx, String(args["feed"]));
    // channel:<name> must name a channel that exists now.
    await ctx.services.channels.admit(feed);
    const added = await ctx.services.subscriptions.subscribe(ctx.room, feed.name);
    if (!added) return textReply("This room already follows ", bold(feed.title), ".");
    return textReply(
      "Subscribed: new entries of ",
      link(feed.title, feed.siteUrl),
      ` will be posted here. ${feedCommand(ctx.prefix, "unsubscribe", feed.name)} stops them.`,
    );
  },
});
