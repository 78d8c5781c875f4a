// !fn with the real `nix __dump-builtins` of Debian's nix-bin: the dump is read whole and merged,
// and a builtin is answered from the Nix that runs here. test/e2e/servers/nix.sh installs Nix.
// Run: NIXIE_E2E_SERVERS=nix npm run test:e2e -- test/e2e/fn-builtins.test.ts
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { dumpBuiltins } from "../../src/fn/builtins-dump.js";
import { startTestBot } from "../helpers/test-bot.js";

function nixBinary(): string {
  const v = process.env["NIXIE_E2E_NIX"];
  if (!v) throw new Error("NIXIE_E2E_NIX is not set: run this suite through npm run test:e2e, which installs Nix");
  return join(dirname(v), "nix");
}

describe("!fn with the real nix __dump-builtins (e2e)", function () {
  this.timeout(30_000);

  it("reads every builtin the dump lists, with its arguments and docs", async () => {
    const r = await dumpBuiltins({ nix: nixBinary() });
    assert.ok(r.ok, r.ok ? "" : r.reason);
    const names = Object.keys(r.builtins);
    assert.ok(names.length >= 80, `${names.length} builtins`);
    assert.deepEqual(r.builtins["foldl'"]?.args, ["op", "nul", "list"]);
    assert.deepEqual(r.builtins["mapAttrs"]?.args, ["f", "attrset"]);
    assert.ok((r.builtins["fetchGit"]?.doc.length ?? 0) > 500, "fetchGit's long doc is read whole");
  });

  it("answers a builtin from the Nix that runs here when Noogle cannot be reached", async () => {
    const t = await startTestBot({ NIXIE_FN_NIX: nixBinary() });
    try {
      await t.bot.services.fn.ready();
      const text = await t.ask("!fn foldl'");
      assert.match(text, /^builtins\.foldl' <https:\/\/noogle\.dev\/f\/builtins\/foldl'>/);
      assert.match(text, /Arguments: `op`, `nul`, `list`/);
      assert.match(text, /Text from the Nix that runs here/);
      assert.equal(t.bot.services.fn.status().builtins, Object.keys(((await dumpBuiltins({ nix: nixBinary() })) as { builtins: object }).builtins).length);
    } finally {
      await t.stop();
    }
  });
});
