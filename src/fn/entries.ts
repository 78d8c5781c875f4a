/**
 * What `!fn` keeps of each function: its path, aliases, type, first paragraph, first example,
 * definition and arguments, read once from Noogle's documents (and from the local Nix's builtins
 * dump), so that the index holds a few hundred bytes per function instead of the whole Markdown.
 */
import type { NoogleData, SourcePosition } from "../upstream/noogle.js";
import { firstExample, firstParagraph } from "./markdown.js";

/** One function as `!fn` shows it. Plain JSON: it is kept in the store as the last good copy. */
export interface FnEntry {
  /** "lib.attrsets.mapAttrs" */
  readonly path: string;
  /** Other paths holding the same value ("lib.mapAttrs", "builtins.mapAttrs"). */
  readonly aliases: readonly string[];
  /** One line. */
  readonly signature?: string;
  /** The first paragraph, inline Markdown. */
  readonly description?: string;
  readonly example?: string;
  /** Lines of the example left out. */
  readonly exampleCut?: number;
  /** Where it is defined (or documented) in nixpkgs. */
  readonly position?: SourcePosition;
  /** A builtin's argument names. */
  readonly args?: readonly string[];
  /** Whose text this is: Noogle's data, or the Nix that runs here (`nix __dump-builtins`). */
  readonly from: "noogle" | "nix";
}

/** A builtin as `nix __dump-builtins` describes it. */
export interface DumpedBuiltin {
  readonly args: readonly string[];
  /** Markdown. */
  readonly doc: string;
}

const DESCRIPTION_CHARS = 1000;
const SIGNATURE_CHARS = 300;

const oneLine = (s: string, max: number): string => s.replace(/\s+/g, " ").trim().slice(0, max);

function textParts(content: string | undefined, signature: string | undefined): Pick<FnEntry, "description" | "example" | "exampleCut"> {
  if (content === undefined) return {};
  const description = firstParagraph(content)?.slice(0, DESCRIPTION_CHARS);
  const example = firstExample(content, signature);
  return {
    ...(description === undefined ? {} : { description }),
    ...(example === undefined ? {} : { example: example.code, ...(example.cut > 0 ? { exampleCut: example.cut } : {}) }),
  };
}

/** Noogle's documents as entries; a builtin without a signature gets the type Noogle keeps for it. */
export function entriesFromNoogle(data: NoogleData): FnEntry[] {
  const seen = new Set<string>();
  const out: FnEntry[] = [];
  for (const doc of data.docs) {
    const path = doc.path.join(".");
    if (seen.has(path)) continue;
    seen.add(path);
    const aliases = doc.aliases.map((a) => a.join(".")).filter((a) => a !== path);
    // A builtin's type lives in builtinTypes, under its name; a lib name bound to it has it as an alias.
    const builtinName = doc.path[0] === "builtins" ? doc.path[1] : aliases.find((a) => a.startsWith("builtins."))?.slice("builtins.".length);
    const rawSignature = doc.signature ?? (builtinName === undefined ? undefined : data.builtinTypes[builtinName]);
    const signature = rawSignature === undefined ? undefined : oneLine(rawSignature, SIGNATURE_CHARS);
    out.push({
      path,
      aliases: [...new Set(aliases)],
      from: "noogle",
      ...(signature ? { signature } : {}),
      ...textParts(doc.content, rawSignature),
      ...(doc.position === undefined ? {} : { position: doc.position }),
      ...(doc.primopArgs === undefined ? {} : { args: doc.primopArgs }),
    });
  }
  return out;
}

/**
 * Merges the local Nix's builtins into the entries: for a builtin it knows, Nix's own text and
 * arguments win (Noogle's type and aliases stay); a builtin Noogle lacks is added.
 */
export function mergeBuiltins(entries: readonly FnEntry[], dump: Readonly<Record<string, DumpedBuiltin>>): FnEntry[] {
  const out = [...entries];
  const at = new Map(out.map((e, i) => [e.path, i]));
  for (const [name, b] of Object.entries(dump)) {
    const path = `builtins.${name}`;
    const i = at.get(path);
    const old = i === undefined ? undefined : out[i];
    const ownText = b.doc.trim() !== "";
    const merged: FnEntry = {
      path,
      aliases: old?.aliases ?? [],
      from: ownText || !old ? "nix" : old.from,
      ...(old?.signature === undefined ? {} : { signature: old.signature }),
      ...(ownText ? textParts(b.doc, old?.signature) : old ? pick(old) : {}),
      ...(old?.position === undefined ? {} : { position: old.position }),
      ...(b.args.length > 0 ? { args: b.args } : old?.args === undefined ? {} : { args: old.args }),
    };
    if (i === undefined) {
      at.set(path, out.length);
      out.push(merged);
    } else out[i] = merged;
  }
  return out;
}

/** The text of an entry (when Nix has no text for a builtin, Noogle's stays). */
function pick(e: FnEntry): Pick<FnEntry, "description" | "example" | "exampleCut"> {
  return {
    ...(e.description === undefined ? {} : { description: e.description }),
    ...(e.example === undefined ? {} : { example: e.example }),
    ...(e.exampleCut === undefined ? {} : { exampleCut: e.exampleCut }),
  };
}
