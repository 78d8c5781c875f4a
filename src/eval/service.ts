/**
 * `!eval`'s service: picks the sandbox and runs the self-test at start, then admits, runs and
 * reads evaluations. Commands see only `available()` and `evaluate()`.
 *
 * With eval.standby, one evaluator is spawned ahead of time (the very same command) and waits on
 * stdin, so that an admitted evaluation skips the sandbox's start-up; it exists only while fewer
 * than eval.maxConcurrent evaluations run, so evaluators alive never exceed maxConcurrent.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { ConfigError, UserError } from "../core/errors.js";
import { cleanError, SHOW_LIMITS, type EvalOutcome, type ShowLimits } from "./format.js";
import { EvalGate } from "./gate.js";
import { spawnEvaluator, type Evaluator, type RunObserver, type RunResult } from "./run.js";
import { evalCommand, type SandboxKind } from "./sandbox.js";
import { selfTest } from "./self-test.js";

/** The longest expression accepted, in characters. */
export const MAX_EXPRESSION_CHARS = 4000;

/** Nix that nixpkgs itself (not only its lib) accepts. */
const FULL_NIXPKGS_NIX = [2, 18] as const;

/** The line nixie puts before the user's expression when `lib` is offered. */
const LIB_PRELUDE = "let lib = import <nixpkgs/lib>; in\n";

export interface EvalStatus {
  readonly available: boolean;
  /** Why not, or how it runs. */
  readonly reason: string;
  readonly sandbox?: SandboxKind;
  readonly nixVersion?: string;
}

export interface EvalService {
  /** Finds the tools and runs the self-test. Throws ConfigError when eval.enabled is "on" and it fails. */
  start(): Promise<EvalStatus>;
  available(): boolean;
  status(): EvalStatus;
  /**
   * Evaluates an expression for `who` (a platform-qualified user id). Refusals throw UserError.
   * With `answerBy` (a Date.now() value: when the command must have answered), a wait in line
   * ends in time for the evaluation's own clock to run before then.
   */
  evaluate(expr: string, who: string, opts?: EvaluateOptions): Promise<EvalOutcome>;
  readonly showLimits: ShowLimits;
  /** Evaluations running and waiting now. */
  load(): { readonly active: number; readonly queued: number };
  /** Kills the evaluators still running (shutdown); their callers get a "stopped" answer. */
  stop(): void;
}

export interface EvaluateOptions {
  readonly answerBy?: number;
  /** The per-person cooldown applies (default true; false for the console). */
  readonly cooldown?: boolean;
}

/** Time kept, after a wait in line, for starting the evaluator and reading its answer. */
const START_MARGIN_MS = 250;
/**
 * The least wall clock an evaluation gets after a wait in line: a place in line is given up when
 * less than this (and the margin) would be left before the answer is due.
 */
const MIN_CLOCK_MS = 1000;
/** A wait in line shorter than this is not mentioned. */
const WAITED_MS = 50;

export interface EvalServiceOptions {
  readonly config: Config["eval"];
  readonly log: Logger;
  /** Default: whether this process runs as root (then the evaluator gets eval.uid/eval.gid). */
  readonly isRoot?: boolean;
  /** Default: found on the usual system paths. "" = not installed. */
  readonly tools?: { readonly prlimit?: string; readonly bwrap?: string };
  readonly observer?: RunObserver;
  readonly now?: () => number;
}

const SYSTEM_PATH = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on the system paths, or "". */
export function findTool(name: string): string {
  return SYSTEM_PATH.map((d) => join(d, name)).find(executable) ?? "";
}

function nixVersionOf(nix: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(nix, ["--version"], { timeout: 5000, env: { PATH: "/usr/bin:/bin" } }, (err, stdout) => {
      resolve(err ? undefined : /(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1]);
    });
  });
}

