/**
 * The start-up self-test: the evaluator works, and the hardening is in force. A misspelt
 * hardening option is only a warning to Nix, so a `warning: unknown setting` fails the test.
 */
import type { RunResult } from "./run.js";

export type Evaluate = (expr: string) => Promise<RunResult>;

export type SelfTestResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

interface Check {
  readonly expr: string;
  readonly expect: (r: RunResult) => string | undefined;
}

const firstLine = (s: string): string =>
  s
    .trim()
    .split("\n")
    .find((l) => !l.startsWith("GC Warning")) ?? "";

const refused =
  (what: string) =>
  (r: RunResult): string | undefined =>
    r.code !== 0 && r.stdout.trim() === "" && /forbidden|not allowed/.test(r.stderr)
      ? undefined
      : `${what} was not refused (exit ${r.code}, ${JSON.stringify(firstLine(r.stdout || r.stderr).slice(0, 80))})`;

/** The checks, in order; `withLib` adds one that `lib` is bound (a nixpkgs path is configured). */
export function selfTestChecks(withLib: boolean): readonly Check[] {
  const checks: Check[] = [
    {
      expr: "1+1",
      expect: (r) =>
        r.code === 0 && r.stdout.trim() === "2" ? undefined : `1+1 did not give 2 (exit ${r.code}${r.signal ? `, ${r.signal}` : ""}: ${JSON.stringify(firstLine(r.stderr || r.stdout).slice(0, 120))})`,
    },
    { expr: "builtins.readFile /etc/passwd", expect: refused("builtins.readFile /etc/passwd") },
    { expr: 'builtins.fetchurl "http://127.0.0.1:1/"', expect: refused("builtins.fetchurl") },
  ];
  if (withLib)
    checks.push({
      expr: "builtins.isAttrs lib",
      expect: (r) => (r.code === 0 && r.stdout.trim() === "true" ? undefined : `lib from eval.nixpkgs cannot be imported: ${JSON.stringify(firstLine(r.stderr).slice(0, 120))}`),
    });
  return checks;
}

/** Runs the checks at once (start-up waits for them); the first failure in order is the reason. */
export async function selfTest(evaluate: Evaluate, withLib: boolean): Promise<SelfTestResult> {
  const checks = selfTestChecks(withLib);
  const results = await Promise.all(checks.map((c) => evaluate(c.expr)));
  for (const [i, check] of checks.entries()) {
    const r = results[i]!;
    if (r.spawnError !== undefined) return { ok: false, reason: `cannot start the evaluator: ${r.spawnError}` };
    if (r.stopped === "timeout") return { ok: false, reason: `${check.expr} took too long` };
    const unknown = /warning: unknown setting '([^']*)'/.exec(r.stderr);
    if (unknown) return { ok: false, reason: `this Nix ignores the hardening setting '${unknown[1]}'` };
    const problem = check.expect(r);
    if (problem !== undefined) return { ok: false, reason: problem };
  }
  return { ok: true };
}
