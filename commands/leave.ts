/**
 * !leave: a room manager sends nixie out of the room. The adapter leaves after this reply has
 * been sent; platforms where a bot cannot leave on request (Discord, the console) say so.
 */
import { defineCommand } from "../src/core/command.js";
import { textReply } from "../src/core/reply.js";

export default defineCommand({
  name: "leave",
  summary: "Make nixie leave this room (room managers only)",
  details: "Feed subscriptions of the room are removed when nixie has left.",
  options: [],
  needsManager: true,
  async run(_args, ctx) {
    if (!ctx.leaveRoom) return textReply(`${ctx.prefix}leave is not supported here.`);
    ctx.leaveRoom();
    return textReply("Goodbye! Invite me again whenever you like.");
  },
});
