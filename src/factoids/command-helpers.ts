/** What the factoid commands (commands/learn.ts, forget.ts, facts.ts, fact.ts) share. */
import type { Choice, CommandContext, CompletionContext, StringOption } from "../core/command.js";
import { SLASH } from "../core/usage.js";
import type { Factoid } from "./store.js";

/** The `name` option of the factoid commands (checked against the rules when a factoid is set). */
export function factNameOption(description: string, required = true): StringOption {
  return { name: "name", type: "string", positional: true, required, maxLength: 64, description };
}

/** How a factoid is called here, for replies: `!dontask`, or `/fact name:dontask` after a slash command. */
export const called = (ctx: Pick<CommandContext, "prefix">, name: string): string => (ctx.prefix === SLASH ? `${SLASH}fact name:${name}` : `${ctx.prefix}${name}`);

/** The factoid `name` as this conversation sees it: a direct message knows only the defaults. */
export async function findFactoid(ctx: Pick<CommandContext, "services" | "room" | "direct">, name: string): Promise<Factoid | undefined> {
  const f = await ctx.services.factoids.get(ctx.room, name);
  return ctx.direct && f && !f.isDefault ? undefined : f;
}

/** Factoid names for Discord's autocomplete: those of the channel typed in, most used first. */
export async function completeName(partial: string, ctx: CompletionContext): Promise<Choice[]> {
  const p = partial.trim().toLowerCase();
  const names = ctx.room ? (await ctx.services.factoids.list(ctx.room)).map((f) => f.name) : [...ctx.services.factoids.defaults.keys()];
  return names
    .filter((n) => n.startsWith(p))
    .slice(0, 25)
    .map((n) => ({ name: n, value: n }));
}
