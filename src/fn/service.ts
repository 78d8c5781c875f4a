/**
 * `!fn`'s service: keeps the function index in memory, built from Noogle's data file and the
 * local Nix's builtins. Everything slow happens in the background, never while someone waits:
 * `start()` loads the last good copy from the store and the builtins dump, then fetches the data
 * file when the copy is older than fn.refreshHours; the refresh job (hourly) does the same check.
 * The last good copy (the entries, a few hundred bytes per function, with its revision and date)
 * is kept in the store, so that a restart or an outage serves it. Instances sharing a store take
 * a newer copy from it instead of fetching again.
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { upstreamSentence } from "../core/error-reply.js";
import { UpstreamError } from "../core/errors.js";
import type { KV, Store } from "../storage/store.js";
import type { Http } from "../upstream/http.js";
import { createNoogle } from "../upstream/noogle.js";
import { dumpBuiltins } from "./builtins-dump.js";
import { mergeBuiltins, type DumpedBuiltin, type FnEntry } from "./entries.js";
import { FnIndex, type Match } from "./index.js";
import { parseInWorker, type ParsedNoogle, type WorkerLimits } from "./parse.js";

/** What the store keeps: the entries from Noogle only (the builtins dump is the running Nix's). */
export interface StoredCopy {
  readonly format: number;
  /** When it was fetched (ms since the epoch). */
  readonly fetchedAt: number;
  readonly rev?: string;
  readonly lastModified?: number;
  readonly entries: readonly FnEntry[];
}

/** Bumped when FnEntry or its extraction changes: an older copy is then fetched anew. */
export const STORED_FORMAT = 1;
const KEY = "noogle";

export interface NoogleInfo {
  readonly functions: number;
  readonly fetchedAt: Date;
  /** The nixpkgs commit of the docs. */
  readonly rev?: string;
  /** That commit's date. */
  readonly revDate?: Date;
}

export interface FnStatus {
  /** loading: nothing to answer from yet; ready: an index exists (maybe from one source only). */
  readonly state: "loading" | "ready" | "unavailable";
  readonly noogle?: NoogleInfo;
  /** Why Noogle's data is missing, or why the copy in use is not fresh. */
  readonly noogleProblem?: string;
  /** Noogle's data is being fetched for the first time (nothing stored yet). */
  readonly noogleLoading?: boolean;
  /** Builtins from the local Nix. */
  readonly builtins?: number;
  readonly builtinsProblem?: string;
}

export interface FnLinks {
  /** Noogle's site, for function pages and searches. */
  readonly siteUrl: string;
  /** The nixpkgs repository the positions are in. */
  readonly nixpkgsUrl: string;
}

export interface FnService {
  /** Starts the background load (stored copy, builtins, a fetch when due). Never throws. */
  start(): void;
  /** Resolves when the load started by start() is over (tests, benchmarks). */
  ready(): Promise<void>;
  /** The refresh job: takes a newer stored copy, or fetches when the one in use is due. */
  refresh(): Promise<void>;
  status(): FnStatus;
  /** Undefined while there is no index (see status()). */
  lookup(query: string): Match | undefined;
  complete(partial: string, max?: number): string[];
  readonly links: FnLinks;
  stop(): Promise<void>;
}

export interface FnServiceOptions {
  readonly config: Config["fn"];
  readonly http: Http;
  readonly store: Store;
  readonly log: Logger;
  readonly now?: () => number;
  /** Replaces the worker thread (tests of the service itself parse inline). */
  readonly parse?: (body: string) => Promise<ParsedNoogle>;
  readonly workerLimits?: WorkerLimits;
  /** Replaces running `nix __dump-builtins`. */
  readonly dump?: () => Promise<{ ok: true; builtins: Readonly<Record<string, DumpedBuiltin>> } | { ok: false; reason: string }>;
}

function validCopy(v: unknown): v is StoredCopy {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Partial<StoredCopy>;
  return c.format === STORED_FORMAT && typeof c.fetchedAt === "number" && Array.isArray(c.entries);
}

/** One sentence for why a fetch or parse failed (the same words chat uses for other upstreams). */
function problemOf(e: unknown): string {
  if (e instanceof UpstreamError) return upstreamSentence(e);
  return `Noogle's data could not be read (${(e as Error).message.slice(0, 120)}).`;
}

