/** !fact <name> [user] (and `!<name> [user]`, which runs as this): shows one factoid, addressed to someone when asked. */
import { defineCommand } from "../src/core/command.js";
import { DeadlinePassed } from "../src/core/deadline.js";
import { UserError } from "../src/core/errors.js";
import { completeName, factNameOption, findFactoid } from "../src/factoids/command-helpers.js";
import { callableNames, FACT_COMMAND } from "../src/factoids/fallback.js";
import { addressee, factoidReply } from "../src/factoids/reply.js";

export default defineCommand({
  name: FACT_COMMAND,
  summary: "Show one of this room's factoids, optionally addressed to someone",
  details: "A factoid is also called by its name alone: `!dontask`, `!dontask @bob`. Only the person it is addressed to is pinged. The facts command lists them.",
  examples: ["fact dontask", "fact dontask bob"],
  options: [
    { ...factNameOption("Which factoid (see !facts)"), complete: completeName },
    { name: "user", type: "user", positional: true, rest: true, description: "Address it to this person (they are pinged)" },
  ],
  async run(args, ctx) {
    const name = String(args["name"]).toLowerCase();
    const f = await findFactoid(ctx, name);
    if (!f) {
      const known = await callableNames(ctx.services.factoids, ctx);
      throw new UserError(known.length === 0 ? `This room has no factoids yet.` : `This room has no factoid ${name}. ${ctx.prefix}facts lists them.`);
    }
    // A call that comes late still answers; only its count is not written after the deadline.
    await ctx.services.factoids.use(ctx.room, name, { signal: ctx.signal }).catch((e: unknown) => {
      if (!(e instanceof DeadlinePassed)) throw e;
    });
    const typed = args["user"];
    return factoidReply(f.text, typed === undefined ? undefined : addressee(String(typed), ctx.mentions));
  },
});
