/** !option: NixOS (or Home Manager, nix-darwin) options on search.nixos.org: type, default, description. */
import { defineCommand, type CommandContext } from "../src/core/command.js";
import { cardBlock, code, link, textReply, type Card, type CardField } from "../src/core/reply.js";
import { SLASH } from "../src/core/usage.js";
import { htmlToRich } from "../src/render/html-text.js";
import { truncate, truncateRich } from "../src/render/text.js";
import { OPTION_SOURCES, type NixosSearch, type OptionHit, type OptionSource } from "../src/upstream/nixos-search.js";
import { channelArg, channelOption, completeNames, moreResults } from "./shared/search-options.js";

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, " ").trim();

function optionCard(hit: OptionHit, search: NixosSearch, channel: string, query: string, source: OptionSource): Card {
  const fields: CardField[] = [];
  if (hit.type !== undefined) fields.push({ name: "Type", value: [code(truncate(oneLine(hit.type), 100))], inline: true });
  if (hit.defaultValue !== undefined) fields.push({ name: "Default", value: [code(truncate(oneLine(hit.defaultValue), 100))], inline: true });
  if (hit.declaredIn !== undefined) {
    const url = search.declarationUrl(channel, source, hit.declaredIn);
    const shown = truncate(hit.declaredIn, 120);
    fields.push({ name: "Declared in", value: [url === undefined ? code(shown) : link(shown, url)] });
  }
  const description = hit.descriptionHtml === undefined ? [] : truncateRich(htmlToRich(hit.descriptionHtml, { singleLine: true }), 300);
  return {
    title: hit.name,
    url: search.optionsUrl(channel, query, source, hit.name),
    ...(description.length === 0 ? {} : { description }),
    ...(fields.length === 0 ? {} : { fields }),
  };
}

export default defineCommand({
  name: "option",
  summary: "Find a NixOS, Home Manager or nix-darwin option: type, default, description",
  details: "Words starting with - exclude. The source option (home-manager or darwin) searches those options instead of NixOS's.",
  examples: ["option services.nginx.enable", "option --source home-manager programs.git", "option --channel 26.05 networking firewall"],
  slow: true,
  options: [
    channelOption,
    { name: "source", type: "choice", description: "Whose options (default: nixos)", choices: OPTION_SOURCES },
    {
      name: "query",
      type: "string",
      description: "An option name (services.nginx.enable) or words of its description",
      positional: true,
      required: true,
      rest: true,
      complete: completeNames((others) => {
        const source = others["source"];
        return (OPTION_SOURCES as readonly unknown[]).includes(source) ? (source as OptionSource) : "nixos";
      }),
    },
  ],
  async run(args, ctx: CommandContext) {
    const search = ctx.services.search;
    const channel = channelArg(args, search);
    const source = (OPTION_SOURCES as readonly unknown[]).includes(args["source"]) ? (args["source"] as OptionSource) : "nixos";
    const query = String(args["query"] ?? "");
    const page = await search.options(query, { channel, source, signal: ctx.signal });
    if (page.hits.length === 0) {
      const other = source === "nixos" ? ` Home Manager options: ${ctx.prefix === SLASH ? "source:home-manager" : "--source home-manager"}.` : "";
      return textReply("No option matches ", code(truncate(query, 60)), ` on ${channel} (${source}).${other} `, link("Search on the site", page.searchUrl));
    }
    return {
      blocks: [...page.hits.map((h) => cardBlock(optionCard(h, search, channel, query.trim(), source))), ...moreResults(page, "option", "options")],
    };
  },
});
