/** !wiki <query> [--lang <code>]: the best wiki.nixos.org page, its intro and link, and a few more titles. */
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/core/errors.js";
import { cardBlock, code, link, rich, textBlock, type Block, type Reply, type Span } from "../src/core/reply.js";
import { SLASH } from "../src/core/usage.js";
import { isLanguageCode, type WikiLookup } from "../src/upstream/mediawiki.js";

/** Builds the reply for a lookup (pure; exported for tests). */
export function wikiReply(query: string, found: WikiLookup, prefix: string): Reply {
  const { best } = found;
  if (!best) {
    const parts: (string | Span)[] = [`Nothing on the wiki matches “${query}”.`];
    if (found.suggestion) parts.push(" Did you mean ", code(prefix === SLASH ? `${SLASH}wiki query:${found.suggestion}` : `${prefix}wiki ${found.suggestion}`), "?");
    parts.push(" Search the wiki: ", link(found.searchUrl, found.searchUrl));
    if (found.late) parts.push(" (The wiki was slow to answer: try again in a minute.)");
    return { blocks: [textBlock(...parts)] };
  }
  const blocks: Block[] = [cardBlock({ title: best.title, url: best.url, ...(best.intro === "" ? {} : { description: rich(best.intro) }) })];
  if (found.others.length > 0) {
    const spans: (string | Span)[] = ["Also: "];
    found.others.forEach((p, i) => {
      if (i > 0) spans.push(", ");
      spans.push(link(p.title, p.url));
    });
    blocks.push(textBlock(...spans));
  }
  if (found.late) blocks.push(textBlock("The wiki was slow to answer, so this is what it had found in time."));
  return { blocks };
}

export default defineCommand({
  name: "wiki",
  summary: "Find a page on wiki.nixos.org and show its intro",
  details: "Exact titles win over full-text matches. Translations are left out unless the lang option asks for one.",
  examples: ["wiki flakes", "wiki home manager", "wiki flakes --lang de"],
  slow: true,
  options: [
    {
      name: "query",
      type: "string",
      description: "What to look for: a page title or some words",
      positional: true,
      required: true,
      rest: true,
      maxLength: 200,
      complete: async (partial, ctx) => (await ctx.services.wiki.complete(partial, 25, { signal: ctx.signal })).map((t) => ({ name: t, value: t })),
    },
    { name: "lang", type: "string", description: "Prefer the translation in this language (a code such as de, ja or pt-br)", maxLength: 20 },
  ],
  async run(args, ctx) {
    // Required: the parser has refused a missing or blank query already.
    const query = String(args["query"]);
    const rawLang = args["lang"];
    const lang = typeof rawLang === "string" ? rawLang.trim().toLowerCase() : undefined;
    if (lang !== undefined && !isLanguageCode(lang)) throw new UserError(`${ctx.prefix === SLASH ? "lang:" : "--lang"} takes a language code such as de, ja or pt-br.`);
    const found = await ctx.services.wiki.lookup(query, { ...(lang === undefined ? {} : { lang }), signal: ctx.signal });
    return wikiReply(query, found, ctx.prefix);
  },
});
