/** !pr <n>: a nixpkgs pull request's state and which branches and channels it has reached. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { textBlock, type Reply } from "../src/core/reply.js";
import { referenceLine } from "../src/links/expander.js";
import { parseReference, type Reference } from "../src/links/references.js";
import type { Services } from "../src/core/services.js";
import { limitedReply, parsePullRef, statusBlocks } from "../src/tracking/format.js";
import type { PullStatus } from "../src/tracking/status.js";
import { GitHubLimitError, GitHubNotFoundError, NIXPKGS } from "../src/upstream/github.js";

/** The `pr` option shared by !pr, !track and !untrack. */
export const prOption = {
  name: "pr",
  type: "string",
  description: "Pull request: 345678, nixpkgs#345678 or its GitHub URL",
  required: true,
  positional: true,
  maxLength: 120,
} as const;

/**
 * Looks a pull request up now; when GitHub's budget is used up, the last answer kept (with its
 * time), or a refusal saying when GitHub can be asked again.
 */
export async function lookUp(services: Services, n: number, deadline?: number): Promise<{ status: PullStatus; stale: boolean }> {
  try {
    return { status: await services.prStatus.lookup(n, "command", deadline === undefined ? {} : { deadline }), stale: false };
  } catch (e) {
    if (e instanceof GitHubNotFoundError) {
      throw new UserError(e.isIssue ? `#${n} is an issue of ${NIXPKGS}, not a pull request.` : `There is no pull request #${n} in ${NIXPKGS}.`);
    }
    if (!(e instanceof GitHubLimitError)) throw e;
    const kept = await services.prStatus.cached(n);
    if (!kept) throw new UserError(limitedReply(e.until));
    return { status: kept, stale: true };
  }
}

/**
 * A reference to another repository expansion knows (NixOS/nix#1): what expansion shows for it,
 * and that following branches and channels is for nixpkgs.
 */
async function otherRepository(services: Services, ref: Reference, now: number, prefix: string): Promise<Reply> {
  const it = await services.github.issue(ref.repo, ref.number, "command");
  if (!it) throw new UserError(`There is no issue or pull request #${ref.number} in ${ref.repo}.`);
  return {
    blocks: [
      textBlock(...referenceLine(it, ref.label, now)),
      textBlock(`${prefix}pr and ${prefix}track follow branches and channels for pull requests of ${NIXPKGS} only.`),
    ],
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
    const { status, stale } = await lookUp(ctx.services, n, ctx.deadline);
    return { blocks: statusBlocks(status, { stale }) };
  },
});
