/**
 * !eval benchmarks: `!eval 1+1` through the bot against a bare nix-instantiate spawn of the same
 * expression (and against the same sandboxed command spawned bare), with the warm standby (after a
 * pause, as between messages in a room) and without it (every evaluation a cold start); nixie's
 * peak RSS while two evaluations run (the evaluators are separate processes: only nixie's own
 * memory counts), and the memory of the idle standby itself.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { evalCommand, nixFlags, type EvalCommand } from "../src/eval/sandbox.js";
import { cpuSecondsFor, findTool } from "../src/eval/service.js";
import { comm, processTree, procStat } from "../test/helpers/proc.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, rssMb, summarize, type Result } from "./lib.js";

/** No dispatcher rate limit and no per-person cooldown: every round is a new evaluation. */
function configFile(standby: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-eval-"));
  const file = join(dir, "bench.json");
  writeFileSync(file, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 }, eval: { enabled: "on", perUserSeconds: 0, standby } }));
  return file;
}

/** The pause before each timed `!eval`: a standby starts in about 25 ms on an idle machine. */
const PAUSE_MS = 100;

const kbOf = (file: string, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(file, "utf8"))?.[1] ?? NaN);

/**
 * Memory of the idle standby under bubblewrap (this process's one bwrap child): the RSS of its
 * nix-instantiate, and the RSS and PSS (shared pages split between their users) of its whole tree.
 */
function standbyMemory(): { nix: number; rss: number; pss: number } | undefined {
  const bwrap = readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .find((pid) => procStat(pid)?.ppid === process.pid && comm(pid) === "bwrap");
  if (bwrap === undefined) return undefined;
  let nix = 0;
  let rss = 0;
  let pss = 0;
  for (const pid of processTree(bwrap)) {
    const kb = kbOf(`/proc/${pid}/status`, "VmRSS");
    if (comm(pid) === "nix-instantiate") nix += kb;
    rss += kb;
    pss += kbOf(`/proc/${pid}/smaps_rollup`, "Pss");
  }
  return { nix: nix / 1024, rss: rss / 1024, pss: pss / 1024 };
}

/** One spawn with the expression on stdin, read to the end. */
function spawnOnce(cmd: EvalCommand, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.file, [...cmd.args], {
      env: { ...cmd.env },
      stdio: ["pipe", "pipe", "ignore"],
      ...(cmd.uid !== undefined ? { uid: cmd.uid, gid: cmd.gid! } : {}),
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(out));
    child.stdin.end(input);
  });
}

/** nixie's peak RSS above idle while two evaluations of a few hundred ms run (sampled every 5 ms). */
async function memory(ask: (text: string, user: string) => Promise<string>): Promise<number> {
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssMb();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 5);
  const fib = "!eval let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 29";
  const answers = await Promise.all([ask(fib, "mem1"), ask(fib, "mem2")]);
  clearInterval(sampler);
  if (answers.some((a) => a !== "514229")) throw new Error(`fib 29 answered ${answers.join(" / ")}`);
  return peak - idle;
}

