import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { ChannelSnapshot } from "../../src/channels/snapshot.js";
import { loadConfig } from "../../src/config.js";
import { createPkgFeeds, type PkgFeeds } from "../../src/pkg-feed/service.js";
import { openStore, type Store } from "../../src/storage/store.js";
import { createHttp } from "../../src/upstream/http.js";
import { createNixosSearch } from "../../src/upstream/nixos-search.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";

const REV = "a".repeat(40);

describe("package feeds: which channels pkg:<attr> follows", () => {
  let dir: string;
  let store: Store;
  let fake: FakeSearch;
  let feeds: PkgFeeds;
  let snapshot: () => Promise<ChannelSnapshot>;
  let clock = Date.parse("2026-12-07T12:00:00Z");

  const snap =
    (source: "prometheus" | "mirror", channels: [string, string | undefined][]): (() => Promise<ChannelSnapshot>) =>
    async () => ({
      channels: channels.map(([name, status]) => ({ name, revision: REV, updatedAt: clock - 3600_000, current: true, ...(status ? { status } : {}) })),
      fetchedAt: clock,
      source,
      problems: [],
    });
  /** One feed poll's round: the lookup, then the defaults it stored. */
  const round = async (): Promise<readonly string[]> => {
    clock += 3600_000;
    const feed = feeds.feedProvider.get("pkg:firefox")!;
    await feeds.feedProvider.source.read(feed, {}, { at: new Date(clock) });
    return (await feeds.load()).defaults;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-pkg-defaults-"));
    store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    fake = await startFakeSearch({ channels: ["unstable", "26.05", "26.11"] });
    const { config } = loadConfig({ env: { NIXIE_CONFIG: "", NIXIE_SEARCH_URL: fake.url }, ignoreLocal: true });
    const http = createHttp({ userAgent: "test", timeoutMs: 2000, retries: 0, maxRetryWaitMs: 0, maxResponseBytes: 1_000_000, cacheEntries: 10 });
    const log = pino({ level: "silent" });
    feeds = createPkgFeeds({
      config,
      search: createNixosSearch({ config: config.search, http, log }),
      channels: { snapshot: () => snapshot() },
      store,
      followed: async () => ["pkg:firefox"],
      log,
    });
  });
  after(async () => {
    await store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without any channel status: nixos-unstable and config's newest release", async () => {
    snapshot = async () => {
      throw new Error("Prometheus and the mirror are down");
    };
    assert.deepEqual(await round(), ["nixos-unstable", "nixos-26.05"]);
  });

  it("the newest current stable release from the channel status (a beta is not followed)", async () => {
    snapshot = snap("prometheus", [
      ["nixos-unstable", "rolling"],
      ["nixos-26.05", "stable"],
      ["nixos-26.11", "beta"],
    ]);
    assert.deepEqual(await round(), ["nixos-unstable", "nixos-26.05"]);
  });

  it("the mirror's snapshot (no status) does not switch to a channel that may be a beta; a failing status keeps the last", async () => {
    snapshot = snap("mirror", [
      ["nixos-unstable", undefined],
      ["nixos-26.05", undefined],
      ["nixos-26.11", undefined],
    ]);
    assert.deepEqual(await round(), ["nixos-unstable", "nixos-26.05"]);
    snapshot = async () => {
      throw new Error("down");
    };
    assert.deepEqual(await round(), ["nixos-unstable", "nixos-26.05"]);
  });

  it("a new stable release is followed from the next lookup on, and the old one is forgotten", async () => {
    snapshot = snap("prometheus", [
      ["nixos-unstable", "rolling"],
      ["nixos-26.05", "stable"],
      ["nixos-26.11", "stable"],
    ]);
    assert.deepEqual(await round(), ["nixos-unstable", "nixos-26.11"]);
    const doc = await feeds.load();
    assert.deepEqual(Object.keys(doc.channels).sort(), ["nixos-26.11", "nixos-unstable"]);
    assert.deepEqual(doc.events, [], "no event for the switch");
  });
});
