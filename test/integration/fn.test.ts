// !fn end to end against a loopback Noogle (test/helpers/fake-noogle.ts) serving the fixture data
// file, with the real worker-thread parse: loading, answers, escaping, autocomplete, the last good
// copy in the store, refresh, bounds; and the builtins of a fake `nix __dump-builtins`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig, projectRoot, type Config } from "../../src/config.js";
import { UpstreamError } from "../../src/core/errors.js";
import { dumpBuiltins } from "../../src/fn/builtins-dump.js";
import { parseInWorker } from "../../src/fn/parse.js";
import { createFnService, STORED_FORMAT, type FnService, type FnServiceOptions, type StoredCopy } from "../../src/fn/service.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { createHttp } from "../../src/upstream/http.js";
import { startFakeNoogle, type FakeNoogle } from "../helpers/fake-noogle.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const silent = pino({ level: "silent" });
const REV = "8c1f0e6d2b7a49e3a5d0c4b1f2e3d4c5b6a79801";

function fnConfig(over: Partial<Config["fn"]> = {}): Config["fn"] {
  return { ...loadConfig({ env: { NIXIE_CONFIG: "" }, ignoreLocal: true }).config.fn, nix: "", ...over };
}

const http = createHttp({ userAgent: "nixie-test", timeoutMs: 5000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 5_000_000, cacheEntries: 0 });

/** A fake `nix`: prints `out` for the subcommands listed in `answers`, fails for the others. */
function fakeNix(dir: string, answers: Record<string, string>): string {
  const file = join(dir, "nix");
  const cases = Object.entries(answers)
    .map(([sub, out]) => `  ${sub}) cat <<'JSON'\n${out}\nJSON\n  ;;`)
    .join("\n");
  writeFileSync(file, `#!/bin/bash\ncase "$1" in\n${cases}\n  *) echo "error: unrecognised command '$1'" >&2; exit 1 ;;\nesac\n`);
  chmodSync(file, 0o755);
  return file;
}

