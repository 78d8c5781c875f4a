// The console contract, run as operators and our checks run it: `npm start` as a child process.
import { Screen } from "../helpers/screen.js";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { runProcess } from "../helpers/run-process.js";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), "nixie-console-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs nixie as `npm start` does. `terminal`: on a pseudo-terminal (util-linux `script`), as a
 * person at a terminal runs it; its stdout and stderr then both arrive in `stdout`.
 */
function start(input: string | null, env: Record<string, string> = {}, signalWhenReady?: NodeJS.Signals, terminal = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, "--import", "tsx", "src/main.ts"];
    const [file, args] = terminal ? ["script", ["-qefc", command.join(" "), "/dev/null"]] : [command[0]!, command.slice(1)];
    const child = spawn(file, args, {
      cwd: projectRoot,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? dir,
        NIXIE_STORE_URL: `sqlite://${join(dir, "console.sqlite")}`,
        // Hermetic: nothing may reach the internet from a test.
        NIXIE_SEARCH_URL: "http://127.0.0.1:9/backend",
        NIXIE_WIKI_API: "http://127.0.0.1:9/w/api.php",
        NIXIE_DISCOURSE_URL: "http://127.0.0.1:9",
        NIXIE_NIXHOUR_FEED: "http://127.0.0.1:9/feed.xml",
        NIXIE_CONFIG: join(projectRoot, "config", "default.json"),
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let typed = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // A person types once the prompt is there (readline then reads keys, Ctrl-D included);
      // typed ahead, the terminal's own line editing could take the Ctrl-D as its end of input.
      if (terminal && input !== null && !typed && /Ctrl-D to quit\r?\n.*> /s.test(stdout)) {
        typed = true;
        child.stdin.end(input);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (signalWhenReady && stderr.includes("nixie is ready")) child.kill(signalWhenReady);
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
    if (input !== null && !terminal) child.stdin.end(input);
  });
}

