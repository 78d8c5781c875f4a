/** !facts [name]: this room's factoids by use, or who set one, when, and how often it was used. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { bold, listBlock, rich, textBlock, type RichText } from "../src/core/reply.js";
import { called, completeName, factNameOption, findFactoid } from "../src/factoids/command-helpers.js";
import { defuseRoomPings, factoidRich } from "../src/factoids/markup.js";
import type { Factoid } from "../src/factoids/store.js";

/** Factoids listed per page: a page fits one Discord message. */
export const PER_PAGE = 20;

const times = (n: number): string => (n === 1 ? "once" : `${n} times`);

export default defineCommand({
  name: "facts",
  summary: "List this room's factoids by use, or show who set one and when",
  examples: ["facts", "facts --page 2", "facts dontask"],
  options: [
    { ...factNameOption("Show this factoid's details", false), complete: completeName },
    { name: "page", type: "integer", min: 1, max: 1000, description: "Which page of the list" },
  ],
  async run(args, ctx) {
    const { factoids } = ctx.services;
    if (args["name"] !== undefined) {
      const name = String(args["name"]).toLowerCase();
      const f = await findFactoid(ctx, name);
      if (!f) throw new UserError(`This room has no factoid ${name}.`);
      return { blocks: [textBlock(...detailLine(ctx.prefix === "/" ? `/fact name:${name}` : called(ctx, name), f)), { kind: "text", text: factoidRich(f.text) }] };
    }
    const all = ctx.direct ? (await factoids.list(ctx.room)).filter((f) => f.isDefault) : await factoids.list(ctx.room);
    if (all.length === 0) return { blocks: [textBlock(`This room has no factoids. Room managers add them with ${ctx.prefix}learn <name> <text>.`)] };
    const pages = Math.ceil(all.length / PER_PAGE);
    const page = Number(args["page"] ?? 1);
    if (page > pages) throw new UserError(`There ${pages === 1 ? "is 1 page" : `are ${pages} pages`} of factoids here.`);
    const items: RichText[] = all
      .slice((page - 1) * PER_PAGE, page * PER_PAGE)
      .map((f) => rich(bold(f.name), ` · ${f.uses === 0 ? "not used yet" : `used ${times(f.uses)}`}${f.isDefault ? " · default" : ""}`));
    const title = rich(`Factoids here (${all.length}), most used first${pages > 1 ? `, page ${page} of ${pages}` : ""}:`);
    const blocks = [listBlock(items, title)];
    if (page < pages) blocks.push(textBlock(`More: ${ctx.prefix === "/" ? "/facts page:" : `${ctx.prefix}facts --page `}${page + 1}`));
    return { blocks };
  },
});

function detailLine(shown: string, f: Factoid): (string | ReturnType<typeof bold>)[] {
  const used = f.uses === 0 ? "not used yet" : `used ${times(f.uses)}`;
  if (f.isDefault || !f.current) return [bold(shown), `: a default of this nixie (from its configuration), ${used}. It says:`];
  // A display name is the setter's own text: "@room" in it must not ping the room either.
  const by = defuseRoomPings(f.current.setBy.name ?? f.current.setBy.id);
  const versions = f.previous === 0 ? "" : `, ${f.previous} earlier version${f.previous === 1 ? "" : "s"} kept`;
  return [bold(shown), `: set by ${by} on ${f.current.setAt.slice(0, 10)}, ${used}${versions}. It says:`];
}