describe("!fn with a loopback Noogle", function () {
  this.timeout(20_000);
  let noogle: FakeNoogle;
  let dir: string;
  const bots: TestBot[] = [];
  const stores: Store[] = [];
  const services: FnService[] = [];

  beforeEach(async () => {
    noogle = await startFakeNoogle();
    dir = mkdtempSync(join(tmpdir(), "nixie-fn-"));
  });
  afterEach(async () => {
    for (const b of bots.splice(0)) await b.stop();
    for (const s of services.splice(0)) await s.stop();
    for (const s of stores.splice(0)) await s.close();
    await noogle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function bot(env: Record<string, string> = {}): Promise<TestBot> {
    const b = await startTestBot({ NIXIE_FN_URL: noogle.dataUrl, ...env });
    bots.push(b);
    return b;
  }

  async function service(over: Omit<Partial<FnServiceOptions>, "config"> & { config?: Partial<Config["fn"]>; storeFile?: string } = {}): Promise<{ fn: FnService; store: Store }> {
    const store = await openStore(`sqlite://${join(dir, over.storeFile ?? "fn.sqlite")}`);
    stores.push(store);
    const { config, storeFile: _file, ...rest } = over;
    const fn = createFnService({ config: { ...fnConfig({ url: noogle.dataUrl }), ...config }, http, store, log: silent, ...rest });
    services.push(fn);
    return { fn, store };
  }

  it("says the docs are still loading before the first download, then answers from them", async () => {
    noogle.hold();
    const b = await bot();
    assert.match(await b.ask("!fn mapAttrs"), /still loading/);
    noogle.release();
    await b.bot.services.fn.ready();
    const text = await b.ask("!fn mapAttrs", { user: "bob" });
    assert.match(text, /^lib\.mapAttrs <https:\/\/noogle\.dev\/f\/lib\/mapAttrs>/);
    assert.match(text, /Type: `mapAttrs :: \(String -> Any -> Any\) -> AttrSet -> AttrSet`/);
    assert.match(text, /Also: `lib\.attrsets\.mapAttrs`, `builtins\.mapAttrs`/);
    assert.match(text, new RegExp(`Defined in: lib/attrsets\\.nix:1187 <https://github\\.com/NixOS/nixpkgs/blob/${REV}/lib/attrsets\\.nix#L1187>`));
    assert.match(text, /Noogle data of nixpkgs 8c1f0e6 \(2025-12-02\), fetched \d{4}-\d\d-\d\d/);
    assert.match(text, /^mapAttrs \(name: value: .*\n=> \{ a = "a=1"; b = "b=2"; \}$/m);
    assert.equal(noogle.requests(), 1);
    assert.match(String(noogle.server.requests[0]!.headers["user-agent"]), /nixie/);
  });

  it("a builtin shows its arguments; a typo gets suggestions; nothing found links a Noogle search", async () => {
    const b = await bot();
    await b.bot.services.fn.ready();
    assert.match(await b.ask("!fn builtins.foldl'", { user: "a" }), /Arguments: `op`, `nul`, `list`/);
    assert.match(await b.ask("!fn optinals", { user: "b" }), /No function `optinals` found\. Did you mean `lib\.optionals`, `lib\.optional`\?/);
    assert.match(await b.ask("!fn frobnicate", { user: "c" }), /No function `frobnicate` found in lib or builtins\..*<https:\/\/noogle\.dev\/q\?term=frobnicate>/);
    assert.match(await b.ask("!fn removePrefix", { user: "d" }), /\nAlso named removePrefix: `lib\.path\.removePrefix`$/);
  });

  it("escapes upstream text on every platform: no HTML, scripts, javascript: links or pings get through", async () => {
    const b = await bot();
    await b.bot.services.fn.ready();
    const reply = await b.adapter.say("!fn traceSeqN");
    assert.ok(reply);
    const matrix = renderMatrix(reply);
    assert.doesNotMatch(matrix.formatted_body, /<script|<img|<details|javascript:/i);
    assert.deepEqual(matrix["m.mentions"], {});
    const discord = renderDiscord(reply);
    assert.deepEqual(discord.allowedMentions, { parse: [] });
    assert.doesNotMatch(JSON.stringify(discord), /<script|<img|javascript:/i);
    const plain = renderPlain(reply);
    assert.match(plain, /Example cut: 6 more lines/);
    assert.equal(plain.split("\n").filter((l) => /^\s+level\d\d/.test(l)).length, 7, "8 lines of the example, the first being traceSeqN 2 {");
  });

  it("autocompletes function names (Discord's /fn)", async () => {
    const b = await bot();
    await b.bot.services.fn.ready();
    const choices = await b.bot.dispatcher.complete("fn", "function", "mapA", "discord");
    assert.deepEqual(
      choices.map((c) => c.value),
      ["lib.mapAttrs", "builtins.mapAttrs", "lib.attrsets.mapAttrs"],
    );
  });

  it("keeps the last good copy in the store: a restart during an outage serves it with its date, without asking", async () => {
    const store = join(dir, "shared.sqlite");
    const first = await bot({ NIXIE_STORE_URL: `sqlite://${store}` });
    await first.bot.services.fn.ready();
    await first.stop();
    bots.splice(bots.indexOf(first), 1);
    noogle.setStatus(503);
    const second = await bot({ NIXIE_STORE_URL: `sqlite://${store}` });
    await second.bot.services.fn.ready();
    assert.match(await second.ask("!fn lib.optional"), /Noogle data of nixpkgs 8c1f0e6 \(2025-12-02\), fetched/);
    assert.equal(noogle.requests(), 1, "a copy younger than fn.refreshHours is not fetched again");
  });

  it("an old copy is fetched again; when that fails, the copy is still served and marked as the last good one", async () => {
    let t = Date.UTC(2026, 11, 1, 12);
    const { fn } = await service({ now: () => t });
    fn.start();
    await fn.ready();
    assert.equal(fn.status().state, "ready");
    assert.equal(noogle.requests(), 1);
    t += 23 * 3_600_000;
    await fn.refresh();
    assert.equal(noogle.requests(), 1, "not due yet");
    t += 2 * 3_600_000;
    noogle.setStatus(503);
    await fn.refresh();
    assert.equal(noogle.requests(), 2);
    const status = fn.status();
    assert.equal(status.state, "ready");
    assert.match(status.noogleProblem ?? "", /noogle\.dev did not answer/);
    assert.equal(status.noogle?.fetchedAt.toISOString(), "2026-12-01T12:00:00.000Z");
    const m = fn.lookup("mapAttrs");
    assert.equal(m?.kind, "found");
  });

  it("takes a newer copy another instance stored instead of fetching", async () => {
    const { fn, store } = await service();
    noogle.setStatus(503);
    fn.start();
    await fn.ready();
    assert.equal(fn.status().state, "unavailable");
    const copy: StoredCopy = {
      format: STORED_FORMAT,
      fetchedAt: Date.now(),
      rev: REV,
      entries: [{ path: "lib.fromOtherInstance", aliases: [], from: "noogle", description: "Stored by the active instance." }],
    };
    await store.namespace<StoredCopy>("fn").set("noogle", copy);
    const before = noogle.requests();
    await fn.refresh();
    assert.equal(noogle.requests(), before);
    assert.equal(fn.lookup("fromOtherInstance")?.kind, "found");
  });

  it("a data file over fn.maxBytes, or not Noogle's shape, leaves !fn unavailable and says why", async () => {
    const big = await service({ config: { maxBytes: 1024 }, storeFile: "a.sqlite" });
    big.fn.start();
    await big.fn.ready();
    assert.equal(big.fn.status().state, "unavailable");
    assert.match(big.fn.status().noogleProblem ?? "", /noogle\.dev answered something nixie cannot read/);

    noogle.setBody("<html>maintenance</html>");
    const b = await bot();
    await b.bot.services.fn.ready();
    const text = await b.ask("!fn mapAttrs");
    assert.match(text, /The function docs are not available here\. noogle\.dev answered something nixie cannot read\./);
    assert.match(text, /<https:\/\/noogle\.dev\/q\?term=mapAttrs>/);
  });

  it("!help lists !fn even when neither source works, and !fn says why", async () => {
    // test-bot.ts points fn.url at a closed port and fn.nix at a file that does not exist
    const b = await startTestBot();
    bots.push(b);
    await b.bot.services.fn.ready();
    assert.match(await b.ask("!help"), /!fn/);
    assert.match(
      await b.ask("!fn mapAttrs", { user: "z" }),
      /not available here\. 127\.0\.0\.1:9 refused the connection, try again in a minute\. No builtins from a local Nix: \/nonexistent\/nix is not installed\./,
    );
  });

  it("fn.url and fn.nix empty: both sources are off, and nothing is asked", async () => {
    const { fn } = await service({ config: { url: "", nix: "" } });
    fn.start();
    await fn.ready();
    assert.deepEqual(fn.status(), { state: "unavailable", noogleProblem: "Noogle's data is switched off here (fn.url is empty).", builtinsProblem: "fn.nix is empty" });
    assert.equal(noogle.requests(), 0);
  });

  it("parses in a worker thread with a bounded heap and time; a file it cannot read is an UpstreamError", async () => {
    const parsed = await parseInWorker(JSON.stringify({ data: [{ meta: { path: ["lib", "x"] } }] }));
    assert.deepEqual(
      parsed.entries.map((e) => e.path),
      ["lib.x"],
    );
    await assert.rejects(parseInWorker("not json"), (e: unknown) => e instanceof UpstreamError && e.failure === "bad-response");
    const body = JSON.stringify({ data: Array.from({ length: 20_000 }, (_, i) => ({ meta: { path: ["lib", `f${i}`] }, content: { content: "x".repeat(200) } })) });
    await assert.rejects(parseInWorker(body, { timeoutMs: 10_000, heapMb: 2 }), (e: unknown) => !(e instanceof UpstreamError) && /worker|memory/i.test((e as Error).message));
    await assert.rejects(parseInWorker(body, { timeoutMs: 1, heapMb: 384 }), /took longer than 1 ms/);
  });

  it("compiled, as production runs it, the worker starts whatever flags the process has (it takes none of them)", () => {
    // The parse's closure compiled to JavaScript (parse-worker.js next to parse.js), then run by a
    // process started with a flag a worker refuses (--input-type).
    const out = join(dir, "compiled");
    execFileSync(
      join(projectRoot, "node_modules", ".bin", "tsc"),
      [
        "--ignoreConfig",
        "--outDir",
        out,
        "--rootDir",
        projectRoot,
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--types",
        "node",
        join(projectRoot, "src/fn/parse.ts"),
        join(projectRoot, "src/fn/parse-worker.ts"),
      ],
      { cwd: projectRoot },
    );
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
    const script = `import { parseInWorker } from ${JSON.stringify(join(out, "src/fn/parse.js"))};
      const p = await parseInWorker(JSON.stringify({ data: [{ meta: { path: ["lib", "x"] } }] }));
      process.stdout.write(p.entries[0].path);`;
    assert.equal(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }), "lib.x");
  });
});

describe("!fn with the builtins of a local Nix (fake nix)", function () {
  this.timeout(20_000);
  let dir: string;
  let b: TestBot | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nixie-fn-nix-"));
  });
  afterEach(async () => {
    await b?.stop();
    b = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const DUMP = JSON.stringify({
    "foldl'": { args: ["op", "nul", "list"], arity: 3, doc: "Reduce *list* from the left.\n\n```nix\nbuiltins.foldl' (a: b: a + b) 0 [ 1 2 ]\n```" },
    fromTOML: { args: ["e"], arity: 1, doc: "Convert a TOML string to a Nix value." },
  });

  it("without Noogle, answers builtins from nix __dump-builtins and says why lib names are missing", async () => {
    b = await startTestBot({ NIXIE_FN_NIX: fakeNix(dir, { "__dump-builtins": DUMP }) });
    await b.bot.services.fn.ready();
    const text = await b.ask("!fn foldl'");
    assert.match(text, /^builtins\.foldl' <https:\/\/noogle\.dev\/f\/builtins\/foldl'>\n {2}Reduce list from the left\./);
    assert.match(text, /Arguments: `op`, `nul`, `list`/);
    assert.match(text, /Text from the Nix that runs here/);
    assert.match(await b.ask("!fn lib.mapAttrs", { user: "b" }), /Only builtins are known here: 127\.0\.0\.1:9 refused the connection, try again in a minute\./);
  });

  it("while Noogle's data is still loading, a lib name says so (the builtins already answer)", async () => {
    const noogle = await startFakeNoogle();
    noogle.hold();
    try {
      b = await startTestBot({ NIXIE_FN_NIX: fakeNix(dir, { "__dump-builtins": DUMP }), NIXIE_FN_URL: noogle.dataUrl });
      while (b.bot.services.fn.status().builtins === undefined) await new Promise((r) => setTimeout(r, 20));
      assert.match(await b.ask("!fn lib.mapAttrs"), /Only builtins are known yet: Noogle's data \(lib\) is still loading/);
      assert.match(await b.ask("!fn foldl'", { user: "b" }), /Arguments: `op`, `nul`, `list`/);
      noogle.release();
      await b.bot.services.fn.ready();
      assert.match(await b.ask("!fn lib.mapAttrs", { user: "c" }), /^lib\.mapAttrs </);
    } finally {
      noogle.release();
      await noogle.close();
    }
  });

  it("reads nix __dump-language when __dump-builtins is gone (newer Nix)", async () => {
    const r = await dumpBuiltins({ nix: fakeNix(dir, { "__dump-language": JSON.stringify({ builtins: JSON.parse(DUMP) as unknown }) }) });
    assert.equal(r.ok, true);
    assert.deepEqual(r.ok && Object.keys(r.builtins).sort(), ["foldl'", "fromTOML"]);
  });

  it("bounds the dump's time and output, and says why it failed", async () => {
    const slow = join(dir, "slow-nix");
    writeFileSync(slow, "#!/bin/bash\nsleep 10\n");
    chmodSync(slow, 0o755);
    const late = await dumpBuiltins({ nix: slow, timeoutMs: 200 });
    assert.deepEqual(late, { ok: false, reason: "nix __dump-language did not finish within 200 ms" });
    const loud = await dumpBuiltins({ nix: fakeNix(dir, { "__dump-builtins": "x".repeat(5000) }), maxBytes: 1000 });
    assert.equal(loud.ok, false);
    assert.match(!loud.ok ? loud.reason : "", /printed more than 1000 bytes|failed/);
    assert.deepEqual(await dumpBuiltins({ nix: join(dir, "absent") }), { ok: false, reason: `${join(dir, "absent")} is not installed` });
  });
});
