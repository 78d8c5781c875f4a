// !eval end to end with the real nix-instantiate (Debian's nix-bin 2.8) in its sandbox: the
// hostile table of issue #13, each case through the whole bot. test/e2e/servers/nix.sh installs Nix.
// Run: NIXIE_E2E_SERVERS=nix npm run test:e2e -- test/e2e/eval-hostile.test.ts
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPlain } from "../../src/render/plain.js";
import { isSandboxedEvaluator } from "../helpers/proc.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which installs Nix`);
  return v;
}

/** pid -> [parent pid, state] of every process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(name), { state: fields[0]!, ppid: Number(fields[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** This process's direct children, and the number of all its descendants, except those under `skip`. */
function family(skip: ReadonlySet<number>): { children: { pid: number; state: string }[]; descendants: number } {
  const table = processTable();
  const children = [...table].filter(([pid, p]) => p.ppid === process.pid && !skip.has(pid)).map(([pid, p]) => ({ pid, state: p.state }));
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!mine.has(pid) && !skip.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return { children, descendants: mine.size - 1 };
}

describe("!eval with the real Nix: the hostile table", function () {
  this.timeout(60_000);
  let bot: TestBot;
  let n = 0;
  // A new user per question: the per-person cooldown is tested on its own below.
  const ask = (text: string): Promise<string> => bot.ask(text, { user: `user${n++}` });

  before(async () => {
    bot = await startTestBot({ NIXIE_EVAL: "on", NIXIE_EVAL_NIX_INSTANTIATE: required("NIXIE_E2E_NIX") });
  });
  after(async () => bot?.stop());

  it("evaluates like nix-instantiate --eval --strict", async () => {
    assert.equal(await ask("!eval builtins.attrNames { a = 1; b = 2; }"), '[ "a" "b" ]');
    assert.equal(await ask('!eval { a = x: x; b = "q\\"uote\\\\"; }'), '{ a = <LAMBDA>; b = "q\\"uote\\\\"; }');
    assert.equal(await ask("!eval\n```nix\nlet\n  xs = [ 1 2 3 ];\nin\n  builtins.foldl' (a: b: a + b) 0 xs\n```"), "6");
  });

  it("shows errors with their position in the input, without noise", async () => {
    assert.equal(await ask("!eval x + 1"), "error: undefined variable 'x'\n\n       at «stdin»:1:1:\n\n            1| x + 1\n             | ^");
  });

  it("memory bomb: out of memory (RLIMIT_AS), not the wall clock", async () => {
    const r = await ask("!eval builtins.genList (x: x) 100000000");
    assert.match(r, /^error: out of memory\nAn evaluation may use at most 1 GiB of memory\.$/);
    assert.doesNotMatch(r, /GC Warning|took longer/);
  });

  it("CPU bomb: stopped after 5 s", async () => {
    assert.equal(await ask("!eval let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40"), "The evaluation took longer than 5 s and was stopped.");
  });

  it("files, network, environment and time are refused or empty", async () => {
    assert.match(await ask("!eval builtins.readFile /etc/passwd"), /^error: access to absolute path '\/etc\/passwd' is forbidden in pure eval mode/);
    assert.match(await ask('!eval builtins.fetchurl "http://127.0.0.1:1"'), /^error: access to URI 'http:\/\/127.0.0.1:1' is forbidden in restricted mode/);
    assert.equal(await ask('!eval builtins.getEnv "HOME"'), '""');
    assert.match(await ask("!eval builtins.currentTime"), /^error: attribute 'currentTime' missing/);
    assert.equal(await ask("!eval builtins.pathExists /etc/passwd"), "false");
  });

  it("a cyclic value is printed once, capped, and does not hang", async () => {
    assert.equal(await ask("!eval let a = { b = a; }; in a"), "{ b = «repeated»; }");
    assert.equal(await ask("!eval rec { a = { b = a; }; }"), "{ a = { b = «repeated»; }; }");
  });

  it("a 1 MiB string is cut: 1000 characters shown, reading stopped at 64 KiB", async () => {
    const r = await ask('!eval builtins.concatStringsSep "" (builtins.genList (_: "a") 1048576)');
    const [value, note] = r.split("\n");
    assert.equal(value, `"${"a".repeat(999)}`);
    assert.match(note!, /^… over \d+ more characters \(nixie stops reading at 64 KiB\)$/);
  });

  it("builtins.exec is missing", async () => {
    assert.match(await ask('!eval builtins.exec [ "id" ]'), /^error: attribute 'exec' missing/);
  });

  it("import <nixpkgs> {} without eval.nixpkgs: a clear message", async () => {
    const r = await ask("!eval import <nixpkgs> {}");
    assert.match(r, /^error: cannot look up '<nixpkgs>' in pure evaluation mode\n/);
    assert.match(r, /lib and <nixpkgs> are not available here: no nixpkgs is configured \(eval\.nixpkgs\)/);
    assert.doesNotMatch(r, /--impure|--show-trace/);
    assert.match(await ask("!eval lib.id 1"), /undefined variable 'lib'[\s\S]*no nixpkgs is configured/);
  });

  it("builtins.trace's output is not shown as the value", async () => {
    assert.equal(await ask('!eval builtins.trace "x" 1'), "1");
  });

  it("100 concurrent !eval from 20 people: bounded queue, at most 2 children alive (the standby included), no zombie", async () => {
    const service = bot.bot.services.eval;
    // Children from before that are not evaluators (tsx's esbuild service); the standby counts.
    const before = new Set(
      family(new Set())
        .children.filter((c) => !isSandboxedEvaluator(c.pid))
        .map((c) => c.pid),
    );
    let maxChildren = 0;
    let maxActive = 0;
    const sampler = setInterval(() => {
      maxChildren = Math.max(maxChildren, family(before).children.length);
      maxActive = Math.max(maxActive, service.load().active);
    }, 2);
    const replies = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const r = await bot.adapter.say(`!eval "person ${i % 20}"`, { user: `crowd${i % 20}` });
        return r === null ? "" : renderPlain(r);
      }),
    );
    clearInterval(sampler);
    const values = replies.filter((r) => /^"person \d+"$/.test(r));
    const busy = replies.filter((r) => /busy/.test(r));
    const cooldown = replies.filter((r) => /One evaluation per person every 5 s/.test(r));
    // Everything arrives at once: 2 run, 10 wait, the other 8 people are told nixie is busy; the
    // 80 second-to-fifth messages are either busy or the person's cooldown.
    assert.equal(values.length, 12, replies.join("\n"));
    assert.equal(new Set(values).size, 12);
    assert.equal(busy.length + cooldown.length, 88);
    assert.equal(busy.length, 40);
    assert.ok(maxChildren >= 1 && maxChildren <= 2, `at most 2 evaluators at once (and the sampler saw them), saw ${maxChildren}`);
    assert.ok(maxActive <= 2);
    assert.equal(service.load().active, 0);
    assert.equal(service.load().queued, 0);
    const left = family(before);
    assert.deepEqual(
      left.children.filter((c) => c.state === "Z"),
      [],
      "no zombie",
    );
    // Only the next standby is left, waiting for an expression.
    assert.equal(left.children.length, 1, JSON.stringify(left.children));
    assert.ok(isSandboxedEvaluator(left.children[0]!.pid));
  });
});

