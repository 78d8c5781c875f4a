/**
 * Feed posts as replies: a card per entry (Discourse: title, category, author, excerpt, link;
 * Nix Hour: title, date, link, thumbnail). The "…and N more" line of a burst is the outbox's
 * (src/delivery/summary.ts), labelled with the feed's title and site.
 */
import { cardBlock, rich, type CardField, type Reply } from "../core/reply.js";
import { firstSentences, htmlToText } from "../render/html-text.js";
import { truncate } from "../render/text.js";
import type { FeedItem } from "../upstream/feeds.js";
import type { FeedDef } from "./feed-def.js";
import type { PostEntry } from "./state.js";

/** About 280 characters of plain text, as the issue asks. */
export const EXCERPT_CHARS = 280;

/** Discourse appends "N posts - M participants" and "Read full topic" to the first post's HTML. */
const DISCOURSE_TRAILER = /\s*\d+ posts? - \d+ participants?\s*(Read full topic)?\s*$/;

/**
 * Only the start of a post is shown: a longer text is cut here, and its trailer (at the end, far
 * beyond what is shown) needs no removal. This also keeps the trailer patterns, which backtrack,
 * off huge texts (a post of 40,000 digits took them 0.6 s, and the time grows with the square).
 */
const EXCERPT_SCAN_CHARS = 2000;

/** The plain-text excerpt of an item's HTML: no markup, no Discourse trailer, ~280 characters. */
export function excerptOf(html: string): string {
  // Code blocks are dropped: they say little in 280 characters.
  const text = htmlToText(html, { remove: ["aside.onebox", "div.discourse-post-event", "a.anchor", "pre"], singleLine: true });
  const shown = text.length > EXCERPT_SCAN_CHARS ? text.slice(0, EXCERPT_SCAN_CHARS) : text.replace(DISCOURSE_TRAILER, "").replace(/\s*Read full topic\s*$/, "");
  return firstSentences(shown, 4, EXCERPT_CHARS);
}

/** Longer links and images are left out of a post (Discord refuses an embed URL over 2048 characters). */
export const MAX_URL_LENGTH = 2048;

/** What is kept of an item when it is first seen (bounded: titles and excerpts are cut, overlong URLs left out). */
export function capturePost(item: FeedItem, id: string): PostEntry {
  const url = (u: string | undefined): string | undefined => (u && u.length <= MAX_URL_LENGTH ? u : undefined);
  const link = url(item.link);
  const e: Record<string, string> = { id, title: truncate(item.title ?? item.link ?? id, 250) };
  if (link) e["link"] = link;
  if (item.published) e["published"] = item.published;
  if (item.author) e["author"] = truncate(item.author, 100);
  if (item.categories[0]) e["category"] = truncate(item.categories[0], 100);
  const thumbnail = url(item.thumbnail);
  if (thumbnail) e["thumbnail"] = thumbnail;
  if (item.html && !item.videoId) {
    const ex = excerptOf(item.html);
    if (ex !== "") e["excerpt"] = ex;
  }
  return e as unknown as PostEntry;
}

/** "2026-11-20 14:03 UTC". */
export function utcDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** "2026-11-20". */
export function utcDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** The post for one new entry. */
export function formatPost(feed: FeedDef, e: PostEntry): Reply {
  const fields: CardField[] = [];
  if (feed.kind === "youtube") {
    if (e.published) fields.push({ name: "Published", value: rich(utcDate(e.published)), inline: true });
    return {
      blocks: [
        cardBlock({
          title: e.title,
          ...(e.link ? { url: e.link } : {}),
          fields,
          ...(e.thumbnail ? { image: e.thumbnail } : {}),
          footer: feed.title,
        }),
      ],
    };
  }
  if (e.category) fields.push({ name: "Category", value: rich(e.category), inline: true });
  if (e.author) fields.push({ name: "Author", value: rich(e.author), inline: true });
  return {
    blocks: [
      cardBlock({
        title: e.title,
        ...(e.link ? { url: e.link } : {}),
        ...(e.excerpt ? { description: rich(e.excerpt) } : {}),
        fields,
        footer: feed.title,
      }),
    ],
  };
}
