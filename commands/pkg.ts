/** !pkg: the best matching packages on search.nixos.org, with version, description and links. */
import { defineCommand, type Args, type Choice, type CompletionContext, type StringOption } from "../src/core/command.js";
import { cardBlock, code, link, rich, textBlock, textReply, type Block, type Card, type CardField, type RichText, type Span } from "../src/core/reply.js";
import { truncate } from "../src/render/text.js";
import type { NixosSearch, OptionSource, PackageHit, SearchPage } from "../src/upstream/nixos-search.js";

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
export function completeNames(
  kind: "package" | "program" | ((others: CompletionContext["others"]) => OptionSource),
): (partial: string, ctx: CompletionContext) => Promise<readonly Choice[]> {
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
    const names = await search.complete(k, partial, { ...(channel === undefined ? {} : { channel }), deadline: ctx.deadline });
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

/** Maintainers a card names; the rest are counted ("+2 more"). */
export const CARD_MAINTAINERS = 5;
const CARD_TEAMS = 3;
const CARD_LICENSES = 4;

/** "a, b, c": spans joined by commas. */
function commaList(items: readonly Span[], more: number): RichText {
  const out: Span[] = [];
  items.forEach((s, i) => {
    if (i > 0) out.push({ kind: "text", text: ", " });
    out.push(s);
  });
  if (more > 0) out.push({ kind: "text", text: `${items.length > 0 ? ", " : ""}+${more} more` });
  return out;
}

/** Up to five maintainers (GitHub profiles linked), "+N more", and the teams (their GitHub team linked). */
function peopleFields(hit: PackageHit): CardField[] {
  const fields: CardField[] = [];
  if (hit.maintainers.length > 0) {
    const shown = hit.maintainers.slice(0, CARD_MAINTAINERS).map((m) => {
      const name = truncate(m.name, 40);
      return m.github === undefined ? ({ kind: "text", text: name } as const) : link(name, `https://github.com/${m.github}`);
    });
    fields.push({ name: "Maintainers", value: commaList(shown, hit.maintainers.length - shown.length), inline: true });
  }
  if (hit.teams.length > 0) {
    const shown = hit.teams.slice(0, CARD_TEAMS).map((t) => {
      const name = truncate(t.name, 40);
      const slug = t.githubTeams[0];
      return slug === undefined ? ({ kind: "text", text: name } as const) : link(name, `https://github.com/orgs/NixOS/teams/${slug}`);
    });
    fields.push({ name: hit.teams.length === 1 ? "Team" : "Teams", value: commaList(shown, hit.teams.length - shown.length), inline: true });
  }
  return fields;
}

export function packageCard(hit: PackageHit, url: string, sourceUrl: string | undefined): Card {
  const homepage = hit.homepages[0];
  const fields: CardField[] = [];
  if (homepage !== undefined) fields.push({ name: "Homepage", value: rich(link(truncate(homepage, 100), homepage)) });
  fields.push(...peopleFields(hit));
  if (hit.licenses.length > 0) {
    const shown = hit.licenses.slice(0, CARD_LICENSES).map((l) => ({ kind: "text", text: truncate(l, 40) }) as const);
    fields.push({ name: hit.licenses.length === 1 ? "License" : "Licenses", value: commaList(shown, hit.licenses.length - shown.length), inline: true });
  }
  if (hit.position !== undefined) {
    const shown = truncate(hit.position, 120);
    fields.push({ name: "Source", value: [sourceUrl === undefined ? code(shown) : link(shown, sourceUrl)] });
  }
  return {
    title: hit.version === undefined ? hit.attrName : `${hit.attrName} ${hit.version}`,
    url,
    ...(hit.description === undefined ? {} : { description: rich(truncate(hit.description.replace(/\s+/g, " ").trim(), 300)) }),
    ...(fields.length === 0 ? {} : { fields }),
  };
}

export default defineCommand({
  name: "pkg",
  summary: "Find a package on search.nixos.org: version, description, maintainers, license, source",
  details: "Words starting with - exclude (firefox -esr); a trailing * matches any ending (fire*). The answer links to the full search on search.nixos.org.",
  examples: ["pkg firefox", "pkg --channel 26.05 python3 requests", "pkg firefox -esr"],
  slow: true,
  options: [
    channelOption,
    {
      name: "query",
      type: "string",
      description: "What to search for: a package name or words of its description",
      positional: true,
      required: true,
      rest: true,
      complete: completeNames("package"),
    },
  ],
  async run(args, ctx) {
    const search = ctx.services.search;
    const channel = channelArg(args, search);
    const query = String(args["query"] ?? "");
    const page = await search.packages(query, { channel, deadline: ctx.deadline });
    if (page.hits.length === 0) {
      return textReply(
        "No package matches ",
        code(truncate(query, 60)),
        ` on ${channel}. Try fewer or other words, or ${ctx.prefix}locate for a program name. `,
        link("Search on the site", page.searchUrl),
      );
    }
    return {
      blocks: [
        ...page.hits.map((h) =>
          cardBlock(packageCard(h, search.packagesUrl(channel, query.trim(), h.attrName), h.position === undefined ? undefined : search.positionUrl(channel, h.position))),
        ),
        ...moreResults(page, "result", "results"),
      ],
    };
  },
});
