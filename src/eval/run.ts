/**
 * Runs one evaluator process: its own process group (so the wall clock can kill everything it
 * started), the expression on stdin, stdout and stderr each read up to a cap. Never throws.
 */
import { spawn } from "node:child_process";
import type { EvalCommand } from "./sandbox.js";

export interface RunLimits {
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
  readonly ms: number;
}

/** Observes evaluator processes (tests and metrics count the live ones). */
export interface RunObserver {
  started?(pid: number): void;
  ended?(pid: number): void;
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

/** Spawns `cmd` with `input` on stdin and resolves when it has exited and its pipes are closed. */
export function runEvaluator(cmd: EvalCommand, input: string, limits: RunLimits, observer: RunObserver = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd.file, [...cmd.args], {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...cmd.env },
        detached: true,
        ...(cmd.uid !== undefined ? { uid: cmd.uid } : {}),
        ...(cmd.gid !== undefined ? { gid: cmd.gid } : {}),
      });
    } catch (e) {
      resolve(failed((e as Error).message, started));
      return;
    }
    const out = new Capped(limits.outputBytes);
    const err = new Capped(limits.outputBytes);
    let stopped: RunResult["stopped"];
    let exited = false;
    let spawnError: string | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    const pid = child.pid;

    const killGroup = (why: NonNullable<RunResult["stopped"]>): void => {
      stopped ??= why;
      if (pid === undefined || exited) return;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => killGroup("timeout"), limits.timeoutMs);
    if (pid !== undefined) observer.started?.(pid);

    child.stdout.on("data", (c: Buffer) => {
      if (!out.add(c)) killGroup("output");
    });
    child.stderr.on("data", (c: Buffer) => {
      if (!err.add(c)) killGroup("output");
    });
    // The child may exit before reading all of its input (EPIPE): that is its answer, not ours.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);

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
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS).unref();
    });
    child.on("close", () => {
      clearTimeout(timer);
      if (spawnError !== undefined && !exited) {
        resolve(failed(spawnError, started));
        return;
      }
      resolve({
        stdout: out.text(),
        stderr: err.text(),
        stdoutCapped: out.capped,
        stderrCapped: err.capped,
        code: exit.code,
        signal: exit.signal,
        ...(stopped ? { stopped } : {}),
        ...(spawnError !== undefined ? { spawnError } : {}),
        ms: Date.now() - started,
      });
    });
  });
}

function failed(message: string, started: number): RunResult {
  return { stdout: "", stderr: "", stdoutCapped: false, stderrCapped: false, code: null, signal: null, spawnError: message, ms: Date.now() - started };
}
