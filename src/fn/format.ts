/**
 * `!fn`'s answers in the reply model: a card per function (path, aliases, type, first paragraph,
 * arguments, definition and Noogle links), its first example as a code block, and the lines for
 * other functions of the same name, typos, nothing found, and data not (yet) available. Every
 * string from the data is upstream text: it goes into spans and code blocks, which the renderers
 * escape; only http(s) links become links.
 */
import { cardBlock, code, codeBlock, errorReply, link, rich, textBlock, type Block, type CardField, type Reply, type Span } from "../core/reply.js";
import { truncate, truncateRich } from "../render/text.js";
import { noogleFunctionUrl, noogleSearchUrl, sourceUrl } from "../upstream/noogle.js";
import type { FnEntry } from "./entries.js";
import type { Match } from "./index.js";
import { inlineToRich } from "./markdown.js";
import type { FnLinks, FnStatus } from "./service.js";

const DESCRIPTION_CHARS = 400;
const ALIASES_SHOWN = 4;
const OTHERS_SHOWN = 5;

const day = (d: Date): string => d.toISOString().slice(0, 10);

function joinSpans(items: readonly Span[], more: number): Span[] {
  const out: Span[] = [];
  items.forEach((s, i) => {
    if (i > 0) out.push({ kind: "text", text: ", " });
    out.push(s);
  });
  if (more > 0) out.push({ kind: "text", text: ` and ${more} more` });
  return out;
}

/** "Noogle data of nixpkgs 8c1f0e6 (2025-12-02), fetched 2026-12-07", or the builtins' source. */
function footerOf(entry: FnEntry, status: FnStatus): string {
  if (entry.from === "nix") return "Text from the Nix that runs here (nix __dump-builtins)";
  const n = status.noogle;
  if (n === undefined) return "Noogle";
  const rev = n.rev === undefined ? "" : ` of nixpkgs ${n.rev.slice(0, 7)}${n.revDate === undefined ? "" : ` (${day(n.revDate)})`}`;
  const stale = status.noogleProblem === undefined ? "" : " (the last good copy)";
  return `Noogle data${rev}, fetched ${day(n.fetchedAt)}${stale}`;
}

/** The answer for a function found. */
export function entryReply(entry: FnEntry, others: readonly string[], status: FnStatus, links: FnLinks): Reply {
  const path = entry.path.split(".");
  const fields: CardField[] = [];
  if (entry.signature !== undefined) fields.push({ name: "Type", value: [code(truncate(entry.signature, 300))] });
  if (entry.args !== undefined && entry.args.length > 0)
    fields.push({
      name: "Arguments",
      value: joinSpans(
        entry.args.map((a) => code(a)),
        0,
      ),
      inline: true,
    });
  if (entry.aliases.length > 0) {
    const shown = entry.aliases.slice(0, ALIASES_SHOWN).map((a) => code(a));
    fields.push({ name: "Also", value: joinSpans(shown, entry.aliases.length - shown.length), inline: true });
  }
  const rev = status.noogle?.rev;
  if (entry.position !== undefined) {
    const where = `${entry.position.file}:${entry.position.line}`;
    // Linked at the revision the data came from: a line number on master would drift.
    fields.push({ name: "Defined in", value: [rev === undefined ? code(where) : link(where, sourceUrl(links.nixpkgsUrl, rev, entry.position))] });
  }
  const description = entry.description === undefined ? rich("No description in the docs.") : truncateRich(inlineToRich(entry.description), DESCRIPTION_CHARS);
  const blocks: Block[] = [
    cardBlock({
      title: entry.path,
      url: noogleFunctionUrl(links.siteUrl, path),
      description,
      ...(fields.length === 0 ? {} : { fields }),
      footer: footerOf(entry, status),
    }),
  ];
  if (entry.example !== undefined) {
    blocks.push(codeBlock(entry.example, "nix"));
    if (entry.exampleCut !== undefined && entry.exampleCut > 0)
      blocks.push(textBlock(`Example cut: ${entry.exampleCut} more line${entry.exampleCut === 1 ? "" : "s"} on `, link("Noogle", noogleFunctionUrl(links.siteUrl, path)), "."));
  }
  if (others.length > 0) {
    const name = path[path.length - 1]!;
    const shown = others.slice(0, OTHERS_SHOWN).map((o) => code(o));
    blocks.push(textBlock(`Also named ${name}: `, ...joinSpans(shown, others.length - shown.length)));
  }
  return { blocks };
}

/** The answer to a query, or why there is none. */
export function fnReply(query: string, match: Match | undefined, status: FnStatus, links: FnLinks, prefix: string): Reply {
  const shown = truncate(query, 60);
  const search = link("Search Noogle", noogleSearchUrl(links.siteUrl, query));
  if (match === undefined) {
    if (status.state === "loading") return errorReply("The function docs are still loading (Noogle's data is fetched in the background); try again in a minute.");
    const why = [status.noogleProblem, status.builtinsProblem === undefined ? undefined : `No builtins from a local Nix: ${status.builtinsProblem}.`].filter((s) => s !== undefined).join(" ");
    return errorReply(`The function docs are not available here. ${why} `, search, ".");
  }
  if (match.kind === "found") return entryReply(match.entry, match.others, status, links);
  // Only builtins are known when Noogle's data is missing: say so for a lib name.
  const partial =
    status.noogle !== undefined
      ? ""
      : status.noogleLoading === true
        ? " Only builtins are known yet: Noogle's data (lib) is still loading, try again in a minute."
        : status.noogleProblem !== undefined
          ? ` Only builtins are known here: ${status.noogleProblem}`
          : "";
  if (match.kind === "suggest") {
    const names = joinSpans(
      match.names.map((n) => code(n)),
      0,
    );
    return { blocks: [textBlock("No function ", code(shown), " found. Did you mean ", ...names, `?${partial} `, search)], isError: true };
  }
  return errorReply(
    "No function ",
    code(shown),
    ` found in lib or builtins.${partial} Try ${prefix}fn with a name such as mapAttrs, or `,
    link("search Noogle", noogleSearchUrl(links.siteUrl, query)),
    ".",
  );
}
