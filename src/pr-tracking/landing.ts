/**
 * Where a nixpkgs pull request stands: which branches on its way have its merge commit. A
 * positive answer is permanent (branches are never rewritten) and kept in the store forever; a
 * negative one is kept with the branch head it was checked against, and asked again only when
 * that head has moved (when the head is known without asking: from the channel heads provider or
 * from a head fetched for many pull requests at once).
 */
import { hasPassed } from "../core/deadline.js";
import { UpstreamError } from "../core/errors.js";
import type { KV, Store } from "../storage/store.js";
import type { GitHub, PullRequest } from "../upstream/github.js";
import { deadlineOf, type Deadline } from "../upstream/http.js";
import type { BudgetUse } from "../upstream/github-budget.js";
import { branchesFrom, gateOf, type BranchStep } from "./branches.js";

export type BranchMark = "reached" | "not yet" | "not on its way";

export interface BranchRow {
  readonly branch: string;
  readonly mark: BranchMark;
}

export interface PullStatus {
  readonly pull: PullRequest;
  readonly rows: readonly BranchRow[];
  /** ISO time of the answer (older than now when it came from the store). */
  readonly asOf: string;
  /** Some branches could not be checked now (GitHub's budget): they show what was known. */
  readonly incomplete?: { readonly until: string };
  /** Merged, but GitHub gives no merge commit: only the base branch is known. */
  readonly noMergeCommit?: boolean;
  /** The command's deadline passed before every branch was checked: they show what was known. */
  readonly late?: boolean;
}

/** Current branch heads by name (40 hex), e.g. the channels' revisions. */
export type HeadsProvider = () => Promise<ReadonlyMap<string, string>>;

export interface CheckOptions {
  readonly use: BudgetUse;
  /** Heads known now: a branch whose stored negative was checked at the same head is not asked again. */
  readonly heads?: ReadonlyMap<string, string>;
  /** A command's signal: branches not checked when it fires show what is known. */
  readonly signal?: AbortSignal | undefined;
  /** Deprecated, use `signal`: a command's deadline as a `Date.now()` value. */
  readonly deadline?: number;
}

export interface StatusService {
  /** Asks GitHub for the pull request, then checks its branches (a "rate-limited" UpstreamError when it cannot ask). */
  lookup(n: number, use: BudgetUse, opts?: Deadline): Promise<PullStatus>;
  /** Checks the branches of a known pull request; branches it cannot check now show what is known. */
  check(pull: PullRequest, opts: CheckOptions): Promise<PullStatus>;
  /** The last answer kept for a pull request, if any (for "as of" answers). */
  cached(n: number): Promise<PullStatus | undefined>;
  /** What is stored about `branch` having `sha`: true, the head it was not there at, or nothing. */
  known(sha: string, branch: string): Promise<true | string | undefined>;
  /** Stores an answer learnt without asking (inferred from another pull request's). */
  record(sha: string, branch: string, contained: boolean, head: string): Promise<void>;
}

type Doc = true | string | PullStatus;

/**
 * How long a pull request's last answer and a negative containment are kept. Anyone may look up
 * any number, so these must not pile up for ever; a tracked pull request is rewritten at every
 * check, and a forgotten negative costs one compare. Positives are kept for good (they are final).
 */
const KEPT_MS = 30 * 86_400_000;