export function createFnService(opts: FnServiceOptions): FnService {
  const cfg = opts.config;
  const log = opts.log;
  const now = opts.now ?? Date.now;
  const kv: KV<StoredCopy> = opts.store.namespace<StoredCopy>("fn");
  const noogle = createNoogle({ url: cfg.url, http: opts.http, maxBytes: cfg.maxBytes, timeoutMs: cfg.timeoutMs });
  const parse = opts.parse ?? ((body: string) => parseInWorker(body, opts.workerLimits));
  const dump = opts.dump ?? (() => (cfg.nix === "" ? Promise.resolve({ ok: false as const, reason: "fn.nix is empty" }) : dumpBuiltins({ nix: cfg.nix })));

  let index: FnIndex | undefined;
  let copy: StoredCopy | undefined;
  let builtins: Readonly<Record<string, DumpedBuiltin>> = {};
  let loaded = false;
  let noogleProblem: string | undefined = cfg.url === "" ? "Noogle's data is switched off here (fn.url is empty)." : undefined;
  let builtinsProblem: string | undefined;
  let loading: Promise<void> | undefined;
  let refreshing: Promise<void> | undefined;
  let stopped = false;
  let onStop: () => void = () => undefined;
  const stoppedNow = new Promise<void>((r) => (onStop = r));

  /** Builds the index from the copy in use and the builtins (a few ms; see bench/fn.ts). */
  function rebuild(): void {
    const started = performance.now();
    const entries = mergeBuiltins(copy?.entries ?? [], builtins);
    index = entries.length > 0 ? new FnIndex(entries) : undefined;
    log.info({ functions: entries.length, fromNoogle: copy?.entries.length ?? 0, builtins: Object.keys(builtins).length, ms: Math.round(performance.now() - started) }, "fn: index built");
  }

  async function readStored(): Promise<StoredCopy | undefined> {
    try {
      const v = await kv.get(KEY);
      return validCopy(v) ? v : undefined;
    } catch (e) {
      log.warn({ err: String(e) }, "fn: the stored copy of Noogle's data cannot be read");
      return undefined;
    }
  }

  const due = (c: StoredCopy | undefined): boolean => c === undefined || now() - c.fetchedAt >= cfg.refreshHours * 3_600_000;

  async function fetchNow(): Promise<void> {
    const started = now();
    try {
      let body: string | undefined = await noogle.fetchBody();
      const bytes = body.length;
      // Handed to the parse (the worker has its own copy): not kept here while it runs.
      const parsing = parse(body);
      body = undefined;
      const parsed = await parsing;
      if (stopped) return;
      const fresh: StoredCopy = {
        format: STORED_FORMAT,
        fetchedAt: now(),
        entries: parsed.entries,
        ...(parsed.rev === undefined ? {} : { rev: parsed.rev }),
        ...(parsed.lastModified === undefined ? {} : { lastModified: parsed.lastModified }),
      };
      copy = fresh;
      noogleProblem = undefined;
      rebuild();
      log.info({ functions: parsed.entries.length, skipped: parsed.skipped, bytes, rev: parsed.rev, ms: now() - started }, "fn: Noogle's data fetched");
      await kv.set(KEY, fresh).catch((e: unknown) => log.warn({ err: String(e) }, "fn: the copy of Noogle's data cannot be stored"));
    } catch (e) {
      noogleProblem = problemOf(e);
      log.warn({ err: e instanceof Error ? e.message : String(e) }, "fn: fetching Noogle's data failed");
    }
  }

  async function refreshOnce(): Promise<void> {
    if (cfg.url === "" || stopped) return;
    const stored = await readStored();
    if (stored !== undefined && (copy === undefined || stored.fetchedAt > copy.fetchedAt)) {
      copy = stored;
      rebuild();
    }
    if (due(copy)) await fetchNow();
  }

  const service: FnService = {
    links: { siteUrl: cfg.siteUrl, nixpkgsUrl: cfg.nixpkgsUrl },

    start() {
      loading ??= (async () => {
        const [stored, dumped] = await Promise.all([cfg.url === "" ? undefined : readStored(), dump()]);
        if (dumped.ok) builtins = dumped.builtins;
        else {
          builtinsProblem = dumped.reason;
          log.info({ reason: dumped.reason }, "fn: no builtins from the local Nix");
        }
        copy = stored;
        if (copy !== undefined || Object.keys(builtins).length > 0) rebuild();
        loaded = true;
        if (due(copy)) await service.refresh();
      })().catch((e: unknown) => log.error({ err: String(e) }, "fn: loading failed"));
    },

    ready: () => loading ?? Promise.resolve(),

    refresh() {
      refreshing ??= refreshOnce().finally(() => (refreshing = undefined));
      // A shutdown does not wait for a download still under way.
      return Promise.race([refreshing, stoppedNow]);
    },

    status() {
      const count = Object.keys(builtins).length;
      const info: NoogleInfo | undefined =
        copy === undefined
          ? undefined
          : {
              functions: copy.entries.length,
              fetchedAt: new Date(copy.fetchedAt),
              ...(copy.rev === undefined ? {} : { rev: copy.rev }),
              ...(copy.lastModified === undefined ? {} : { revDate: new Date(copy.lastModified * 1000) }),
            };
      const state = index !== undefined ? "ready" : !loaded || (refreshing !== undefined && copy === undefined && noogleProblem === undefined) ? "loading" : "unavailable";
      return {
        state,
        ...(info === undefined ? {} : { noogle: info }),
        ...(noogleProblem === undefined ? {} : { noogleProblem }),
        ...(cfg.url !== "" && copy === undefined && noogleProblem === undefined ? { noogleLoading: true } : {}),
        ...(count > 0 ? { builtins: count } : {}),
        ...(builtinsProblem === undefined ? {} : { builtinsProblem }),
      };
    },

    lookup: (query) => index?.lookup(query),
    complete: (partial, max) => index?.complete(partial, max) ?? [],

    async stop() {
      // A fetch or parse still under way is bounded (fn.timeoutMs, the worker's limit); its result is dropped.
      stopped = true;
      onStop();
    },
  };
  return service;
}
