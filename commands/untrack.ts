/** !untrack <pr>: stop tracking a pull request (its asker, or a room manager for any). */
import { roomKey } from "../src/core/adapter.js";
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { textReply } from "../src/core/reply.js";
import { parsePullRef } from "../src/pr-tracking/format.js";
import { prOption } from "./shared/pull-request.js";

export default defineCommand({
  name: "untrack",
  summary: "Stop tracking a nixpkgs pull request in this room",
  details: "The person who asked for a tracking can stop it; room managers can stop any.",
  options: [prOption],
  async run(args, ctx) {
    const n = parsePullRef(String(args["pr"]));
    const room = roomKey(ctx.room);
    const mine = (await ctx.services.tracks.list(room)).some((t) => t.pr === n && t.asker.id === ctx.user.id);
    const result = await ctx.services.tracks.remove(room, n, ctx.user.id, !mine && (await ctx.canManageRoom()), { signal: ctx.signal });
    if (result === "not-found") throw new UserError(`nixpkgs#${n} is not tracked in this room.`);
    if (result === "forbidden") throw new UserError(`Only the person who asked for it, or a room manager, can stop the tracking of nixpkgs#${n}.`);
    return textReply(`Stopped tracking nixpkgs#${n} here.`);
  },
});
