/** Options and helpers shared by the search commands (!pkg, !option, !locate, !versions, and any command that names a package). */
import type { Args, Choice, CompletionContext, StringOption } from "../../src/core/command.js";
import { link, textBlock, type Block } from "../../src/core/reply.js";
import type { NixosSearch, OptionSource, SearchPage } from "../../src/upstream/nixos-search.js";

/** The `--channel` option of the search commands: checked against config in run(). */
export const channelOption: StringOption = {
  name: "channel",
  type: "string",
  description: "NixOS channel, e.g. unstable or 26.05 (default: the configured one)",
  maxLength: 30,
  async complete(partial: string, ctx: CompletionContext): Promise<readonly Choice[]> {
    const p = partial.trim().toLowerCase();
    return ctx.services.search.channels.filter((c) => c.toLowerCase().startsWith(p)).map((c) => ({ name: c, value: c }));
  },
};

/** The `--channel` a search command was given, checked against config (UserError listing the valid ones). */
export function channelArg(args: Args, search: NixosSearch): string {
  const given = args["channel"];
  return search.channel(typeof given === "string" ? given : undefined);
}

/**
 * Autocomplete of a query option: names from the site's typeahead query, in the channel (and,
 * for options, the source) the user has already chosen, if any.
 */
export function completeNames(kind: "package" | "program" | ((others: CompletionContext["others"]) => OptionSource)): (partial: string, ctx: CompletionContext) => Promise<readonly Choice[]> {
  return async (partial, ctx) => {
    const search = ctx.services.search;
    const given = ctx.others["channel"];
    let channel: string | undefined;
    try {
      channel = typeof given === "string" && given !== "" ? search.channel(given) : undefined;
    } catch {
      channel = undefined; // not a channel (yet): complete in the default one
    }
    const k = typeof kind === "function" ? kind(ctx.others) : kind;
    const names = await search.complete(k, partial, { ...(channel === undefined ? {} : { channel }), signal: ctx.signal });
    return names.map((n) => ({ name: n, value: n }));
  };
}

/** "21 more results" with a link to the whole search, or nothing when everything is shown. */
export function moreResults(page: SearchPage<unknown>, noun: string, nouns: string): Block[] {
  const more = page.total - page.hits.length;
  if (more <= 0) return [];
  const count = page.totalIsLowerBound ? `${page.total}+ ${nouns} in all` : `${more} more ${more === 1 ? noun : nouns}`;
  return [textBlock(link(count, page.searchUrl), ` on search.nixos.org (${page.channel})`)];
}
