/**
 * Every builtin's arguments and docs from the Nix that runs here: `nix __dump-builtins` (Nix 2.8 to
 * 2.16 print `{name: {args, arity, doc}}`); newer Nix has `nix __dump-language` with the builtins
 * under `builtins`. Run with a bounded time and output, no network settings and an empty
 * environment; nothing a user typed reaches it.
 */
import { execFile } from "node:child_process";
import { stripControl } from "../render/text.js";
import type { DumpedBuiltin } from "./entries.js";

export interface DumpOptions {
  /** The `nix` executable. */
  readonly nix: string;
  readonly timeoutMs?: number;
  /** Output beyond this is an error (Nix 2.8 prints about 38 KB). */
  readonly maxBytes?: number;
}

export type DumpResult = { readonly ok: true; readonly builtins: Readonly<Record<string, DumpedBuiltin>> } | { readonly ok: false; readonly reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_'-]{0,99}$/;
const MAX_DOC = 20_000;

/** The builtins of a dump's JSON (either command's shape); malformed entries are left out. */
export function parseBuiltinsDump(json: string): Record<string, DumpedBuiltin> {
  const root: unknown = JSON.parse(json);
  if (typeof root !== "object" || root === null || Array.isArray(root)) throw new Error("not a JSON object");
  const r = root as Record<string, unknown>;
  // __dump-language: {builtins: {...}, constants: {...}}; __dump-builtins has no builtin of that name.
  const inner = r["builtins"];
  const table = typeof inner === "object" && inner !== null && !Array.isArray(inner) && !("doc" in inner) ? (inner as Record<string, unknown>) : r;
  const out: Record<string, DumpedBuiltin> = {};
  for (const [name, v] of Object.entries(table)) {
    if (!NAME.test(name) || typeof v !== "object" || v === null) continue;
    const o = v as Record<string, unknown>;
    const args = Array.isArray(o["args"]) ? o["args"].filter((a): a is string => typeof a === "string" && NAME.test(a)).slice(0, 16) : [];
    const doc = typeof o["doc"] === "string" ? stripControl(o["doc"]).trim().slice(0, MAX_DOC) : "";
    out[name] = { args, doc };
  }
  return out;
}

function run(nix: string, sub: string, timeoutMs: number, maxBytes: number): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    execFile(
      nix,
      [sub],
      // No HOME, no proxies, no NIX_PATH: the dump reads nothing but the binary itself (and never the network).
      { timeout: timeoutMs, maxBuffer: maxBytes, killSignal: "SIGKILL", env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" }, windowsHide: true },
      (err, stdout) => {
        if (!err) return resolve({ ok: true, stdout });
        // `code` is an errno name (ENOENT) when nix could not start, its exit status when it failed.
        const e = err as Omit<NodeJS.ErrnoException, "code"> & { killed?: boolean; code?: string | number | null };
        if (e.code === "ENOENT") return resolve({ ok: false, reason: `${nix} is not installed` });
        if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return resolve({ ok: false, reason: `nix ${sub} printed more than ${maxBytes} bytes` });
        if (e.killed) return resolve({ ok: false, reason: `nix ${sub} did not finish within ${timeoutMs} ms` });
        resolve({ ok: false, reason: `nix ${sub} failed (${typeof e.code === "number" ? `exit ${e.code}` : String(e.code ?? e.message)})` });
      },
    );
  });
}

/** Runs the dump (`__dump-builtins`, else `__dump-language`) and reads it; never throws. */
export async function dumpBuiltins(opts: DumpOptions): Promise<DumpResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 2_000_000;
  let reason = "";
  for (const sub of ["__dump-builtins", "__dump-language"]) {
    const r = await run(opts.nix, sub, timeoutMs, maxBytes);
    if (!r.ok) {
      reason = r.reason;
      if (reason.endsWith("is not installed")) break;
      continue;
    }
    try {
      const builtins = parseBuiltinsDump(r.stdout);
      if (Object.keys(builtins).length > 0) return { ok: true, builtins };
      reason = `nix ${sub} listed no builtins`;
    } catch (e) {
      reason = `nix ${sub} printed something nixie cannot read (${(e as Error).message.slice(0, 80)})`;
    }
  }
  return { ok: false, reason };
}
