// Package feeds (pkg:<attr>) against a real search engine: the embedded OpenSearch node with
// search.nixos.org's schema-51 mapping (test/e2e/servers/opensearch.sh). One document is re-indexed
// with a new version between two polls, as the importer would, and the room sees exactly one post.
// Run: NIXIE_E2E_SERVERS=opensearch npm run test:e2e -- test/e2e/pkg-feeds.test.ts
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts the search engine`);
  return v;
}

/** The node's own HTTP (admin): find a document and update it in place, visible at once. */
async function setVersion(node: string, channel: string, attr: string, version: string): Promise<void> {
  const index = `latest-51-nixos-${channel}`;
  const found = (await (
    await fetch(`${node}/${index}/_search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: { bool: { filter: [{ term: { type: "package" } }, { term: { package_attr_name: attr } }] } } }),
    })
  ).json()) as { hits: { hits: { _id: string; _index: string }[] } };
  const hit = found.hits.hits[0];
  assert.ok(hit, `${attr} is in the corpus of ${channel}`);
  const res = await fetch(`${node}/${hit._index}/_update/${encodeURIComponent(hit._id)}?refresh=true`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ doc: { package_pversion: version } }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe("package feeds against a real engine (OpenSearch, schema-51 mapping)", function () {
  this.timeout(120_000);
  let node: string;
  let log: string;
  let dir: string;
  let t: TestBot;
  let clock = Date.now();

  before(async () => {
    required("NIXIE_E2E_SEARCH_URL");
    node = required("NIXIE_E2E_SEARCH_NODE");
    log = required("NIXIE_E2E_SEARCH_LOG");
    dir = mkdtempSync(join(tmpdir(), "nixie-e2e-pkg-"));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, pkgFeeds: { intervalSeconds: 60 } }));
    // No channel status here: the feeds follow config's channels, nixos-unstable and nixos-26.05.
    t = await startTestBot({ NIXIE_SEARCH_URL: required("NIXIE_E2E_SEARCH_URL"), NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_CONFIG: config }, { now: () => new Date(clock) });
  });
  after(async () => {
    await setVersion(node, "unstable", "hello", "2.12.2").catch(() => undefined);
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("subscribing shows the versions per channel; a typo gets the engine's suggestion; a nested attribute works", async () => {
    assert.match(await t.ask("!subscribe pkg:hello", { room: "r1", manager: true }), /hello now: 2\.12\.2 in nixos-unstable, 2\.12\.1 in nixos-26\.05\./);
    assert.match(await t.ask("!subscribe pkg:helo", { room: "r2", manager: true }), /No package helo in nixos-unstable or nixos-26\.05\. Did you mean pkg:hello/);
    assert.match(await t.ask("!subscribe pkg:python313Packages.requests@nixos-unstable", { room: "r2", manager: true }), /python313Packages\.requests now: 2\.32\.5 in nixos-unstable\./);
    // python3Packages is only an alias in the real index: no such attribute there
    assert.match(await t.ask("!subscribe pkg:python3Packages.requests", { room: "r3", manager: true }), /No package python3Packages\.requests in/);
  });

  it("a re-indexed document with a new version between two polls makes exactly one post", async () => {
    const offset = statSync(log).size;
    await t.bot.feeds.pollNow(); // first sight
    assert.equal(t.adapter.sent.length, 0);
    await setVersion(node, "unstable", "hello", "2.13.0");
    clock += 61_000;
    await t.bot.feeds.pollNow();
    clock += 61_000;
    await t.bot.feeds.pollNow();
    assert.deepEqual(
      t.adapter.sent.map((m) => [m.room.id, m.text]),
      [["r1", "📦 hello 2.12.2 → 2.13.0 in nixos-unstable — search.nixos.org <https://search.nixos.org/packages?channel=unstable&query=hello&show=hello>"]],
    );
    // Three polls, two channels: the engine took every terms query (one per channel and poll).
    await new Promise((r) => setTimeout(r, 100));
    const logged = readFileSync(log)
      .subarray(offset)
      .toString("utf8")
      .split("\n")
      .filter((l) => l.includes("watched_attrs"))
      .map((l) => JSON.parse(l) as { status: number; path: string });
    assert.equal(logged.length, 6, JSON.stringify(logged));
    assert.ok(
      logged.every((r) => r.status === 200),
      JSON.stringify(logged),
    );
  });
});
