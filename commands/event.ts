/** !event [filter]: the next community events from Discourse and the curated list. */
import { defineCommand } from "../src/core/command.js";
import { formatEvents } from "../src/events/format.js";

export default defineCommand({
  name: "event",
  aliases: ["events"],
  summary: "The next NixCon, sprints and meetups",
  details: "Words after the command narrow the list (name, place or tags). Dates are in UTC unless whole days were announced.",
  examples: ["event", "event nixcon", "event sprint"],
  options: [{ name: "filter", type: "string", description: "Words the event must match", positional: true, rest: true, maxLength: 100 }],
  slow: true,
  async run(args, ctx) {
    const filter = typeof args["filter"] === "string" && args["filter"].trim() !== "" ? args["filter"].trim() : undefined;
    const now = ctx.now();
    const result = await ctx.services.events.upcoming(now, filter, ctx.services.config.events.count, { signal: ctx.signal });
    return formatEvents(result, now, filter);
  },
});
