/**
 * The upstreams nixie talks to, each with the outcome of its last request, for `!about`.
 *
 * A client registers itself once where it is built (src/services.ts): a name, what nixie asks it
 * for, its URL, and the `service` names its requests carry through the HTTP layer. The HTTP
 * layer's events are recorded here (`record`), so a new upstream (Hydra, Noogle) appears in
 * `!about` with its status by registering one entry; `!about` itself does not change.
 */
import type { HttpEvent } from "./http.js";

export interface UpstreamEntry {
  /** Shown first: "search.nixos.org", "GitHub". */
  readonly name: string;
  /** What nixie asks it for, a few words: "packages, options, programs". */
  readonly purpose: string;
  /** Its base URL; only scheme and host are ever shown. */
  readonly url: string;
  /**
   * The `service` names of its requests (HttpRequest.service). Default: the URL's host, which is
   * what the host-named clients (wiki, Discourse, feeds, Prometheus) use.
   */
  readonly services?: readonly string[];
}

/** The last request to an upstream, as the HTTP layer saw it. */
export interface LastRequest {
  readonly ok: boolean;
  /** The HTTP status; absent when no answer came (network error, time-out). */
  readonly status?: number;
  readonly at: Date;
}

export interface UpstreamStatus {
  readonly entry: UpstreamEntry;
  /** Undefined: not asked since nixie started. */
  readonly last?: LastRequest;
}

export interface UpstreamRegistry {
  /** Adds an upstream; a second entry with the same name replaces nothing and is ignored. */
  register(entry: UpstreamEntry): void;
  /** Records one HTTP event (hand it every event of the shared HTTP layer). Cache hits do not count. */
  record(e: HttpEvent, at?: Date): void;
  /** Every upstream in the order registered, with its last request. */
  list(): readonly UpstreamStatus[];
}

/** The host of a URL, or the URL itself when it does not parse (config validation checks URLs). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function createUpstreamRegistry(): UpstreamRegistry {
  const entries: UpstreamEntry[] = [];
  /**
   * Service name -> indexes in `entries`. Upstreams on one host (a local mirror serving two)
   * share their requests' service name, so a request counts for each of them.
   */
  const byService = new Map<string, number[]>();
  const last = new Map<number, LastRequest>();
  return {
    register(entry) {
      if (entries.some((e) => e.name === entry.name)) return;
      const index = entries.push(entry) - 1;
      for (const s of entry.services ?? [hostOf(entry.url)]) byService.set(s, [...(byService.get(s) ?? []), index]);
    },
    record(e, at = new Date()) {
      if (e.outcome === "cache-hit") return;
      const request: LastRequest = { ok: e.outcome === "ok", ...(e.status === undefined ? {} : { status: e.status }), at };
      for (const index of byService.get(e.service) ?? []) last.set(index, request);
    },
    list: () => entries.map((entry, i) => ({ entry, ...(last.has(i) ? { last: last.get(i)! } : {}) })),
  };
}
