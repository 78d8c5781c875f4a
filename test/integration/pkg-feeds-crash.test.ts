import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { runProcess, type ProcessResult } from "../helpers/run-process.js";
import { readPosts, type RecordedPost } from "../helpers/recorded-posts.js";

describe("package feed posts across crashes (SIGKILL between queue and send, then a restart)", function () {
  this.timeout(120_000);
  let dir: string;
  let search: FakeSearch;
  // Each run is a new process; its clock moves past the poll interval (60 s) every time.
  let clock = Date.parse("2026-12-07T12:00:00Z");
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-pkg-crash-"));
    search = await startFakeSearch();
  });
  after(async () => {
    await search.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postsFile = (): string => join(dir, "posts.jsonl");
  const posts = (): RecordedPost[] => readPosts(postsFile());
  const runChild = (env: Record<string, string>): Promise<ProcessResult> => {
    clock += 61_000;
    return runProcess(process.execPath, ["--import", "tsx", "test/helpers/pkg-feeds-crash-child.ts"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, STORE: join(dir, "nixie.sqlite"), SEARCH_URL: search.url, POSTS_FILE: postsFile(), CLOCK: String(clock), ...env },
    });
  };

  it("each room gets each change exactly once: a re-send after a crash carries the same delivery id, and nothing is lost", async () => {
    let r = await runChild({ SUBSCRIBE: "pkg:firefox,pkg:firefox@nixos-unstable" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(posts().length, 0, "first sight posts nothing");

    // Killed just after the platform took the first post, before the outbox recorded it as sent.
    search.setPackage("unstable", "firefox", "159.0");
    r = await runChild({ CRASH: "after-send" });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(posts().length, 1);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);
    const afterRestart = posts();
    // The first post again with the same delivery id (Matrix and Discord drop it), and the second room's.
    assert.equal(afterRestart.length, 3);
    assert.equal(afterRestart[0]!.deliveryId, afterRestart[1]!.deliveryId);

    // Killed after the posts were queued (and the versions stored), before any was sent.
    search.setPackage("26.05", "firefox", null);
    r = await runChild({ CRASH: "before-send" });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(posts().length, 3);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);

    // A revert after all that, and a quiet run.
    search.setPackage("unstable", "firefox", "158.0.1");
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);

    // What the rooms see: one post per delivery id, none lost.
    const seen = new Map(posts().map((p) => [p.deliveryId, p]));
    const byRoom = (room: string): string[] => [...seen.values()].filter((p) => p.room === room).map((p) => /^📦 (.*?) — /.exec(p.text)![1]!);
    assert.deepEqual(byRoom("room0"), ["firefox 158.0.1 → 159.0 in nixos-unstable", "firefox is no longer in nixos-26.05", "firefox 159.0 → 158.0.1 in nixos-unstable"]);
    assert.deepEqual(byRoom("room1"), ["firefox 158.0.1 → 159.0 in nixos-unstable", "firefox 159.0 → 158.0.1 in nixos-unstable"]);
    assert.deepEqual(search.problems, []);
  });
});
