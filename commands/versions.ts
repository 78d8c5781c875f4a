/** !versions: one package attribute's version in every configured channel, side by side. */
import { defineCommand } from "../src/core/command.js";
import { link, textBlock, textReply, type Reply } from "../src/core/reply.js";
import { truncate } from "../src/render/text.js";
import type { ChannelVersion, VersionsAnswer } from "../src/upstream/nixos-search.js";
import { completeNames } from "./shared/search-options.js";

function inChannel(c: ChannelVersion): string {
  switch (c.status) {
    case "found":
      return `${c.channel} ${c.version ?? "(no version)"}`;
    case "missing":
      return `not in ${c.channel}`;
    case "failed":
      return `${c.channel} did not answer`;
  }
}

/** "hello: unstable 2.12.2 · 26.05 2.12.1" (pure; exported for tests). */
export function versionsReply(answer: VersionsAnswer, prefix: string): Reply {
  const name = truncate(answer.attrName, 100);
  if (answer.channels.every((c) => c.status === "missing")) {
    const channels = answer.channels.map((c) => c.channel);
    const where = channels.length <= 2 ? channels.join(" or ") : `${channels.slice(0, -1).join(", ")} or ${channels.at(-1) ?? ""}`;
    return textReply(`No package ${name} in ${where}. Search by words with ${prefix}pkg, or `, link("on the site", answer.searchUrl), ".");
  }
  return { blocks: [textBlock(`${name}: ${answer.channels.map(inChannel).join(" · ")}`)] };
}

export default defineCommand({
  name: "versions",
  summary: "A package's version in every channel, side by side",
  details: "Give the attribute name (as in nixpkgs: python3, python313Packages.requests). One request per channel, in parallel.",
  examples: ["versions hello", "versions python313Packages.requests"],
  slow: true,
  options: [
    {
      name: "attribute",
      type: "string",
      description: "The package's attribute name, e.g. hello",
      positional: true,
      required: true,
      rest: true,
      maxLength: 200,
      complete: completeNames("package"),
    },
  ],
  async run(args, ctx) {
    const answer = await ctx.services.search.versions(String(args["attribute"] ?? ""), { signal: ctx.signal });
    return versionsReply(answer, ctx.prefix);
  },
});
