/**
 * The Prometheus HTTP API (instant queries only): `GET /api/v1/query?query=…`, answered with
 * `{status:"success", data:{resultType:"vector", result:[{metric:{…labels}, value:[t, "v"]}]}}` or,
 * on a bad query, HTTP 400 `{status:"error", errorType:"bad_data", error:"…"}`. Decodes the vector
 * into typed samples; knows nothing of what the metrics mean.
 */
import { UpstreamError } from "../core/errors.js";
import type { Http } from "./http.js";

/** One series of an instant vector. */
export interface PromSample {
  /** Every label, `__name__` included. Prometheus leaves out labels whose value is empty. */
  readonly labels: Readonly<Record<string, string>>;
  /** The sample's value as Prometheus sends it (a decimal string, "NaN", "+Inf"). */
  readonly value: string;
  /** Evaluation time, unix seconds. */
  readonly time: number;
}

export interface Prometheus {
  readonly baseUrl: string;
  /** The name shown in errors (the host of baseUrl). */
  readonly service: string;
  /** Runs an instant query; an error answer or an unreadable one is an UpstreamError. */
  query(promql: string): Promise<PromSample[]>;
}

export interface PrometheusOptions {
  readonly baseUrl: string;
  readonly http: Http;
  /** Largest answer read (default 2 MB: a few hundred series). */
  readonly maxBytes?: number;
}

/** Statuses the API answers with a JSON error body (bad query, query timeout, server trouble). */
const ERROR_STATUSES = [400, 422, 500, 503] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Decodes the body of an instant query; throws a message naming what is wrong. */
export function decodeVector(body: unknown): PromSample[] {
  if (!isRecord(body)) throw new Error("the answer is not a JSON object");
  if (body["status"] === "error") {
    const type = typeof body["errorType"] === "string" ? body["errorType"] : "error";
    const msg = typeof body["error"] === "string" ? body["error"].slice(0, 200) : "no message";
    throw new Error(`${type}: ${msg}`);
  }
  if (body["status"] !== "success") throw new Error(`unexpected status ${JSON.stringify(body["status"]).slice(0, 40)}`);
  const data = body["data"];
  if (!isRecord(data) || data["resultType"] !== "vector" || !Array.isArray(data["result"])) throw new Error("the answer is not an instant vector");
  return data["result"].map((r, i) => {
    if (!isRecord(r) || !isRecord(r["metric"]) || !Array.isArray(r["value"]) || r["value"].length !== 2) throw new Error(`result ${i} is not a sample`);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(r["metric"])) {
      if (typeof v !== "string") throw new Error(`result ${i}: label ${k} is not a string`);
      labels[k] = v;
    }
    const [time, value] = r["value"] as unknown[];
    if (typeof time !== "number" || typeof value !== "string") throw new Error(`result ${i}: value is not [time, "value"]`);
    return { labels, value, time };
  });
}

export function createPrometheus(opts: PrometheusOptions): Prometheus {
  const base = opts.baseUrl.replace(/\/+$/, "");
  // Config has checked that it is a URL.
  const service = new URL(base).host;
  return {
    baseUrl: base,
    service,
    async query(promql) {
      const url = new URL(`${base}/api/v1/query`);
      url.searchParams.set("query", promql);
      const { status, data } = await opts.http.json<unknown>({
        service,
        url: url.href,
        accept: ERROR_STATUSES,
        maxBytes: opts.maxBytes ?? 2_000_000,
        // One request per query, never more: a failing Prometheus is the feeds' backoff's business
        // (and the fallback's), and a poll must not cost more than its three requests.
        retries: 0,
      });
      try {
        return decodeVector(data);
      } catch (e) {
        throw new UpstreamError(service, "bad-response", `answered something nixie cannot read (${(e as Error).message})`, { status });
      }
    },
  };
}
