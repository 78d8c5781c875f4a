import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.js";
import { openStore, plainReason, redactUrl, sqlitePath } from "../../src/storage/store.js";
import { storeContract } from "../helpers/store-suite.js";

const dir = mkdtempSync(join(tmpdir(), "nixie-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract("sqlite", () => `sqlite://${join(dir, "contract.sqlite")}`);

describe("sqlite store specifics", () => {
  it("creates a missing data directory when its parent exists, and keeps data across reopen", async () => {
    const file = join(dir, "newdata", "nixie.sqlite");
    const a = await openStore(`sqlite://${file}`);
    await a.namespace<number>("meta").set("x", 42);
    await a.close();
    assert.ok(existsSync(file));
    const b = await openStore(`sqlite://${file}`);
    assert.equal(await b.namespace<number>("meta").get("x"), 42);
    await b.close();
  });

  it("refuses a data directory whose parent is missing, in one clear line", async () => {
    await assert.rejects(openStore(`sqlite://${join(dir, "no", "such", "x.sqlite")}`), (e: unknown) => {
      return e instanceof ConfigError && /data directory .*no\/such does not exist, and neither does its parent/.test(e.message) && !e.message.includes("\n");
    });
  });

  it("resolves relative and absolute sqlite paths", () => {
    assert.equal(sqlitePath("sqlite://data/nixie.sqlite", "/srv/nixie"), "/srv/nixie/data/nixie.sqlite");
    assert.equal(sqlitePath("sqlite:///data/nixie.sqlite", "/srv/nixie"), "/data/nixie.sqlite");
    assert.equal(sqlitePath("sqlite://:memory:", "/srv/nixie"), ":memory:");
  });

  it("refuses a sqlite URL without a path instead of creating a file named after it", async () => {
    for (const url of ["sqlite:", "sqlite:x.sqlite", "sqlite://"])
      assert.throws(
        () => sqlitePath(url, dir),
        (e: unknown) => e instanceof ConfigError && /must be sqlite:\/\/PATH/.test(e.message),
      );
    const cwd = mkdtempSync(join(dir, "cwd-"));
    await assert.rejects(openStore("sqlite:", { cwd }), ConfigError);
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe("store URLs", () => {
  it("words store errors without the libraries' advice about their own options", () => {
    assert.equal(plainReason(new Error("Redis client is not connected or has failed to connect. This is thrown because throwOnConnectError is set to true.")), "the Redis server cannot be reached");
    assert.equal(plainReason(new Error("Something broke. This is thrown because throwOnErrors is set to true.\nstack")), "Something broke.");
  });

  it("hides passwords in messages", () => {
    assert.equal(redactUrl("postgresql://nixie:hunter2@db:5432/nixie"), "postgresql://nixie:***@db:5432/nixie");
    assert.equal(redactUrl("redis://:pw@127.0.0.1:6379"), "redis://:***@127.0.0.1:6379");
  });

  it("fails fast with a clear message when Redis is unreachable", async () => {
    const t0 = Date.now();
    await assert.rejects(openStore("redis://:sekret@127.0.0.1:1"), (e: unknown) => {
      return (
        e instanceof ConfigError &&
        /^store redis:\/\/:\*\*\*@127\.0\.0\.1:1 cannot be used: connect ECONNREFUSED 127\.0\.0\.1:1$/.test(e.message) &&
        !e.message.includes("sekret") &&
        !/throwOnConnectError|thrown because/.test(e.message)
      );
    });
    assert.ok(Date.now() - t0 < 8000);
  });

  it("fails fast with a clear message when PostgreSQL is unreachable", async () => {
    await assert.rejects(openStore("postgresql://u:sekret@127.0.0.1:1/x"), (e: unknown) => {
      return e instanceof ConfigError && /^store postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/x cannot be used: /.test(e.message);
    });
  });
});
