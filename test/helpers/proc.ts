/** Process look-ups from /proc for the eval tests (Linux). */
import { readdirSync, readFileSync } from "node:fs";

/** State, parent and process group of `pid`, or undefined when it is gone. */
export function procStat(pid: number): { state: string; ppid: number; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]) };
  } catch {
    return undefined;
  }
}

/** The processes of group `pgid` still running (a zombie counts as gone). */
export function processGroup(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => {
      const s = procStat(pid);
      return s !== undefined && s.pgrp === pgid && s.state !== "Z";
    });
}

/** Waits up to `ms` for group `pgid` to be empty; returns what is left. */
export async function groupGone(pgid: number, ms = 5000): Promise<number[]> {
  const until = Date.now() + ms;
  let left = processGroup(pgid);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = processGroup(pgid);
  }
  return left;
}
