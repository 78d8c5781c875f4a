/**
 * Noogle (noogle.dev): its data file of every documented `lib` and `builtins` function, taken from
 * nixpkgs' doc comments and Nix's builtin docs. `fetchBody` downloads it (bounded in size and time,
 * through the shared HTTP layer); `parseNoogleData` turns it into typed, bounded records (no chat
 * knowledge: the fn/ feature decides what to show). The field rules are in docs/fn.md.
 */
import { UpstreamError } from "../core/errors.js";
import { stripControl } from "../render/text.js";
import type { Http } from "./http.js";

/** The service name users see in errors. */
export const NOOGLE = "noogle.dev";

/** A place in the nixpkgs (or Nix) source tree: `lib/attrsets.nix`, line 1187. */
export interface SourcePosition {
  /** Relative to the repository root; never a store path. */
  readonly file: string;
  readonly line: number;
}

/** One attribute path of Noogle's data, its text and where it is defined. */
export interface NoogleDoc {
  /** ["lib", "attrsets", "mapAttrs"] */
  readonly path: readonly string[];
  /** Other paths holding the same value. */
  readonly aliases: readonly (readonly string[])[];
  /** The "Type" block of the docs, trimmed. */
  readonly signature?: string;
  /** The doc comment (Markdown), or Nix's own text for builtins. */
  readonly content?: string;
  /** Where the docs are, else where the attribute is bound, else the lambda. */
  readonly position?: SourcePosition;
  /** A builtin (or a lib name bound to one). */
  readonly isPrimop: boolean;
  /** A builtin's argument names. */
  readonly primopArgs?: readonly string[];
}

export interface NoogleData {
  readonly docs: readonly NoogleDoc[];
  /** Builtin name (no `builtins.` prefix) -> its type, as Noogle keeps it. */
  readonly builtinTypes: Readonly<Record<string, string>>;
  /** The nixpkgs commit the docs were taken from (40 hex), when the file says. */
  readonly rev?: string;
  /** When that commit was made (Unix seconds). */
  readonly lastModified?: number;
  /** Documents left out because they did not have the documented shape. */
  readonly skipped: number;
}

/** Bounds on what one document may bring in (the file is upstream text like any other). */
export const NOOGLE_LIMITS = {
  documents: 20_000,
  pathParts: 12,
  partChars: 100,
  aliases: 20,
  contentChars: 20_000,
  signatureChars: 1_000,
  args: 16,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A path segment: what Nix accepts as an attribute name people look up (no spaces, no control). */
const PART = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

function pathOf(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > NOOGLE_LIMITS.pathParts) return undefined;
  const parts = v.filter((p): p is string => typeof p === "string" && p.length <= NOOGLE_LIMITS.partChars && PART.test(p));
  return parts.length === v.length ? parts : undefined;
}

function text(v: unknown, max: number): string | undefined {
  if (typeof v !== "string") return undefined;
  const s = stripControl(v).trim();
  return s === "" ? undefined : s.slice(0, max);
}

/**
 * A store path `/nix/store/<hash>-source/lib/attrsets.nix` -> `lib/attrsets.nix` (Noogle drops the
 * first four parts the same way). Anything that is not such a path, or climbs out, is dropped.
 */
export function repoRelative(file: string): string | undefined {
  const m = /^\/nix\/store\/[0-9a-z]{32}-[^/]+\/(.+)$/.exec(file);
  const rel = m?.[1];
  if (rel === undefined || rel.length > 300 || !/^[A-Za-z0-9._+/-]+$/.test(rel)) return undefined;
  if (rel.split("/").some((p) => p === "" || p === "." || p === "..")) return undefined;
  return rel;
}

function positionOf(v: unknown): SourcePosition | undefined {
  if (!isObj(v) || typeof v["file"] !== "string") return undefined;
  const line = v["line"];
  if (typeof line !== "number" || !Number.isInteger(line) || line < 1 || line > 10_000_000) return undefined;
  const file = repoRelative(v["file"]);
  return file === undefined ? undefined : { file, line };
}

