/** !channel <name>: one channel in detail (revision, when it advanced, the previous one, Hydra job). */
import { AUTOCOMPLETE_TIMEOUT_MS, defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { channelReply } from "../src/channels/format.js";

export default defineCommand({
  name: "channel",
  summary: "One NixOS channel in detail: revision, when it advanced, the previous one, Hydra job",
  examples: ["channel nixos-unstable"],
  slow: true,
  options: [
    {
      name: "name",
      type: "string",
      description: "The channel, e.g. nixos-unstable",
      required: true,
      positional: true,
      maxLength: 64,
      async complete(partial, ctx) {
        const p = partial.trim().toLowerCase();
        const names = await ctx.services.channels.names(AUTOCOMPLETE_TIMEOUT_MS);
        return names
          .filter((n) => n.includes(p))
          .slice(0, 25)
          .map((n) => ({ name: n, value: n }));
      },
    },
  ],
  async run(args, ctx) {
    const name = String(args["name"]).trim().toLowerCase();
    const { channels } = ctx.services;
    const snap = await channels.snapshot();
    const c = snap.channels.find((x) => x.name === name);
    if (!c) {
      const current = snap.channels.filter((x) => x.current).map((x) => x.name);
      const problem = snap.problems.find((p) => p.startsWith(`${name}:`));
      if (problem) throw new UserError(`nixie cannot show ${name} now: the answer about it is wrong (${problem.slice(name.length + 2)}).`);
      throw new UserError(`There is no channel "${name.slice(0, 64)}" now. Current channels: ${current.join(", ")}.`);
    }
    return channelReply(c, await channels.tracked(name), snap, ctx.now().getTime(), channels.urls);
  },
});
