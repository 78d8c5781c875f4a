/** Shared by the feed commands: the `feed` option (with autocomplete) and its lookup. */
import type { CommandContext, StringOption } from "../core/command.js";
import { UserError } from "../core/errors.js";
import { SLASH } from "../core/usage.js";
import type { FeedDef } from "./catalog.js";

/** How to type a feed command here: `!subscribe nixhour`, or `/subscribe feed:nixhour` as a slash command. */
export function feedCommand(prefix: string, command: string, feed: string): string {
  return prefix === SLASH ? `${SLASH}${command} feed:${feed}` : `${prefix}${command} ${feed}`;
}

/** A required positional `feed` option completed from the configured feeds. */
export function feedOption(description: string): StringOption {
  return {
    name: "feed",
    type: "string",
    description,
    required: true,
    positional: true,
    // `pkg:<attribute path of up to 200 characters>@<channel>`
    maxLength: 280,
    async complete(partial, ctx) {
      const p = partial.trim().toLowerCase();
      const { catalog } = ctx.services.feeds;
      // Providers complete their own names (pkg:hypr -> pkg:hyprland); a slow or failing one adds nothing.
      const own = (await Promise.all(catalog.providers.map(async (pr) => (await pr.complete?.(partial.trim(), { deadline: ctx.deadline, signal: ctx.signal }).catch(() => [])) ?? []))).flat();
      return [
        ...own.map((name) => ({ name, value: name })),
        ...catalog
          .list()
          .filter((f) => f.name.startsWith(p) || f.title.toLowerCase().includes(p))
          .map((f) => ({ name: `${f.name}: ${f.title}`.slice(0, 100), value: f.name })),
      ].slice(0, 25);
    },
  };
}

/** The configured feed of that name; a UserError naming the choices otherwise. */
export function resolveFeed(ctx: CommandContext, name: string): FeedDef {
  const feed = ctx.services.feeds.catalog.get(name);
  if (feed) return feed;
  // A provider's own words for a name of its form that is wrong (`pkg:foo bar`).
  for (const p of ctx.services.feeds.catalog.providers) {
    const why = p.explain?.(name);
    if (why !== undefined) throw new UserError(why);
  }
  const names = [...ctx.services.feeds.catalog.list().map((f) => f.name), ...ctx.services.feeds.catalog.patterns.map((p) => p.pattern)];
  throw new UserError(`There is no feed "${name.slice(0, 72)}". Feeds: ${names.join(", ")} (${ctx.prefix}feeds lists them).`);
}
