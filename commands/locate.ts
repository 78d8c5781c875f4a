/** !locate: which packages provide a program of that name. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { code, link, listBlock, rich, textReply, type RichText } from "../src/core/reply.js";
import { SLASH } from "../src/core/usage.js";
import { truncate } from "../src/render/text.js";
import type { ProgramHit } from "../src/upstream/nixos-search.js";
import { channelArg, channelOption, completeNames, moreResults } from "./shared/search-options.js";

function item(hit: ProgramHit, url: string): RichText {
  const parts: RichText[number][] = [link(hit.attrName, url)];
  if (hit.version !== undefined) parts.push({ kind: "text", text: ` ${hit.version}` });
  if (!hit.exact && hit.program !== undefined) parts.push({ kind: "text", text: " (provides " }, code(truncate(hit.program, 60)), { kind: "text", text: ")" });
  if (hit.description !== undefined) parts.push({ kind: "text", text: ` — ${truncate(hit.description.replace(/\s+/g, " ").trim(), 120)}` });
  return parts;
}

export default defineCommand({
  name: "locate",
  summary: "Which packages provide a program (a binary in bin/)",
  details: "Exact program names first (the package named like the program before others that ship it), then programs whose name starts with it; the more popular, then shorter package names first.",
  examples: ["locate rg", "locate --channel 26.05 convert"],
  slow: true,
  options: [
    channelOption,
    {
      name: "program",
      type: "string",
      description: "The program's name, e.g. rg",
      positional: true,
      required: true,
      rest: true,
      maxLength: 100,
      complete: completeNames("program"),
    },
  ],
  async run(args, ctx) {
    const search = ctx.services.search;
    const channel = channelArg(args, search);
    const program = String(args["program"] ?? "").trim();
    if (/\s/u.test(program)) throw new UserError(`Give one program name, e.g. ${ctx.prefix === SLASH ? `${SLASH}locate program:rg` : `${ctx.prefix}locate rg`}.`);
    const page = await search.programs(program, { channel, signal: ctx.signal });
    if (page.hits.length === 0) {
      return textReply("No package provides a program named ", code(truncate(program, 60)), ` on ${channel}. `, link("Search on the site", page.searchUrl));
    }
    const exact = page.hits.some((h) => h.exact);
    const title = rich(exact ? "Packages with a program named " : "No exact match; programs starting with ", code(truncate(program, 60)), ` (${channel}):`);
    return {
      blocks: [
        listBlock(
          page.hits.map((h) => item(h, search.packagesUrl(channel, program, h.attrName))),
          title,
        ),
        ...moreResults(page, "package", "packages"),
      ],
    };
  },
});
