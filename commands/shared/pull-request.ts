/** The pull request option and look-up shared by !pr, !track and !untrack. */
import { UpstreamError, UserError } from "../../src/core/errors.js";
import type { Services } from "../../src/core/services.js";
import { limitedReply } from "../../src/pr-tracking/format.js";
import type { PullStatus } from "../../src/pr-tracking/landing.js";
import { GitHubNotFoundError, NIXPKGS } from "../../src/upstream/github.js";
import { deadlineOf, type Deadline } from "../../src/upstream/http.js";

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
 * time), or a refusal saying when GitHub can be asked again. `bound`: the command's signal
 * (`{ signal: ctx.signal }`; a bare deadline number is still taken).
 */
export async function lookUp(services: Services, n: number, bound: Deadline | number = {}): Promise<{ status: PullStatus; stale: boolean }> {
  const opts = typeof bound === "number" ? { deadline: bound } : deadlineOf(bound);
  try {
    return { status: await services.prStatus.lookup(n, "command", opts), stale: false };
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    if (e.failure === "not-found") {
      const isIssue = e instanceof GitHubNotFoundError && e.isIssue;
      throw new UserError(isIssue ? `#${n} is an issue of ${NIXPKGS}, not a pull request.` : `There is no pull request #${n} in ${NIXPKGS}.`);
    }
    if (e.failure !== "rate-limited") throw e;
    const kept = await services.prStatus.cached(n);
    if (!kept) throw new UserError(limitedReply(e.retryAt ?? new Date(Date.now() + 3_600_000)));
    return { status: kept, stale: true };
  }
}
