/** !subscribe <feed>: this room gets new entries of a configured feed (room managers only). */
import { defineCommand } from "../src/core/command.js";
import { bold, link, textBlock, textReply } from "../src/core/reply.js";
import { feedCommand, feedOption, resolveFeed } from "../src/feeds/command-helpers.js";

export default defineCommand({
  name: "subscribe",
  aliases: ["sub"],
  summary: "Post new entries of a feed in this room (room managers only)",
  details:
    "Only entries that appear after subscribing are posted, at most a few per poll. Feeds are configured by the operators, or follow a package's versions (pkg:<attr>): the feeds command lists them.",
  examples: ["subscribe announcements", "subscribe nixhour", "subscribe pkg:hyprland"],
  options: [feedOption("Which feed (see !feeds)")],
  needsManager: true,
  async run(args, ctx) {
    const feed = resolveFeed(ctx, String(args["feed"]));
    const { feeds, subscriptions } = ctx.services;
    const roomFeeds = await subscriptions.list(ctx.room);
    if (roomFeeds.includes(feed.name)) return textReply("This room already follows ", bold(feed.title), ".");
    // A provider's feed may be refused now (channel:<name> must name a channel that exists).
    const provider = feeds.catalog.providerOf(feed);
    const note = provider?.admit ? await provider.admit(feed, { room: ctx.room, roomFeeds, followed: await subscriptions.followed(), deadline: ctx.deadline, signal: ctx.signal }) : undefined;
    const added = await subscriptions.subscribe(ctx.room, feed.name, { signal: ctx.signal });
    if (!added) return textReply("This room already follows ", bold(feed.title), ".");
    const reply = textReply("Subscribed: new entries of ", link(feed.title, feed.siteUrl), ` will be posted here. ${feedCommand(ctx.prefix, "unsubscribe", feed.name)} stops them.`);
    return note ? { blocks: [...reply.blocks, textBlock(...note)] } : reply;
  },
});
