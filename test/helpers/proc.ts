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

/** The command name of `pid` ("" when it is gone). */
export function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** A sandboxed evaluator's first process: bubblewrap, or prlimit before it execs. */
export const isSandboxedEvaluator = (pid: number): boolean => ["bwrap", "prlimit"].includes(comm(pid));

/** Running (a zombie counts as gone). */
export function running(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z";
}

function all(): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** The running processes of group `pgid`. */
export function processGroup(pgid: number): number[] {
  return all().filter((pid) => procStat(pid)?.pgrp === pgid && running(pid));
}

/** `pid` and its running descendants (bubblewrap's inner processes are in a session of their own). */
export function processTree(pid: number): number[] {
  const parents = new Map(all().map((p) => [p, procStat(p)?.ppid]));
  const tree = [pid];
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, parent] of parents) {
      if (parent !== undefined && tree.includes(parent) && !tree.includes(p)) {
        tree.push(p);
        grew = true;
      }
    }
  }
  return tree.filter(running);
}

/** Waits up to `ms` for all of `pids` to end; returns those still running. */
export async function whenGone(pids: readonly number[], ms = 5000): Promise<number[]> {
  const until = Date.now() + ms;
  let left = pids.filter(running);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(running);
  }
  return left;
}
