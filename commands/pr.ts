/** !pr <n>: a nixpkgs pull request's state and which branches and channels it has reached. */
import { defineCommand } from "../src/core/command.js";
import { lookUp, prOption } from "./shared/pull-request.js";
import type { Reply } from "../src/core/reply.js";
import { parsePullRef, statusBlocks } from "../src/pr-tracking/format.js";

export default defineCommand({
  name: "pr",
  summary: "Which branches and channels a nixpkgs pull request has reached",
  details: "Shows the pull request's state and every branch on its way from its base branch to the channels, each marked reached, not yet or not on its way.",
  examples: ["pr 345678", "pr nixpkgs#345678", "pr https://github.com/NixOS/nixpkgs/pull/345678"],
  options: [prOption],
  slow: true,
  async run(args, ctx): Promise<Reply> {
    const n = parsePullRef(String(args["pr"]));
    const { status, stale } = await lookUp(ctx.services, n, { signal: ctx.signal });
    return { blocks: statusBlocks(status, { stale }) };
  },
});
