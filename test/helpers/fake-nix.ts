/**
 * A fake nix-instantiate for the eval tests: a shell script that answers by what it reads on
 * stdin, so the sandbox runner, limits and self-test are tested without Nix. Its folder is
 * world-readable because, when the tests run as root, the evaluator runs as nobody.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = `#!/bin/bash
if [ "$1" = "--version" ]; then echo "nix-instantiate (Nix) 2.8.0"; exit 0; fi
started=\${EPOCHREALTIME/./}
mode=$(cat "$(dirname "$0")/mode" 2>/dev/null)
[ "$mode" = warn ] && echo "warning: unknown setting 'restrict-evl'" >&2
expr=$(cat)
case "$expr" in
  "1+1") [ "$mode" = broken ] && { echo 3; exit 0; }; echo 2 ;;
  "builtins.readFile /etc/passwd") echo "error: access to absolute path '/etc/passwd' is forbidden in pure eval mode (use '--impure' to override)" >&2; exit 1 ;;
  builtins.fetchurl*) echo "error: access to URI 'http://127.0.0.1:1/' is forbidden in restricted mode" >&2; exit 1 ;;
  environ) tr '\\0' '\\n' < /proc/$$/environ | sort | tr '\\n' ' ' ;;
  args) printf '%s|' "$@" ;;
  id) echo "$(id -u) $(id -g) $(id -G)" ;;
  limit) grep -E 'Max (address space|cpu time)' /proc/$$/limits | tr -s ' ' | tr '\\n' '|' ;;
  sleep) sleep 60 & echo "$!" ; sleep 60 ;;
  pid) echo "$$" ;;
  age) echo $(( (\${EPOCHREALTIME/./} - started) / 1000 )) ;;
  nap) sleep 0.2; echo napped ;;
  flood) head -c 200000 /dev/zero | tr '\\0' a ;;
  noisy) head -c 200000 /dev/zero | tr '\\0' e >&2; exit 1 ;;
  lib) echo "error: undefined variable 'lib'" >&2; exit 1 ;;
  oom) echo "error: out of memory" >&2; exit 1 ;;
  *) printf '%s' "$expr" ;;
esac
`;

export interface FakeNix {
  readonly path: string;
  /** "" (normal), "warn" (an unknown-setting warning on every run) or "broken" (1+1 is 3). */
  setMode(mode: "" | "warn" | "broken"): void;
  remove(): void;
}

export function createFakeNix(): FakeNix {
  const dir = mkdtempSync(join(tmpdir(), "nixie-fake-nix-"));
  chmodSync(dir, 0o755);
  const path = join(dir, "nix-instantiate");
  writeFileSync(path, SCRIPT, { mode: 0o755 });
  const modeFile = join(dir, "mode");
  const setMode = (mode: string): void => {
    writeFileSync(modeFile, mode);
    chmodSync(modeFile, 0o644);
  };
  setMode("");
  return { path, setMode, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
