/**
 * One tracking check: refresh the tracked pull requests that are not merged yet, learn the
 * current heads of the branches still awaited (from the channel heads provider where it covers
 * them, else one GitHub request per branch for all pull requests together), compare only where a
 * head moved, then queue one post per (track, newly reached branch) and deliver.
 *
 * Exactly once, through the outbox (src/delivery/) as the feeds do it: posts are queued with a
 * delivery id derived from (room, pull request, asker, branch) before the track records them as
 * done (a crash in between finds them again, and the outbox ignores ids it holds); the outbox
 * removes a post only after its send succeeded (a crash in between re-sends it with the same id,
 * which Matrix (transaction id) and Discord (enforced nonce) recognise).
 */
import type { Logger } from "pino";
import type { Reply } from "../core/reply.js";
import { deliveryId } from "../delivery/id.js";
import type { Outbox, OutboxPost } from "../delivery/outbox.js";
import type { KV, Store } from "../storage/store.js";
import { GitHubLimitError, GitHubNotFoundError, type GitHub, type PullRequest } from "../upstream/github.js";
import { branchesFrom, gateOf } from "./branches.js";
import { closedPost, reachedPost } from "./format.js";
import type { HeadsProvider, PullStatus, StatusService } from "./landing.js";
import type { Track, TrackStore } from "./tracks.js";

