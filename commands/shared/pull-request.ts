/** The pull request option and look-up shared by !pr, !track and !untrack. */
import { UserError } from "../../src/core/errors.js";
import type { Services } from "../../src/core/services.js";
import { limitedReply } from "../../src/pr-tracking/format.js";
import type { PullStatus } from "../../src/pr-tracking/landing.js";
import { GitHubLimitError, GitHubNotFoundError, NIXPKGS } from "../../src/upstream/github.js";

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
