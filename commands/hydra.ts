/** !hydra: is a package built on Hydra, since when is it failing, which dependency broke it, where is the log. */
import { AUTOCOMPLETE_TIMEOUT_MS, defineCommand } from "../src/core/command.js";
import { completeNames } from "./shared/search-options.js";

export default defineCommand({
  name: "hydra",
  summary: "Is a package built on Hydra? Since when is it failing, which dependency broke it, the log",
  details:
    "One line per platform of the channel's jobset: the version that built, or since when it fails, the dependency that broke it and the logs. Channels: nixpkgs-unstable (default), nixos-unstable, nixos-unstable-small, nixos-YY.MM or stable, nixpkgs-YY.MM-darwin, staging-next.",
  examples: ["hydra hello", "hydra python3Packages.requests --channel nixos-unstable"],
  slow: true,
  options: [
    {
      name: "channel",
      type: "string",
      description: "Channel whose Hydra jobset to ask, e.g. nixos-unstable (default: nixpkgs-unstable)",
      maxLength: 40,
      async complete(partial, ctx) {
        const p = partial.trim().toLowerCase();
        const names = await ctx.services.hydra.channelNames(Math.min(1000, AUTOCOMPLETE_TIMEOUT_MS / 2));
        return names
          .filter((n) => n.startsWith(p))
          .slice(0, 25)
          .map((n) => ({ name: n, value: n }));
      },
    },
    {
      name: "attribute",
      type: "string",
      description: "The package's attribute path, e.g. hello or python3Packages.requests",
      positional: true,
      required: true,
      maxLength: 100,
      complete: completeNames("package"),
    },
  ],
  async run(args, ctx) {
    const channel = typeof args["channel"] === "string" ? args["channel"] : undefined;
    return ctx.services.hydra.report(String(args["attribute"] ?? ""), channel, { deadline: ctx.deadline, signal: ctx.signal });
  },
});
