/** Reply -> plain text (console, and the plain body of Matrix messages). */
import type { Block, Card, Reply, RichText } from "../core/reply.js";
import { isSafeUrl, stripControl } from "./text.js";

export function plainRich(text: RichText): string {
  return text
    .map((s) => {
      const t = stripControl(s.text);
      switch (s.kind) {
        case "code":
          return `\`${t}\``;
        case "link":
          if (!isSafeUrl(s.url)) return t;
          return t === s.url || t === "" ? s.url : `${t} <${s.url}>`;
        default:
          return t;
      }
    })
    .join("");
}

function plainCard(card: Card): string {
  const lines: string[] = [];
  const title = stripControl(card.title);
  lines.push(card.url && isSafeUrl(card.url) ? `${title} <${card.url}>` : title);
  if (card.description && card.description.length > 0) lines.push(indent(plainRich(card.description)));
  for (const f of card.fields ?? []) lines.push(indent(`${stripControl(f.name)}: ${plainRich(f.value)}`));
  if (card.image && isSafeUrl(card.image)) lines.push(indent(`Image: ${card.image}`));
  if (card.footer) lines.push(indent(stripControl(card.footer)));
  return lines.join("\n");
}

const indent = (s: string): string =>
  s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

function plainBlock(b: Block): string {
  switch (b.kind) {
    case "text":
      return plainRich(b.text);
    case "card":
      return plainCard(b.card);
    case "list": {
      const items = b.items.map((i) => `• ${plainRich(i)}`);
      return b.title ? [plainRich(b.title), ...items].join("\n") : items.join("\n");
    }
    case "code":
      return stripControl(b.text);
  }
}

/** The whole reply as plain text, blocks separated by newlines. */
export function renderPlain(reply: Reply): string {
  return reply.blocks.map(plainBlock).join("\n");
}
