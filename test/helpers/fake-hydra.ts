/**
 * A loopback fake of hydra.nixos.org for tests and benchmarks, answering in the shapes of
 * test/fixtures/hydra/*.json (hand-built from Hydra's source):
 * - `GET /api/latestbuilds?nr=&project=&jobset=&job=&system=`: the builds set for that job,
 *   newest first, at most `nr` (HTTP 500 without `nr`, as Hydra); an unknown job answers `200 []`;
 *   an unknown jobset 404; a renamed jobset 302 to the new name (`renames`).
 * - `GET /build/<id>` without `Accept: application/json`: the HTML page set for it (404 otherwise).
 * - `/eval/…` and `/jobset/…/evals` are recorded as problems: nixie must never ask for them.
 * Misbehaviour on demand: 429 (nginx's page), 502, 503, garbage, a delay. Checks the User-Agent.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";
import { startLoopback, type RecordedRequest } from "./loopback.js";

export interface FakeBuild {
  readonly id: number;
  readonly nixname: string;
  readonly timestamp: number;
  readonly buildstatus: number;
}

export type FakeHydraFailure = { readonly kind: "status"; readonly status: 429 | 500 | 502 | 503; readonly retryAfter?: string } | { readonly kind: "garbage" };

export interface FakeHydra {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests nixie must not make (evaluations, missing nr, a library User-Agent). */
  readonly problems: string[];
  /** Sets the builds of a job (`project/jobset`, job name with its system). */
  setBuilds(jobset: string, job: string, system: string, builds: readonly FakeBuild[]): void;
  /** Jobsets that exist (others answer 404); every jobset that has builds exists. */
  addJobset(jobset: string): void;
  /** `old -> new`: requests for the old jobset answer 302 to the new one. */
  rename(from: string, to: string): void;
  setPage(id: number, html: string): void;
  /** Misbehave for the next `times` requests (default: until told otherwise). */
  fail(failure: FakeHydraFailure | null, times?: number): void;
  /** Wait this long before every answer. */
  delay(ms: number): void;
  /** Wait this long before answering for one job (its build list). */
  delayJob(job: string, ms: number): void;
  /** Requests for build lists so far. */
  listRequests(): number;
  close(): Promise<void>;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "hydra");

/** A fixture's parsed JSON. */
export function hydraFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

/** The HTML build page of a build whose dependency failed (build 301200150), its links on `baseUrl` (default: hydra.nixos.org). */
export function depFailedPage(baseUrl = "https://hydra.nixos.org"): string {
  return readFileSync(join(FIXTURES, "hydra-build-page-dep-failed.html"), "utf8").replaceAll("https://hydra.nixos.org", baseUrl);
}

/** nginx's 429 page, as the fixture has it. */
const RATE_LIMITED_BODY = hydraFixture<{ body_text: string }>("hydra-rate-limited.json").body_text;

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", vary: "Accept", "content-length": Buffer.byteLength(text) });
  res.end(text);
};

export async function startFakeHydra(): Promise<FakeHydra> {
  const builds = new Map<string, FakeBuild[]>();
  const jobsets = new Set<string>();
  const renames = new Map<string, string>();
  const pages = new Map<number, string>();
  const problems: string[] = [];
  let failure: FakeHydraFailure | null = null;
  let failTimes = Infinity;
  let delayMs = 0;
  const jobDelays = new Map<string, number>();
  let lists = 0;
  const lb = await startLoopback(async (req, res) => {
    const wait = delayMs + (jobDelays.get(req.query.get("job") ?? "") ?? 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ua = String(req.headers["user-agent"] ?? "");
    if (!/^nixie\/\S+ \(\+https?:\/\/\S+\)$/.test(ua)) problems.push(`User-Agent ${ua}`);
    if (req.path.startsWith("/eval") || /\/evals$/.test(req.path) || req.path.includes("latest-eval")) problems.push(`asked for an evaluation: ${req.path}`);
    if (failure && failTimes > 0) {
      const f = failure;
      if (--failTimes <= 0) failure = null;
      if (f.kind === "garbage") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("<html>not json {");
        return;
      }
      const headers: Record<string, string> = { "content-type": "text/html" };
      if (f.retryAfter !== undefined) headers["retry-after"] = f.retryAfter;
      res.writeHead(f.status, headers);
      res.end(f.status === 429 ? RATE_LIMITED_BODY : `<html><body>${f.status}</body></html>`);
      return;
    }
    if (req.path === "/api/latestbuilds") {
      lists++;
      const q = req.query;
      const nr = Number(q.get("nr"));
      if (!q.has("nr") || !Number.isInteger(nr) || nr <= 0) {
        problems.push("latestbuilds without nr");
        json(res, 500, { error: "nr is required" });
        return;
      }
      if (req.headers["accept"] !== "application/json") problems.push(`latestbuilds with Accept ${String(req.headers["accept"])}`);
      const jobset = `${q.get("project") ?? ""}/${q.get("jobset") ?? ""}`;
      const renamed = renames.get(jobset);
      if (renamed) {
        const [p, j] = renamed.split("/");
        const u = new URL(req.url, "http://x");
        u.searchParams.set("project", p ?? "");
        u.searchParams.set("jobset", j ?? "");
        res.writeHead(302, { location: `${u.pathname}${u.search}` });
        res.end();
        return;
      }
      if (!jobsets.has(jobset)) {
        json(res, 404, { error: "(paraphrased) jobset does not exist" });
        return;
      }
      const job = q.get("job") ?? "";
      const system = q.get("system") ?? "";
      const list = (builds.get(`${jobset}|${job}|${system}`) ?? [])
        .slice()
        .sort((a, b) => b.id - a.id)
        .slice(0, nr);
      const [project, js] = jobset.split("/");
      json(
        res,
        200,
        list.map((b) => ({ id: b.id, project, jobset: js, job, system, nixname: b.nixname, finished: 1, timestamp: b.timestamp, buildstatus: b.buildstatus })),
      );
      return;
    }
    const build = /^\/build\/(\d+)$/.exec(req.path);
    if (build) {
      const page = pages.get(Number(build[1]));
      if (page === undefined || String(req.headers["accept"] ?? "").includes("application/json")) {
        json(res, 404, { error: "(paraphrased) no build with that id" });
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", vary: "Accept" });
      res.end(page);
      return;
    }
    problems.push(`unexpected request ${req.method} ${req.path}`);
    json(res, 404, { error: "not found" });
  });
  return {
    url: lb.url,
    requests: lb.requests,
    problems,
    setBuilds(jobset, job, system, list) {
      jobsets.add(jobset);
      builds.set(`${jobset}|${job}|${system}`, [...list]);
    },
    addJobset: (j) => void jobsets.add(j),
    rename: (from, to) => void renames.set(from, to),
    setPage: (id, html) => void pages.set(id, html),
    fail(f, times = Infinity) {
      failure = f;
      failTimes = times;
    },
    delay(ms) {
      delayMs = ms;
    },
    delayJob: (job, ms) => void jobDelays.set(job, ms),
    listRequests: () => lists,
    close: () => lb.close(),
  };
}
