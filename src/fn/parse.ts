/**
 * Noogle's data file -> the entries `!fn` keeps, off the event loop: parsing the JSON of a file
 * of up to 30 MB takes a few hundred milliseconds (measured in bench/fn.ts), too long to block the
 * commands of everyone else, so it runs in a worker thread that hands back only the entries (a few
 * hundred bytes each). The worker has its own bounded heap and a time limit.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { UpstreamError, type UpstreamFailure } from "../core/errors.js";
import { NOOGLE, parseNoogleData } from "../upstream/noogle.js";
import { entriesFromNoogle, type FnEntry } from "./entries.js";

export interface ParsedNoogle {
  readonly entries: FnEntry[];
  readonly rev?: string;
  readonly lastModified?: number;
  /** Documents that did not have the documented shape. */
  readonly skipped: number;
}

/** The parse itself (what the worker runs; tests and the benchmark call it directly too). */
export function parseToEntries(body: string): ParsedNoogle {
  const data = parseNoogleData(body);
  return {
    entries: entriesFromNoogle(data),
    skipped: data.skipped,
    ...(data.rev === undefined ? {} : { rev: data.rev }),
    ...(data.lastModified === undefined ? {} : { lastModified: data.lastModified }),
  };
}

/** What the worker posts back. */
export type WorkerAnswer = { readonly ok: true; readonly parsed: ParsedNoogle } | { readonly ok: false; readonly failure: UpstreamFailure | "internal"; readonly detail: string };

export interface WorkerLimits {
  /** The worker is stopped after this long. */
  readonly timeoutMs: number;
  /** Its heap (old generation), in MB: JSON.parse of a 30 MB file needs about 150. */
  readonly heapMb: number;
}

export const DEFAULT_WORKER_LIMITS: WorkerLimits = { timeoutMs: 30_000, heapMb: 384 };

/**
 * The worker: parse-worker.js next to this file once built. Under the test runner this file is
 * TypeScript, and a worker does not inherit tsx's loader, so a small bootstrap registers it first.
 */
function spawnWorker(body: string, limits: WorkerLimits): Worker {
  // No flags of this process: the worker needs none, and some (--input-type, say) would stop it.
  const options = { workerData: body, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: limits.heapMb } };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./parse-worker.js", import.meta.url), options);
  // tsx's ESM API (index.mjs) next to the CommonJS one that require finds.
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const file = new URL("./parse-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** Parses in a worker thread; rejects with UpstreamError for a file nixie cannot read, Error otherwise. */
export function parseInWorker(body: string, limits: WorkerLimits = DEFAULT_WORKER_LIMITS): Promise<ParsedNoogle> {
  return new Promise<ParsedNoogle>((resolve, reject) => {
    let done = false;
    const worker = spawnWorker(body, limits);
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`parsing Noogle's data took longer than ${limits.timeoutMs} ms`))), limits.timeoutMs);
    worker.once("message", (a: WorkerAnswer) => finish(() => (a.ok ? resolve(a.parsed) : reject(a.failure === "internal" ? new Error(a.detail) : new UpstreamError(NOOGLE, a.failure, a.detail)))));
    worker.once("error", (e) => finish(() => reject(new Error(`parsing Noogle's data failed: ${e.message}`))));
    worker.once("exit", (code) => finish(() => reject(new Error(`the parse worker exited (${code}) without an answer`))));
  });
}
