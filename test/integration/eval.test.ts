// !eval's runner, limits, self-test and wiring, with a fake nix-instantiate (test/helpers/fake-nix.ts).
// The real Nix and its hostile table are in test/e2e/eval-hostile.test.ts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig, projectRoot, type Config } from "../../src/config.js";
import { renderPlain } from "../../src/render/plain.js";
import { ConfigError, UserError } from "../../src/core/errors.js";
import { spawnEvaluator } from "../../src/eval/run.js";
import { evalCommand } from "../../src/eval/sandbox.js";
import { outcomeReply, SHOW_LIMITS, type EvalOutcome } from "../../src/eval/format.js";
import type { CommandEvent } from "../../src/core/dispatcher.js";
import { createEvalService, findTool, type EvalService, type EvalServiceOptions } from "../../src/eval/service.js";
import { createFakeNix, type FakeNix } from "../helpers/fake-nix.js";
import { processGroup, processTree, whenGone } from "../helpers/proc.js";
import { startTestBot } from "../helpers/test-bot.js";

const isRoot = process.getuid?.() === 0;
const silent = pino({ level: "silent" });

function evalConfig(nix: string, over: Partial<Config["eval"]> = {}): Config["eval"] {
  const base = loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true }).config.eval;
  return { ...base, nixInstantiate: nix, sandbox: "none", enabled: "auto", ...over };
}

