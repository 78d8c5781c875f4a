/**
 * The GitHub REST API, as far as nixie needs it: a nixpkgs pull request, whether a branch
 * contains a commit (compare), a branch's head, and an issue or pull request of any repository
 * (for reference expansion). Every request is counted against the hourly budget, and GitHub's
 * rate-limit answers (x-ratelimit-*, 403/429, retry-after) stop all requests until the time it
 * names. With a token, answers are asked for conditionally (ETag), and 304s are not counted.
 * Knows nothing about commands.
 */
import { hasPassed } from "../core/deadline.js";
import { UpstreamError } from "../core/errors.js";
import { TtlCache } from "./cache.js";
import type { BudgetUse, GitHubBudget } from "./github-budget.js";
import { deadlineOf, type Deadline, type Http } from "./http.js";

export const GITHUB_SERVICE = "GitHub";
/** The repository !pr and !track work on. */
export const NIXPKGS = "NixOS/nixpkgs";

export type PullState = "open" | "draft" | "closed" | "merged";

export interface PullRequest {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly author: string;
  readonly state: PullState;
  readonly baseRef: string;
  /** ISO time, for merged pull requests. */
  readonly mergedAt?: string;
  /** The merge commit, only for merged pull requests, and only when GitHub gives one. */
  readonly mergeSha?: string;
}

export interface IssueSummary {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly author: string;
  readonly isPull: boolean;
  readonly state: "open" | "closed" | "merged" | "draft";
  /** ISO time. */
  readonly createdAt: string;
  /** ISO time a pull request was merged, when it was. */
  readonly mergedAt?: string;
}

export interface Containment {
  /** The branch has the commit (compare status behind or identical). */
  readonly contained: boolean;
  /** The branch's head when GitHub answered (compare's base_commit), when it said. */
  readonly head?: string;
}

/**
 * GitHub may not be asked now (nixie's budget is spent, or GitHub said to wait): an UpstreamError
 * of failure "rate-limited" whose `retryAt` (also `until`) says when it may be asked again.
 */
export class GitHubLimitError extends UpstreamError {
  override name = "GitHubLimitError";
  readonly until: Date;
  constructor(until: Date, status?: number) {
    super(GITHUB_SERVICE, "rate-limited", `may be asked again at ${until.toISOString()}`, { retryAt: until, ...(status === undefined ? {} : { status }) });
    this.until = until;
  }
}

/**
 * The pull request (or issue) does not exist: an UpstreamError of failure "not-found".
 * `isIssue`: the number is an issue, not a pull request.
 */
export class GitHubNotFoundError extends UpstreamError {
  override name = "GitHubNotFoundError";
  constructor(
    readonly number: number,
    readonly isIssue: boolean,
  ) {
    super(GITHUB_SERVICE, "not-found", isIssue ? `#${number} is an issue` : `no #${number}`, { status: 404 });
  }
}

export interface GitHub {
  readonly budget: GitHubBudget;
  /** Requests are conditional (a token is set): unchanged answers (304) cost no budget. */
  readonly conditional: boolean;
  pull(n: number, use?: BudgetUse, opts?: Deadline): Promise<PullRequest>;
  /** Whether `branch` of nixpkgs contains `sha` (a branch GitHub does not know: false). */
  compare(branch: string, sha: string, use?: BudgetUse, opts?: Deadline): Promise<Containment>;
  /** The current head of a nixpkgs branch, or undefined when there is no such branch. */
  branchHead(branch: string, use?: BudgetUse, opts?: Deadline): Promise<string | undefined>;
  /** An issue or pull request of any repository (one request), or undefined when there is none. */
  issue(repo: string, n: number, use?: BudgetUse, opts?: Deadline): Promise<IssueSummary | undefined>;
}

