/**
 * Runs one evaluator process in two steps: spawning it (its own process group, so that the wall
 * clock can kill everything it started; stdout and stderr each read up to a cap from then on),
 * and feeding it (the expression on stdin, then stdin closed and the wall clock started). A
 * process spawned ahead of time waits on stdin as a warm standby. Never throws.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { EvalCommand } from "./sandbox.js";

export interface RunLimits {
  /** The wall clock, counted from the moment the expression is sent. */
  readonly timeoutMs: number;
  /** Bytes read from stdout and from stderr each; one more and the process group is killed. */
  readonly outputBytes: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** stdout went over the cap: `stdout` is its first `outputBytes` bytes. */
  readonly stdoutCapped: boolean;
  readonly stderrCapped: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why nixie killed it, if it did. */
  readonly stopped?: "timeout" | "output";
  /** The process could not be started (ENOENT, EACCES…). */
  readonly spawnError?: string;
  /** From the expression being sent to the process having exited and its pipes closed. */
  readonly ms: number;
}

/** Observes evaluator processes (tests and metrics count the live ones). */
export interface RunObserver {
  started?(pid: number): void;
  ended?(pid: number): void;
}

/** An evaluator process, spawned and waiting for its expression, or fed. */
export interface Evaluator {
  readonly pid: number | undefined;
  /** Running and not fed yet: it can still take an expression. */
  readonly idle: boolean;
  /**
   * Writes `input`, closes stdin and starts the wall clock (`timeoutMs` when given and shorter than
   * the evaluator's own); resolves once the process has exited and its pipes are closed. Once
   * only: a second call answers with a spawnError.
   */
  feed(input: string, timeoutMs?: number): Promise<RunResult>;
  /** Kills its process group (a standby no longer wanted); a no-op once it has exited. */
  kill(): void;
}

/** How long to wait for the pipes to close after the process exited (a stray holder is cut off). */
const PIPE_GRACE_MS = 200;

class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  capped = false;
  constructor(private readonly max: number) {}
  /** Adds a chunk; false once the cap is passed. */
  add(chunk: Buffer): boolean {
    if (this.capped) return false;
    const room = this.max - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = this.max;
      this.capped = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }
  text(): string {
    return Buffer.concat(this.chunks, this.size).toString("utf8");
  }
}

/** The child and its three pipes count for Node's event loop, or not (an idle standby does not). */
function setRef(child: ChildProcess, on: boolean): void {
  for (const h of [child, child.stdin, child.stdout, child.stderr]) {
    const handle = h as { ref?: () => void; unref?: () => void } | null;
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}

/**
 * Spawns `cmd` and starts reading its output; the process waits on stdin until it is fed. An idle
 * evaluator does not keep nixie's event loop alive, and should nixie die, its stdin closes: Nix
 * reads end of file and exits (bubblewrap's --die-with-parent and RLIMIT_CPU are behind that).
 */
export function spawnEvaluator(cmd: EvalCommand, limits: RunLimits, observer: RunObserver = {}): Evaluator {
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, [...cmd.args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...cmd.env },
      detached: true,
      ...(cmd.uid !== undefined ? { uid: cmd.uid } : {}),
      ...(cmd.gid !== undefined ? { gid: cmd.gid } : {}),
    });
  } catch (e) {
    const message = (e as Error).message;
    return { pid: undefined, idle: false, feed: () => Promise.resolve(failed(message, Date.now())), kill: () => undefined };
  }
  const out = new Capped(limits.outputBytes);
  const err = new Capped(limits.outputBytes);
  let stopped: RunResult["stopped"];
  let exited = false;
  let fed = false;
  let spawnError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  const pid = child.pid;
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  const stderr = child.stderr!;

  const killGroup = (why?: NonNullable<RunResult["stopped"]>): void => {
    if (why) stopped ??= why;
    if (pid === undefined || exited) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  if (pid !== undefined) observer.started?.(pid);

  stdout.on("data", (c: Buffer) => {
    if (!out.add(c)) killGroup("output");
  });
  stderr.on("data", (c: Buffer) => {
    if (!err.add(c)) killGroup("output");
  });
  // The child may exit before reading all of its input (EPIPE): that is its answer, not ours.
  stdin.on("error", () => undefined);
  child.on("error", (e) => {
    spawnError = e.message;
  });
  child.on("exit", (code, signal) => {
    exited = true;
    // Reaped: from here on its pid (and group id) may belong to another process.
    if (pid !== undefined) observer.ended?.(pid);
    exit = { code, signal };
    clearTimeout(timer);
    // bubblewrap's --die-with-parent takes the inner processes down with it; should anything
    // still hold the pipes, stop waiting for it.
    setTimeout(() => {
      stdout.destroy();
      stderr.destroy();
    }, PIPE_GRACE_MS).unref();
  });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  setRef(child, false);

  return {
    pid,
    get idle() {
      return !fed && !exited && spawnError === undefined && stopped === undefined;
    },
    kill: () => killGroup(),
    async feed(input, timeoutMs) {
      const started = Date.now();
      if (fed) return failed("this evaluator was already given an expression", started);
      fed = true;
      setRef(child, true);
      if (!exited) timer = setTimeout(() => killGroup("timeout"), Math.min(limits.timeoutMs, timeoutMs ?? Infinity));
      stdin.end(input);
      await closed;
      clearTimeout(timer);
      if (spawnError !== undefined && !exited) return failed(spawnError, started);
      return {
        stdout: out.text(),
        stderr: err.text(),
        stdoutCapped: out.capped,
        stderrCapped: err.capped,
        code: exit.code,
        signal: exit.signal,
        ...(stopped ? { stopped } : {}),
        ...(spawnError !== undefined ? { spawnError } : {}),
        ms: Date.now() - started,
      };
    },
  };
}

function failed(message: string, started: number): RunResult {
  return { stdout: "", stderr: "", stdoutCapped: false, stderrCapped: false, code: null, signal: null, spawnError: message, ms: Date.now() - started };
}
