/** !pr <n>: a nixpkgs pull request's state and which branches and channels it has reached. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { textBlock, type Reply } from "../src/core/reply.js";
import type { Services } from "../src/core/services.js";
import { referenceLine } from "../src/links/expander.js";
import { parseReference, type Reference } from "../src/links/references.js";
import { parsePullRef, statusBlocks } from "../src/pr-tracking/format.js";
import { NIXPKGS } from "../src/upstream/github.js";
import { lookUp, prOption } from "./shared/pull-request.js";

/**
 * A reference to another repository expansion knows (NixOS/nix#1): what expansion shows for it,
 * and that following branches and channels is for nixpkgs.
 */
async function otherRepository(services: Services, ref: Reference, now: number, prefix: string): Promise<Reply> {
  const it = await services.github.issue(ref.repo, ref.number, "command");
  if (!it) throw new UserError(`There is no issue or pull request #${ref.number} in ${ref.repo}.`);
  return {
    blocks: [textBlock(...referenceLine(it, ref.label, now)), textBlock(`${prefix}pr and ${prefix}track follow branches and channels for pull requests of ${NIXPKGS} only.`)],
  };
}

export default defineCommand({
  name: "pr",
  summary: "Which branches and channels a nixpkgs pull request has reached",
  details: "Shows the pull request's state and every branch on its way from its base branch to the channels, each marked reached, not yet or not on its way.",
  examples: ["pr 345678", "pr nixpkgs#345678", "pr https://github.com/NixOS/nixpkgs/pull/345678"],
  options: [prOption],
  slow: true,
  async run(args, ctx): Promise<Reply> {
    const other = parseReference(String(args["pr"]));
    if (other && other.repo !== NIXPKGS) return otherRepository(ctx.services, other, ctx.now().getTime(), ctx.prefix);
    const n = parsePullRef(String(args["pr"]));
    const { status, stale } = await lookUp(ctx.services, n, { signal: ctx.signal });
    return { blocks: statusBlocks(status, { stale }) };
  },
});
