/**
 * A factoid's text -> the reply model's rich text: the light markup people type in chat
 * (`code`, **bold**, [label](https://…) and bare http(s) links), nothing else. The renderers
 * escape every span for their platform; this only decides what is code, bold or a link, and
 * defuses the words that would ping a whole room.
 */
import { bold, code, link, type RichText, type Span } from "../core/reply.js";
import { isSafeUrl } from "../render/text.js";

// One alternative per kind; bounded by the text's 1,000 characters.
const MARKUP = /`([^`\n]+)`|\*\*([^*\n](?:[^\n]*?[^*\n])?)\*\*|\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"]+)/g;

const WORD_JOINER = "\u2060";

/**
 * `@room`, `@everyone` and `@here` get an invisible word joiner after the `@`, so no client's
 * keyword rule (Matrix's legacy `@room` push rule reads the plain body) sees them. The other
 * pings are handled where they are rendered: Matrix `m.mentions` and Discord `allowedMentions`
 * list only the addressed person.
 */
export function defuseRoomPings(s: string): string {
  return s.replace(/@(room|everyone|here)\b/gi, `@${WORD_JOINER}$1`);
}

/** Splits a bare URL from punctuation that ends the sentence around it. */
function trimUrl(url: string): [string, string] {
  let end = url.length;
  while (end > 0 && /[.,;:!?'*]/.test(url[end - 1]!)) end--;
  // A closing parenthesis belongs to the URL only when the URL opened one (Wikipedia-style links).
  const count = (c: string): number => url.slice(0, end).split(c).length - 1;
  while (url[end - 1] === ")" && count(")") > count("(")) {
    end--;
    while (end > 0 && /[.,;:!?'*]/.test(url[end - 1]!)) end--;
  }
  return [url.slice(0, end), url.slice(end)];
}

/** The factoid's text as rich text (the text is already clean: see rules.ts). */
export function factoidRich(text: string): RichText {
  const spans: Span[] = [];
  const plain = (s: string): void => {
    if (s === "") return;
    const last = spans[spans.length - 1];
    if (last?.kind === "text") spans[spans.length - 1] = { kind: "text", text: last.text + defuseRoomPings(s) };
    else spans.push({ kind: "text", text: defuseRoomPings(s) });
  };
  let at = 0;
  for (const m of text.matchAll(MARKUP)) {
    plain(text.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[1] !== undefined) spans.push(code(defuseRoomPings(m[1])));
    else if (m[2] !== undefined) spans.push(bold(defuseRoomPings(m[2])));
    else if (m[3] !== undefined && m[4] !== undefined) {
      if (isSafeUrl(m[4])) spans.push(link(defuseRoomPings(m[3]), m[4]));
      else plain(m[0]);
    } else if (m[5] !== undefined) {
      const [url, after] = trimUrl(m[5]);
      if (url !== "" && isSafeUrl(url)) spans.push(link(url, url));
      else plain(url);
      plain(after);
    }
  }
  plain(text.slice(at));
  return spans;
}