/** Running (a killed process is a zombie until whoever adopted it reaps it: that counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

describe("eval with a fake nix-instantiate", function () {
  this.timeout(20_000);
  let fake: FakeNix;
  beforeEach(() => (fake = createFakeNix()));
  afterEach(() => fake.remove());

  const service = async (over: Partial<Config["eval"]> = {}, extra: Partial<EvalServiceOptions> = {}) => {
    const s = createEvalService({ config: evalConfig(fake.path, over), log: silent, ...extra });
    await s.start();
    return s;
  };

  it("passes the self-test and evaluates; the expression reaches nix exactly, on stdin", async () => {
    const s = await service();
    assert.equal(s.status().available, true, s.status().reason);
    assert.equal(s.status().nixVersion, "2.8.0");
    const expr = `"a\\"b"  'c' \\ \n  ''x''`;
    assert.deepEqual(await s.evaluate(expr, "test:u1"), { kind: "value", text: expr, capped: false });
  });

  it("gives the child only HOME and PATH, and the recipe's flags", async () => {
    const s = await service();
    const env = await s.evaluate("environ", "test:u1");
    assert.equal(env.kind === "value" && env.text.trim(), "HOME=/nonexistent PATH=/usr/bin:/bin");
    const args = await s.evaluate("args", "test:u2");
    assert.equal(
      args.kind === "value" && args.text,
      "--eval|--strict|--store|dummy://|--option|restrict-eval|true|--option|allowed-uris||--option|allow-import-from-derivation|false|--option|pure-eval|true|-|",
    );
  });

  it("runs under RLIMIT_AS from eval.memoryBytes and an RLIMIT_CPU backstop of twice the wall clock", async () => {
    const s = await service({ memoryBytes: 512 * 1024 * 1024, timeoutMs: 5000 });
    const limit = await s.evaluate("limit", "test:u1");
    assert.equal(limit.kind === "value" && limit.text.trim(), "Max cpu time 11 11 seconds |Max address space 536870912 536870912 bytes |");
  });

  (isRoot ? it : it.skip)("as root, runs the evaluator as eval.uid/eval.gid with no supplementary groups", async () => {
    const s = await service({ uid: 65534, gid: 65533 });
    const id = await s.evaluate("id", "test:u1");
    assert.equal(id.kind === "value" && id.text.trim(), "65534 65533 65533");
  });

  it("the wall clock kills the whole process group, grandchildren included", async () => {
    const cmd = evalCommand({ nixInstantiate: fake.path, prlimit: findTool("prlimit"), bwrap: "", kind: "none", memoryBytes: 1 << 30, cpuSeconds: 11, nixpkgs: "" });
    const r = await spawnEvaluator(cmd, { timeoutMs: 700, outputBytes: 65536 }).feed("sleep");
    assert.equal(r.stopped, "timeout");
    assert.equal(r.signal, "SIGKILL");
    const grandchild = Number(r.stdout.trim());
    assert.ok(grandchild > 0, r.stdout);
    for (let i = 0; i < 20 && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(grandchild), false, "the background sleep is gone");
    const s = await service({ timeoutMs: 500 });
    assert.deepEqual(await s.evaluate("sleep", "test:u1"), { kind: "timeout", timeoutMs: 500 });
  });

  it("stop() ends the evaluators still running (shutdown)", async () => {
    const s = await service({ timeoutMs: 20_000 });
    const running = s.evaluate("sleep", "test:u1");
    while (s.load().active === 0) await new Promise((res) => setTimeout(res, 10));
    await new Promise((res) => setTimeout(res, 200));
    s.stop();
    assert.deepEqual(await running, { kind: "killed", signal: "SIGKILL" });
  });

  it("stops reading stdout or stderr at the cap and kills the evaluator", async () => {
    const s = await service({ outputBytes: 4096 });
    const v = await s.evaluate("flood", "test:u1");
    assert.equal(v.kind, "value");
    assert.ok(v.kind === "value" && v.capped && v.text.length === 4096);
    const e = await s.evaluate("noisy", "test:u2");
    assert.ok(e.kind === "error" && e.capped && e.text.length === 4096);
  });

  it("refuses busy and too-frequent evaluations with a clear message", async () => {
    const s = await service({ maxConcurrent: 1, queue: 0, perUserSeconds: 5, timeoutMs: 1000 });
    const first = s.evaluate("sleep", "test:a");
    await assert.rejects(s.evaluate("1+1", "test:b"), (e: unknown) => e instanceof UserError && /busy/.test(e.message));
    await first;
    await assert.rejects(s.evaluate("1+1", "test:a"), (e: unknown) => e instanceof UserError && /One evaluation per person every 5 s: try again in [1-5] s/.test(e.message));
    assert.deepEqual(await s.evaluate("1+1", "test:b"), { kind: "value", text: "2\n", capped: false });
    await assert.rejects(s.evaluate("x".repeat(4001), "test:c"), /at most 4000/);
  });

  it("answers busy at once when the queue is full, and a wait in line that runs out says so (issue 20, item 5)", async () => {
    const s = await service({ maxConcurrent: 1, queue: 1, perUserSeconds: 5, timeoutMs: 1000 });
    let firstDone = false;
    const first = s.evaluate("sleep", "test:a").then((r) => ((firstDone = true), r));
    // In line, but its answer is due before the running one can end and it could run.
    const waited = s.evaluate("1+1", "test:b", { answerBy: Date.now() + 1300 });
    await assert.rejects(s.evaluate("1+1", "test:c"), (e: unknown) => e instanceof UserError && /^nixie is busy: 1 evaluation running and 1 waiting/.test(e.message));
    assert.equal(firstDone, false, "busy was answered while the first still ran");
    await assert.rejects(waited, (e: unknown) => e instanceof UserError && /^Your evaluation waited in line for 0\.\d s behind 1 other and did not get its turn in time/.test(e.message));
    assert.equal(firstDone, false);
    // One whose answer is due later keeps its place and runs when the first ends.
    const patient = s.evaluate("1+1", "test:d", { answerBy: Date.now() + 5000 });
    assert.equal((await first).kind, "timeout");
    assert.deepEqual(await patient, { kind: "value", text: "2\n", capped: false });
  });

  it("an evaluation admitted late gets the time left before its answer is due, and says it waited (issue 20, item 5)", async () => {
    const s = await service({ maxConcurrent: 1, queue: 1, perUserSeconds: 5, timeoutMs: 2000 });
    const first = s.evaluate("sleep", "test:a");
    const late = await s.evaluate("sleep", "test:b", { answerBy: Date.now() + 3600 });
    assert.equal((await first).kind, "timeout");
    assert.ok(late.kind === "timeout" && late.waitedMs !== undefined && late.waitedMs >= 1500 && late.timeoutMs < 2000, JSON.stringify(late));
    assert.match(renderPlain(outcomeReply(late, { ...SHOW_LIMITS, outputBytes: 65536 })), /^The evaluation waited \d\.\d s in line, then took longer than the \d\.\d s left for it, and was stopped/);
  });

  it("explains lib and <nixpkgs> when no nixpkgs is configured", async () => {
    const s = await service();
    const r = await s.evaluate("lib", "test:a");
    assert.ok(r.kind === "error" && r.hint?.includes("eval.nixpkgs"));
  });

  it("fails the self-test on an unknown-setting warning (a misspelt hardening flag) or a wrong answer", async () => {
    fake.setMode("warn");
    const warned = await service();
    assert.equal(warned.available(), false);
    assert.match(warned.status().reason, /ignores the hardening setting 'restrict-evl'/);
    await assert.rejects(warned.evaluate("1+1", "test:a"), /not available/);
    fake.setMode("broken");
    assert.match((await service()).status().reason, /1\+1 did not give 2/);
  });

  it('stops start-up when eval.enabled is "on" and it cannot work; "off" never runs nix', async () => {
    fake.setMode("broken");
    await assert.rejects(service({ enabled: "on" }), (e: unknown) => e instanceof ConfigError && /eval.enabled is "on" but !eval cannot work: self-test failed/.test(e.message));
    await assert.rejects(service({ enabled: "on", nixInstantiate: "/nonexistent/nix-instantiate" }), /is not installed/);
    fake.setMode("");
    const off = await service({ enabled: "off" });
    assert.equal(off.status().reason, "eval.enabled is off");
  });

  it("prefers bubblewrap in auto and falls back to none when bubblewrap cannot run", async () => {
    const s = await service({ sandbox: "auto" }, { tools: { bwrap: "/bin/false" } });
    assert.equal(s.available(), true);
    assert.equal(s.status().sandbox, "none");
    const forced = await service({ sandbox: "bwrap" }, { tools: { bwrap: "/bin/false" } });
    assert.equal(forced.available(), false);
    assert.match(forced.status().reason, /with bubblewrap: 1\+1 did not give 2/);
  });
});

describe("eval's warm standby, with a fake nix-instantiate", function () {
  this.timeout(20_000);
  let fake: FakeNix;
  const services: EvalService[] = [];
  beforeEach(() => (fake = createFakeNix()));
  afterEach(() => {
    for (const s of services.splice(0)) s.stop();
    fake.remove();
  });

  /** A started service, and the evaluator processes alive now (from its observer), with the most ever alive at once after start. */
  const service = async (over: Partial<Config["eval"]> = {}) => {
    const live = new Set<number>();
    const spawned: number[] = [];
    let max = 0;
    let started = false;
    const s = createEvalService({
      config: evalConfig(fake.path, over),
      log: silent,
      observer: {
        started(pid) {
          live.add(pid);
          spawned.push(pid);
          if (started) max = Math.max(max, live.size);
        },
        ended: (pid) => live.delete(pid),
      },
    });
    services.push(s);
    await s.start();
    started = true;
    max = live.size;
    return { s, live, spawned, max: () => max };
  };
  const pidOf = (o: EvalOutcome): number => (o.kind === "value" ? Number(o.text.trim()) : NaN);

  it("keeps one evaluator waiting after start; an evaluation takes it and a new one is spawned", async () => {
    const { s, live, spawned } = await service();
    assert.equal(live.size, 1, "one standby after the self-test");
    const [first] = [...live];
    const selfTest = spawned.length - 1;
    assert.equal(pidOf(await s.evaluate("pid", "test:a")), first, "the expression went to the standby");
    assert.equal(spawned.length, selfTest + 2, "one more spawned: the next standby");
    assert.equal(live.size, 1);
    const [second] = [...live];
    assert.notEqual(second, first);
    assert.equal(pidOf(await s.evaluate("pid", "test:b")), second);
    assert.deepEqual(await s.evaluate("1+1", "test:c"), { kind: "value", text: "2\n", capped: false });
  });

  it("with eval.standby false, nothing waits and every evaluation is a cold start", async () => {
    const { s, live, spawned } = await service({ standby: false });
    assert.equal(live.size, 0);
    const before = spawned.length;
    const pid = pidOf(await s.evaluate("pid", "test:a"));
    assert.equal(spawned.length, before + 1);
    assert.equal(pid, spawned.at(-1));
    assert.equal(live.size, 0);
  });

  it("the wall clock counts from the expression being sent, not from the standby's spawn", async () => {
    const { s } = await service({ timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 1500));
    const age = await s.evaluate("age", "test:a");
    assert.equal(age.kind, "value", JSON.stringify(age));
    assert.ok(pidOf(age) >= 1500, `the standby had waited ${pidOf(age)} ms before its expression came`);
    // And the clock still stops an expression that runs too long.
    assert.deepEqual(await s.evaluate("sleep", "test:b"), { kind: "timeout", timeoutMs: 1000 });
  });

  for (const maxConcurrent of [1, 2]) {
    it(`never has more than eval.maxConcurrent (${maxConcurrent}) evaluators alive, the standby included`, async () => {
      const { s, live, spawned, max } = await service({ maxConcurrent, queue: 20, perUserSeconds: 0 });
      const before = spawned.length;
      const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => s.evaluate("nap", `test:${i}`)));
      assert.deepEqual(new Set(answers.map((a) => a.kind === "value" && a.text)), new Set(["napped\n"]));
      assert.ok(max() <= maxConcurrent, `at most ${maxConcurrent} alive, saw ${max()}`);
      assert.ok(spawned.length - before >= 9, "every evaluation had its own process");
      assert.equal(live.size, 1, "the standby is back once all are done");
      assert.deepEqual(s.load(), { active: 0, queued: 0 });
    });
  }

  it("a standby that died is replaced by a cold start, transparently", async () => {
    const { s, live, spawned } = await service();
    const [dead] = [...live];
    process.kill(-dead!, "SIGKILL");
    while (live.has(dead!)) await new Promise((r) => setTimeout(r, 10));
    const before = spawned.length;
    const pid = pidOf(await s.evaluate("pid", "test:a"));
    assert.notEqual(pid, dead);
    assert.equal(pid, spawned[before], "a new process answered");
    assert.deepEqual(await s.evaluate("1+1", "test:b"), { kind: "value", text: "2\n", capped: false });
  });

  it("stop() kills the standby's whole process group", async function () {
    this.timeout(30_000);
    const { s, live } = await service();
    const [standby] = [...live];
    // Once it waits on stdin: bash, and the subshell reading its input (on a loaded machine the
    // subshell may take seconds to appear).
    for (const until = Date.now() + 15_000; Date.now() < until && processGroup(standby!).length < 2;) await new Promise((r) => setTimeout(r, 20));
    assert.ok(processGroup(standby!).length >= 2, "bash and the subshell reading its stdin");
    const group = processGroup(standby!);
    s.stop();
    assert.deepEqual(await whenGone(group), []);
    // The child's exit event reaches the observer a moment after /proc shows it gone.
    for (const until = Date.now() + 5_000; Date.now() < until && live.size > 0;) await new Promise((r) => setTimeout(r, 20));
    assert.equal(live.size, 0);
  });

  for (const how of ["return", "wait"] as const) {
    it(
      how === "return" ? "an idle standby does not keep nixie running, and ends when nixie has ended" : "a nixie killed with SIGKILL leaves no standby behind (stdin closes, Nix reads end of file)",
      async () => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/eval-standby-child.ts", JSON.stringify(evalConfig(fake.path)), how], {
          cwd: projectRoot,
          stdio: ["ignore", "pipe", "inherit"],
        });
        const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        while (!out.includes("\n") && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
        const standby = Number(/^standby (\d+)$/m.exec(out)?.[1]);
        assert.ok(standby > 0, out);
        const tree = processTree(standby);
        if (how === "wait") {
          assert.ok(tree.length >= 1, "waiting while nixie runs");
          child.kill("SIGKILL");
        }
        const ended = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
        if (!ended) child.kill("SIGKILL");
        assert.ok(ended, "nixie ended by itself");
        assert.deepEqual(await whenGone(tree), []);
      },
    );
  }
});