describe("console adapter contract (npm start as a child process)", function () {
  this.timeout(30_000);

  it("answers each line in order on stdout, logs only JSON on stderr, and exits 0 at end of input", async () => {
    const r = await start("!help\n!help help\nhello\n!about\n");
    assert.equal(r.code, 0, r.stderr);
    const helpAt = r.stdout.indexOf("nixie answers questions about Nix and NixOS. Commands:");
    const helpHelpAt = r.stdout.indexOf("`!help [<command>]` — List the commands, or explain one");
    const aboutAt = r.stdout.indexOf("nixie 0.");
    assert.ok(helpAt >= 0 && helpHelpAt > helpAt && aboutAt > helpHelpAt, r.stdout);
    assert.doesNotMatch(r.stdout, /"level":/, "no log lines on stdout");
    for (const line of r.stderr.trim().split("\n")) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
    assert.match(r.stderr, /nixie is ready/);
  });

  it("works through npm start --silent itself (build, then the compiled bot)", async function () {
    this.timeout(60_000);
    const r = await runProcess("npm", ["start", "--silent"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, "npm.sqlite")}` },
      input: "!help\n!help help\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nixie answers questions about Nix and NixOS\. Commands:/);
    assert.match(r.stdout, /`!help \[<command>\]` — List the commands, or explain one/);
  });

  it("answers all ten lines of a flood of !about, each in full, an overlong line as such, and nixie: help (issue 20, items 1, 2, 8)", async () => {
    const long = `!eval 1${" + 1".repeat(998)}00 + 5`;
    const r = await start(`${"!about\n".repeat(10)}${long}\nnixie: help help\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/^nixie 0\./gm)?.length, 10, r.stdout);
    assert.doesNotMatch(r.stdout, /Slow down/);
    assert.match(r.stdout, new RegExp(`That line is ${long.length.toLocaleString("en-US")} characters; nixie reads at most 4,000\\.`));
    assert.match(r.stdout, /`!help \[<command>\]` — List the commands, or explain one/);
  });

  it("ends quietly with status 0 when its reader goes away (npm start | head)", async () => {
    const r = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: projectRoot,
        env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, "pipe.sqlite")}` },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdout.once("data", () => {
        child.stdout.destroy(); // like head(1) after its lines
        child.stdin.end("!help\n".repeat(50));
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout: "", stderr }));
      child.stdin.write("!about\n");
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|at .*\(node:/, "no stack trace");
  });

  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    it(`shuts down cleanly on ${sig} while waiting for input`, async () => {
      const r = await start(null, {}, sig);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`"why":"${sig}","msg":"shutting down"`));
      assert.match(r.stderr, /nixie stopped/);
    });
  }

  it("on a terminal greets, prompts, and keeps logs to readable warnings unless NIXIE_LOG_LEVEL asks", async () => {
    // "\x04" is Ctrl-D: the end of input on a terminal.
    const quiet = await start("!help help\n\x04", {}, undefined, true);
    assert.equal(quiet.code, 0, quiet.stdout);
    const screen = new Screen();
    screen.write(quiet.stdout);
    const seen = screen.lines();
    assert.deepEqual(seen.slice(0, 3), ["nixie console: type !help, Ctrl-D to quit", "> !help help", "`!help [<command>]` — List the commands, or explain one"]);
    assert.equal(seen[seen.length - 1], "• `!help pkg`", "the answer, and no prompt left after Ctrl-D");
    assert.doesNotMatch(quiet.stdout, /"level"|INFO/);
    const chatty = await start("!help\n\x04", { NIXIE_LOG_LEVEL: "info" }, undefined, true);
    assert.equal(chatty.code, 0, chatty.stdout);
    assert.match(chatty.stdout, /nixie INFO: nixie is ready \(adapters=\["console"\], store=sqlite, /);
    assert.doesNotMatch(chatty.stdout, /"level"/);
  });

  it("stops with one clear line and a non-zero exit for a bad config value", async () => {
    const r = await start("!help\n", { NIXIE_LOG_LEVEL: "chatty" });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, 'nixie: config key "logLevel" must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"\n');
  });

  it("stops with one clear line when the events file is missing", async () => {
    const file = join(dir, "missing-events.json");
    writeFileSync(file, JSON.stringify({ events: { file: join(dir, "no-such-events.json") } }));
    const r = await start("!help\n", { NIXIE_CONFIG: file });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^nixie: config key "events\.file" names .*no-such-events\.json, which is not a file \(use "" for none\)\n$/);
  });

  it("stops with one clear line for a sqlite URL without a path, creating no file", async () => {
    const r = await start("!help\n", { NIXIE_STORE_URL: "sqlite:" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^nixie: config key "store\.url" must be sqlite:\/\/PATH.*, got "sqlite:"\n$/);
    assert.equal(existsSync(join(projectRoot, "sqlite:")), false);
  });

  it("reports every bad config value, one line each", async () => {
    const r = await start("!help\n", { NIXIE_LOG_LEVEL: "chatty", NIXIE_PREFIX: "abc", NIXIE_HEALTH_PORT: "x" });
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, r.stderr);
    for (const line of lines) assert.match(line, /^nixie: (config key|NIXIE_HEALTH_PORT)/);
  });

  it("stops with one clear line when the data directory cannot exist", async () => {
    const r = await start("!help\n", { NIXIE_STORE_URL: "sqlite:///nonexistent-nixie/really/nixie.sqlite" });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^nixie: data directory \/nonexistent-nixie\/really does not exist, and neither does its parent \/nonexistent-nixie; create it or fix NIXIE_STORE_URL\n$/);
  });

  it("stops with one clear line when Redis cannot be reached", async () => {
    const r = await start("!help\n", { NIXIE_STORE_URL: "redis://127.0.0.1:1" });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^nixie: store redis:\/\/127\.0\.0\.1:1 cannot be used: .+\n$/);
  });
});
