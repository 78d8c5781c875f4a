/**
 * Reply -> Matrix m.notice content: a plain `body` and an escaped `formatted_body` in the
 * org.matrix.custom.html subset. `m.mentions: {}` so that nobody is pinged by anything we echo, except the users a reply lists
 * in `mentions` (a tracking post pings the person who asked for it).
 */
import type { Block, Card, Reply, RichText } from "../core/reply.js";
import { renderPlain } from "./plain.js";
import { isSafeUrl, stripControl } from "./text.js";

export interface MatrixMessageContent {
  msgtype: "m.notice";
  body: string;
  format: "org.matrix.custom.html";
  formatted_body: string;
  /** Empty, or only the users the reply lists in `mentions`. */
  "m.mentions": { user_ids?: string[] };
  [key: string]: unknown;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return stripControl(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const MATRIX_USER = /^@[^:\s]+:\S+$/;

const withBreaks = (s: string): string => escapeHtml(s).replace(/\n/g, "<br>");

export function htmlRich(text: RichText): string {
  return text
    .map((s) => {
      switch (s.kind) {
        case "text":
          return withBreaks(s.text);
        case "bold":
          return `<strong>${withBreaks(s.text)}</strong>`;
        case "italic":
          return `<em>${withBreaks(s.text)}</em>`;
        case "code":
          return `<code>${escapeHtml(s.text)}</code>`;
        case "link":
          return isSafeUrl(s.url) ? `<a href="${escapeHtml(s.url)}">${withBreaks(s.text || s.url)}</a>` : withBreaks(s.text);
        case "mention":
          // A pill; it pings only when the reply lists the user in m.mentions.
          return MATRIX_USER.test(s.userId) ? `<a href="https://matrix.to/#/${encodeURIComponent(s.userId)}">${escapeHtml(s.text)}</a>` : escapeHtml(s.text);
      }
    })
    .join("");
}

function htmlCard(card: Card): string {
  const title = card.url && isSafeUrl(card.url) ? `<a href="${escapeHtml(card.url)}">${escapeHtml(card.title)}</a>` : escapeHtml(card.title);
  const parts = [`<strong>${title}</strong>`];
  if (card.description && card.description.length > 0) parts.push(htmlRich(card.description));
  const fields = (card.fields ?? []).map((f) => `<strong>${escapeHtml(f.name)}</strong>: ${htmlRich(f.value)}`);
  if (card.fieldsAsList && fields.length > 0) {
    const list = `<ul>${fields.map((f) => `<li>${f}</li>`).join("")}</ul>`;
    const rest = [card.image && isSafeUrl(card.image) ? `<a href="${escapeHtml(card.image)}">Image</a>` : "", card.footer ? `<em>${escapeHtml(card.footer)}</em>` : ""].filter((x) => x !== "");
    return `<p>${[parts.join("<br>"), ...rest].join("<br>")}</p>${list}`;
  }
  if (card.image && isSafeUrl(card.image)) fields.push(`<a href="${escapeHtml(card.image)}">Image</a>`);
  if (card.footer) fields.push(`<em>${escapeHtml(card.footer)}</em>`);
  return [parts.join("<br>"), ...fields].join("<br>");
}

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case "text":
      return `<p>${htmlRich(b.text)}</p>`;
    case "card":
      return b.card.fieldsAsList ? htmlCard(b.card) : `<p>${htmlCard(b.card)}</p>`;
    case "list": {
      const items = b.items.map((i) => `<li>${htmlRich(i)}</li>`).join("");
      return `${b.title ? `<p>${htmlRich(b.title)}</p>` : ""}<ul>${items}</ul>`;
    }
    case "code": {
      const lang = b.language !== undefined && /^[a-z0-9+#-]{1,20}$/.test(b.language) ? ` class="language-${b.language}"` : "";
      return `<pre><code${lang}>${escapeHtml(b.text)}</code></pre>`;
    }
  }
}

/** Matrix event content for a reply; callers add relations (m.relates_to). */
export function renderMatrix(reply: Reply): MatrixMessageContent {
  return {
    msgtype: "m.notice",
    body: renderPlain(reply),
    format: "org.matrix.custom.html",
    formatted_body: reply.blocks.map(htmlBlock).join(""),
    "m.mentions": reply.mentions && reply.mentions.length > 0 ? { user_ids: [...new Set(reply.mentions)] } : {},
  };
}
