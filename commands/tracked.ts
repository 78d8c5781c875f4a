/** !tracked: the pull requests this room tracks, and where each stands. */
import { roomKey } from "../src/core/adapter.js";
import { defineCommand } from "../src/core/command.js";
import { bold, listBlock, rich, textReply, type RichText } from "../src/core/reply.js";
import { truncate } from "../src/render/text.js";
import { prLink, stateText } from "../src/pr-tracking/format.js";

/** Tracks listed in one answer. */
const SHOWN = 10;

export default defineCommand({
  name: "tracked",
  summary: "The nixpkgs pull requests tracked in this room",
  options: [],
  async run(_args, ctx) {
    const tracks = await ctx.services.tracks.list(roomKey(ctx.room));
    if (tracks.length === 0) return textReply(`This room tracks no pull request. ${ctx.prefix}track <number> starts one.`);
    const items: RichText[] = [];
    // A room may track 25: all of them would not fit one Discord message (2,000 characters).
    for (const t of tracks.slice(0, SHOWN)) {
      // What the last check found; no GitHub request here.
      const s = await ctx.services.prStatus.cached(t.pr);
      const url = s?.pull.url ?? `https://github.com/NixOS/nixpkgs/pull/${t.pr}`;
      const reached = s?.rows.filter((r) => r.mark === "reached").map((r) => r.branch) ?? t.done;
      const last = reached[reached.length - 1];
      items.push(
        rich(
          prLink({ number: t.pr, url }),
          s ? ` ${truncate(s.pull.title, 60)} · ${stateText(s.pull)}` : "",
          last !== undefined ? " · reached " : " · nothing reached yet",
          ...(last !== undefined ? [bold(last)] : []),
          t.until !== undefined ? ` · until ${t.until}` : "",
          ` · for ${t.asker.name ?? t.asker.id}`,
        ),
      );
    }
    const more = tracks.length - items.length;
    if (more > 0) items.push(rich(`… and ${more} more (the oldest are shown)`));
    return { blocks: [listBlock(items, rich(`Tracked in this room (${tracks.length}):`))] };
  },
});
