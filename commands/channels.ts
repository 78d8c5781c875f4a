/** !channels: every current channel with its revision, age, status and Hydra job. */
import { defineCommand } from "../src/core/command.js";
import { channelsReply } from "../src/channels/format.js";

export default defineCommand({
  name: "channels",
  summary: "Every current NixOS channel: revision, age, fine/late/stuck, Hydra job",
  details: "As on status.nixos.org: fine under 3 days, late under 10 days, stuck from 10 days. The answer may be up to a minute old.",
  examples: ["channels"],
  slow: true,
  options: [],
  async run(_args, ctx) {
    const { channels } = ctx.services;
    return channelsReply(await channels.snapshot(), ctx.now().getTime(), channels.urls);
  },
});
