/**
 * Reply -> Discord message payload (content + embeds). Every Discord limit is enforced here and
 * only here; mentions are disabled on every payload (`allowedMentions: { parse: [] }`) and also
 * defused in the text itself; only the users a reply lists in `mentions` may be pinged.
 */
import type { Block, Card, Reply, RichText } from "../core/reply.js";
import { charLength, isSafeUrl, stripControl, truncate } from "./text.js";

/** Discord's documented message and embed limits (characters). */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of all embed text in one message. */
  embedTotal: 6000,
  /** Embed url, image url; longer links are refused with a 400. */
  url: 2048,
  autocompleteChoices: 25,
  choiceLength: 100,
} as const;

export interface DiscordEmbed {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  image?: { url: string };
}

export interface DiscordMessagePayload {
  content?: string;
  embeds: DiscordEmbed[];
  allowedMentions: { parse: never[]; repliedUser?: boolean; users?: string[] };
  /** MessageFlags bits: SUPPRESS_EMBEDS for replies that must not show link previews. */
  flags?: number;
}

/** Discord's SUPPRESS_EMBEDS message flag (1 << 2). */
export const SUPPRESS_EMBEDS = 1 << 2;

const ZWSP = "\u200b";

/** Escapes Discord markdown and defuses mentions in user or upstream text. */
export function escapeDiscord(s: string): string {
  return stripControl(s)
    .replace(/([\\*_~`|[\]()>#-])/g, (m, c: string, offset: number, whole: string) => {
      // '>', '#' and '-' only mean something at the start of a line; leave them alone elsewhere.
      if ((c === ">" || c === "#" || c === "-") && !(offset === 0 || whole[offset - 1] === "\n")) return m;
      return `\\${c}`;
    })
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`)
    .replace(/<([@#])/g, `<${ZWSP}$1`);
}

/** Text inside a code span: backticks cannot be escaped there, so they are replaced. */
const codeText = (s: string): string => stripControl(s).replace(/`/g, "ˋ").replace(/\n/g, " ");

/** http(s) and within Discord's URL length; anything else is shown as text or left out. */
const usableUrl = (url: string): boolean => isSafeUrl(url) && new URL(url).href.length <= DISCORD_LIMITS.url;

function linkUrl(url: string): string {
  return new URL(url).href.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/ /g, "%20");
}

export function discordRich(text: RichText): string {
  return text
    .map((s) => {
      switch (s.kind) {
        case "text":
          return escapeDiscord(s.text);
        case "bold":
          return s.text === "" ? "" : `**${escapeDiscord(s.text)}**`;
        case "italic":
          return s.text === "" ? "" : `*${escapeDiscord(s.text)}*`;
        case "code":
          return s.text === "" ? "" : `\`${codeText(s.text)}\``;
        case "link":
          if (!usableUrl(s.url)) return escapeDiscord(s.text);
          return `[${escapeDiscord(s.text || s.url)}](${linkUrl(s.url)})`;
        case "mention":
          // Shown as a mention; it pings only when the reply lists the user (allowedMentions.users).
          return /^\d{5,25}$/.test(s.userId) ? `<@${s.userId}>` : escapeDiscord(s.text);
      }
    })
    .join("");
}

/** Room for a code block in a message, fences included, so it is never cut open. */
const CODE_BLOCK_MAX = 1900;

/**
 * A fenced code block. Discord closes a block at the first ``` whatever the opening fence, so a
 * zero-width space goes after every backtick that another follows: the text cannot break out.
 */
export function discordCodeBlock(text: string, language?: string): string {
  const lang = language !== undefined && /^[a-z0-9+#-]{1,20}$/.test(language) ? language : "";
  const body = stripControl(text).replace(/`(?=`)/g, `\`${ZWSP}`);
  const room = CODE_BLOCK_MAX - lang.length - 8;
  return `\`\`\`${lang}\n${charLength(body) > room ? truncate(body, room) : body}\n\`\`\``;
}

function contentOf(b: Exclude<Block, { kind: "card" }>): string {
  if (b.kind === "text") return discordRich(b.text);
  if (b.kind === "code") return discordCodeBlock(b.text, b.language);
  const items = b.items.map((i) => `• ${discordRich(i)}`);
  return (b.title ? [discordRich(b.title), ...items] : items).join("\n");
}

function embedOf(card: Card, isError: boolean): DiscordEmbed {
  // Titles and field names are plain text in the model, and Discord renders markdown in both.
  const e: DiscordEmbed = { title: truncate(escapeDiscord(stripControl(card.title)), DISCORD_LIMITS.title) };
  if (card.url && usableUrl(card.url)) e.url = new URL(card.url).href;
  if (card.description && card.description.length > 0) {
    const d = discordRich(card.description);
    if (d.trim() !== "") e.description = truncate(d, DISCORD_LIMITS.description);
  }
  const fields = (card.fields ?? []).slice(0, DISCORD_LIMITS.fields).map((f) => {
    const value = discordRich(f.value).trim();
    return {
      name: truncate(escapeDiscord(stripControl(f.name).trim()) || "—", DISCORD_LIMITS.fieldName),
      value: truncate(value === "" ? "—" : value, DISCORD_LIMITS.fieldValue),
      ...(f.inline ? { inline: true } : {}),
    };
  });
  if (fields.length > 0) e.fields = fields;
  if (card.footer) e.footer = { text: truncate(stripControl(card.footer), DISCORD_LIMITS.footer) };
  if (card.image && usableUrl(card.image)) e.image = { url: new URL(card.image).href };
  e.color = isError ? 0xd9534f : 0x5277c3; // NixOS blue
  return e;
}

/** Characters an embed counts against the 6000 total. */
export function embedLength(e: DiscordEmbed): number {
  let n = charLength(e.title ?? "") + charLength(e.description ?? "") + charLength(e.footer?.text ?? "");
  for (const f of e.fields ?? []) n += charLength(f.name) + charLength(f.value);
  return n;
}

/**
 * Shrinks embeds until they fit the 6000 total: long descriptions first, then whole embeds from
 * the end, then fields of the one left, then its description.
 */
function fitTotal(embeds: DiscordEmbed[]): { embeds: DiscordEmbed[]; dropped: number } {
  const total = (): number => embeds.reduce((n, e) => n + embedLength(e), 0);
  const over = total() - DISCORD_LIMITS.embedTotal;
  // The usual case: everything fits, nothing to measure again.
  if (over <= 0) return { embeds, dropped: 0 };
  if (over > 0) {
    const perEmbed = Math.ceil(over / embeds.length);
    for (const e of embeds) {
      if (e.description && charLength(e.description) > 200) e.description = truncate(e.description, Math.max(200, charLength(e.description) - perEmbed));
    }
  }
  let dropped = 0;
  while (embeds.length > 1 && total() > DISCORD_LIMITS.embedTotal) {
    embeds.pop();
    dropped++;
  }
  const only = embeds[0];
  while (only?.fields && only.fields.length > 0 && total() > DISCORD_LIMITS.embedTotal) only.fields.pop();
  const rest = total() - DISCORD_LIMITS.embedTotal;
  if (rest > 0 && only?.description) only.description = truncate(only.description, Math.max(1, charLength(only.description) - rest));
  return { embeds, dropped };
}

/** The Discord payload for a reply. */
export function renderDiscord(reply: Reply): DiscordMessagePayload {
  const isError = reply.isError === true;
  const content: string[] = [];
  let embeds: DiscordEmbed[] = [];
  for (const b of reply.blocks) {
    if (b.kind === "card") embeds.push(embedOf(b.card, isError));
    else content.push(contentOf(b));
  }
  let extra = 0;
  if (embeds.length > DISCORD_LIMITS.embeds) {
    extra = embeds.length - DISCORD_LIMITS.embeds;
    embeds = embeds.slice(0, DISCORD_LIMITS.embeds);
  }
  const fitted = fitTotal(embeds);
  extra += fitted.dropped;
  if (extra > 0) content.push(`…and ${extra} more not shown here.`);
  const text = content.join("\n").trim();
  const users = [...new Set(reply.mentions ?? [])].filter((u) => /^\d{5,25}$/.test(u));
  const payload: DiscordMessagePayload = { embeds: fitted.embeds, allowedMentions: users.length > 0 ? { parse: [], users } : { parse: [] } };
  if (reply.suppressEmbeds) payload.flags = SUPPRESS_EMBEDS;
  if (text !== "") payload.content = truncate(text, DISCORD_LIMITS.content);
  if (payload.content === undefined && payload.embeds.length === 0) payload.content = "…";
  return payload;
}
