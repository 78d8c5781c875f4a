// One deadline per command: with every upstream slow on every request (each request alone within
// http.timeoutMs, but not the command's requests in sequence), every command answers within
// http.timeoutMs + 1 s, with what it knows by then or the timeout message. The elapsed-time bound
// is the promise under test; the margins are wide (the old per-request timeouts took 1.6-3.2x the
// bound here, the deadline about 0.7x).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeFeeds, type FakeFeeds } from "../helpers/fake-feeds.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { sendJson, startLoopback, type Loopback, type RecordedRequest } from "../helpers/loopback.js";
import { startSlowProxy, type SlowProxy } from "../helpers/slow-proxy.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));

/**
 * The command budget (http.timeoutMs) and the time every upstream takes for each request (the
 * environment can set others to measure, e.g. 5000 and 4000 as in production).
 */
const TIMEOUT_MS = Number(process.env["NIXIE_DEADLINE_TIMEOUT_MS"] ?? 2000);
const SLOW_MS = Number(process.env["NIXIE_DEADLINE_SLOW_MS"] ?? 1600);
const BOUND_MS = TIMEOUT_MS + 1000;

/**
 * wiki.nixos.org from recorded answers: opensearch, full-text search (+ siteinfo), page info
 * without a description (so the intro needs a parse: three stages in sequence), parse.
 */
function recordedWiki(req: RecordedRequest, res: ServerResponse): void {
  const q = req.query;
  const action = q.get("action");
  if (action === "opensearch") return sendJson(res, 200, fixture("mediawiki-opensearch-flakes.json"));
  if (action === "query" && q.get("list") === "search") {
    const answer = fixture("mediawiki-search-flakes.json") as { query: Record<string, unknown> };
    answer.query["general"] = (fixture("mediawiki-siteinfo-general.json") as { query: { general: unknown } }).query.general;
    return sendJson(res, 200, answer);
  }
  if (action === "query" && q.has("titles")) {
    const answer = fixture("mediawiki-pages-flakes.json") as { query: { pages: Record<string, unknown>[] } };
    for (const p of answer.query.pages) delete p["pageprops"];
    return sendJson(res, 200, answer);
  }
  if (action === "parse") return sendJson(res, 200, fixture("mediawiki-parse-flakes-intro.json"));
  sendJson(res, 400, { error: { code: "badvalue", info: "unexpected request" } });
}

describe("one deadline per command, with an upstream slow on every request", function () {
  this.timeout(10 * (TIMEOUT_MS + SLOW_MS));
  let search: FakeSearch;
  let wiki: Loopback;
  let feeds: FakeFeeds;
  const proxies: SlowProxy[] = [];
  let dir: string;
  let t: TestBot;
  const measured: Record<string, number> = {};

  before(async () => {
    // 26.05 has no index under any schema nixie probes: every probe is a slow 404.
    search = await startFakeSearch({ channels: ["unstable"] });
    wiki = await startLoopback(recordedWiki);
    feeds = await startFakeFeeds();
    const slow = async (url: string): Promise<string> => {
      const p = await startSlowProxy(url, SLOW_MS);
      proxies.push(p);
      return p.url;
    };
    const nixhour = new URL(feeds.nixhourUrl);
    const feedsProxy = await slow(feeds.url);
    dir = mkdtempSync(join(tmpdir(), "nixie-deadline-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ http: { timeoutMs: TIMEOUT_MS }, rateLimit: { burst: 1000, perMinute: 10000 } }));
    t = await startTestBot({
      NIXIE_CONFIG: file,
      NIXIE_SEARCH_URL: await slow(search.url),
      NIXIE_WIKI_API: `${await slow(wiki.url)}/w/api.php`,
      NIXIE_DISCOURSE_URL: feedsProxy,
      NIXIE_NIXHOUR_FEED: `${feedsProxy}${nixhour.pathname}${nixhour.search}`,
      NIXIE_FEEDS_CRON: "0 0 1 1 *",
    });
  });
  after(async () => {
    await t?.stop();
    for (const p of proxies) await p.close();
    await Promise.all([search?.close(), wiki?.close(), feeds?.close()]);
    rmSync(dir, { recursive: true, force: true });
    if (process.env["NIXIE_DEADLINE_REPORT"]) console.log(`deadline (timeoutMs ${TIMEOUT_MS}, ${SLOW_MS} ms per request):`, measured);
  });

  /** Asks, times the answer, and checks it came within the bound. */
  async function timed(name: string, text: string): Promise<string> {
    const started = Date.now();
    const answer = await t.ask(text, { user: name });
    measured[name] = Date.now() - started;
    assert.ok(measured[name] <= BOUND_MS, `${text} answered after ${measured[name]} ms, over ${BOUND_MS} ms`);
    return answer;
  }

  it("!pkg probing four schemas that all answer 404 slowly: the timeout message", async () => {
    assert.match(await timed("pkg-probe", "!pkg --channel 26.05 firefox"), /^search\.nixos\.org did not answer in \d+(\.\d)? s, try again in a minute/);
  });

  it("!pkg, !option and !locate: one request each, answered", async () => {
    assert.match(await timed("pkg", "!pkg firefox"), /firefox/);
    assert.match(await timed("option", "!option services.nginx.enable"), /services\.nginx\.enable/);
    assert.match(await timed("locate", "!locate rg"), /ripgrep/);
  });

  it("!wiki with three stages: the prefix and full-text hits known by the deadline, without an intro", async () => {
    const text = await timed("wiki", "!wiki flakes");
    assert.match(text, /^Flakes <https:\/\/wiki\.nixos\.org\/wiki\/Flakes>/);
    assert.doesNotMatch(text, /experimental feature/);
    assert.match(text, /The wiki was slow to answer/);
  });

  it("!event: the calendar probe and the Events category asked together, both in time", async () => {
    const text = await timed("event", "!event");
    assert.match(text, /^(Upcoming community events:|No upcoming events)/);
    assert.doesNotMatch(text, /did not answer/);
    assert.equal(feeds.count("calendar").requests, 1);
    assert.equal(feeds.count("events").requests, 1);
  });

  it("!nixhour: one request, answered", async () => {
    assert.match(await timed("nixhour", "!nixhour"), /^The Nix Hour <[^>]+>: latest episodes\n• /);
  });
});
