// Fencing with a real paused holder: an instance stopped (SIGSTOP) in the middle of a fan-out,
// past its lease, while another instance takes over and delivers the rest, sends nothing once it
// is resumed (SIGCONT). Two bot processes on one SQLite store (test/helpers/delivery-crash-child.ts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { runProcess, type ProcessResult } from "../helpers/run-process.js";
import { readPosts, type RecordedPost } from "../helpers/recorded-posts.js";

const ROOMS = ["f1", "f2", "f3", "f4", "f5", "f6"];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("fencing: a holder paused past its lease sends nothing once resumed", function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeFeeds;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-fence-"));
    fake = await startFakeFeeds();
    // Lease 2 s (renewed every 0.67 s); posts 400 ms apart, so the fan-out outlasts a renewal or two.
    writeFileSync(join(dir, "config.json"), JSON.stringify({ feeds: { leaseSeconds: 2, sendPaceMs: 400 } }));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postsFile = (): string => join(dir, "posts.jsonl");
  const posts = (): RecordedPost[] => readPosts(postsFile());
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? dir,
    STORE: join(dir, "nixie.sqlite"),
    POSTS_FILE: postsFile(),
    BOT_ENV: JSON.stringify({ NIXIE_DISCOURSE_URL: fake.url, NIXIE_NIXHOUR_FEED: fake.nixhourUrl }),
    JOB: "feeds",
    CONFIG: join(dir, "config.json"),
    ...extra,
  });
  const child = ["--import", "tsx", "test/helpers/delivery-crash-child.ts"];

  it("the standby delivers the rest; the resumed holder neither sends nor writes its stale round back", async () => {
    const setup = await runProcess(process.execPath, child, { cwd: projectRoot, env: env({ SETUP: JSON.stringify(ROOMS.map((r) => [r, "!subscribe security"])) }) });
    assert.equal(setup.code, 0, setup.stderr);
    fake.addTopic("security", { id: 71_001, title: "Advisory during a pause", author: "security-team", category: "Security", html: "<p>Paused.</p>" });

    // The holder starts its fan-out; it is stopped in the pause after its first post.
    const holder = spawn(process.execPath, child, { cwd: projectRoot, env: env(), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    holder.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<ProcessResult>((resolve) => holder.on("close", (code, signal) => resolve({ code, signal, stdout: "", stderr })));
    try {
      for (const until = Date.now() + 30_000; posts().length === 0; await sleep(20)) {
        if (Date.now() > until) throw new Error(`the holder posted nothing: ${stderr}`);
      }
      await sleep(100); // inside the 400 ms pause, not in the middle of a store write
      holder.kill("SIGSTOP");
      const stoppedWith = posts().length;
      assert.ok(stoppedWith < ROOMS.length, "stopped in the middle of the fan-out");

      // Past its lease: the standby (a second process on the same store) takes over and delivers.
      await sleep(2_500);
      const standby = await runProcess(process.execPath, child, { cwd: projectRoot, env: env() });
      assert.equal(standby.code, 0, standby.stderr);
      const resumedAt = Date.now();
      holder.kill("SIGCONT");
      const end = await exited;
      assert.equal(end.code, 0, end.stderr);

      const all = posts();
      const late = all.filter((p) => p.pid === holder.pid && p.at >= resumedAt);
      assert.deepEqual(late, [], "the resumed holder sent nothing");
      // Every room has its post, each delivery id naming one room; a repeat (the post in flight at
      // the pause, unrecorded) carries the same id.
      const byRoom = new Map<string, Set<string>>();
      for (const p of all) byRoom.set(p.room, (byRoom.get(p.room) ?? new Set()).add(p.deliveryId));
      assert.deepEqual([...byRoom.keys()].sort(), [...ROOMS].sort());
      for (const [room, ids] of byRoom) assert.equal(ids.size, 1, room);
      assert.ok(all.length <= ROOMS.length + stoppedWith, `${all.length} posts`);

      // Nothing left queued: the holder did not write its stale list back after the standby's round.
      const again = await runProcess(process.execPath, child, { cwd: projectRoot, env: env() });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(posts().length, all.length);
    } finally {
      holder.kill("SIGCONT");
      holder.kill("SIGKILL");
    }
  });
});
