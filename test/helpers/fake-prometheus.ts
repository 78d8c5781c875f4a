/**
 * A loopback Prometheus answering `/api/v1/query` for the three channel metrics in the recorded
 * shape (test/fixtures/prometheus-*.json: labels, value strings, `exported_job`), from channels a
 * test can change; plus a loopback channels.nixos.org (`<channel>/git-revision` answering 301 to a
 * release file with Last-Modified). Point NIXIE_PROMETHEUS_URL at `url` and NIXIE_CHANNELS_URL at
 * `mirrorUrl`.
 */
import type { ServerResponse } from "node:http";
import { fixture } from "./fake-feeds.js";
import { sendJson, startLoopback, type Loopback, type RecordedRequest } from "./loopback.js";

export interface FakeChannel {
  name: string;
  revision: string;
  /** Unix seconds. */
  updateTime: number;
  current: boolean;
  status: string;
  variant?: string;
  /** Hydra job (project, jobset, job) and whether it failed; absent: no hydra_job_failed series. */
  job?: { project: string; jobset: string; job: string; failed: boolean };
}

/** What the fake answers instead of the channels, per query (tests of bad answers). */
export type Override = { status: number; body: unknown } | "hang";

export interface FakePrometheus {
  readonly url: string;
  readonly mirrorUrl: string;
  readonly channels: Map<string, FakeChannel>;
  /** Requests to /api/v1/query, by query. */
  readonly queries: string[];
  readonly mirrorRequests: RecordedRequest[];
  /** Answer this for a query (by metric name) instead; undefined restores the normal answer. */
  override(query: string, o: Override | undefined): void;
  /** Makes the mirror answer 500. */
  mirrorDown(down: boolean): void;
  close(): Promise<void>;
}

interface Recorded {
  body: { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
}

/** The body Prometheus answered to a malformed query (a recorded `bad_data` error). */
export function recordedBadData(): unknown {
  return (JSON.parse(fixture("prometheus-error-bad_data.json")) as { body: unknown }).body;
}

/** The channels of the recorded fixtures (revisions, times, status, variant), plus the Hydra job of nixos-unstable. */
export function recordedChannels(): FakeChannel[] {
  const revs = (JSON.parse(fixture("prometheus-channel_revision.json")) as Recorded).body.data.result;
  const times = (JSON.parse(fixture("prometheus-channel_update_time.json")) as Recorded).body.data.result;
  const jobs = (JSON.parse(fixture("prometheus-hydra_job_failed.json")) as Recorded).body.data.result;
  return revs.map((r) => {
    const m = r.metric;
    const name = m["channel"]!;
    const job = jobs.find((j) => j.metric["channel"] === name);
    return {
      name,
      revision: m["revision"]!,
      updateTime: Number(times.find((t) => t.metric["channel"] === name)!.value[1]),
      current: m["current"] === "1",
      status: m["status"]!,
      ...(m["variant"] ? { variant: m["variant"] } : {}),
      ...(job ? { job: { project: job.metric["project"]!, jobset: job.metric["jobset"]!, job: job.metric["exported_job"]!, failed: job.value[1] === "1" } } : {}),
    };
  });
}

const INSTANCE = { instance: "127.0.0.1:9402", job: "channel-updates" };

function vector(result: { metric: Record<string, string>; value: string }[]): unknown {
  const t = Date.now() / 1000;
  return { status: "success", data: { resultType: "vector", result: result.map((r) => ({ metric: r.metric, value: [t, r.value] })) } };
}

export async function startFakePrometheus(initial: FakeChannel[] = recordedChannels()): Promise<FakePrometheus> {
  const channels = new Map(initial.map((c) => [c.name, { ...c }]));
  const queries: string[] = [];
  const overrides = new Map<string, Override>();
  let mirrorDown = false;

  const answer = (query: string): unknown => {
    const list = [...channels.values()].sort((a, b) => a.name.localeCompare(b.name));
    switch (query) {
      case "channel_revision":
        return vector(
          list.map((c) => ({
            metric: {
              __name__: "channel_revision",
              channel: c.name,
              current: c.current ? "1" : "0",
              ...INSTANCE,
              revision: c.revision,
              status: c.status,
              ...(c.variant ? { variant: c.variant } : {}),
            },
            value: "1",
          })),
        );
      case "channel_update_time":
        return vector(list.map((c) => ({ metric: { __name__: "channel_update_time", channel: c.name, ...INSTANCE }, value: String(c.updateTime) })));
      case "hydra_job_failed":
        return vector(
          list
            .filter((c) => c.job)
            .map((c) => ({
              metric: {
                __name__: "hydra_job_failed",
                channel: c.name,
                current: c.current ? "1" : "0",
                exported_job: c.job!.job,
                instance: "127.0.0.1:9402",
                job: `channel-job-${c.name}`,
                jobset: c.job!.jobset,
                project: c.job!.project,
              },
              value: c.job!.failed ? "1" : "0",
            })),
        );
      default:
        return recordedBadData();
    }
  };

  const prom: Loopback = await startLoopback((req, res: ServerResponse) => {
    if (req.path !== "/api/v1/query") {
      sendJson(res, 404, { status: "error", errorType: "not_found", error: "not found" });
      return;
    }
    const query = req.query.get("query") ?? "";
    queries.push(query);
    const o = overrides.get(query);
    if (o === "hang") return; // never answers: the client's timeout decides
    if (o) {
      sendJson(res, o.status, o.body);
      return;
    }
    const body = answer(query);
    sendJson(res, (body as { status: string }).status === "error" ? 400 : 200, body);
  });
  const mirror: Loopback = await startLoopback((req, res) => {
    if (mirrorDown) {
      res.writeHead(500);
      res.end("down");
      return;
    }
    const redirect = /^\/([^/]+)\/git-revision$/.exec(req.path);
    if (redirect) {
      const c = channels.get(redirect[1]!);
      if (!c) {
        res.writeHead(404);
        res.end("NoSuchKey");
        return;
      }
      // As S3 website redirects answer (see channels-git-revision.json).
      res.writeHead(301, { location: `/releases/${c.name}/${c.name}.${c.revision.slice(0, 12)}/git-revision`, "cache-control": "maxage=600,stale-while-revalidate=1800,public" });
      res.end();
      return;
    }
    const file = /^\/releases\/([^/]+)\/[^/]+\/git-revision$/.exec(req.path);
    const c = file ? channels.get(file[1]!) : undefined;
    if (!c) {
      res.writeHead(404);
      res.end("NoSuchKey");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "last-modified": new Date(c.updateTime * 1000).toUTCString() });
    res.end(c.revision);
  });
  return {
    url: prom.url,
    mirrorUrl: mirror.url,
    channels,
    queries,
    mirrorRequests: mirror.requests,
    override(query, o) {
      if (o === undefined) overrides.delete(query);
      else overrides.set(query, o);
    },
    mirrorDown(d) {
      mirrorDown = d;
    },
    async close() {
      await prom.close();
      await mirror.close();
    },
  };
}
