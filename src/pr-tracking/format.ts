/**
 * Replies about nixpkgs pull requests: the branch table of !pr and !track, the lines of !tracked,
 * and the tracking posts. Titles are upstream text: they go into the reply model as plain text,
 * and the renderers escape them.
 */
import { UserError } from "../core/errors.js";
import { bold, cardBlock, link, mention, rich, textBlock, type Block, type Card, type Reply, type RichText } from "../core/reply.js";
import { truncate } from "../render/text.js";
import { NIXPKGS, type PullRequest } from "../upstream/github.js";
import type { BranchMark, PullStatus } from "./landing.js";

const MARKS: Readonly<Record<BranchMark, string>> = {
  reached: "✅ reached",
  "not yet": "⏳ not yet",
  "not on its way": "✖️ not on its way",
};

/** Pull request numbers GitHub could have (nixpkgs is far below this). */
const MAX_PR = 100_000_000;

/**
 * The pull request number in `123456`, `#123456`, `nixpkgs#123456`, `NixOS/nixpkgs#123456` or
 * `https://github.com/NixOS/nixpkgs/pull/123456`; UserError for anything else.
 */
export function parsePullRef(raw: string): number {
  const s = raw.trim();
  const url = /^https?:\/\/(?:www\.)?github\.com\/([^/\s]+)\/([^/\s]+)\/(pull|issues)\/(\d+)(?:[/?#]\S*)?$/i.exec(s);
  let digits: string | undefined;
  if (url) {
    if (`${url[1]}/${url[2]}`.toLowerCase() !== NIXPKGS.toLowerCase()) throw new UserError(`Only pull requests of ${NIXPKGS} can be looked up, not ${truncate(`${url[1]}/${url[2]}`, 60)}.`);
    digits = url[4];
  } else {
    const m = /^(?:(?:NixOS\/)?nixpkgs)?#?(\d+)$/i.exec(s);
    if (!m) throw new UserError(`"${truncate(s, 60)}" is not a pull request: give its number, nixpkgs#N, or its GitHub URL.`);
    digits = m[1];
  }
  const n = Number(digits);
  if (digits!.length > 9 || !Number.isSafeInteger(n) || n < 1 || n >= MAX_PR) throw new UserError(`${truncate(digits!, 12)} is not a pull request number of ${NIXPKGS}.`);
  return n;
}

/** "merged on 2026-11-21", "open", "draft", "closed without merge". */
export function stateText(pull: PullRequest): string {
  switch (pull.state) {
    case "merged":
      return pull.mergedAt ? `merged on ${pull.mergedAt.slice(0, 10)}` : "merged";
    case "closed":
      return "closed without merge";
    default:
      return pull.state;
  }
}

/** "nixpkgs#123456" linked to the pull request. */
export const prLink = (pull: Pick<PullRequest, "number" | "url">): ReturnType<typeof link> => link(`nixpkgs#${pull.number}`, pull.url);

const timeText = (iso: string): string => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** The card of a pull request with a field per branch (Discord: an embed; Matrix: a list). */
export function statusBlocks(status: PullStatus, opts: { stale?: boolean } = {}): Block[] {
  const { pull } = status;
  const card: Card = {
    title: truncate(`#${pull.number} ${pull.title}`, 250),
    url: pull.url,
    description: rich("by ", link(pull.author, `https://github.com/${encodeURIComponent(pull.author)}`), ` · ${stateText(pull)} · into `, bold(pull.baseRef)),
    fields: status.rows.map((r) => ({ name: r.branch, value: rich(MARKS[r.mark]), inline: true })),
    fieldsAsList: true,
  };
  const blocks: Block[] = [cardBlock(card)];
  if (status.noMergeCommit) blocks.push(textBlock("GitHub gives no merge commit for this pull request, so nixie cannot tell which other branches have it."));
  if (opts.stale) blocks.push(textBlock(`As of ${timeText(status.asOf)}: GitHub's hourly request budget is used up.`));
  else if (status.late) blocks.push(textBlock("GitHub was slow to answer: the branches it had not answered for in time show what nixie knew before."));
  else if (status.incomplete)
    blocks.push(textBlock(`Some branches could not be checked now (GitHub's hourly request budget); they show what was known. GitHub can be asked again at ${timeText(status.incomplete.until)}.`));
  return blocks;
}

/** "GitHub can be asked again at …" for a look-up with nothing cached. */
export function limitedReply(until: Date): string {
  return `GitHub's hourly request budget is used up and nixie knows nothing yet about this pull request. GitHub can be asked again at ${timeText(until.toISOString())}.`;
}

/** Who asked for a tracking: pinged by the post. */
export interface Asker {
  readonly id: string;
  readonly name?: string;
}

const askerSpan = (a: Asker) => mention(a.name ?? a.id, a.id);

/** The post when a tracked pull request has reached a branch. */
export function reachedPost(pull: Pick<PullRequest, "number" | "url" | "title">, branch: string, asker: Asker, last: boolean): Reply {
  const text: RichText = rich(askerSpan(asker), ": ", link(`nixpkgs#${pull.number}`, pull.url), ` (${truncate(pull.title, 120)}) has reached `, bold(branch), last ? ". Tracking ends." : ".");
  return { blocks: [{ kind: "text", text }], mentions: [asker.id] };
}

/** The post when a tracked pull request was closed without being merged. */
export function closedPost(pull: Pick<PullRequest, "number" | "url" | "title">, asker: Asker): Reply {
  const text: RichText = rich(askerSpan(asker), ": ", link(`nixpkgs#${pull.number}`, pull.url), ` (${truncate(pull.title, 120)}) was closed without being merged. Tracking ends.`);
  return { blocks: [{ kind: "text", text }], mentions: [asker.id] };
}