export interface GitHubOptions {
  readonly http: Http;
  /** API root, e.g. https://api.github.com. */
  readonly api: string;
  readonly token?: string | undefined;
  readonly budget: GitHubBudget;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

const SHA = /^[0-9a-f]{40}$/;
/** Validators kept for conditional requests (token only). */
const ETAG_ENTRIES = 1000;
const ETAG_TTL_MS = 7 * 24 * 3_600_000;
/** Largest answer kept for conditional requests (with ETAG_ENTRIES, at most 128 MB even in the worst case; pulls, compares and branch answers are a few KB to 80 KB). */
const ETAG_MAX_BODY = 131_072;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function createGitHub(opts: GitHubOptions): GitHub {
  const api = opts.api.replace(/\/+$/, "");
  const now = opts.now ?? Date.now;
  const etags = new TtlCache<{ etag: string; body: string }>(ETAG_ENTRIES, now);

  /** Honours x-ratelimit-* of any answer: remaining 0 stops requests until the reset. */
  function noteLimits(headers: Readonly<Record<string, string>>, status: number): void {
    const remaining = headers["x-ratelimit-remaining"];
    const reset = Number(headers["x-ratelimit-reset"]);
    const retryAfter = Number(headers["retry-after"]);
    if ((status === 403 || status === 429) && Number.isFinite(retryAfter) && retryAfter > 0) {
      opts.budget.blockUntil(new Date(now() + retryAfter * 1000));
    }
    if (remaining === "0" && Number.isFinite(reset) && reset > 0) opts.budget.blockUntil(new Date(reset * 1000));
  }

  /** One GET: counted, rate limits honoured; 404 comes back as undefined. */
  async function get(path: string, use: BudgetUse, deadline: Deadline = {}): Promise<{ status: number; data: Json } | undefined> {
    // Past the caller's deadline nothing is asked, and no budget is spent on it.
    if (hasPassed(deadline.signal)) throw new UpstreamError(GITHUB_SERVICE, "timeout", "no answer by the caller's deadline");
    if (!opts.budget.take(use)) throw new GitHubLimitError(opts.budget.nextAt(use));
    const url = `${api}${path}`;
    const headers: Record<string, string> = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
    const known = opts.token ? etags.get(url) : undefined;
    if (opts.token) headers["authorization"] = `Bearer ${opts.token}`;
    if (known) headers["if-none-match"] = known.etag;
    const res = await opts.http.request({
      service: GITHUB_SERVICE,
      url,
      headers,
      // Every attempt costs budget: nixie decides itself when to ask again.
      retries: 0,
      accept: [304, 403, 404, 422, 429],
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...deadlineOf(deadline),
    });
    noteLimits(res.headers, res.status);
    if (res.status === 403 || res.status === 429) {
      const limited = res.headers["x-ratelimit-remaining"] === "0" || res.headers["retry-after"] !== undefined || res.status === 429;
      if (limited) throw new GitHubLimitError(opts.budget.nextAt(use), res.status);
      throw new UpstreamError(GITHUB_SERVICE, "status", `HTTP ${res.status}`, { status: res.status });
    }
    if (res.status === 404 || res.status === 422) return undefined;
    let body = res.body;
    if (res.status === 304 && known) {
      // Conditional answers with a token do not count against GitHub's limit.
      opts.budget.refund();
      body = known.body;
    }
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      throw new UpstreamError(GITHUB_SERVICE, "bad-response", `answer is not JSON (HTTP ${res.status})`, { status: res.status });
    }
    if (!isObj(data)) throw new UpstreamError(GITHUB_SERVICE, "bad-response", "answer is not a JSON object", { status: res.status });
    const etag = res.headers["etag"];
    // Answers are kept whole for the 304s: only the small ones (a pull request is 20-80 KB).
    if (opts.token && res.status === 200 && etag && body.length <= ETAG_MAX_BODY) etags.set(url, { etag, body }, ETAG_TTL_MS);
    return { status: res.status, data };
  }

  const bad = (what: string): UpstreamError => new UpstreamError(GITHUB_SERVICE, "bad-response", what);

