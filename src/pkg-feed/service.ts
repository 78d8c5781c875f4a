/**
 * Package feeds: `pkg:<attr>` posts each version change of a package in nixos-unstable and the
 * newest stable release, `pkg:<attr>@<channel>` in one channel. A feed provider for the catalog.
 *
 * The poll happens inside the feed watcher's poll (so on the active instance only), at most once
 * per `pkgFeeds.intervalSeconds` per channel: one search request per channel and 1,000 watched
 * attributes, whatever the number of feeds and rooms. The answers update one stored document (the
 * last version per channel and attribute, and an event log); each feed then reads its events from
 * that log, and the watcher does the rest (first sight, seen ids, the outbox, health) as for every
 * feed. Nothing is posted at first sight of an attribute in a channel, nor after a restart.
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { withDeadline } from "../core/deadline.js";
import { UpstreamError, UserError } from "../core/errors.js";
import { bold, rich, type RichText } from "../core/reply.js";
import type { FeedDef } from "../feeds/feed-def.js";
import type { FeedProvider } from "../feeds/provider.js";
import type { FeedSource, PollRound, SourceEntry } from "../feeds/source.js";
import type { ChannelInfo, ChannelSnapshot } from "../channels/snapshot.js";
import type { KV, Store } from "../storage/store.js";
import type { Deadline } from "../upstream/http.js";
import type { NixosSearch } from "../upstream/nixos-search.js";
import { eventPost, formatEventPost, stateText } from "./format.js";
import { indexIdOf, parsePkgFeed, pkgFeedName, PKG_PATTERN, PKG_PREFIX, RELEASE_CHANNEL, ROLLING_CHANNEL, whyNotPkgFeed, type PkgFeedName } from "./names.js";
import { applyAnswer, emptyDoc, failChannel, prune, type PkgDoc, type PkgEvent } from "./versions.js";

export const PKG_KIND = "pkg";
/** The store key of the document in the "pkg-feeds" namespace. */
export const DOC_KEY = "versions";
/** One channel's lookup (all its chunks, retries included) ends by then. */
export const POLL_DEADLINE_MS = 60_000;
/** How long !subscribe waits for the channel status (it is cached; a slow one must not eat the command's time). */
const STATUS_WAIT_MS = 1_000;
/** Autocomplete choices are at most this long (Discord). */
const CHOICE_MAX = 100;
/** Suggestions for a name that is no package. */
const SUGGESTIONS = 3;

export interface PkgFeedsDeps {
  readonly config: Pick<Config, "pkgFeeds" | "search">;
  readonly search: NixosSearch;
  /** The channel status: which release is the newest stable one. */
  readonly channels: { snapshot(): Promise<ChannelSnapshot> };
  readonly store: Store;
  /** Every feed name some room follows (the subscriptions index). */
  followed(): Promise<readonly string[]>;
  readonly log: Logger;
}

export interface PkgFeeds {
  readonly feedProvider: FeedProvider;
  /** The stored document (tests, !subscriptions). */
  load(): Promise<PkgDoc>;
}

/** The newest current `nixos-YY.MM` with status stable (or no status: the mirror's fallback snapshot). */
export function newestStable(channels: readonly Pick<ChannelInfo, "name" | "current" | "status">[]): string | undefined {
  let best: { name: string; key: number } | undefined;
  for (const c of channels) {
    const m = RELEASE_CHANNEL.exec(c.name);
    if (!m || !c.current || (c.status !== undefined && c.status !== "stable")) continue;
    const key = Number(m[1]) * 100 + Number(m[2]);
    if (!best || key > best.key) best = { name: c.name, key };
  }
  return best?.name;
}

const reasonOf = (e: unknown): string => (e instanceof UpstreamError ? e.detail : e instanceof Error ? e.message : String(e));

