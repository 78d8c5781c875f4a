/** !links on|off: expand bare nixpkgs#N, NixOS/nix#N and home-manager#N references in this room. */
import { roomKey } from "../src/core/adapter.js";
import { defineCommand } from "../src/core/command.js";
import { textReply } from "../src/core/reply.js";

export default defineCommand({
  name: "links",
  summary: "Turn expansion of nixpkgs#N, NixOS/nix#N, home-manager#N on or off here (managers)",
  details:
    "When on, nixie answers a message mentioning such references with one line each (title, state, author, age; the channels of a merged nixpkgs pull request). At most 3 per message, each once per 30 minutes. URLs, code and quotes are left alone.",
  examples: ["links on", "links off"],
  options: [{ name: "state", type: "choice", choices: ["on", "off"], description: "on or off", required: true, positional: true }],
  needsManager: true,
  async run(args, ctx) {
    const on = args["state"] === "on";
    const room = roomKey(ctx.room);
    const was = await ctx.services.linkExpander.enabled(room);
    await ctx.services.linkExpander.setEnabled(room, on, { signal: ctx.signal });
    if (was === on) return textReply(`Reference expansion is already ${on ? "on" : "off"} in this room.`);
    return textReply(on ? "Reference expansion is on: nixpkgs#N, NixOS/nix#N and home-manager#N get a line each." : "Reference expansion is off.");
  },
});