  async function issue(repo: string, n: number, use: BudgetUse = "command", deadline: Deadline = {}): Promise<IssueSummary | undefined> {
    const got = await get(`/repos/${repoPath(repo)}/issues/${n}`, use, deadline);
    if (!got) return undefined;
    const d = got.data;
    const title = str(d["title"]);
    const url = str(d["html_url"]);
    if (title === undefined || url === undefined) throw bad("an issue without title or URL");
    const pr = isObj(d["pull_request"]) ? d["pull_request"] : undefined;
    const closed = d["state"] === "closed";
    const state = pr && str(pr["merged_at"]) ? "merged" : closed ? "closed" : d["draft"] === true ? "draft" : "open";
    return {
      number: n,
      title,
      url,
      author: (isObj(d["user"]) ? str(d["user"]["login"]) : undefined) ?? "ghost",
      isPull: pr !== undefined,
      state,
      createdAt: str(d["created_at"]) ?? "",
      ...(pr && str(pr["merged_at"]) ? { mergedAt: str(pr["merged_at"])! } : {}),
    };
  }

  return {
    budget: opts.budget,
    conditional: opts.token !== undefined,
    async pull(n, use = "command", deadline = {}) {
      const got = await get(`/repos/${NIXPKGS}/pulls/${n}`, use, deadline);
      if (!got) {
        // An issue number answers 404 here; one more request tells the two apart.
        const asIssue = await issue(NIXPKGS, n, use, deadline).catch(() => undefined);
        throw new GitHubNotFoundError(n, asIssue !== undefined && !asIssue.isPull);
      }
      const d = got.data;
      const title = str(d["title"]);
      const base = isObj(d["base"]) ? str(d["base"]["ref"]) : undefined;
      if (title === undefined || base === undefined) throw bad("a pull request without title or base branch");
      const merged = d["merged"] === true || (d["merged"] === undefined && typeof d["merged_at"] === "string");
      const state: PullState = merged ? "merged" : d["state"] === "closed" ? "closed" : d["draft"] === true ? "draft" : "open";
      const sha = str(d["merge_commit_sha"]);
      const mergedAt = str(d["merged_at"]);
      return {
        number: n,
        title,
        url: str(d["html_url"]) ?? `https://github.com/${NIXPKGS}/pull/${n}`,
        author: (isObj(d["user"]) ? str(d["user"]["login"]) : undefined) ?? "ghost",
        state,
        baseRef: base,
        ...(merged && mergedAt ? { mergedAt } : {}),
        // Before the merge this is GitHub's test merge: meaningless for containment.
        ...(merged && sha && SHA.test(sha) ? { mergeSha: sha } : {}),
      };
    },
    async compare(branch, sha, use = "background", deadline = {}) {
      // An out-of-range page: GitHub sends no commit list, only the comparison.
      const got = await get(`/repos/${NIXPKGS}/compare/${encodeURIComponent(branch)}...${sha}?per_page=1&page=100`, use, deadline);
      if (!got) return { contained: false };
      const status = str(got.data["status"]);
      if (status === undefined || !["ahead", "behind", "identical", "diverged"].includes(status)) throw bad("a comparison without status");
      const base = isObj(got.data["base_commit"]) ? str(got.data["base_commit"]["sha"]) : undefined;
      return { contained: status === "behind" || status === "identical", ...(base && SHA.test(base) ? { head: base } : {}) };
    },
    async branchHead(branch, use = "background", deadline = {}) {
      const got = await get(`/repos/${NIXPKGS}/branches/${encodeURIComponent(branch)}`, use, deadline);
      if (!got) return undefined;
      const commit = got.data["commit"];
      const sha = isObj(commit) ? str(commit["sha"]) : undefined;
      if (sha === undefined || !SHA.test(sha)) throw bad("a branch without a commit");
      return sha;
    },
    issue,
  };
}

/** "owner/name" with each part checked, so nothing else ends up in the path. */
function repoPath(repo: string): string {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(repo);
  if (!m || m[2] === "." || m[2] === "..") throw new Error(`not a repository: ${repo}`);
  return `${m[1]}/${m[2]}`;
}
