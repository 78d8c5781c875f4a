/** !track <pr> [--until <branch>]: post in this room when a nixpkgs pull request reaches branches. */
import { roomKey } from "../src/core/adapter.js";
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { bold, textBlock, type Reply } from "../src/core/reply.js";
import { branchesFrom } from "../src/pr-tracking/branches.js";
import { parsePullRef, prLink, statusBlocks } from "../src/pr-tracking/format.js";
import { parseReference } from "../src/links/references.js";
import { NIXPKGS } from "../src/upstream/github.js";
import { lookUp, prOption } from "./shared/pull-request.js";

export default defineCommand({
  name: "track",
  summary: "Post here when a nixpkgs pull request reaches a branch or channel",
  details:
    "Shows where the pull request stands now, then posts once for each branch it reaches later (or only when --until is reached), naming you. Tracking ends when every branch is reached or the pull request is closed.",
  examples: ["track 345678", "track nixpkgs#345678 --until nixos-unstable"],
  options: [prOption, { name: "until", type: "string", description: "Post only when this branch is reached, e.g. nixos-unstable", maxLength: 60 }],
  slow: true,
  async run(args, ctx): Promise<Reply> {
    const other = parseReference(String(args["pr"]));
    if (other && other.repo !== NIXPKGS) {
      throw new UserError(`${ctx.prefix}track follows pull requests of ${NIXPKGS} only; ${other.label} is in ${other.repo} (${ctx.prefix}pr ${other.label} shows it).`);
    }
    const n = parsePullRef(String(args["pr"]));
    const { status, stale } = await lookUp(ctx.services, n, { signal: ctx.signal });
    const way = branchesFrom(status.pull.baseRef).map((s) => s.name);
    const until = typeof args["until"] === "string" ? args["until"].trim() : undefined;
    if (until !== undefined && !way.includes(until)) {
      throw new UserError(`${until.slice(0, 60)} is not on the way of nixpkgs#${n} (into ${status.pull.baseRef}): choose one of ${way.join(", ")}.`);
    }
    const blocks = statusBlocks(status, { stale });
    const reached = status.rows.filter((r) => r.mark === "reached").map((r) => r.branch);
    if (status.pull.state === "closed") return { blocks: [...blocks, textBlock("It was closed without merge: there is nothing to track.")] };
    if (until !== undefined ? reached.includes(until) : reached.length === way.length) {
      return { blocks: [...blocks, textBlock("It has already reached ", bold(until ?? "every branch"), ": there is nothing to track.")] };
    }
    const { github } = ctx.services.config;
    const result = await ctx.services.tracks.add(
      roomKey(ctx.room),
      { pr: n, asker: { id: ctx.user.id, ...(ctx.user.name ? { name: ctx.user.name } : {}) }, ...(until !== undefined ? { until } : {}), since: ctx.now().toISOString(), done: reached },
      { perRoom: github.maxTracksPerRoom, perUser: github.maxTracksPerUser },
      { signal: ctx.signal },
    );
    switch (result) {
      case "exists":
        throw new UserError(`You already track nixpkgs#${n} in this room.`);
      case "room-full":
        throw new UserError(`This room already tracks ${github.maxTracksPerRoom} pull requests, the most it may. ${ctx.prefix}untrack one first.`);
      case "user-full":
        throw new UserError(`You already track ${github.maxTracksPerUser} pull requests, the most one person may. ${ctx.prefix}untrack one first.`);
      case "added":
        return {
          blocks: [
            ...blocks,
            textBlock(
              "Tracking ",
              prLink(status.pull),
              until !== undefined ? ": I will tell you here when it reaches " : ": I will tell you here each time it reaches another branch",
              ...(until !== undefined ? [bold(until)] : []),
              `. ${ctx.prefix}untrack ${n} stops it.`,
            ),
          ],
        };
    }
  },
});
