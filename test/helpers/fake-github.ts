/**
 * A loopback fake of the GitHub REST API whose `compare` and `branches` answers are computed by
 * real git over a bare repository the test builds: branches staging → staging-next → master →
 * channels, release-26.05 and its channels, with merge commits for pull requests. `pulls` and
 * `issues` answer from a table the test writes. Answers have the recorded shapes
 * (test/fixtures/github-*.json), rate-limit headers, ETags and 304s.
 *
 * git runs through execFile with argument arrays, never a shell; names from URLs are checked first.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { sendJson, startLoopback, type Loopback, type RecordedRequest } from "./loopback.js";

const run = promisify(execFile);
const fixture = (name: string): { body: unknown; headers?: Record<string, string> } =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as { body: unknown; headers?: Record<string, string> };

export const BRANCHES = [
  "staging",
  "staging-next",
  "master",
  "nixos-unstable-small",
  "nixos-unstable",
  "nixpkgs-unstable",
  "staging-26.05",
  "staging-next-26.05",
  "release-26.05",
  "nixos-26.05-small",
  "nixos-26.05",
  "nixpkgs-26.05-darwin",
] as const;

export interface PullSpec {
  title: string;
  author?: string;
  base: string;
  state: "open" | "closed";
  draft?: boolean;
  merged?: boolean;
  mergeSha?: string | null;
  mergedAt?: string | null;
}

/** An entry of FakeGitHub.issues. */
export interface FakeIssue {
  title: string;
  author?: string;
  state: "open" | "closed";
  pull?: { mergedAt?: string };
}

