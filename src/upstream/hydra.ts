/**
 * Hydra (hydra.nixos.org), read politely: the finished builds of one job on one platform
 * (`/api/latestbuilds`) and a build's HTML page (the only place that names the failed dependency).
 * Every request shares one client-side pace (default 1 a second, burst 4) and carries nixie's
 * User-Agent (the HTTP layer's); after a 429, 502 or 503 no request at all goes to Hydra for the
 * cool-down (at least 60 s, longer when Retry-After says so), and callers get an UpstreamError
 * saying when to try again. Build lists are cached per (jobset, job, platform): 10 minutes, an
 * empty one ("no job") an hour. Never asks for evaluations (`/eval/…`, `/jobset/…/evals`): a nixpkgs
 * evaluation lists about 250,000 builds. Knows nothing of commands or feeds.
 */
import { msLeft } from "../core/deadline.js";
import { UpstreamError } from "../core/errors.js";
import { IntervalLimiter, SingleFlight, TtlCache } from "./cache.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";
import { MAX_PAGE_CHARS } from "./hydra-build-page.js";

/** One finished build as `/api/latestbuilds` lists it. */
export interface HydraBuild {
  readonly id: number;
  readonly job: string;
  readonly system: string;
  /** `<pname>-<version>`. */
  readonly nixname: string;
  /** When an evaluation queued it (unix seconds), not when it ran. */
  readonly timestamp: number;
  /** 0 succeeded, 1 failed, 2 dependency failed, 3 aborted, 4 cancelled, … (see status words). */
  readonly buildstatus: number;
}

/** A job of a jobset: what the client is asked about, every part already checked by the caller. */
export interface HydraJobRef {
  /** `project` and `jobset`, as in `nixpkgs/unstable`. */
  readonly project: string;
  readonly jobset: string;
  /** `hello.x86_64-linux`, `nixpkgs.hello.aarch64-linux`. */
  readonly job: string;
  readonly system: string;
}

/** How a caller bounds a Hydra call: its deadline, and whether nobody waits for it (the sweep). */
export interface HydraCall extends Deadline {
  /** Background work: it leaves the pace's burst to commands and waits up to a minute for its turn. */
  readonly background?: boolean;
}

/** The longest a background request waits for its turn in the pace. */
const BACKGROUND_WAIT_MS = 60_000;

export interface HydraOptions {
  readonly baseUrl: string;
  readonly http: Http;
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMs: number;
  readonly noJobCacheMs: number;
  readonly now?: () => number;
}

export interface Hydra {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  /** The service name in errors: the host of the base URL. */
  readonly service: string;
  /** Builds listed per request: enough to find the last success of most jobs. */
  readonly window: number;
  /**
   * The newest finished builds of a job on a platform, newest first; [] when Hydra has no such job.
   * `fresh` skips the cache (the sweep must see the current state) but still fills it.
   */
  latestBuilds(job: HydraJobRef, opts?: HydraCall & { readonly fresh?: boolean }): Promise<readonly HydraBuild[]>;
  /** A build's HTML page (for the "Failed build steps" table). */
  buildPage(id: number, opts?: HydraCall): Promise<string>;
  /** Links for people. */
  buildUrl(id: number): string;
  buildLogUrl(id: number): string;
  jobUrl(project: string, jobset: string, job?: string): string;
  /** When Hydra may be asked again after a 429/502/503 (unix ms), or undefined when it may now. */
  coolingUntil(): number | undefined;
  /** Requests sent to Hydra so far (not cache hits): for the benchmark and tests. */
  readonly requests: number;
}

/** latestbuilds' `nr`: required by Hydra, uncapped there, so kept small here. */
export const LATEST_WINDOW = 10;
/** A build page is about 20 kB; the parser refuses more than this anyway, so nothing larger is read or cached. */
const PAGE_MAX_BYTES = MAX_PAGE_CHARS;
const LIST_MAX_BYTES = 200_000;
/** Statuses after which Hydra gets a rest: rate-limited, or the server down or restarting. */
const COOLDOWN_STATUSES = new Set([429, 502, 503]);
/** Names Hydra uses for projects, jobsets, jobs and systems; anything else never reaches a URL. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Decodes a latestbuilds answer; throws a message naming what is wrong. */
export function decodeLatestBuilds(body: unknown): HydraBuild[] {
  if (!Array.isArray(body)) throw new Error("the answer is not a list");
  return body.map((b, i) => {
    if (!isRecord(b)) throw new Error(`entry ${i} is not an object`);
    const { id, job, system, nixname, timestamp, buildstatus } = b;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw new Error(`entry ${i} has no build id`);
    if (typeof buildstatus !== "number" || !Number.isInteger(buildstatus)) throw new Error(`entry ${i} has no build status`);
    return {
      id,
      job: typeof job === "string" ? job : "",
      system: typeof system === "string" ? system : "",
      nixname: typeof nixname === "string" ? nixname.slice(0, 200) : "",
      timestamp: typeof timestamp === "number" && Number.isFinite(timestamp) ? timestamp : 0,
      buildstatus,
    };
  });
}

