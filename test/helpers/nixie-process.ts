/**
 * nixie as operators run it (`src/main.ts` in a child process), hermetic: every upstream points
 * at a closed loopback port unless the test says otherwise. Collects stdout and stderr, waits for
 * a line, stops with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";

export interface NixieProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (the log) matches, rejects after `ms` or when nixie exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Resolves with the exit code (SIGTERM first when still running). */
  stop(): Promise<number | null>;
  /** Resolves with the exit code once nixie exits by itself. */
  exited(): Promise<number | null>;
}

/** The environment of a hermetic nixie keeping its state in `dir`, plus `env`. */
export function nixieEnv(dir: string, env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? dir,
    NIXIE_CONFIG: join(projectRoot, "config", "default.json"),
    NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`,
    NIXIE_DATA_DIR: join(dir, "data"),
    NIXIE_SEARCH_URL: "http://127.0.0.1:9/backend",
    NIXIE_WIKI_API: "http://127.0.0.1:9/w/api.php",
    NIXIE_DISCOURSE_URL: "http://127.0.0.1:9",
    NIXIE_NIXHOUR_FEED: "http://127.0.0.1:9/feed.xml",
    NIXIE_FEEDS_CRON: "0 0 1 1 *",
    NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
    NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
    NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data",
    NIXIE_FN_NIX: "/nonexistent/nix",
    NIXIE_GITHUB_API: "http://127.0.0.1:9",
    ...env,
  };
}

export function spawnNixie(dir: string, env: Record<string, string>): NixieProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: projectRoot, env: nixieEnv(dir, env), stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let code: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of [...listeners]) l();
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    notify();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on("close", (c) => {
      code = c;
      notify();
      resolve(c);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, ms = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(err)) done(resolve);
          else if (code !== undefined) done(() => reject(new Error(`nixie exited (${String(code)}) before ${String(pattern)}:\n${err.slice(-3000)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} within ${ms} ms:\n${err.slice(-3000)}`))), ms);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      }),
    stop: () => {
      if (code === undefined) child.kill("SIGTERM");
      return exit;
    },
    exited: () => exit,
  };
}
