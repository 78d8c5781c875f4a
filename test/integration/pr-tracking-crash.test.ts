import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { runProcess, type ProcessResult } from "../helpers/run-process.js";

interface Post {
  readonly deliveryId: string;
  readonly text: string;
}

describe("tracking posts across crashes (SIGKILL around a post, then a restart)", function () {
  this.timeout(90_000);
  let dir: string;
  let gh: FakeGitHub;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-crash-"));
    gh = await startFakeGitHub();
  });
  after(async () => {
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postsFile = (): string => join(dir, "posts.jsonl");
  const posts = (): Post[] =>
    existsSync(postsFile())
      ? readFileSync(postsFile(), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Post)
      : [];

  const runChild = (env: Record<string, string>): Promise<ProcessResult> =>
    runProcess(process.execPath, ["--import", "tsx", "test/helpers/tracking-crash-child.ts"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, STORE: join(dir, "nixie.sqlite"), GH_URL: gh.url, POSTS_FILE: postsFile(), ...env },
    });

  it("posts each reached branch exactly once: a re-send after a crash carries the same delivery id, and nothing is lost", async () => {
    const n = 345_678;
    await gh.merge(n, { title: "crash test", base: "master" });
    let r = await runChild({ TRACK: String(n) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(posts().length, 0);

    // Killed just after the platform took the post, before the outbox recorded it as sent.
    await gh.advance("nixos-unstable-small", "master");
    r = await runChild({ CRASH: "after-send" });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(posts().length, 1);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);
    const afterRestart = posts();
    // Sent again with the same delivery id: Matrix (transaction id) and Discord (nonce) drop it.
    assert.equal(afterRestart.length, 2);
    assert.equal(afterRestart[0]!.deliveryId, afterRestart[1]!.deliveryId);

    // Killed after the post was queued (and the track updated), before it was sent.
    await gh.advance("nixos-unstable", "master");
    r = await runChild({ CRASH: "before-send" });
    assert.equal(r.signal, "SIGKILL");
    assert.equal(posts().length, 2);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);

    await gh.advance("nixpkgs-unstable", "master");
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);
    r = await runChild({});
    assert.equal(r.code, 0, r.stderr);

    // What the room sees: one post per delivery id, one per branch, none lost.
    const seen = new Map(posts().map((p) => [p.deliveryId, p.text]));
    const branches = [...seen.values()].map((t) => /has reached (\S+?)\./.exec(t)![1]).sort();
    assert.deepEqual(branches, ["nixos-unstable", "nixos-unstable-small", "nixpkgs-unstable"]);
    assert.ok([...seen.values()].every((t) => t.startsWith("@alice:example.org: nixpkgs#345678")));
  });

  it("the console shows the branch table: printf '!pr 345678\\n' | npm start --silent against the fake", async function () {
    this.timeout(90_000);
    const out = await runProcess("npm", ["start", "--silent"], {
      cwd: projectRoot,
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? dir, NIXIE_STORE_URL: `sqlite://${join(dir, "npm.sqlite")}`, NIXIE_GITHUB_API: gh.url },
      input: "!pr 345678\n",
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^#345678 crash test <https:\/\/github.com\/NixOS\/nixpkgs\/pull\/345678>\n/);
    assert.match(out.stdout, /  master: ✅ reached\n  nixos-unstable-small: ✅ reached\n  nixos-unstable: ✅ reached\n  nixpkgs-unstable: ✅ reached/);
  });
});