describe("!eval in the bot", function () {
  this.timeout(20_000);
  let fake: FakeNix;
  beforeEach(() => (fake = createFakeNix()));
  afterEach(() => fake.remove());

  it("is listed in !help and answers in a code block where the self-test passes", async () => {
    const t = await startTestBot({ NIXIE_EVAL: "auto", NIXIE_EVAL_SANDBOX: "none", NIXIE_EVAL_NIX_INSTANTIATE: fake.path });
    try {
      assert.match(await t.ask("!help"), /!eval` — Evaluate a Nix expression/);
      const reply = await t.adapter.say('!eval "a  b"\\n');
      assert.deepEqual(reply?.blocks[0], { kind: "code", language: "nix", text: '"a  b"\\n' });
      assert.match(await t.ask("!help eval"), /exactly as typed/);
      // Slash examples keep the expression's quotes too.
      const slash = await t.bot.dispatcher.invoke(
        { room: { platform: "test", id: "r" }, user: { id: "u" }, text: "", slash: true, canManageRoom: async () => false },
        "help",
        new Map([["command", "eval"]]),
      );
      assert.match(renderPlain(slash!), /`\/eval expression:builtins\.replaceStrings \[ "a" \] \[ "o" \] "nix"`/);
    } finally {
      await t.stop();
    }
  });

  it("logs and counts a time-out and running out of memory as such, not as ok (issue 20, item 10)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-eval-outcome-"));
    const config = join(dir, "eval.json");
    writeFileSync(config, JSON.stringify({ eval: { timeoutMs: 500 } }));
    const events: CommandEvent[] = [];
    const t = await startTestBot({ NIXIE_EVAL: "auto", NIXIE_EVAL_SANDBOX: "none", NIXIE_EVAL_NIX_INSTANTIATE: fake.path, NIXIE_CONFIG: config }, { onCommand: (e) => events.push(e) });
    try {
      assert.match(await t.ask("!eval sleep", { user: "a" }), /took longer than 0\.5 s/);
      assert.match(await t.ask("!eval oom", { user: "b" }), /at most 1 GiB of memory/);
      assert.match(await t.ask("!eval lib", { user: "c" }), /undefined variable 'lib'/);
      assert.match(await t.ask("!eval 1+1", { user: "d" }), /^2$/m);
      assert.deepEqual(
        events.filter((e) => e.command === "eval").map((e) => e.outcome),
        ["timeout", "out-of-memory", "user-error", "ok"],
      );
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an evaluation queued past its deadline says it waited in line, not that it could not finish (issue 20, item 5)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-eval-queue-"));
    const config = join(dir, "eval.json");
    writeFileSync(config, JSON.stringify({ eval: { timeoutMs: 1000, maxConcurrent: 1, queue: 1, standby: false }, http: { timeoutMs: 1000 } }));
    const t = await startTestBot({ NIXIE_EVAL: "auto", NIXIE_EVAL_SANDBOX: "none", NIXIE_EVAL_NIX_INSTANTIATE: fake.path, NIXIE_CONFIG: config });
    try {
      const first = t.ask("!eval sleep", { user: "a" });
      await new Promise((r) => setTimeout(r, 50));
      const second = await t.ask("!eval sleep", { user: "b" });
      assert.match(second, /^Your evaluation waited in line for 0\.\d s behind 1 other and/);
      assert.match(await first, /took longer than 1 s/);
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not exist where the self-test fails: not in !help, not a command", async () => {
    fake.setMode("warn");
    const t = await startTestBot({ NIXIE_EVAL: "auto", NIXIE_EVAL_SANDBOX: "none", NIXIE_EVAL_NIX_INSTANTIATE: fake.path });
    try {
      assert.doesNotMatch(await t.ask("!help"), /!eval/);
      assert.equal(await t.ask("!eval 1+1"), "");
      assert.match(await t.ask("!help eval"), /There is no command !eval/);
    } finally {
      await t.stop();
    }
  });

  it("deploy-commands registers /eval only where the self-test passes", async () => {
    const dryRun = (mode: "" | "warn") =>
      new Promise<string>((resolve, reject) => {
        fake.setMode(mode);
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/deploy-commands.ts", "--dry-run"], {
          cwd: projectRoot,
          env: { PATH: process.env["PATH"] ?? "", NIXIE_CONFIG: `${projectRoot}/config/default.json`, NIXIE_EVAL_SANDBOX: "none", NIXIE_EVAL_NIX_INSTANTIATE: fake.path },
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", reject);
        child.on("close", () => resolve(out));
      });
    const names = (json: string): string[] => (JSON.parse(json) as { name: string }[]).map((c) => c.name);
    const json = await dryRun("");
    const working = names(json);
    assert.ok(working.includes("eval"));
    const evalJson = (JSON.parse(json) as { name: string; options: { name: string; max_length?: number }[] }[]).find((c) => c.name === "eval");
    assert.deepEqual(
      evalJson?.options.map((o) => [o.name, o.max_length]),
      [["expression", 4000]],
    );
    const broken = names(await dryRun("warn"));
    assert.ok(!broken.includes("eval"));
    assert.equal(broken.length, working.length - 1);
  });

  it('nixie does not start when eval.enabled is "on" without a working Nix: one line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), "nixie-eval-on-"));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: projectRoot,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? "/tmp",
          NIXIE_CONFIG: `${projectRoot}/config/default.json`,
          NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`,
          NIXIE_EVAL: "on",
          NIXIE_EVAL_NIX_INSTANTIATE: "/nonexistent/nix-instantiate",
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
      child.stdin.end();
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'nixie: eval.enabled is "on" but !eval cannot work: /nonexistent/nix-instantiate is not installed (Debian: nix-bin)\n');
  });
});