export interface TrackerOptions {
  readonly github: GitHub;
  readonly status: StatusService;
  readonly tracks: TrackStore;
  /** Where the posts go (queue `pr-tracking`): never summarised, paced, fenced. */
  readonly outbox: Outbox;
  /** Where an earlier version kept its own outbox (read once, moved to `outbox`). */
  readonly store: Store;
  readonly channelHeads?: HeadsProvider | undefined;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface TrackReport {
  /** Pull requests looked at. */
  readonly prs: number;
  /** Posts queued this round. */
  queued: number;
  /** Posts delivered this round (left-overs of an earlier round included). */
  sent: number;
  /** The budget stopped the round before everything was checked. */
  limited: boolean;
}

export interface Tracker {
  poll(): Promise<TrackReport>;
}

/** The outbox queue of tracking posts. */
export const TRACKING_QUEUE = "pr-tracking";

/** The delivery id of one tracking post. */
export function trackDeliveryId(room: string, pr: number, askerId: string, what: string): string {
  return deliveryId(room, `track:nixpkgs#${pr}:${askerId}`, what);
}

export function createTracker(opts: TrackerOptions): Tracker {
  const { github, status, tracks, log, outbox } = opts;

  /** The pull request as it is now: merged and closed ones never change, others are asked again. */
  async function current(n: number, kept: PullStatus | undefined, report: TrackReport): Promise<PullRequest | undefined> {
    if (kept && (kept.pull.state === "merged" || kept.pull.state === "closed")) return kept.pull;
    if (report.limited) return undefined;
    try {
      return await github.pull(n, "background");
    } catch (e) {
      if (e instanceof GitHubLimitError) report.limited = true;
      else if (e instanceof GitHubNotFoundError) log.warn({ pr: n }, "a tracked pull request is gone from GitHub");
      else log.warn({ pr: n, err: (e as Error).message }, "tracked pull request not refreshed");
      return undefined;
    }
  }

  /** Branches some merged pull request awaits whose gate it has reached: their heads are needed. */
  /** The branches some merged pull request waits for next; `kept`: their last answers, read once per poll. */
  function awaited(pulls: readonly PullRequest[], kept: ReadonlyMap<number, PullStatus | undefined>): Set<string> {
    const need = new Set<string>();
    for (const p of pulls) {
      if (p.state !== "merged" || p.mergeSha === undefined) continue;
      const steps = branchesFrom(p.baseRef);
      const known = kept.get(p.number);
      const reached = new Set([steps[0]!.name, ...(known?.rows.filter((r) => r.mark === "reached").map((r) => r.branch) ?? [])]);
      for (const s of steps) {
        const gate = gateOf(steps, s);
        if (!reached.has(s.name) && (gate === undefined || reached.has(gate))) need.add(s.name);
      }
    }
    return need;
  }

  /**
   * Merges into one branch are ordered: a later merge commit has every earlier one of the same
   * base branch as an ancestor (the base is never rewritten). So when a branch has one pull
   * request's merge commit, it has those of every pull request merged into the same base before,
   * and when it lacks one, it lacks every later one. Per awaited branch and base, a binary search
   * over the pull requests sorted by merge time asks GitHub about log2(n) of them, and records
   * the others' answers as inferred. Equal merge times are left to be compared one by one.
   */
  async function infer(pulls: readonly PullRequest[], branches: ReadonlySet<string>, heads: ReadonlyMap<string, string>, report: TrackReport): Promise<void> {
    for (const branch of branches) {
      const head = heads.get(branch);
      if (head === undefined) continue;
      const groups = new Map<string, PullRequest[]>();
      for (const p of pulls) {
        if (p.state !== "merged" || p.mergeSha === undefined || p.mergedAt === undefined) continue;
        const steps = branchesFrom(p.baseRef);
        const step = steps.find((s) => s.name === branch);
        if (!step || step.parent === undefined) continue;
        const known = await status.known(p.mergeSha, branch);
        if (known === true || known === head) continue;
        const gate = gateOf(steps, step);
        if (gate !== undefined && gate !== steps[0]!.name && (await status.known(p.mergeSha, gate)) !== true) continue;
        const list = groups.get(p.baseRef) ?? [];
        list.push(p);
        groups.set(p.baseRef, list);
      }
      for (const list of groups.values()) {
        list.sort((a, b) => a.mergedAt!.localeCompare(b.mergedAt!));
        let lo = 0;
        let hi = list.length - 1;
        while (lo <= hi && !report.limited && hi - lo >= 2) {
          const mid = (lo + hi) >> 1;
          const p = list[mid]!;
          let contained: boolean;
          try {
            const c = await github.compare(branch, p.mergeSha!, "background");
            contained = c.contained;
            await status.record(p.mergeSha!, branch, contained, c.head ?? head);
          } catch (e) {
            if (e instanceof GitHubLimitError) report.limited = true;
            else log.warn({ branch, pr: p.number, err: (e as Error).message }, "compare failed");
            break;
          }
          if (contained) {
            // Everything merged strictly before it is there too.
            for (let i = lo; i < mid; i++) if (list[i]!.mergedAt! < p.mergedAt!) await status.record(list[i]!.mergeSha!, branch, true, head);
            lo = mid + 1;
          } else {
            for (let i = mid + 1; i <= hi; i++) if (list[i]!.mergedAt! > p.mergedAt!) await status.record(list[i]!.mergeSha!, branch, false, head);
            hi = mid - 1;
          }
        }
      }
    }
  }

  // Heads asked of GitHub, and when: without a token a head is asked again only when its share of
  // the background budget allows (half of it goes to heads, the other half to compares), so that
  // many awaited branches mean fewer checks, not an overspent budget.
  const asked = new Map<string, { sha: string; at: number }>();
  const now = opts.now ?? Date.now;

  async function headsFor(branches: ReadonlySet<string>, report: TrackReport): Promise<Map<string, string>> {
    const heads = new Map<string, string>();
    // Nothing awaited, nothing to ask: no channel status, no GitHub request.
    if (branches.size === 0) return heads;
    const perHour = Math.max(1, github.budget.backgroundPerHour / 2);
    // With a token, an unchanged head is a free 304: asked every round.
    const minGapMs = github.conditional ? 0 : Math.floor((3_600_000 * branches.size) / perHour);
    if (opts.channelHeads) {
      try {
        for (const [b, sha] of await opts.channelHeads()) if (branches.has(b)) heads.set(b, sha);
      } catch (e) {
        log.debug({ err: (e as Error).message }, "channel heads not available; asking GitHub");
      }
    }
    for (const b of branches) {
      if (heads.has(b) || report.limited) continue;
      const last = asked.get(b);
      if (last && now() - last.at < minGapMs) {
        heads.set(b, last.sha);
        continue;
      }
      try {
        const sha = await github.branchHead(b, "background");
        if (sha !== undefined) {
          heads.set(b, sha);
          asked.set(b, { sha, at: now() });
        }
      } catch (e) {
        if (e instanceof GitHubLimitError) report.limited = true;
        else log.warn({ branch: b, err: (e as Error).message }, "branch head not read");
      }
    }
    return heads;
  }

  /** The posts a track gets for this status, and the track afterwards (undefined: it ended). */
  function postsFor(room: string, t: Track, s: PullStatus): { posts: OutboxPost[]; next: Track | undefined } {
    const mk = (what: string, reply: Reply): OutboxPost => ({ room, deliveryId: trackDeliveryId(room, t.pr, t.asker.id, what), reply });
    if (s.pull.state === "closed") return { posts: [mk("closed", closedPost(s.pull, t.asker))], next: undefined };
    const reached = s.rows.filter((r) => r.mark === "reached").map((r) => r.branch);
    const fresh = reached.filter((b) => !t.done.includes(b));
    if (fresh.length === 0) return { posts: [], next: t };
    const done = [...t.done, ...fresh];
    if (t.until !== undefined) {
      if (!fresh.includes(t.until)) return { posts: [], next: { ...t, done } };
      return { posts: [mk(t.until, reachedPost(s.pull, t.until, t.asker, true))], next: undefined };
    }
    const all = s.rows.every((r) => done.includes(r.branch));
    const posts = fresh.map((b, i) => mk(b, reachedPost(s.pull, b, t.asker, all && i === fresh.length - 1)));
    return { posts, next: all ? undefined : { ...t, done } };
  }

  async function deliver(report: TrackReport): Promise<void> {
    report.sent += (await outbox.deliver([{ queue: TRACKING_QUEUE }])).sent;
  }

  // Once per process: posts an older version left in its own outbox ("tracking", `outbox`) move
  // to the one outbox, with their delivery ids, before that copy is deleted.
  let legacyDone = false;
  async function adoptLegacy(): Promise<void> {
    const kv: KV<OutboxPost[]> = opts.store.namespace<OutboxPost[]>("tracking");
    const left = await kv.get("outbox");
    if (left && left.length > 0) {
      await outbox.enqueue(
        TRACKING_QUEUE,
        left.map((i) => ({ room: i.room, deliveryId: i.deliveryId, reply: i.reply })),
      );
      log.info({ posts: left.length }, "queued tracking posts of an earlier version moved to the outbox");
    }
    if (left) await kv.delete("outbox");
    legacyDone = true;
  }

  return {
    async poll() {
      const all = await tracks.all();
      const numbers = [...new Set(all.flatMap((r) => r.tracks.map((t) => t.pr)))];
      const report: TrackReport = { prs: numbers.length, queued: 0, sent: 0, limited: false };
      if (!legacyDone) await adoptLegacy();
      // Left-overs first (a crash, a failed send, an instance that took over).
      await deliver(report);
      // The least recently refreshed first, so that a short budget reaches every one in turn.
      const kept = new Map<number, PullStatus | undefined>();
      for (const n of numbers) kept.set(n, await status.cached(n));
      numbers.sort((a, b) => (kept.get(a)?.asOf ?? "").localeCompare(kept.get(b)?.asOf ?? ""));
      const pulls: PullRequest[] = [];
      for (const n of numbers) {
        const p = await current(n, kept.get(n), report);
        if (p) pulls.push(p);
      }
      const need = awaited(pulls, kept);
      const heads = await headsFor(need, report);
      await infer(pulls, need, heads, report);
      const statuses = new Map<number, PullStatus>();
      for (const p of pulls) {
        try {
          const s = await status.check(p, { use: "background", heads });
          statuses.set(p.number, s);
          if (s.incomplete) report.limited = true;
        } catch (e) {
          log.warn({ pr: p.number, err: (e as Error).message }, "tracked pull request not checked");
        }
      }
      for (const { room, tracks: list } of all) {
        const queued: OutboxPost[] = [];
        const changed = new Map<Track, Track | undefined>();
        for (const t of list) {
          const s = statuses.get(t.pr);
          if (!s) continue;
          const { posts, next } = postsFor(room, t, s);
          if (next !== t) changed.set(t, next);
          queued.push(...posts);
        }
        if (changed.size === 0) continue;
        if (queued.length > 0) {
          await outbox.enqueue(TRACKING_QUEUE, queued);
          report.queued += queued.length;
        }
        // Only after the posts are safely queued does the track record them as done.
        await tracks.update(room, (cur) =>
          cur.flatMap((t) => {
            const old = [...changed.keys()].find((o) => o.pr === t.pr && o.asker.id === t.asker.id);
            if (!old) return [t];
            const next = changed.get(old);
            return next ? [next] : [];
          }),
        );
      }
      await deliver(report);
      if (report.queued > 0 || report.limited) log.info(report, "tracking check done");
      return report;
    },
  };
}
