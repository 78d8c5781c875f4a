/** The replies of !channels and !channel (pure functions of a snapshot, the tracker and the time). */
import { bold, cardBlock, code, link, rich, textBlock, type Block, type CardField, type Reply, type Span } from "../core/reply.js";
import type { ChannelUrls } from "./urls.js";
import type { ChannelInfo, ChannelSnapshot } from "./snapshot.js";
import { ageText, shortRev, statusOf, utcMinute } from "./thresholds.js";
import type { TrackedChannel } from "./history.js";

/** Problems listed under a reply, at most. */
const MAX_PROBLEMS = 3;

function jobWords(c: ChannelInfo): string {
  if (c.jobFailed === undefined) return "Hydra job unknown";
  return c.jobFailed ? "Hydra job failing" : "Hydra job passing";
}

/** "0123456 · 14 h ago · fine · Hydra job passing" */
function summary(c: ChannelInfo, now: number, urls: ChannelUrls): Span[] {
  const status = statusOf(c.updatedAt, now);
  const parts: Span[] = [link(shortRev(c.revision), urls.commit(c.revision)), { kind: "text", text: ` · ${ageText(c.updatedAt, now)} · ` }];
  parts.push(status === "fine" ? { kind: "text", text: status } : bold(status));
  const job = jobWords(c);
  parts.push({ kind: "text", text: " · " });
  if (c.hydraJob) parts.push(link(job, urls.hydraJob(c.hydraJob)));
  else parts.push({ kind: "text", text: job });
  return parts;
}

/** Where the data came from and what was left out, as text blocks. */
function notes(snap: ChannelSnapshot): Block[] {
  const blocks: Block[] = [];
  if (snap.source === "mirror") blocks.push(textBlock(`Prometheus did not answer usably (${snap.primaryError ?? "error"}); revisions and times come from channels.nixos.org, without Hydra status.`));
  if (snap.problems.length > 0) {
    const shown = snap.problems.slice(0, MAX_PROBLEMS).join("; ");
    const more = snap.problems.length > MAX_PROBLEMS ? ` (and ${snap.problems.length - MAX_PROBLEMS} more)` : "";
    blocks.push(textBlock(`Left out, because the answer about them is wrong: ${shown}${more}.`));
  }
  return blocks;
}

export function channelsReply(snap: ChannelSnapshot, now: number, urls: ChannelUrls): Reply {
  const current = snap.channels.filter((c) => c.current);
  const fields: CardField[] = current.map((c) => ({ name: c.name, value: summary(c, now, urls) }));
  return {
    blocks: [
      cardBlock({
        title: "NixOS channels",
        url: urls.status,
        ...(current.length === 0 ? { description: rich("No current channel in the answer.") } : {}),
        fields,
        // Matrix: one list item per channel
        fieldsAsList: true,
        footer: "fine < 3 days, late < 10 days, stuck from 10 days · status.nixos.org",
      }),
      ...notes(snap),
    ],
  };
}

export function channelReply(c: ChannelInfo, tracked: TrackedChannel | undefined, snap: ChannelSnapshot, now: number, urls: ChannelUrls): Reply {
  const fields: CardField[] = [
    { name: "Revision", value: rich(link(c.revision, urls.commit(c.revision))) },
    { name: "Advanced", value: rich(`${utcMinute(c.updatedAt)} (${ageText(c.updatedAt, now)})`), inline: true },
    { name: "Status", value: rich(statusOf(c.updatedAt, now)), inline: true },
  ];
  // The revision before this one: the tracker's, whether or not its poll has seen the current one yet.
  const prev = tracked === undefined ? undefined : tracked.revision === c.revision ? tracked.previous : { revision: tracked.revision, updatedAt: tracked.updatedAt };
  fields.push({
    name: "Previous revision",
    value: prev
      ? rich(link(shortRev(prev.revision), urls.commit(prev.revision)), ` (${utcMinute(prev.updatedAt)}) · `, link("compare", urls.compare(prev.revision, c.revision)))
      : rich("none seen by nixie yet"),
  });
  const jobState = c.jobFailed === undefined ? "unknown" : c.jobFailed ? "failing" : "passing";
  fields.push({ name: "Hydra", value: c.hydraJob ? rich(link(c.hydraJob, urls.hydraJob(c.hydraJob)), ` · ${jobState}`) : rich(jobState) });
  return {
    blocks: [
      cardBlock({
        title: `Channel ${c.name}`,
        url: urls.status,
        ...(c.current ? {} : { description: rich("Not a current channel (", code(c.status ?? "not current"), ").") }),
        fields,
        footer: "status.nixos.org",
      }),
      ...notes(snap),
    ],
  };
}