export function createPkgFeeds(deps: PkgFeedsDeps): PkgFeeds {
  const { config, search, log } = deps;
  const kv: KV<PkgDoc> = deps.store.namespace<PkgDoc>("pkg-feeds");
  const intervalMs = config.pkgFeeds.intervalSeconds * 1000;
  const backend = config.search.url.replace(/\/+$/, "");
  const load = async (): Promise<PkgDoc> => (await kv.get(DOC_KEY)) ?? emptyDoc();

  /** The release channels from config, as channel names, newest last. */
  const configReleases = config.search.channels
    .map((id) => `nixos-${id}`)
    .filter((c) => RELEASE_CHANNEL.test(c))
    .sort();

  /** The channel status, or undefined when it fails or takes longer than `waitMs`. */
  async function snapshotWithin(waitMs: number): Promise<ChannelSnapshot | undefined> {
    const snap = deps.channels.snapshot().catch((e: unknown) => {
      log.debug({ err: reasonOf(e) }, "package feeds: no channel status; keeping the channels followed so far");
      return undefined;
    });
    return withDeadline(snap, { ms: waitMs }, () => undefined);
  }

  /** The rolling channel and the newest stable release: from the channel status, else as last known, else config. */
  async function defaultChannels(known: readonly string[], waitMs = POLL_DEADLINE_MS): Promise<string[]> {
    const snap = await snapshotWithin(waitMs);
    const knownStable = known.find((c) => RELEASE_CHANNEL.test(c));
    // The mirror's fallback snapshot has no status (a beta looks like a release): keep what Prometheus said.
    let stable = snap === undefined || (snap.source === "mirror" && knownStable !== undefined) ? undefined : newestStable(snap.channels);
    stable ??= knownStable ?? configReleases[configReleases.length - 1];
    return stable === undefined ? [ROLLING_CHANNEL] : [ROLLING_CHANNEL, stable];
  }

  const channelsOf = (f: PkgFeedName, defaults: readonly string[]): readonly string[] => (f.channel === undefined ? defaults : [f.channel]);

  /** One poll: looks up every channel whose interval has passed and stores what changed. */
  async function update(at: number): Promise<PkgDoc> {
    const before = await load();
    const feeds = (await deps.followed()).flatMap((n) => parsePkgFeed(n) ?? []);
    const defaults = await defaultChannels(before.defaults);
    const watched = new Map<string, Set<string>>();
    for (const f of feeds) {
      for (const ch of channelsOf(f, defaults)) {
        const set = watched.get(ch) ?? new Set<string>();
        set.add(f.attr);
        watched.set(ch, set);
      }
    }
    if (defaults.join() !== before.defaults.join() && before.defaults.length > 0) log.info({ from: before.defaults, to: defaults }, "package feeds follow a new release now (no posts for the switch)");
    let doc: PkgDoc = { ...before, defaults };
    const due = [...watched].filter(([ch]) => {
      const tried = doc.channels[ch]?.attemptedAt;
      // A clock set back must not stop the lookups until it catches up.
      return tried === undefined || at - tried >= intervalMs || at < tried;
    });
    const answers = await Promise.allSettled(
      due.map(([ch, attrs]) => {
        const id = indexIdOf(ch);
        if (id === undefined) return Promise.reject(new Error(`${ch} is not in the search index`));
        return search.attrVersions(id, [...attrs], { deadline: Date.now() + POLL_DEADLINE_MS });
      }),
    );
    const made: PkgEvent[] = [];
    answers.forEach((a, i) => {
      const [ch, attrs] = due[i]!;
      if (a.status === "rejected") {
        const reason = reasonOf(a.reason);
        if ((doc.channels[ch]?.failures ?? 0) === 0) log.warn({ channel: ch, reason }, "package feeds: a channel lookup failed");
        doc = failChannel(doc, ch, reason, at);
        return;
      }
      if ((doc.channels[ch]?.failures ?? 0) > 0) log.info({ channel: ch }, "package feeds: channel lookups work again");
      const r = applyAnswer(doc, ch, attrs, a.value, at);
      doc = r.doc;
      made.push(...r.events);
    });
    doc = prune(doc, new Set(watched.keys()), at);
    if (due.length > 0 || doc.defaults.join() !== before.defaults.join() || doc.events.length !== before.events.length || Object.keys(doc.channels).length !== Object.keys(before.channels).length) {
      await kv.set(DOC_KEY, doc);
    }
    if (due.length > 0) log.debug({ channels: due.map(([ch]) => ch), changes: made.length }, "package feeds: looked up");
    for (const e of made) log.info({ channel: e.channel, attr: e.attr, id: e.id }, "package version change");
    return doc;
  }

  interface Round {
    readonly doc: PkgDoc;
    /** Events by attribute, oldest first. */
    readonly byAttr: ReadonlyMap<string, readonly PkgEvent[]>;
  }
  const rounds = new WeakMap<PollRound, Promise<Round>>();
  const roundOf = (round: PollRound): Promise<Round> => {
    let p = rounds.get(round);
    if (!p) {
      p = update(round.at.getTime()).then((doc) => {
        const byAttr = new Map<string, PkgEvent[]>();
        for (const e of doc.events) {
          const list = byAttr.get(e.attr);
          if (list) list.push(e);
          else byAttr.set(e.attr, [e]);
        }
        return { doc, byAttr };
      });
      rounds.set(round, p);
    }
    return p;
  };

  const searchUrlOf = (attr: string, channel: string | undefined): string => search.packagesUrl((channel && indexIdOf(channel)) ?? "unstable", attr, attr);

  const source: FeedSource = {
    async read(feed, validators, round) {
      const f = parsePkgFeed(feed.name);
      if (!f) throw new Error(`${feed.name} is not a package feed`);
      const { doc, byAttr } = await roundOf(round);
      const channels = channelsOf(f, doc.defaults);
      // Failing only when no channel of the feed can be read; one failing channel shows in !subscriptions.
      const failing = channels.map((ch) =>
        indexIdOf(ch) === undefined ? `${ch} is not in the search index` : (doc.channels[ch]?.failures ?? 0) > 0 ? `${ch}: ${doc.channels[ch]?.lastError ?? "error"}` : undefined,
      );
      if (failing.every((x) => x !== undefined)) throw new Error(failing.join("; "));
      const mine = (byAttr.get(f.attr) ?? []).filter((e) => channels.includes(e.channel));
      // The newest event is the feed's version: unchanged means nothing to look at.
      const etag = mine.length === 0 ? "none" : mine[mine.length - 1]!.id;
      if (validators.etag === etag) return { status: "not-modified" };
      const entries: SourceEntry[] = mine
        .slice()
        .reverse()
        .map((e) => ({ id: e.id, published: new Date(e.at).toISOString(), post: () => eventPost(e, searchUrlOf(e.attr, e.channel)) }));
      return { status: "ok", entries, validators: { etag } };
    },
  };

  function feedDef(f: PkgFeedName): FeedDef {
    const name = pkgFeedName(f);
    return {
      name,
      title: f.channel === undefined ? `Package ${f.attr}` : `Package ${f.attr} in ${f.channel}`,
      url: `${backend}#${name}`,
      kind: PKG_KIND,
      siteUrl: searchUrlOf(f.attr, f.channel),
    };
  }

  // !subscriptions describes its feeds at once: they share the read in flight (never an older one).
  let reading: Promise<PkgDoc> | undefined;
  const sharedLoad = (): Promise<PkgDoc> =>
    (reading ??= load().finally(() => {
      reading = undefined;
    }));

  /** Channels a `@channel` may name: those the index holds that config or the channel status knows. */
  async function followable(): Promise<string[]> {
    const names = new Set<string>([ROLLING_CHANNEL, ...configReleases, ...(await load()).defaults]);
    for (const c of (await snapshotWithin(STATUS_WAIT_MS))?.channels ?? []) if (c.current && RELEASE_CHANNEL.test(c.name)) names.add(c.name);
    return [...names].sort();
  }

  async function admit(
    feed: FeedDef,
    where: { readonly roomFeeds: readonly string[]; readonly followed: readonly string[]; readonly deadline: number; readonly signal?: AbortSignal },
  ): Promise<RichText | undefined> {
    const bound: Deadline = { deadline: where.deadline, ...(where.signal === undefined ? {} : { signal: where.signal }) };
    const f = parsePkgFeed(feed.name);
    if (!f) throw new UserError(whyNotPkgFeed(feed.name) ?? `${feed.name.slice(0, 72)} is not a package feed.`);
    const { maxPerRoom, maxWatched } = config.pkgFeeds;
    const inRoom = where.roomFeeds.filter((n) => n.startsWith(PKG_PREFIX)).length;
    if (inRoom >= maxPerRoom) throw new UserError(`This room follows ${inRoom} package feeds, the most one room may (${maxPerRoom}). Unsubscribe one first.`);
    const attrs = new Set(where.followed.flatMap((n) => parsePkgFeed(n)?.attr ?? []));
    if (!attrs.has(f.attr) && attrs.size >= maxWatched) throw new UserError(`nixie already watches ${attrs.size} packages, the most it may (${maxWatched}); it cannot watch another one.`);
    let channels: readonly string[];
    if (f.channel !== undefined) {
      const allowed = await followable();
      if (indexIdOf(f.channel) === undefined || !allowed.includes(f.channel))
        throw new UserError(`Package feeds follow the channels search.nixos.org indexes: ${allowed.join(", ")}. ${f.channel} is not one of them.`);
      channels = [f.channel];
    } else {
      // The poll keeps the defaults current; the channel status only before the first poll.
      const known = (await load()).defaults;
      channels = known.length > 0 ? known : await defaultChannels(known, STATUS_WAIT_MS);
    }
    const settled = await Promise.allSettled(channels.map((ch) => search.attrVersions(indexIdOf(ch)!, [f.attr], bound)));
    if (settled.every((s) => s.status === "rejected")) throw (settled[0] as PromiseRejectedResult).reason;
    const found = settled.some((s) => s.status === "fulfilled" && s.value.has(f.attr));
    if (!found) throw new UserError(await notFound(f.attr, channels, bound));
    const parts = settled.map((s, i) => (s.status === "rejected" ? `${channels[i]} did not answer` : stateText(channels[i]!, s.value.get(f.attr) ?? null)));
    return rich(bold(f.attr), ` now: ${parts.join(", ")}.`);
  }

  /** "No package … in …. Did you mean …?" with the search's best matches, if it gives any. */
  async function notFound(attr: string, channels: readonly string[], bound: Deadline): Promise<string> {
    const where = channels.join(" or ");
    const id = indexIdOf(channels[0] ?? ROLLING_CHANNEL);
    try {
      const page = await search.packages(attr, { ...(id !== undefined && search.channels.includes(id) ? { channel: id } : {}), ...bound });
      const names = page.hits
        .map((h) => h.attrName)
        .filter((n) => n !== attr)
        .slice(0, SUGGESTIONS);
      if (names.length > 0) return `No package ${attr} in ${where}. Did you mean ${names.map((n) => `${PKG_PREFIX}${n}`).join(", ")}?`;
    } catch (e) {
      log.debug({ err: reasonOf(e) }, "package feeds: no suggestions");
    }
    return `No package ${attr} in ${where}. Attribute paths are as on search.nixos.org, e.g. python313Packages.requests.`;
  }

  return {
    load,
    feedProvider: {
      kind: PKG_KIND,
      source,
      patterns: [
        { pattern: PKG_PATTERN, description: `a package's version changes in ${ROLLING_CHANNEL} and the newest stable release, e.g. ${PKG_PREFIX}hyprland` },
        { pattern: `${PKG_PATTERN}@<channel>`, description: `the same in one channel, e.g. ${PKG_PREFIX}hyprland@${ROLLING_CHANNEL}` },
      ],
      get(name) {
        const f = parsePkgFeed(name);
        return f ? feedDef(f) : undefined;
      },
      explain: whyNotPkgFeed,
      async complete(partial, opts) {
        if (partial.slice(0, PKG_PREFIX.length).toLowerCase() !== PKG_PREFIX) return [];
        const names = await search.complete("package", partial.slice(PKG_PREFIX.length), { deadline: opts.deadline, ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
        // Discord takes choices of at most 100 characters.
        return names.map((n) => `${PKG_PREFIX}${n}`).filter((n) => n.length <= CHOICE_MAX && parsePkgFeed(n) !== undefined);
      },
      admit,
      format: (_feed, entry) => formatEventPost(entry),
      async describe(feed) {
        const f = parsePkgFeed(feed.name);
        if (!f) return undefined;
        const doc = await sharedLoad();
        const channels = channelsOf(f, doc.defaults.length > 0 ? doc.defaults : await defaultChannels([], STATUS_WAIT_MS));
        const parts = channels.map((ch) => {
          const state = doc.channels[ch];
          const text = stateText(ch, state?.versions[f.attr]);
          return state?.failures ? `${text} (⚠ lookups failing: ${state.lastError ?? "error"})` : text;
        });
        return `last seen: ${parts.join(", ")}`;
      },
    },
  };
}
