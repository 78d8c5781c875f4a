// !eval's warm standby with the real nix-instantiate in bubblewrap (and without it): the standby is
// the very same sandboxed process, the next !eval takes it, and no evaluator outlives nixie.
// Run: NIXIE_E2E_SERVERS=nix npm run test:e2e -- test/e2e/eval-standby.test.ts
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadConfig, projectRoot, type Config } from "../../src/config.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";
import { comm, isSandboxedEvaluator, processTree, procStat, running, whenGone } from "../helpers/proc.js";

function nix(): string {
  const v = process.env["NIXIE_E2E_NIX"];
  if (!v) throw new Error("NIXIE_E2E_NIX is not set: run this suite through npm run test:e2e, which installs Nix");
  return v;
}

/** This process's running children that are sandboxed evaluators (bubblewrap, or prlimit before it execs). */
function evaluators(): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === process.pid && running(pid) && isSandboxedEvaluator(pid));
}

/** The real uid of `pid`. */
const uidOf = (pid: number): number => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The nix-instantiate inside a standby's tree, once it has started. */
const nixIn = (standby: number): number | undefined => processTree(standby).find((p) => comm(p) === "nix-instantiate");

describe("!eval's warm standby with the real Nix", function () {
  this.timeout(60_000);
  let bot: TestBot;
  let n = 0;
  const ask = (text: string): Promise<string> => bot.ask(text, { user: `standby${n++}` });

  before(async () => {
    bot = await startTestBot({ NIXIE_EVAL: "on", NIXIE_EVAL_NIX_INSTANTIATE: nix() });
  });
  after(async () => bot?.stop());

  it("one sandboxed nix-instantiate waits between messages, and the next !eval takes it", async () => {
    assert.equal(bot.bot.services.eval.status().sandbox, "bwrap");
    const [first] = await until("the standby", () => (evaluators().length === 1 ? evaluators() : undefined));
    const inner = await until("its nix-instantiate", () => nixIn(first!));
    // The same sandbox as a cold start: bubblewrap, then Nix as nobody (the tests run as root), waiting.
    assert.equal(process.getuid?.(), 0, "the e2e suites run as root (they install Debian packages)");
    assert.equal(uidOf(inner), 65534);
    await until("it to wait on stdin", () => (procStat(inner)?.state === "S" ? true : undefined));
    assert.equal(await ask("!eval 1+1"), "2");
    assert.equal(running(first!), false, "the standby answered and ended");
    const [second] = await until("the next standby", () => (evaluators().length === 1 ? evaluators() : undefined));
    assert.notEqual(second, first);
    assert.equal(await ask("!eval builtins.attrNames { a = 1; b = 2; }"), '[ "a" "b" ]');
  });

  it("stopping nixie ends the standby and everything under it", async () => {
    const mine = new Set(evaluators());
    const other = await startTestBot({ NIXIE_EVAL: "on", NIXIE_EVAL_NIX_INSTANTIATE: nix() });
    const standby = await until("the other bot's standby", () => evaluators().find((p) => !mine.has(p)));
    const tree = await until("its nix-instantiate", () => (nixIn(standby) ? processTree(standby) : undefined));
    await other.stop();
    assert.deepEqual(await whenGone(tree), []);
  });

  for (const sandbox of ["bwrap", "none"] as const) {
    it(`a nixie killed with SIGKILL leaves no standby behind (sandbox ${sandbox})`, async () => {
      const base = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true }).config.eval;
      const config: Config["eval"] = { ...base, enabled: "on", sandbox, nixInstantiate: nix() };
      const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/eval-standby-child.ts", JSON.stringify(config), "wait"], { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] });
      const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      try {
        const standby = await until("the child's standby", () => Number(/^standby (\d+)$/m.exec(out)?.[1]) || undefined, 20_000);
        const tree = await until("its nix-instantiate", () => (nixIn(standby) ? processTree(standby) : undefined));
        child.kill("SIGKILL");
        await closed;
        assert.deepEqual(await whenGone(tree), [], `left running: ${tree.filter(running).map(comm).join(", ")}`);
      } finally {
        child.kill("SIGKILL");
      }
    });
  }
});