export interface FakeGitHub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly pulls: Map<number, PullSpec>;
  /**
   * Plain issues by number (of nixpkgs, NixOS/nix and home-manager); with `pull`, a pull request
   * of NixOS/nix or home-manager (whose branches nixie does not follow), merged at `mergedAt`.
   */
  readonly issues: Map<number, FakeIssue>;
  /** Head of a branch. */
  head(branch: string): Promise<string>;
  /** A new commit on a branch; returns its sha. */
  commit(branch: string, message: string): Promise<string>;
  /** Merges a pull request into its base with a merge commit and records it merged; returns the merge sha. */
  merge(n: number, spec: Omit<PullSpec, "state" | "merged" | "mergeSha">): Promise<string>;
  /** Records an open pull request. */
  open(n: number, spec: Omit<PullSpec, "state" | "merged" | "mergeSha" | "mergedAt">): void;
  /** Moves `branch` to the head of `from` (a channel advance), or merges `from` into it (`merge`). */
  advance(branch: string, from: string, how?: "move" | "merge"): Promise<void>;
  /** GitHub's answers from now: normal, a rate limit (403, remaining 0), 5xx, or garbage. */
  mode(m: "ok" | "rate-limited" | "secondary-limit" | "error" | "garbage"): void;
  /** Answers requests whose path starts with `prefix` after `ms` (0: at once again). */
  slow(prefix: string, ms: number): void;
  /** The most requests under `prefix` that were in flight at once (answering them included). */
  maxInFlight(prefix: string): number;
  /** Requests whose path starts with this (e.g. "/repos/NixOS/nixpkgs/compare"). */
  count(prefix: string): number;
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SHA = /^[0-9a-f]{40}$/;
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "nixpkgs",
  GIT_AUTHOR_EMAIL: "nixpkgs@example.org",
  GIT_COMMITTER_NAME: "nixpkgs",
  GIT_COMMITTER_EMAIL: "nixpkgs@example.org",
  GIT_CONFIG_NOSYSTEM: "1",
};

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-fake-github-"));
  const git = async (...args: string[]): Promise<string> => (await run("git", ["-C", dir, ...args], { env: ENV })).stdout.trim();
  /** Like git(), but the exit status is the answer (merge-base --is-ancestor). */
  const gitOk = (...args: string[]): Promise<boolean> =>
    run("git", ["-C", dir, ...args], { env: ENV }).then(
      () => true,
      (e: { code?: number }) => {
        if (e.code === 1) return false;
        throw e;
      },
    );
  await git("init", "--quiet", "--bare");
  // Every commit has the empty tree: only the history matters here.
  const emptyTree = await git("hash-object", "-w", "-t", "tree", "/dev/null");
  let clock = 1_790_000_000;
  const commitTree = async (parents: string[], message: string): Promise<string> => {
    clock += 60;
    const date = `${clock} +0000`;
    const { stdout } = await run("git", ["-C", dir, "commit-tree", emptyTree, ...parents.flatMap((p) => ["-p", p]), "-m", message], {
      env: { ...ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return stdout.trim();
  };
  const root = await commitTree([], "init");
  for (const b of BRANCHES) await git("update-ref", `refs/heads/${b}`, root);

  const pulls = new Map<number, PullSpec>();
  const issues = new Map<number, FakeIssue>();
  let mode: "ok" | "rate-limited" | "secondary-limit" | "error" | "garbage" = "ok";
  let used = 0;
  const reset = String(Math.floor(Date.now() / 1000) + 3600);

  const branchHead = async (b: string): Promise<string | undefined> => {
    if (!NAME.test(b)) return undefined;
    try {
      return await git("rev-parse", "--verify", "--quiet", `refs/heads/${b}`);
    } catch {
      return undefined;
    }
  };
  const commitExists = (sha: string): Promise<boolean> => gitOk("cat-file", "-e", `${sha}^{commit}`);

  const pullBody = (n: number, p: PullSpec): Record<string, unknown> => {
    const template = fixture(p.merged ? "github-pull-merged.json" : "github-pull-open.json").body as Record<string, unknown>;
    return {
      ...template,
      url: `https://api.github.com/repos/NixOS/nixpkgs/pulls/${n}`,
      html_url: `https://github.com/NixOS/nixpkgs/pull/${n}`,
      number: n,
      title: p.title,
      user: { login: p.author ?? "example-user", id: 1, type: "User" },
      state: p.state,
      draft: p.draft ?? false,
      merged: p.merged ?? false,
      merged_at: p.merged ? (p.mergedAt ?? "2026-11-21T08:59:00Z") : null,
      // Before a merge GitHub gives its test merge here; nixie must not use it.
      merge_commit_sha: p.mergeSha === undefined ? (p.merged ? null : "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00") : p.mergeSha,
      base: { label: `NixOS:${p.base}`, ref: p.base },
    };
  };

  const answer = (req: RecordedRequest, res: Parameters<Parameters<typeof startLoopback>[0]>[1], status: number, body: unknown): void => {
    used++;
    const limits = { "x-ratelimit-limit": "60", "x-ratelimit-remaining": String(Math.max(1, 60 - used)), "x-ratelimit-used": String(used), "x-ratelimit-reset": reset, "x-ratelimit-resource": "core" };
    if (status === 200) {
      const etag = `W/"${createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 16)}"`;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, { etag, ...limits });
        res.end();
        return;
      }
      sendJson(res, 200, body, { etag, ...limits });
      return;
    }
    sendJson(res, status, body, limits);
  };
  const notFound = fixture("github-compare-404.json").body;

  const slowness = new Map<string, number>();
  const inFlight: string[] = [];
  const peaks = new Map<string, number>();
  const server: Loopback = await startLoopback(async (req, res) => {
    inFlight.push(req.path);
    res.once("close", () => inFlight.splice(inFlight.indexOf(req.path), 1));
    for (const [prefix, ms] of slowness) {
      if (!req.path.startsWith(prefix)) continue;
      peaks.set(prefix, Math.max(peaks.get(prefix) ?? 0, inFlight.filter((p) => p.startsWith(prefix)).length));
      await new Promise((r) => setTimeout(r, ms));
    }
    if (mode === "rate-limited") {
      const f = fixture("github-rate-limited.json");
      sendJson(res, 403, f.body, { ...f.headers, "x-ratelimit-reset": reset });
      return;
    }
    if (mode === "secondary-limit") {
      sendJson(res, 429, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "60" });
      return;
    }
    if (mode === "error") {
      sendJson(res, 502, { message: "Server Error" });
      return;
    }
    if (mode === "garbage") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>unicorn</html>");
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/NixOS\/nixpkgs\/pulls\/(\d+)$/.exec(req.path))) {
      const n = Number(m[1]);
      const p = pulls.get(n);
      return p ? answer(req, res, 200, pullBody(n, p)) : answer(req, res, 404, notFound);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(req.path))) {
      const n = Number(m[3]);
      const isNixpkgs = m[1] === "NixOS" && m[2] === "nixpkgs";
      const p = isNixpkgs ? pulls.get(n) : undefined;
      const i = isNixpkgs || m[2] === "nix" || m[2] === "home-manager" ? issues.get(n) : undefined;
      const template = fixture("github-issue-is-pr.json").body as Record<string, unknown>;
      const html = `https://github.com/${m[1]}/${m[2]}/${p ? "pull" : "issues"}/${n}`;
      if (p) {
        return answer(req, res, 200, {
          ...template,
          number: n,
          html_url: html,
          title: p.title,
          state: p.state,
          draft: p.draft ?? false,
          user: { login: p.author ?? "example-user" },
          pull_request: { html_url: html, merged_at: p.merged ? (p.mergedAt ?? "2026-11-21T08:59:00Z") : null },
        });
      }
      if (i?.pull && !isNixpkgs) {
        const url = `https://github.com/${m[1]}/${m[2]}/pull/${n}`;
        return answer(req, res, 200, {
          ...template,
          number: n,
          html_url: url,
          title: i.title,
          state: i.state,
          user: { login: i.author ?? "example-user" },
          pull_request: { html_url: url, merged_at: i.pull.mergedAt ?? null },
        });
      }
      if (i) {
        const { pull_request: _omit, ...rest } = template;
        return answer(req, res, 200, { ...rest, number: n, html_url: html, title: i.title, state: i.state, user: { login: i.author ?? "example-user" } });
      }
      return answer(req, res, 404, notFound);
    }
    if ((m = /^\/repos\/NixOS\/nixpkgs\/branches\/(.+)$/.exec(req.path))) {
      const b = decodeURIComponent(m[1]!);
      const sha = await branchHead(b);
      if (!sha) return answer(req, res, 404, { message: "Branch not found" });
      const template = fixture("github-branch.json").body as Record<string, unknown>;
      return answer(req, res, 200, { ...template, name: b, commit: { sha, commit: { message: "…" } } });
    }
    if ((m = /^\/repos\/NixOS\/nixpkgs\/compare\/(.+)\.\.\.([0-9a-f]{40})$/.exec(req.path))) {
      const b = decodeURIComponent(m[1]!);
      const sha = m[2]!;
      const base = await branchHead(b);
      if (!base || !SHA.test(sha) || !(await commitExists(sha))) return answer(req, res, 404, notFound);
      // left: commits only in the branch (behind_by); right: commits only in the pull request's commit (ahead_by).
      const [left, right] = (await git("rev-list", "--left-right", "--count", `${base}...${sha}`)).split(/\s+/).map(Number) as [number, number];
      const status = left === 0 && right === 0 ? "identical" : right === 0 ? "behind" : left === 0 ? "ahead" : "diverged";
      const ancestor = await gitOk("merge-base", "--is-ancestor", sha, base);
      if (ancestor !== (status === "behind" || status === "identical")) throw new Error(`fake GitHub: rev-list and merge-base disagree on ${b}...${sha}`);
      const mergeBase = await git("merge-base", base, sha);
      const template = fixture("github-compare-contained.json").body as Record<string, unknown>;
      return answer(req, res, 200, {
        ...template,
        url: `https://api.github.com/repos/NixOS/nixpkgs/compare/${b}...${sha}`,
        base_commit: { sha: base },
        merge_base_commit: { sha: mergeBase },
        status,
        ahead_by: right,
        behind_by: left,
        total_commits: right,
        commits: [],
        files: [],
      });
    }
    answer(req, res, 404, { message: "Not Found" });
  });

  const head = async (b: string): Promise<string> => {
    const sha = await branchHead(b);
    if (!sha) throw new Error(`no branch ${b}`);
    return sha;
  };
  const setBranch = (b: string, sha: string): Promise<string> => git("update-ref", `refs/heads/${b}`, sha);

  return {
    url: server.url,
    requests: server.requests,
    pulls,
    issues,
    head,
    async commit(branch, message) {
      const sha = await commitTree([await head(branch)], message);
      await setBranch(branch, sha);
      return sha;
    },
    async merge(n, spec) {
      const base = await head(spec.base);
      const feature = await commitTree([base], `${spec.title} (#${n} change)`);
      const sha = await commitTree([base, feature], `Merge pull request #${n}`);
      await setBranch(spec.base, sha);
      pulls.set(n, { ...spec, state: "closed", merged: true, mergeSha: sha });
      return sha;
    },
    open(n, spec) {
      pulls.set(n, { ...spec, state: "open" });
    },
    async advance(branch, from, how = "move") {
      const src = await head(from);
      if (how === "move") {
        await setBranch(branch, src);
        return;
      }
      const sha = await commitTree([await head(branch), src], `Merge ${from} into ${branch}`);
      await setBranch(branch, sha);
    },
    mode(m) {
      mode = m;
    },
    slow(prefix, ms) {
      if (ms > 0) slowness.set(prefix, ms);
      else slowness.delete(prefix);
      peaks.delete(prefix);
    },
    maxInFlight: (prefix) => peaks.get(prefix) ?? 0,
    count: (prefix) => server.requests.filter((r) => r.path.startsWith(prefix)).length,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What the standalone fake answers (the README's console check): nixpkgs#345678 merged into
 * master and in the unstable channels, nixpkgs#345679 open, issue nixpkgs#4242, and NixOS/nix#1,
 * a merged pull request of another repository.
 */
export async function seedConsoleCheck(gh: FakeGitHub): Promise<void> {
  await gh.merge(345_678, { title: "hello: 2.12.1 -> 2.12.2", base: "master", author: "example-user" });
  for (const channel of ["nixos-unstable-small", "nixos-unstable", "nixpkgs-unstable"]) await gh.advance(channel, "master");
  gh.open(345_679, { title: "firefox: 140.0 -> 141.0", base: "master", author: "example-user" });
  gh.issues.set(4242, { title: "an issue, not a pull request", state: "open" });
  gh.issues.set(1, { title: "the first pull request", author: "edolstra", state: "closed", pull: { mergedAt: "2012-05-01T10:00:00Z" } });
}

// Standalone: `node --import tsx test/helpers/fake-github.ts` prints its URL (for NIXIE_GITHUB_API)
// and serves the console check's pull requests until killed.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // No top-level await: test runners may load this file through require().
  void startFakeGitHub().then(async (gh) => {
    await seedConsoleCheck(gh);
    process.stdout.write(`${gh.url}\n`);
    const stop = (): void => void gh.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