export async function evalBench(): Promise<Result[]> {
  const nix = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true }).config.eval.nixInstantiate;
  if (!existsSync(nix)) return [{ name: "eval: !eval 1+1", measured: `${nix} is not installed`, target: "ratio ≤ 1.2", met: "n/a" }];
  const config = configFile(true);
  const t = await startTestBot({ NIXIE_EVAL: "on", NIXIE_CONFIG: config });
  const plain = await startTestBot({ NIXIE_EVAL: "on", NIXIE_EVAL_SANDBOX: "none", NIXIE_CONFIG: config });
  const cold = await startTestBot({ NIXIE_EVAL: "on", NIXIE_CONFIG: configFile(false) });
  const results: Result[] = [];
  try {
    // First, while the heap is as after start-up.
    const grew = await memory((text, user) => t.ask(text, { user }));
    const status = t.bot.services.eval.status();
    const cfg = t.bot.services.config.eval;
    const bare: EvalCommand = { file: nix, args: nixFlags(""), env: { HOME: "/nonexistent", PATH: "/usr/bin:/bin" } };
    const sandboxed = evalCommand({
      nixInstantiate: nix,
      prlimit: findTool("prlimit"),
      bwrap: findTool("bwrap"),
      kind: status.sandbox ?? "none",
      memoryBytes: cfg.memoryBytes,
      cpuSeconds: cpuSecondsFor(cfg.timeoutMs),
      nixpkgs: "",
      ...(process.getuid?.() === 0 ? { runAs: { uid: cfg.uid, gid: cfg.gid } } : {}),
    });
    let user = 0;
    const viaBot = (bot: typeof t) => async (): Promise<void> => {
      const r = await bot.ask("!eval 1+1", { user: `bench${user++}` });
      if (r !== "2") throw new Error(`!eval 1+1 answered ${JSON.stringify(r)}`);
    };
    const runs = [
      ["bare", () => spawnOnce(bare, "1+1")],
      ["sandboxed", () => spawnOnce(sandboxed, "1+1")],
      ["bot", viaBot(t)],
      ["plain", viaBot(plain)],
      ["cold", viaBot(cold)],
    ] as const;
    const times: Record<(typeof runs)[number][0], number[]> = { bare: [], sandboxed: [], bot: [], plain: [], cold: [] };
    const rounds = 250;
    for (let i = 0; i < rounds + 20; i++) {
      // Interleaved, so all of them see the same load; the first 20 rounds are warm-up. Each run
      // comes after a pause, so that the bots' standbys are ready as between messages in a room.
      for (const [key, run] of runs) {
        await new Promise((r) => setTimeout(r, PAUSE_MS));
        const t0 = nowMs();
        await run();
        if (i >= 20) times[key].push(nowMs() - t0);
      }
    }
    const b = summarize(times.bot);
    const n = summarize(times.bare);
    const s = summarize(times.sandboxed);
    const p = summarize(times.plain);
    const c = summarize(times.cold);
    await new Promise((r) => setTimeout(r, 500));
    const idle = standbyMemory();
    const kind = status.sandbox === "bwrap" ? "bubblewrap" : "no bubblewrap";
    const ratio = (x: number, y: number): string => fmt(x / y, 3);
    results.push(
      {
        name: `eval: !eval 1+1 (${kind}, warm standby) vs bare nix-instantiate spawn, p50 ratio`,
        measured: `${ratio(b.p50, n.p50)} (${fmt(b.p50)} vs ${fmt(n.p50)} ms)`,
        target: "≤ 1.2",
        met: b.p50 / n.p50 <= 1.2,
      },
      {
        name: `eval: !eval 1+1 (${kind}, warm standby) vs bare nix-instantiate spawn, p99 ratio`,
        measured: `${ratio(b.p99, n.p99)} (${fmt(b.p99)} vs ${fmt(n.p99)} ms)`,
        target: "≤ 1.2",
        met: b.p99 / n.p99 <= 1.2,
      },
      {
        name: `eval: !eval 1+1 (${kind}, eval.standby false: every evaluation a cold start) vs bare spawn, p50 / p99 ratio`,
        measured: `${ratio(c.p50, n.p50)} / ${ratio(c.p99, n.p99)} (${fmt(c.p50)} / ${fmt(c.p99)} ms)`,
        target: "≤ 1.2",
        met: c.p50 / n.p50 <= 1.2 && c.p99 / n.p99 <= 1.2,
      },
      {
        name: "eval: !eval 1+1 (eval.sandbox none: uid drop + RLIMIT_AS; warm standby) vs bare spawn, p50 / p99 ratio",
        measured: `${ratio(p.p50, n.p50)} / ${ratio(p.p99, n.p99)} (${fmt(p.p50)} / ${fmt(p.p99)} ms)`,
        target: "≤ 1.2",
        met: p.p50 / n.p50 <= 1.2 && p.p99 / n.p99 <= 1.2,
      },
      {
        name: `eval: nixie's own part: !eval 1+1 cold (standby false) vs the same sandboxed command spawned bare, p50 / p99 ratio`,
        measured: `${ratio(c.p50, s.p50)} / ${ratio(c.p99, s.p99)} (${fmt(s.p50)} / ${fmt(s.p99)} ms)`,
        target: "—",
        met: "n/a",
      },
      {
        name: `eval: memory of the idle standby (${kind}): nix-instantiate RSS; whole tree RSS / PSS`,
        measured: idle ? `${fmt(idle.nix, 1)} MB; ${fmt(idle.rss, 1)} / ${fmt(idle.pss, 1)} MB` : "no standby found",
        target: "—",
        met: "n/a",
      },
      { name: "eval: nixie's peak RSS with 2 evaluations running, above idle", measured: `${fmt(grew, 1)} MB`, target: "≤ 10 MB", met: grew <= 10 },
    );
  } finally {
    await t.stop();
    await plain.stop();
    await cold.stop();
  }
  return results;
}
