/**
 * The platform-neutral reply model. Commands build these; renderers in src/render turn them into
 * console text, Matrix events and Discord messages. Every string in here is raw user-visible
 * text: renderers do all escaping, so nothing here may contain markup.
 */

export type Span =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "bold"; readonly text: string }
  | { readonly kind: "italic"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "link"; readonly text: string; readonly url: string }
  /**
   * A user named in the text (`text` is what is shown, e.g. their name). It pings them only
   * when the reply lists them in `mentions`; otherwise it is shown as plain text.
   */
  | { readonly kind: "mention"; readonly text: string; readonly userId: string };

/** A line of inline-formatted text. */
export type RichText = readonly Span[];

export interface CardField {
  readonly name: string;
  readonly value: RichText;
  readonly inline?: boolean;
}

export interface Card {
  readonly title: string;
  readonly url?: string;
  readonly description?: RichText;
  readonly fields?: readonly CardField[];
  readonly footer?: string;
  /** An image URL (Discord shows it; Matrix and console show it as a link). */
  readonly image?: string;
  /** Matrix shows the fields as a list (Discord always shows them as embed fields). */
  readonly fieldsAsList?: boolean;
}

export type Block =
  | { readonly kind: "text"; readonly text: RichText }
  | { readonly kind: "card"; readonly card: Card }
  | { readonly kind: "list"; readonly title?: RichText; readonly items: readonly RichText[] }
  /** Preformatted text shown as is, several lines allowed: a code block (`language` e.g. "nix"). */
  | { readonly kind: "code"; readonly language?: string; readonly text: string };

export interface Reply {
  readonly blocks: readonly Block[];
  /** An error or refusal: Discord shows it only to the user who asked (ephemeral). */
  readonly isError?: boolean;
  /**
   * The users this reply may ping (ids as the platform knows them). Absent: nobody. Matrix puts
   * exactly these in `m.mentions.user_ids`, Discord in `allowed_mentions.users`.
   */
  readonly mentions?: readonly string[];
  /** Discord: post without link previews (the SUPPRESS_EMBEDS flag). Other platforms ignore it. */
  readonly suppressEmbeds?: boolean;
  /**
   * How the command went, when an ordinary answer tells of a failure (an evaluation that ran out
   * of time or memory): the dispatcher logs and counts this instead of "ok". Never rendered.
   */
  readonly outcome?: ReplyOutcome;
}

/** Outcomes a command may report in its reply (a fixed set: they are metric labels). */
export type ReplyOutcome = "user-error" | "timeout" | "out-of-memory" | "killed";

type SpanInput = string | Span;

const toSpan = (s: SpanInput): Span => (typeof s === "string" ? { kind: "text", text: s } : s);

/** Builds rich text from strings (plain text) and spans. */
export function rich(...parts: SpanInput[]): RichText {
  return parts.map(toSpan);
}
export const bold = (text: string): Span => ({ kind: "bold", text });
export const italic = (text: string): Span => ({ kind: "italic", text });
export const code = (text: string): Span => ({ kind: "code", text });
export const link = (text: string, url: string): Span => ({ kind: "link", text, url });
/** Names a user; see Reply.mentions for whether it pings. */
export const mention = (text: string, userId: string): Span => ({ kind: "mention", text, userId });

export const textBlock = (...parts: SpanInput[]): Block => ({ kind: "text", text: rich(...parts) });
export const cardBlock = (card: Card): Block => ({ kind: "card", card });
export const listBlock = (items: readonly RichText[], title?: RichText): Block => (title === undefined ? { kind: "list", items } : { kind: "list", title, items });

export const codeBlock = (text: string, language?: string): Block => (language === undefined ? { kind: "code", text } : { kind: "code", language, text });

/** A reply of one line of text. */
export function textReply(...parts: SpanInput[]): Reply {
  return { blocks: [textBlock(...parts)] };
}

/** A reply that reports an error or refusal. */
export function errorReply(...parts: SpanInput[]): Reply {
  return { blocks: [textBlock(...parts)], isError: true };
}

/** The plain characters of rich text, without any formatting. */
export function plainOf(text: RichText): string {
  return text.map((s) => s.text).join("");
}
