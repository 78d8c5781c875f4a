/** Small helpers for the benchmarks: percentiles, CPU and memory readings, a results table. */
import { readFileSync } from "node:fs";

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: number[]): { p50: number; p99: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
}

/** Milliseconds with sub-millisecond precision. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "NaN");
  return kb / 1024;
}

/**
 * Times two operations in alternation, so both see the same machine load: `warmup` untimed rounds,
 * then `rounds` timed ones. Returns the milliseconds of each, in order.
 */
export async function interleaved(rounds: number, warmup: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: number[]; b: number[] }> {
  const times = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < warmup + rounds; i++) {
    let t = nowMs();
    await a();
    const ta = nowMs() - t;
    t = nowMs();
    await b();
    const tb = nowMs() - t;
    if (i >= warmup) {
      times.a.push(ta);
      times.b.push(tb);
    }
  }
  return times;
}

export interface Result {
  readonly name: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean | "n/a";
  readonly note?: string;
}

export function table(results: readonly Result[]): string {
  const rows = results.map((r) => `| ${r.name} | ${r.measured} | ${r.target} | ${r.met === "n/a" ? "n/a" : r.met ? "yes" : "**no**"} |${r.note ? ` ${r.note}` : ""}`);
  return ["| benchmark | measured | target | met |", "|---|---|---|---|", ...rows].join("\n");
}

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Peak resident set size of a process so far (VmHWM) in MB, from /proc. */
export function peakRssMb(pid: number = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "NaN") / 1024;
}
