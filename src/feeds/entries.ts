/**
 * Entry identity. An entry keeps its identity when its title or `updated` time changes, so an edit
 * is never posted again. (A post's delivery id is made of it: src/delivery/id.ts.)
 */
import { createHash } from "node:crypto";
import type { FeedItem } from "../upstream/feeds.js";
import type { FeedKind } from "./feed-def.js";

const TOPIC_GUID = /(?:^|-)topic-(\d+)$/;
const TOPIC_LINK = /\/t\/(?:[^/?#]+\/)?(\d+)(?:\/\d+)?\/?(?:[?#].*)?$/;
const YT_WATCH = /[?&]v=([A-Za-z0-9_-]{6,})/;

/** Longer ids are replaced by a hash: the seen list and the outbox keep ids, and feeds are upstream text. */
export const MAX_ENTRY_ID_LENGTH = 200;

/**
 * The identity of an entry within its feed: `topic:<id>` for Discourse (from the guid
 * `…-topic-<id>`, or the link `/t/<slug>/<id>`), `video:<id>` for YouTube, else the guid, else
 * the link (`guid#<hash>` or `link#<hash>` when longer than MAX_ENTRY_ID_LENGTH). Undefined when
 * the item has none of these (it is then ignored).
 */
export function entryId(item: FeedItem, kind: FeedKind): string | undefined {
  const id = rawEntryId(item, kind);
  if (id === undefined || id.length <= MAX_ENTRY_ID_LENGTH) return id;
  return `${id.slice(0, id.indexOf(":"))}#${createHash("sha256").update(id).digest("hex")}`;
}

function rawEntryId(item: FeedItem, kind: FeedKind): string | undefined {
  const topic = TOPIC_GUID.exec(item.guid ?? "")?.[1] ?? (kind === "discourse" ? TOPIC_LINK.exec(item.link ?? "")?.[1] : undefined);
  if (topic !== undefined) return `topic:${topic}`;
  const video = item.videoId ?? (kind === "youtube" ? YT_WATCH.exec(item.link ?? "")?.[1] : undefined);
  if (video !== undefined) return `video:${video}`;
  if (item.guid !== undefined) return `guid:${item.guid}`;
  if (item.link !== undefined) return `link:${item.link}`;
  return undefined;
}