describe("!eval with the real Nix and eval.nixpkgs: lib", function () {
  this.timeout(60_000);
  let bot: TestBot;
  let dir: string;
  let n = 0;
  const ask = (text: string): Promise<string> => bot.ask(text, { user: `lib${n++}` });

  before(async () => {
    // A tiny nixpkgs checkout: only lib/, as in nix-community/nixpkgs.lib.
    dir = mkdtempSync(join(tmpdir(), "nixie-tiny-nixpkgs-"));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "lib"), { mode: 0o755 });
    writeFileSync(join(dir, "lib", "default.nix"), '{ id = x: x; version = "tiny"; greet = name: "hello ${name}"; }\n', { mode: 0o644 });
    bot = await startTestBot({ NIXIE_EVAL: "on", NIXIE_EVAL_NIX_INSTANTIATE: required("NIXIE_E2E_NIX"), NIXIE_EVAL_NIXPKGS: dir });
  });
  after(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds lib to import <nixpkgs/lib>", async () => {
    assert.equal(await ask('!eval lib.greet "nix"'), '"hello nix"');
    assert.equal(await ask("!eval (import <nixpkgs/lib>).version"), '"tiny"');
    assert.equal(await ask("!eval let lib = { id = 2; }; in lib.id"), "2");
  });

  it("positions in errors still point into the user's input", async () => {
    assert.equal(
      await ask("!eval\n```nix\n{\n  a = y;\n}\n```"),
      "error: undefined variable 'y'\n\n       at «stdin»:2:7:\n\n            1| {\n            2|   a = y;\n             |       ^\n            3| }",
    );
  });

  it("still refuses files outside the search path and URLs", async () => {
    assert.match(await ask("!eval builtins.readFile /etc/passwd"), /forbidden in restricted mode/);
    assert.match(await ask('!eval builtins.fetchurl "http://127.0.0.1:1"'), /forbidden in restricted mode/);
  });

  it("import <nixpkgs> {} says that full nixpkgs needs Nix 2.18", async () => {
    assert.match(await ask("!eval import <nixpkgs> {}"), /Full nixpkgs \(import <nixpkgs> \{\}\) needs Nix 2\.18 or newer; this nixie has Nix 2\.8\.0, so only lib is available\./);
  });
});
