/** !pkg: the best matching packages on search.nixos.org, with version, description and links. */
import { defineCommand } from "../src/core/command.js";
import { cardBlock, code, link, rich, textReply, type Card, type CardField, type RichText, type Span } from "../src/core/reply.js";
import { truncate } from "../src/render/text.js";
import type { PackageHit } from "../src/upstream/nixos-search.js";
import { channelArg, channelOption, completeNames, moreResults } from "./shared/search-options.js";

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
    const page = await search.packages(query, { channel, signal: ctx.signal });
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
        ...page.hits.map((h) => cardBlock(packageCard(h, search.packagesUrl(channel, query.trim(), h.attrName), h.position === undefined ? undefined : search.positionUrl(channel, h.position)))),
        ...moreResults(page, "result", "results"),
      ],
    };
  },
});