export function createHydra(opts: HydraOptions): Hydra {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const service = new URL(base).host;
  const now = opts.now ?? Date.now;
  const limiter = new IntervalLimiter(opts.requestsPerSecond, opts.burst);
  const lists = new TtlCache<readonly HydraBuild[]>(5000, now);
  const pages = new TtlCache<string>(200, now);
  const listFlights = new SingleFlight<readonly HydraBuild[]>();
  const pageFlights = new SingleFlight<string>();
  let cooling = 0;
  let requests = 0;

  const coolingError = (): UpstreamError => {
    const retryAt = new Date(cooling);
    return new UpstreamError(service, "rate-limited", `nixie gives Hydra a rest until ${retryAt.toISOString()}`, { retryAt });
  };

  /** One paced GET; a 429/502/503 starts the cool-down, during which nothing is sent. */
  async function get(url: string, headers: Record<string, string>, maxBytes: number, d: HydraCall): Promise<string> {
    if (cooling > now()) throw coolingError();
    // The pace is waited for here rather than in the HTTP layer, so that requests queued behind
    // one that got a 429 are not sent when their turn comes.
    const maxWait = Math.min(d.background ? BACKGROUND_WAIT_MS : opts.timeoutMs, Math.min(d.deadline === undefined ? Infinity : d.deadline - Date.now(), msLeft(d.signal)));
    if (!(await limiter.wait(maxWait, d.background === true, d.signal).catch(() => false)))
      throw new UpstreamError(service, "timeout", `its turn in the ${service} pace comes after the caller stops waiting`);
    if (cooling > now()) throw coolingError();
    let res;
    try {
      requests++;
      res = await opts.http.request({ service, url, headers, maxBytes, timeoutMs: opts.timeoutMs, retries: 0, ...deadlineOf(d) });
    } catch (e) {
      if (e instanceof UpstreamError && e.status !== undefined && COOLDOWN_STATUSES.has(e.status)) {
        // retryAt is not known here for a 502/503; Retry-After, when sent, is honoured via the error.
        const asked = e.retryAt ? e.retryAt.getTime() - now() : 0;
        cooling = Math.max(cooling, now() + Math.max(opts.cooldownMs, asked));
        const retryAt = new Date(cooling);
        if (e.status === 429) throw new UpstreamError(service, "rate-limited", e.detail, { status: 429, retryAt, cause: e });
        throw new UpstreamError(service, "status", e.detail, { status: e.status, retryAt, cause: e });
      }
      if (e instanceof UpstreamError && e.status === 404) {
        // An unknown jobset (or one renamed without a recorded rename): the config's map is stale.
        throw new UpstreamError(service, "moved", "HTTP 404 (no such jobset or build)", { status: 404, cause: e });
      }
      throw e;
    }
    return res.body;
  }

  const check = (what: string, value: string): string => {
    if (!NAME.test(value)) throw new Error(`hydra: ${what} ${JSON.stringify(value).slice(0, 80)} is not a Hydra name`);
    return value;
  };

  return {
    baseUrl: base,
    service,
    window: LATEST_WINDOW,
    get requests() {
      return requests;
    },
    coolingUntil: () => (cooling > now() ? cooling : undefined),
    async latestBuilds(job, d = {}) {
      const key = JSON.stringify([job.project, job.jobset, job.job, job.system]);
      const hit = d.fresh ? undefined : lists.get(key);
      if (hit) return hit;
      // A command never joins the sweep's request (or the reverse): the sweep's may wait a minute
      // for its turn in the pace, far past a command's deadline.
      return listFlights.run(d.background ? `${key}|background` : key, async () => {
        const url = new URL(`${base}/api/latestbuilds`);
        url.searchParams.set("nr", String(LATEST_WINDOW));
        url.searchParams.set("project", check("project", job.project));
        url.searchParams.set("jobset", check("jobset", job.jobset));
        url.searchParams.set("job", check("job", job.job));
        url.searchParams.set("system", check("system", job.system));
        const body = await get(url.href, { accept: "application/json" }, LIST_MAX_BYTES, d);
        let builds: HydraBuild[];
        try {
          builds = decodeLatestBuilds(JSON.parse(body));
        } catch (e) {
          throw new UpstreamError(service, "bad-response", `answered something nixie cannot read (${e instanceof SyntaxError ? "not JSON" : (e as Error).message})`);
        }
        // Only this job's rows, newest first, whatever order the server sent.
        const mine = builds.filter((b) => b.job === "" || b.job === job.job).sort((a, b) => b.id - a.id);
        lists.set(key, mine, mine.length === 0 ? opts.noJobCacheMs : opts.cacheMs);
        return mine;
      });
    },
    async buildPage(id, d = {}) {
      if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`hydra: ${id} is not a build id`);
      const key = String(id);
      const hit = pages.get(key);
      if (hit !== undefined) return hit;
      return pageFlights.run(d.background ? `${key}|background` : key, async () => {
        const html = await get(`${base}/build/${id}`, { accept: "text/html" }, PAGE_MAX_BYTES, d);
        // A finished build's page changes little; the list's cache time is long enough.
        pages.set(key, html, opts.cacheMs);
        return html;
      });
    },
    buildUrl: (id) => `${base}/build/${id}`,
    buildLogUrl: (id) => `${base}/build/${id}/log`,
    jobUrl: (project, jobset, job) =>
      job === undefined
        ? `${base}/jobset/${encodeURIComponent(project)}/${encodeURIComponent(jobset)}`
        : `${base}/job/${encodeURIComponent(project)}/${encodeURIComponent(jobset)}/${encodeURIComponent(job)}`,
  };
}
