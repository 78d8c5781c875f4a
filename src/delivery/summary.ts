/** The "…and N more" line of a delivery round, for the posts past a room's cap. */
import { createHash } from "node:crypto";
import { link, textBlock, type Reply, type Span } from "../core/reply.js";
import { DELIVERY_ID_LENGTH } from "./id.js";

/**
 * What a capped post is summarised as: posts with the same `key` count together, and the line
 * links each group's `title` to its `url` (a feed: its title and site).
 */
export interface SummaryLabel {
  readonly key: string;
  readonly title: string;
  readonly url: string;
}

/** One line for the posts of a round that are not posted one by one. */
export function formatSummary(groups: readonly { readonly label: SummaryLabel; readonly count: number }[]): Reply {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const spans: Span[] = [{ kind: "text", text: `…and ${total} more new ${total === 1 ? "post" : "posts"}: ` }];
  groups.forEach((g, i) => {
    if (i > 0) spans.push({ kind: "text", text: ", " });
    spans.push(link(groups.length === 1 ? g.label.title : `${g.label.title} (${g.count})`, g.label.url));
  });
  return { blocks: [textBlock(...spans)] };
}

/** The delivery id of a summary line: the same room and summarised posts give the same id. */
export function summaryDeliveryId(room: string, ids: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([room, "summary", [...ids].sort()]))
    .digest("hex")
    .slice(0, DELIVERY_ID_LENGTH);
}