/** "1 evaluation", "2 evaluations". */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`;
}

function olderThan(version: string | undefined, want: readonly [number, number]): boolean {
  if (version === undefined) return true;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major < want[0] || (major === want[0] && minor < want[1]);
}

/** RLIMIT_CPU for a wall clock: twice it (two cores) and a second, so the clock always acts first. */
export function cpuSecondsFor(timeoutMs: number): number {
  return Math.ceil((2 * timeoutMs) / 1000) + 1;
}

export function createEvalService(opts: EvalServiceOptions): EvalService {
  const cfg = opts.config;
  const log = opts.log;
  const isRoot = opts.isRoot ?? process.getuid?.() === 0;
  const prlimit = opts.tools?.prlimit ?? findTool("prlimit");
  const bwrap = opts.tools?.bwrap ?? findTool("bwrap");
  const gate = new EvalGate({
    maxConcurrent: cfg.maxConcurrent,
    queue: cfg.queue,
    cooldownMs: cfg.perUserSeconds * 1000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const showLimits: ShowLimits = { ...SHOW_LIMITS, outputBytes: cfg.outputBytes };
  let status: EvalStatus = { available: false, reason: "not started" };
  // Process groups of the evaluators alive now, so that stop() can end them.
  const live = new Set<number>();
  const observer: RunObserver = {
    started(pid) {
      live.add(pid);
      opts.observer?.started?.(pid);
    },
    ended(pid) {
      live.delete(pid);
      opts.observer?.ended?.(pid);
    },
  };
  let sandbox: SandboxKind = "none";
  const withLib = cfg.nixpkgs !== "";

  const spawnFor = (kind: SandboxKind): Evaluator =>
    spawnEvaluator(
      evalCommand({
        nixInstantiate: cfg.nixInstantiate,
        prlimit,
        bwrap,
        kind,
        memoryBytes: cfg.memoryBytes,
        cpuSeconds: cpuSecondsFor(cfg.timeoutMs),
        nixpkgs: cfg.nixpkgs,
        ...(isRoot ? { runAs: { uid: cfg.uid, gid: cfg.gid } } : {}),
      }),
      { timeoutMs: cfg.timeoutMs, outputBytes: cfg.outputBytes },
      observer,
    );
  const feed = (evaluator: Evaluator, input: string, clockMs?: number): Promise<RunResult> => evaluator.feed(withLib ? LIB_PRELUDE + input : input, clockMs);
  /** A cold start: the self-test always runs this way. */
  const run = (kind: SandboxKind, input: string): Promise<RunResult> => feed(spawnFor(kind), input);

  // The warm standby, and the evaluations holding a process (fed, not yet read to the end).
  let standby: Evaluator | undefined;
  let holding = 0;
  let stopped = false;

  /** Spawns a standby when there is none alive and a process is to spare under maxConcurrent. */
  function refill(): void {
    if (!cfg.standby || stopped || !status.available || standby?.idle) return;
    standby = undefined;
    if (holding + 1 > cfg.maxConcurrent) return;
    standby = spawnFor(sandbox);
  }

  /** The standby if it is still waiting, else a cold start (it exited or could not start). */
  function take(): Evaluator {
    const warm = standby;
    standby = undefined;
    if (warm?.idle) return warm;
    if (warm) log.warn({ pid: warm.pid }, "eval: the standby evaluator had ended, starting one cold");
    return spawnFor(sandbox);
  }

  /** Why eval cannot run at all here, before any self-test. */
  function missing(): string | undefined {
    if (cfg.enabled === "off") return "eval.enabled is off";
    if (!executable(cfg.nixInstantiate)) return `${cfg.nixInstantiate} is not installed (Debian: nix-bin)`;
    if (prlimit === "") return "prlimit (util-linux) is not installed, so the evaluator's memory cannot be limited";
    if (cfg.sandbox === "bwrap" && bwrap === "") return 'eval.sandbox is "bwrap" but bubblewrap is not installed';
    if (withLib) {
      try {
        if (!statSync(cfg.nixpkgs).isDirectory()) return `eval.nixpkgs ${cfg.nixpkgs} is not a folder`;
      } catch {
        return `eval.nixpkgs ${cfg.nixpkgs} does not exist`;
      }
    }
    return undefined;
  }

  async function choose(): Promise<EvalStatus> {
    const why = missing();
    if (why !== undefined) return { available: false, reason: why };
    const version = nixVersionOf(cfg.nixInstantiate);
    const kinds: SandboxKind[] = cfg.sandbox === "none" ? ["none"] : cfg.sandbox === "bwrap" ? ["bwrap"] : bwrap !== "" ? ["bwrap", "none"] : ["none"];
    let reason = "";
    for (const kind of kinds) {
      const result = await selfTest((expr) => run(kind, expr), withLib);
      const nixVersion = await version;
      if (result.ok) {
        sandbox = kind;
        if (kind === "none" && kinds.length > 1) log.warn({ reason }, "eval: bubblewrap does not work here, evaluating without it");
        return { available: true, reason: `self-test passed (${kind === "bwrap" ? "bubblewrap" : "no bubblewrap"})`, sandbox: kind, ...(nixVersion ? { nixVersion } : {}) };
      }
      reason = kind === "bwrap" ? `with bubblewrap: ${result.reason}` : result.reason;
    }
    const nixVersion = await version;
    return { available: false, reason: `self-test failed: ${reason}`, ...(nixVersion ? { nixVersion } : {}) };
  }

  function hintFor(expr: string, stderr: string): string | undefined {
    if (/error: out of memory/.test(stderr)) return `An evaluation may use at most ${formatBytes(cfg.memoryBytes)} of memory.`;
    if (!withLib && /undefined variable 'lib'|look up '<nixpkgs/.test(stderr))
      return "lib and <nixpkgs> are not available here: no nixpkgs is configured (eval.nixpkgs), so only the Nix language and builtins are.";
    if (withLib && /<nixpkgs>/.test(expr) && olderThan(status.nixVersion, FULL_NIXPKGS_NIX))
      return `Full nixpkgs (import <nixpkgs> {}) needs Nix ${FULL_NIXPKGS_NIX.join(".")} or newer; this nixie has Nix ${status.nixVersion ?? "of an unknown version"}, so only lib is available.`;
    return undefined;
  }

  function outcomeOf(expr: string, r: RunResult): EvalOutcome {
    if (r.spawnError !== undefined) throw new Error(`the evaluator could not start: ${r.spawnError}`);
    if (r.stopped === "timeout") return { kind: "timeout", timeoutMs: cfg.timeoutMs };
    if (r.stdoutCapped) return { kind: "value", text: r.stdout, capped: true };
    if (r.code === 0 && !r.stderrCapped) return { kind: "value", text: r.stdout, capped: false };
    if (r.code !== null || r.stderrCapped) {
      const hint = hintFor(expr, r.stderr);
      const outOfMemory = /error: out of memory/.test(r.stderr);
      return { kind: "error", text: cleanError(r.stderr, withLib ? 1 : 0), capped: r.stderrCapped, ...(hint ? { hint } : {}), ...(outOfMemory ? { outOfMemory } : {}) };
    }
    return { kind: "killed", signal: r.signal ?? "unknown signal" };
  }

  return {
    showLimits,
    available: () => status.available,
    status: () => status,
    load: () => ({ active: gate.active, queued: gate.queued }),
    stop() {
      stopped = true;
      standby = undefined;
      for (const pid of live) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },

    async start() {
      status = await choose();
      if (status.available) {
        log.info({ sandbox, nix: status.nixVersion, nixpkgs: cfg.nixpkgs || undefined, standby: cfg.standby }, "eval: !eval is on");
        refill();
      } else if (cfg.enabled === "on") {
        throw new ConfigError(`eval.enabled is "on" but !eval cannot work: ${status.reason}`);
      } else if (cfg.enabled === "auto") {
        log.info({ reason: status.reason }, "eval: !eval is off");
      }
      return status;
    },

    async evaluate(expr, who, opts = {}) {
      if (!status.available) throw new UserError("Evaluating Nix is not available here.");
      const length = [...expr].length;
      if (length > MAX_EXPRESSION_CHARS) throw new UserError(`That expression is ${length} characters long; at most ${MAX_EXPRESSION_CHARS} are evaluated.`);
      // Wait in line while at least MIN_CLOCK_MS would be left to evaluate before the answer is due.
      const waitUntil = opts.answerBy === undefined ? undefined : opts.answerBy - Math.min(cfg.timeoutMs, MIN_CLOCK_MS) - START_MARGIN_MS;
      const queuedAt = Date.now();
      const admission = await gate.enter(who, { ...(waitUntil === undefined ? {} : { waitUntil }), cooldown: opts.cooldown ?? true });
      if (!admission.ok) {
        if (admission.reason === "busy") throw new UserError(`nixie is busy: ${plural(cfg.maxConcurrent, "evaluation")} running and ${cfg.queue} waiting. Try again in a few seconds.`);
        if (admission.reason === "waited")
          throw new UserError(
            `Your evaluation waited in line for ${(admission.waitedMs / 1000).toFixed(1)} s behind ${plural(admission.ahead, "other")} and did not get its turn in time: try again in a few seconds.`,
          );
        throw new UserError(`One evaluation per person every ${cfg.perUserSeconds} s: try again in ${Math.max(1, Math.ceil(admission.waitMs / 1000))} s.`);
      }
      try {
        // After a wait in line the clock is what is left before the answer is due, if that is less.
        const waitedMs = Date.now() - queuedAt;
        const left = opts.answerBy === undefined ? cfg.timeoutMs : opts.answerBy - Date.now() - START_MARGIN_MS;
        const clockMs = Math.max(1, Math.min(cfg.timeoutMs, left));
        const evaluator = take();
        holding++;
        let result: RunResult;
        try {
          refill();
          result = await feed(evaluator, expr, clockMs);
        } finally {
          holding--;
        }
        // Before the slot passes on, so that the next in line finds a standby.
        refill();
        const outcome = outcomeOf(expr, result);
        // Said only when it waited in line: a clock cut by a short command deadline (http.timeoutMs
        // below eval.timeoutMs) is just the clock.
        if (outcome.kind === "timeout" && clockMs < cfg.timeoutMs) return { kind: "timeout", timeoutMs: clockMs, ...(waitedMs >= WAITED_MS ? { waitedMs } : {}) };
        return outcome;
      } finally {
        admission.release();
      }
    },
  };
}
