// Several instances on one shared store (real Redis and PostgreSQL): exactly one polls the feeds;
// when it is killed in the middle of a fan-out, the other takes over and finishes it, and no room
// misses the entry or sees it twice (a re-sent post carries the same delivery id, which the
// platforms drop as a duplicate, as the sink here does).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/config.js";
import pino from "pino";
import { createOutbox } from "../../src/delivery/outbox.js";
import { createFeedState } from "../../src/feeds/state.js";
import { feedQueue } from "../../src/feeds/watcher.js";
import { createSubscriptions } from "../../src/feeds/subscriptions.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startLoopback, type Loopback } from "../helpers/loopback.js";

interface Post {
  instance: string;
  room: string;
  deliveryId: string;
  /** When the sink received it. */
  at: number;
}

const ROOMS = 200;

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts the server`);
  return v;
}

async function until(what: string, ms: number, f: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const [backend, env] of [
  ["Redis", "NIXIE_E2E_REDIS_URL"],
  ["PostgreSQL", "NIXIE_E2E_POSTGRES_URL"],
] as const) {
  describe(`leader handover on ${backend}`, function () {
    this.timeout(90_000);
    let store: Store;
    let feeds: FakeFeeds;
    let sink: Loopback;
    const posts: Post[] = [];
    const children: ChildProcess[] = [];
    const run = Math.random().toString(36).slice(2, 8);
    const feedName = "announcements";

    before(async () => {
      store = await openStore(required(env));
      // A clean slate for the feed on this shared server (earlier runs leave state behind).
      await createFeedState(store).forget(feedName);
      await clearQueue();
      feeds = await startFakeFeeds();
      sink = await startLoopback(async (req, res) => {
        posts.push({ ...(JSON.parse(req.body) as Omit<Post, "at">), at: Date.now() });
        await new Promise((r) => setTimeout(r, 3)); // a platform takes a moment per message
        res.writeHead(200).end("{}");
      });
      const subs = createSubscriptions(store);
      for (let i = 0; i < ROOMS; i++) await subs.subscribe({ platform: "test", id: `${run}-room${i}` }, feedName);
    });
    after(async () => {
      for (const c of children) c.kill("SIGKILL");
      const subs = createSubscriptions(store);
      for (let i = 0; i < ROOMS; i++) await subs.unsubscribe({ platform: "test", id: `${run}-room${i}` }, feedName);
      await createFeedState(store).forget(feedName);
      await clearQueue();
      await store.close();
      await feeds.close();
      await sink.close();
    });

    /** Drops the feed's outbox queue (posts for rooms of earlier runs). */
    const clearQueue = (): Promise<void> =>
      createOutbox({ store, log: pino({ level: "silent" }), send: () => Promise.reject(new Error("not here")), paceMs: () => 0, maxPerRoom: 3 }).clear(feedQueue(feedName));

    function instance(id: string): Promise<{ child: ChildProcess; role: string }> {
      const dir = mkdtempSync(join(tmpdir(), "nixie-handover-"));
      const cfg = join(dir, "config.json");
      writeFileSync(cfg, JSON.stringify({ feeds: { leaseSeconds: 2, sendPaceMs: 2 } }));
      const child = spawn(process.execPath, ["--import", "tsx", "test/e2e/helpers/instance.ts"], {
        cwd: projectRoot,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: process.env["HOME"] ?? dir,
          NIXIE_CONFIG: cfg,
          NIXIE_STORE_URL: required(env),
          NIXIE_DISCOURSE_URL: feeds.url,
          NIXIE_NIXHOUR_FEED: feeds.nixhourUrl,
          NIXIE_FEEDS_CRON: "* * * * * *",
          NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9",
          NIXIE_CHANNELS_URL: "http://127.0.0.1:9",
          NIXIE_FN_URL: "http://127.0.0.1:9/api/v1/data",
          NIXIE_FN_NIX: "/nonexistent/nix",
          NIXIE_GITHUB_API: "http://127.0.0.1:9",
          SINK_URL: `${sink.url}/send`,
          INSTANCE_ID: id,
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      return new Promise((resolve, reject) => {
        child.stdout.once("data", (d: Buffer) => resolve({ child, role: d.toString().trim().split(" ")[1] ?? "" }));
        child.once("exit", (code) => reject(new Error(`instance ${id} exited with ${code}`)));
      });
    }

    it("runs the feed jobs on one instance, and the other finishes a fan-out when the leader dies", async () => {
      const a = await instance("a");
      const b = await instance("b");
      assert.deepEqual([a.role, b.role].sort(), ["leader", "standby"], "exactly one instance leads");
      const [leader, standby] = a.role === "leader" ? [a, b] : [b, a];
      const leaderId = a.role === "leader" ? "a" : "b";
      const state = createFeedState(store);
      await until("the first, silent poll", 15_000, async () => (await state.peek(feedName))?.initialized === true);
      assert.equal(posts.length, 0, "the first read of a feed posts nothing");

      feeds.addTopic("announcements", { id: 777_001, title: "NixOS 26.11 released" });
      await until("the fan-out to start", 15_000, () => posts.length >= 40);
      leader.child.kill("SIGKILL"); // mid fan-out, without releasing the lease
      const killedAt = posts.length;
      assert.ok(killedAt < ROOMS, `the leader was killed in the middle (${killedAt} of ${ROOMS} sent)`);

      const delivered = (): Map<string, Set<string>> => {
        const m = new Map<string, Set<string>>();
        for (const p of posts) m.set(p.room, (m.get(p.room) ?? new Set()).add(p.deliveryId));
        return m;
      };
      await until("every room to receive the entry", 30_000, () => delivered().size === ROOMS);
      await new Promise((r) => setTimeout(r, 2500)); // a further poll must add nothing
      const byRoom = delivered();
      assert.equal(byRoom.size, ROOMS, "no room missed the entry");
      for (const [room, ids] of byRoom) assert.equal(ids.size, 1, `${room} got ${ids.size} different posts`);
      const standbyId = leaderId === "a" ? "b" : "a";
      assert.ok(
        posts.some((p) => p.instance === standbyId),
        "the standby finished the fan-out",
      );
      const resent = posts.length - ROOMS;
      // Posts sent but not yet recorded when the leader died are sent again with the same id.
      assert.ok(resent >= 0 && resent < ROOMS, `re-sent with the same delivery id: ${resent}`);
      console.log(`      ${backend}: leader killed after ${killedAt} posts; ${resent} re-sent with the same delivery id`);
      standby.child.kill("SIGTERM");
    });

    it("fencing: a leader paused (SIGSTOP) mid fan-out past its lease sends nothing once resumed (SIGCONT)", async () => {
      const from = posts.length;
      const mine = (): Post[] => posts.slice(from);
      const e = await instance("e");
      const f = await instance("f");
      const [leader, standby] = e.role === "leader" ? [e, f] : [f, e];
      const leaderId = e.role === "leader" ? "e" : "f";
      assert.deepEqual([e.role, f.role].sort(), ["leader", "standby"]);
      feeds.addTopic("announcements", { id: 777_002, title: "NixOS 26.11.1 released" });
      await until("the fan-out to start", 15_000, () => mine().length >= 40);
      leader.child.kill("SIGSTOP"); // paused, not dead: it still believes it holds the lease
      const pausedAt = mine().length;
      assert.ok(pausedAt < ROOMS, `paused in the middle (${pausedAt} of ${ROOMS} sent)`);
      await until("the standby to finish the fan-out", 30_000, () => new Set(mine().map((p) => p.room)).size === ROOMS);
      const resumedAt = Date.now();
      leader.child.kill("SIGCONT");
      await new Promise((r) => setTimeout(r, 3000)); // its timers fire; its lease is gone
      const late = mine().filter((p) => p.instance === leaderId && p.at >= resumedAt);
      assert.deepEqual(late, [], "the resumed leader sent nothing");
      const byRoom = new Map<string, Set<string>>();
      for (const p of mine()) byRoom.set(p.room, (byRoom.get(p.room) ?? new Set()).add(p.deliveryId));
      for (const [room, ids] of byRoom) assert.equal(ids.size, 1, `${room} got ${ids.size} different posts`);
      console.log(`      ${backend}: leader paused after ${pausedAt} posts; it sent ${late.length} after resuming`);
      leader.child.kill("SIGKILL");
      standby.child.kill("SIGTERM");
    });
  });
}
