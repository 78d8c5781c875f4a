/** !unsubscribe <feed>: stop posting a feed in this room (room managers only). */
import { defineCommand } from "../src/core/command.js";
import { bold, textReply } from "../src/core/reply.js";
import { feedOption, resolveFeed } from "../src/feeds/command-helpers.js";

export default defineCommand({
  name: "unsubscribe",
  aliases: ["unsub"],
  summary: "Stop posting a feed in this room (room managers only)",
  examples: ["unsubscribe announcements"],
  options: [feedOption("Which feed (see !subscriptions)")],
  needsManager: true,
  async run(args, ctx) {
    const feed = resolveFeed(ctx, String(args["feed"]));
    const removed = await ctx.services.subscriptions.unsubscribe(ctx.room, feed.name, { signal: ctx.signal });
    if (!removed) return textReply("This room does not follow ", bold(feed.title), ".");
    return textReply("Unsubscribed: ", bold(feed.title), " will no longer be posted here.");
  },
});