function docOf(raw: unknown): NoogleDoc | undefined {
  if (!isObj(raw) || !isObj(raw["meta"])) return undefined;
  const meta = raw["meta"];
  const path = pathOf(meta["path"]);
  if (path === undefined) return undefined;
  const aliases = Array.isArray(meta["aliases"])
    ? meta["aliases"]
        .slice(0, NOOGLE_LIMITS.aliases)
        .map(pathOf)
        .filter((p): p is string[] => p !== undefined)
    : [];
  const signature = text(meta["signature"], NOOGLE_LIMITS.signatureChars);
  const content = isObj(raw["content"]) ? text(raw["content"]["content"], NOOGLE_LIMITS.contentChars) : undefined;
  const contentMeta = isObj(meta["content_meta"]) ? meta["content_meta"] : {};
  const position = positionOf(contentMeta["position"]) ?? positionOf(meta["attr_position"]) ?? positionOf(meta["lambda_position"]);
  const isPrimop = meta["is_primop"] === true;
  const primop = isObj(meta["primop_meta"]) ? meta["primop_meta"] : undefined;
  const args = primop && Array.isArray(primop["args"]) ? primop["args"].slice(0, NOOGLE_LIMITS.args).filter((a): a is string => typeof a === "string" && a.length <= 40 && PART.test(a)) : undefined;
  return {
    path,
    aliases,
    isPrimop,
    ...(signature === undefined ? {} : { signature }),
    ...(content === undefined ? {} : { content }),
    ...(position === undefined ? {} : { position }),
    ...(args === undefined || args.length === 0 ? {} : { primopArgs: args }),
  };
}

/**
 * Reads Noogle's data file: `{data: [documents], builtinTypes, upstreamInfo {rev, lastModified}}`.
 * Unknown keys are skipped, a malformed document is left out (and counted); a file that is not
 * this shape at all is an UpstreamError ("answered something nixie cannot read").
 */
export function parseNoogleData(body: string): NoogleData {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    throw new UpstreamError(NOOGLE, "bad-response", "the data file is not JSON");
  }
  if (!isObj(root) || !Array.isArray(root["data"])) throw new UpstreamError(NOOGLE, "bad-response", "the data file has no data list");
  const raw = root["data"];
  const docs: NoogleDoc[] = [];
  let skipped = 0;
  for (const d of raw.slice(0, NOOGLE_LIMITS.documents)) {
    const doc = docOf(d);
    if (doc) docs.push(doc);
    else skipped++;
  }
  skipped += Math.max(0, raw.length - NOOGLE_LIMITS.documents);
  if (docs.length === 0) throw new UpstreamError(NOOGLE, "bad-response", "the data file lists no documents nixie can read");
  const builtinTypes: Record<string, string> = {};
  if (isObj(root["builtinTypes"])) {
    for (const [name, t] of Object.entries(root["builtinTypes"])) {
      const fnType = isObj(t) ? text(t["fn_type"], NOOGLE_LIMITS.signatureChars) : undefined;
      if (PART.test(name) && name.length <= NOOGLE_LIMITS.partChars && fnType !== undefined) builtinTypes[name] = fnType;
    }
  }
  const info = isObj(root["upstreamInfo"]) ? root["upstreamInfo"] : {};
  const rev = typeof info["rev"] === "string" && /^[0-9a-f]{40}$/.test(info["rev"]) ? info["rev"] : undefined;
  const lm = info["lastModified"];
  const lastModified = typeof lm === "number" && Number.isInteger(lm) && lm > 0 ? lm : undefined;
  return { docs, builtinTypes, skipped, ...(rev === undefined ? {} : { rev }), ...(lastModified === undefined ? {} : { lastModified }) };
}

/** Noogle's page of a function: `https://noogle.dev/f/lib/attrsets/mapAttrs`. */
export function noogleFunctionUrl(siteUrl: string, path: readonly string[]): string {
  return `${siteUrl.replace(/\/+$/, "")}/f/${path.map(encodeURIComponent).join("/")}`;
}

/** Noogle's search for a text: `https://noogle.dev/q?term=…`. */
export function noogleSearchUrl(siteUrl: string, term: string): string {
  return `${siteUrl.replace(/\/+$/, "")}/q?term=${encodeURIComponent(term)}`;
}

/** A file and line at a commit of a GitHub repository (`repoUrl` such as https://github.com/NixOS/nixpkgs). */
export function sourceUrl(repoUrl: string, rev: string, position: SourcePosition): string {
  return `${repoUrl.replace(/\/+$/, "")}/blob/${rev}/${position.file.split("/").map(encodeURIComponent).join("/")}#L${position.line}`;
}

export interface NoogleOptions {
  /** The data file's URL (https://noogle.dev/api/v1/data). */
  readonly url: string;
  readonly http: Http;
  /** Larger files are refused. */
  readonly maxBytes: number;
  /** The whole download may take this long. */
  readonly timeoutMs: number;
}

export interface Noogle {
  /** The data file's text. Throws UpstreamError (too large, timeout, status, network). */
  fetchBody(): Promise<string>;
}

export function createNoogle(opts: NoogleOptions): Noogle {
  return {
    async fetchBody() {
      const res = await opts.http.request({ service: NOOGLE, url: opts.url, maxBytes: opts.maxBytes, timeoutMs: opts.timeoutMs, retries: 1 });
      return res.body;
    },
  };
}