export function createStatusService(deps: { github: GitHub; store: Store; now?: () => Date }): StatusService {
  const kv: KV<Doc> = deps.store.namespace<Doc>("github");
  const now = deps.now ?? (() => new Date());
  const hasKey = (sha: string, b: string): string => `has:${sha}:${b}`;
  const notKey = (sha: string, b: string): string => `not:${sha}:${b}`;

  async function check(pull: PullRequest, opts: CheckOptions): Promise<PullStatus> {
    const steps = branchesFrom(pull.baseRef);
    const at = now().toISOString();
    const done = async (s: PullStatus): Promise<PullStatus> => {
      // Kept for "as of" answers and !tracked. A command's answer does not wait for the write
      // (a failed one only loses that fallback); the tracking check does.
      const write = kv.set(`status:${pull.number}`, s, KEPT_MS);
      if (opts.use === "background") await write;
      else write.catch(() => undefined);
      return s;
    };
    if (pull.state === "closed") return done({ pull, rows: steps.map((s) => ({ branch: s.name, mark: "not on its way" })), asOf: at });
    if (pull.state !== "merged") return done({ pull, rows: steps.map((s) => ({ branch: s.name, mark: "not yet" })), asOf: at });
    const sha = pull.mergeSha;
    if (sha === undefined) {
      return done({ pull, rows: steps.slice(0, 1).map((s) => ({ branch: s.name, mark: "reached" })), asOf: at, noMergeCommit: true });
    }
    const positives = await kv.getMany(steps.map((s) => hasKey(sha, s.name)));
    const reached = new Set<string>(steps.filter((_, i) => positives[i] === true).map((s) => s.name));
    // The base branch has it from the moment of the merge.
    reached.add(steps[0]!.name);
    let limited: UpstreamError | undefined;
    let late = false;
    const deadline = deadlineOf(opts);
    const bounded = opts.signal !== undefined || opts.deadline !== undefined;
    const passed = (): boolean => hasPassed(opts.signal) || (opts.deadline !== undefined && Date.now() >= opts.deadline);
    // Store writes wait until the end, all at once: the answer does not wait for each one.
    const writes: Promise<unknown>[] = [];
    const checkOne = async (step: BranchStep): Promise<void> => {
      const gate = gateOf(steps, step);
      if (gate !== undefined && !reached.has(gate)) return;
      const head = opts.heads?.get(step.name);
      // With heads given, a branch without one (missing, or not asked this round) waits.
      if (opts.heads && head === undefined) return;
      if (head !== undefined && (await kv.get(notKey(sha, step.name))) === head) return;
      if (limited || late) return;
      try {
        const c = await deps.github.compare(step.name, sha, opts.use, deadline);
        if (c.contained) {
          reached.add(step.name);
          writes.push(kv.set(hasKey(sha, step.name), true), kv.delete(notKey(sha, step.name)));
        } else if (c.head !== undefined || head !== undefined) {
          const w = kv.set(notKey(sha, step.name), c.head ?? head!, KEPT_MS);
          // A negative only saves a later request: a command's answer does not wait for it.
          if (opts.use === "background") writes.push(w);
          else w.catch(() => undefined);
        }
      } catch (e) {
        if (e instanceof UpstreamError && e.failure === "rate-limited") limited = e;
        // Out of time: answer with what is known rather than nothing.
        else if (bounded && (passed() || (e instanceof UpstreamError && e.failure === "timeout"))) late = true;
        else throw e;
      }
    };
    // In rounds: every branch whose gate is reached is asked at once (master's three channels
    // together); a branch whose gate was asked and is not reached waits for a later check.
    const asked = new Set<string>();
    try {
      for (;;) {
        const ready = steps.filter((s) => {
          if (reached.has(s.name) || asked.has(s.name)) return false;
          const gate = gateOf(steps, s);
          return gate === undefined || reached.has(gate);
        });
        if (ready.length === 0 || limited || late) break;
        for (const s of ready) asked.add(s.name);
        // allSettled: every request of a round ends before the writes below are awaited
        const results = await Promise.allSettled(ready.map(checkOne));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
      }
    } finally {
      // Positives must be stored before anyone relies on them; negatives only save requests.
      await Promise.all(writes);
    }
    const rows = steps.map((s): BranchRow => ({ branch: s.name, mark: reached.has(s.name) ? "reached" : "not yet" }));
    const s: PullStatus = { pull, rows, asOf: at, ...(limited ? { incomplete: { until: (limited.retryAt ?? new Date(Date.now() + 3_600_000)).toISOString() } } : {}), ...(late ? { late: true } : {}) };
    return done(s);
  }

  return {
    async lookup(n, use, opts = {}) {
      const pull = await deps.github.pull(n, use, opts);
      return check(pull, { use, ...opts });
    },
    check,
    async cached(n) {
      const s = await kv.get(`status:${n}`);
      return typeof s === "object" ? s : undefined;
    },
    async known(sha, branch) {
      if ((await kv.get(hasKey(sha, branch))) === true) return true;
      const head = await kv.get(notKey(sha, branch));
      return typeof head === "string" ? head : undefined;
    },
    async record(sha, branch, contained, head) {
      if (contained) {
        await kv.set(hasKey(sha, branch), true);
        await kv.delete(notKey(sha, branch));
      } else await kv.set(notKey(sha, branch), head, KEPT_MS);
    },
  };
}
