/**
 * The outbox's crash test, run for each feature that posts through it (feeds, PR tracking, channel
 * feeds, …): a bot process (test/helpers/delivery-crash-child.ts) is killed with SIGKILL right
 * before a scheduled post and right after the platform took it but before the outbox removed it;
 * after each restart every (room, entry) has been posted exactly once, a re-send carrying the same
 * delivery id (which Matrix and Discord drop). A feature adds itself with one `describeDeliveryCrash`
 * call: how to start its upstream fakes, what a room says to follow it, and how to make the next
 * new thing appear upstream (see docs/delivery.md).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import { runProcess, type ProcessResult } from "./run-process.js";
import { readPosts, type RecordedPost } from "./recorded-posts.js";

/** A feature's upstream, as the crash test drives it. */
export interface CrashFixture {
  /** The bot's config environment (the fakes' URLs). */
  readonly env: Record<string, string>;
  /** Config keys beyond the defaults (as in a config file). */
  readonly config?: object;
  /** What a room manager says in `room` to follow the feature ("!subscribe security"). */
  follow(room: string): string;
  /** Which job's round posts it ("hydra": a Hydra sweep, then a feed poll). */
  readonly job: "feeds" | "tracking" | "hydra";
  /** Makes the n-th new thing (n = 1, 2) appear upstream: one post per following room. */
  next(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface CrashUser {
  /** For the test title: "feeds", "PR tracking", "channel feeds". */
  readonly name: string;
  start(): Promise<CrashFixture>;
}

const ROOMS = ["crash-a", "crash-b"];

/** The crash test for one user of the outbox. */
export function describeDeliveryCrash(user: CrashUser): void {
  describe(`${user.name}: scheduled posts across crashes (SIGKILL around a post, then a restart)`, function () {
    this.timeout(120_000);
    let dir: string;
    let fx: CrashFixture;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "nixie-crash-"));
      fx = await user.start();
      const config = (fx.config ?? {}) as { feeds?: object };
      writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, feeds: { ...config.feeds, leaseSeconds: 3 } }));
    });
    after(async () => {
      await fx?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const postsFile = (): string => join(dir, "posts.jsonl");
    const posts = (): RecordedPost[] => readPosts(postsFile());
    const run = (env: Record<string, string>): Promise<ProcessResult> =>
      runProcess(process.execPath, ["--import", "tsx", "test/helpers/delivery-crash-child.ts"], {
        cwd: projectRoot,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? dir,
          STORE: join(dir, "nixie.sqlite"),
          POSTS_FILE: postsFile(),
          BOT_ENV: JSON.stringify(fx.env),
          JOB: fx.job,
          CONFIG: join(dir, "config.json"),
          ...env,
        },
      });
    const ok = async (env: Record<string, string> = {}): Promise<void> => {
      const r = await run(env);
      assert.equal(r.code, 0, r.stderr);
    };
    const killed = async (crash: "before-send" | "after-send"): Promise<void> => {
      const r = await run({ CRASH: crash });
      assert.equal(r.signal, "SIGKILL", `no post to crash on: ${r.stderr}`);
    };

    it("posts each new thing exactly once per room: a re-send after a crash carries the same delivery id, and nothing is lost", async () => {
      // Follow, and the first round (first sight for feeds) posts nothing.
      await ok({ SETUP: JSON.stringify(ROOMS.map((room) => [room, fx.follow(room)])) });
      assert.deepEqual(posts(), []);

      // Killed just after the platform took the first post, before the outbox removed it.
      await fx.next(1);
      await killed("after-send");
      assert.equal(posts().length, 1);
      const first = posts()[0]!;
      await ok();
      const afterRestart = posts();
      assert.equal(afterRestart.length, ROOMS.length + 1, "the post in flight again, and the other room's");
      const again = afterRestart.slice(1).filter((p) => p.room === first.room);
      assert.equal(again.length, 1);
      assert.equal(again[0]!.deliveryId, first.deliveryId, "the same delivery id: the platform drops the repeat");

      // Killed after the posts were queued (and the source marked them done), before any was sent.
      await fx.next(2);
      await killed("before-send");
      assert.equal(posts().length, ROOMS.length + 1);
      await ok();
      await ok();

      // What each room sees: one post per delivery id, one per new thing, none lost.
      const all = posts();
      assert.equal(all.length, 2 * ROOMS.length + 1);
      const byId = new Map<string, RecordedPost>();
      for (const p of all) {
        const seen = byId.get(p.deliveryId);
        if (seen) assert.deepEqual([seen.room, seen.text], [p.room, p.text], "a repeated delivery id is the very same post");
        byId.set(p.deliveryId, p);
      }
      assert.equal(byId.size, 2 * ROOMS.length);
      for (const room of ROOMS) {
        const texts = [...byId.values()].filter((p) => p.room === room).map((p) => p.text);
        assert.equal(new Set(texts).size, 2, `${room}: two different posts`);
      }
    });
  });
}
