/** !forget <name>: removes one of this room's factoids and shows what it said (room managers only). */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { textBlock } from "../src/core/reply.js";
import { called, completeName, factNameOption } from "../src/factoids/command-helpers.js";
import { factoidRich } from "../src/factoids/markup.js";

export default defineCommand({
  name: "forget",
  summary: "Remove one of this room's factoids (room managers only)",
  examples: ["forget dontask"],
  options: [{ ...factNameOption("Which factoid (see !facts)"), complete: completeName }],
  needsManager: true,
  async run(args, ctx) {
    const name = String(args["name"]).toLowerCase();
    const { factoids } = ctx.services;
    const removed = await factoids.forget(ctx.room, name, { signal: ctx.signal });
    if (removed === undefined) {
      if (factoids.defaults.has(name))
        throw new UserError(`${called(ctx, name)} is one of this nixie's defaults, not this room's own; it cannot be forgotten, but learn can give it this room's own text.`);
      throw new UserError(`This room has no factoid ${name}.`);
    }
    const back = factoids.defaults.has(name) ? " The default text applies again." : "";
    return { blocks: [textBlock(`Forgot ${called(ctx, name)}.${back} It said:`), { kind: "text", text: factoidRich(removed) }] };
  },
});
