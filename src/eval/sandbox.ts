/**
 * The evaluator's command line: `prlimit --as=… --cpu=… -- [bwrap … --] nix-instantiate <hardening> -`.
 * Pure: it only builds argv, environment and credentials; src/eval/run.ts spawns them (no shell).
 */

/** Which isolation wraps nix-instantiate (besides the uid drop, RLIMIT_AS and Nix's own modes). */
export type SandboxKind = "bwrap" | "none";

export interface SandboxOptions {
  readonly nixInstantiate: string;
  /** util-linux prlimit, which sets RLIMIT_AS before it execs the rest (Node cannot set rlimits). */
  readonly prlimit: string;
  /** bubblewrap's path; used when `kind` is "bwrap". */
  readonly bwrap: string;
  readonly kind: SandboxKind;
  readonly memoryBytes: number;
  /**
   * RLIMIT_CPU: a backstop that ends a runaway evaluator even if nixie died and its wall clock
   * with it. Generous (Nix's garbage collector may use more than one core).
   */
  readonly cpuSeconds: number;
  /** A nixpkgs (or nixpkgs.lib) checkout for `-I nixpkgs=`; "" for the language and builtins only. */
  readonly nixpkgs: string;
  /** Real uid/gid of the child, set by spawn before exec (only when nixie runs as root). */
  readonly runAs?: { readonly uid: number; readonly gid: number };
}

export interface EvalCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** The whole environment of the child: HOME and PATH, nothing of nixie's. */
  readonly env: Readonly<Record<string, string>>;
  readonly uid?: number;
  readonly gid?: number;
}

const PATH = "/usr/bin:/bin";

/**
 * nix-instantiate's flags. `--store dummy://` needs no daemon and writes nothing; restrict-eval
 * and allowed-uris '' refuse files and URLs outside the search path; pure-eval (language-only
 * mode) also refuses every `<…>` look-up, so it is left out when a nixpkgs path is configured.
 */
export function nixFlags(nixpkgs: string): string[] {
  const flags = ["--eval", "--strict", "--store", "dummy://", "--option", "restrict-eval", "true", "--option", "allowed-uris", "", "--option", "allow-import-from-derivation", "false"];
  if (nixpkgs === "") flags.push("--option", "pure-eval", "true");
  else flags.push("-I", `nixpkgs=${nixpkgs}`);
  // The expression comes on standard input.
  flags.push("-");
  return flags;
}

/** bubblewrap: no network, IPC, PID or user sharing; only /usr, /nix and nixpkgs, read-only. */
export function bwrapArgs(nixpkgs: string): string[] {
  const args = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    "--ro-bind-try",
    "/nix",
    "/nix",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
  ];
  if (nixpkgs !== "") args.push("--ro-bind", nixpkgs, nixpkgs);
  args.push("--");
  return args;
}

/** The full command for one evaluation. */
export function evalCommand(o: SandboxOptions): EvalCommand {
  const inner = [o.nixInstantiate, ...nixFlags(o.nixpkgs)];
  const wrapped = o.kind === "bwrap" ? [o.bwrap, ...bwrapArgs(o.nixpkgs), ...inner] : inner;
  return {
    file: o.prlimit,
    args: [`--as=${o.memoryBytes}`, `--cpu=${o.cpuSeconds}`, "--", ...wrapped],
    // Inside bubblewrap /tmp is a private tmpfs; outside, a home that does not exist (Nix only
    // needs the variable to be set; it writes nothing there with a dummy store).
    env: { HOME: o.kind === "bwrap" ? "/tmp" : "/nonexistent", PATH },
    ...(o.runAs ? { uid: o.runAs.uid, gid: o.runAs.gid } : {}),
  };
}
