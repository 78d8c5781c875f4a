import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { fixture } from "../helpers/fake-feeds.js";
import { recordedBadData, recordedChannels, startFakePrometheus, type FakePrometheus } from "../helpers/fake-prometheus.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const NEVER = "0 0 1 1 *";

let dir: string;

/** The plain-text reply without the link targets ("0123456 <https://…>" -> "0123456"). */
const plain = async (t: TestBot, text: string): Promise<string> => (await t.ask(text)).replace(/ <https?:\/\/[^>\s]+>/g, "");

/** A bot whose channels come from the fake; `cacheSeconds` 0 unless a test wants the cache. */
async function bot(fake: FakePrometheus, channels: object = {}): Promise<TestBot> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, http: { retries: 0, timeoutMs: 2000 }, channels: { cacheSeconds: 0, ...channels } }));
  return startTestBot({ NIXIE_PROMETHEUS_URL: fake.url, NIXIE_CHANNELS_URL: fake.mirrorUrl, NIXIE_FEEDS_CRON: NEVER, NIXIE_CONFIG: path });
}

/** The recorded channels, with update times moved relative to now (the fixtures' own times age). */
function channelsAged(): ReturnType<typeof recordedChannels> {
  const now = Math.floor(Date.now() / 1000);
  const ages: Record<string, number> = { "nixos-unstable": 14 * HOUR, "nixos-26.05": 5 * DAY, "nixpkgs-unstable": 12 * DAY, "nixos-25.11": 200 * DAY };
  return recordedChannels().map((c) => ({ ...c, updateTime: now - (ages[c.name] ?? HOUR) }));
}

describe("channels: !channels and !channel against a fake Prometheus", function () {
  this.timeout(20_000);
  let fake: FakePrometheus;
  let t: TestBot;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-channels-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    fake = await startFakePrometheus(channelsAged());
  });
  afterEach(async () => {
    await t?.stop();
    await fake.close();
  });

  it("the fake answers in the recorded shape (labels as the real exporter's)", async () => {
    const recorded = (JSON.parse(fixture("prometheus-channel_revision.json")) as { body: { data: { result: { metric: Record<string, string> }[] } } }).body.data.result[1]!.metric;
    const res = await fetch(`${fake.url}/api/v1/query?query=channel_revision`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
    assert.deepEqual(Object.keys(body.data.result[1]!.metric).sort(), Object.keys(recorded).sort());
    assert.equal(body.data.result.find((r) => r.metric["channel"] === "nixpkgs-unstable")!.metric["variant"], undefined);
    t = await bot(fake);
  });

  it("!channels: each current channel with its linked short revision, age, status and Hydra job, from three queries", async () => {
    t = await bot(fake);
    fake.channels.get("nixos-unstable")!.job!.failed = true;
    const reply = await t.adapter.say("!channels");
    assert.ok(reply);
    const text = await plain(t, "!channels");
    assert.match(text, /NixOS channels/);
    assert.match(text, /nixos-unstable: 0123456 · 14 h ago · fine · Hydra job failing/);
    assert.match(text, /nixos-26\.05: fedcba9 · 5 d ago · late · Hydra job unknown/);
    assert.match(text, /nixpkgs-unstable: 89abcde · 12 d ago · stuck/);
    assert.doesNotMatch(text, /nixos-25\.11/, "not a current channel");
    assert.deepEqual(fake.queries.slice(0, 3).sort(), ["channel_revision", "channel_update_time", "hydra_job_failed"]);
    const discord = renderDiscord(reply);
    const embed = discord.embeds[0]!;
    assert.equal(embed.url, "https://status.nixos.org/");
    const unstable = embed.fields!.find((f) => f.name === "nixos-unstable")!;
    assert.match(unstable.value, /\[0123456\]\(https:\/\/github\.com\/NixOS\/nixpkgs\/commit\/0123456789abcdef0123456789abcdef01234567\)/);
    assert.match(unstable.value, /\(https:\/\/hydra\.nixos\.org\/job\/nixos\/unstable\/tested\)/);
    const matrix = renderMatrix(reply);
    assert.match(matrix.formatted_body, /<a href="https:\/\/github.com\/NixOS\/nixpkgs\/commit\/0123456789abcdef0123456789abcdef01234567">0123456<\/a>/);
    // an HTML list, one item per current channel
    assert.match(matrix.formatted_body, /<ul><li><strong>nixos-[^<]+<\/strong>: .*<\/li><\/ul>/);
    assert.equal(matrix.formatted_body.split("<li>").length - 1, embed.fields!.length);
    assert.match(matrix.body, /nixos-unstable: 0123456 <https:\/\/github\.com\/NixOS\/nixpkgs\/commit\/0123456789abcdef0123456789abcdef01234567> · 14 h ago/);
  });

  it("!channels answers from a cache of at most the configured time", async () => {
    t = await bot(fake, { cacheSeconds: 60 });
    await plain(t, "!channels");
    await plain(t, "!channels");
    await plain(t, "!channel nixos-unstable");
    assert.equal(fake.queries.length, 3);
    assert.deepEqual((await t.bot.services.channels.heads()).get("nixos-unstable"), "0123456789abcdef0123456789abcdef01234567");
    assert.equal((await t.bot.services.channels.heads()).has("nixos-25.11"), false);
    assert.equal(fake.queries.length, 3);
  });

  it("!channel: revision, when it advanced, previous revision (none yet) and the Hydra job link", async () => {
    t = await bot(fake);
    const reply = (await t.adapter.say("!channel nixos-unstable"))!;
    const text = await plain(t, "!channel nixos-unstable");
    assert.match(text, /Channel nixos-unstable/);
    assert.match(text, /Revision: 0123456789abcdef0123456789abcdef01234567/);
    assert.match(text, /Advanced: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(14 h ago\)/);
    assert.match(text, /Previous revision: none seen by nixie yet/);
    assert.match(text, /Hydra: nixos\/unstable\/tested · passing/);
    assert.match(JSON.stringify(renderDiscord(reply)), /https:\/\/hydra\.nixos\.org\/job\/nixos\/unstable\/tested/);
    assert.match(await t.ask("!channel nixos-2511"), /There is no channel "nixos-2511" now\. Current channels: nixos-26\.05, nixos-unstable, nixpkgs-unstable/);
    assert.match(await t.ask("!channel nixos-25.11"), /Not a current channel \(`unmaintained`\)\.\n(.|\n)*Hydra: unknown/);
  });

  it("autocompletes channel names, current ones first", async () => {
    t = await bot(fake);
    const def = t.bot.dispatcher.find("channel")!;
    const opt = def.options[0]!;
    assert.ok(opt.type === "string" && opt.complete !== undefined);
    const choices = await opt.complete("nixos", { services: t.bot.services, platform: "discord", now: () => new Date(), others: {}, deadline: Date.now() + 2500, signal: AbortSignal.timeout(2500) });
    assert.deepEqual(
      choices.map((c) => c.value),
      ["nixos-26.05", "nixos-unstable", "nixos-25.11"],
    );
  });

  it("autocomplete does not wait for a Prometheus that hangs: the names nixie last stored", async () => {
    t = await bot(fake);
    await t.ask("!channels");
    fake.override("channel_revision", "hang");
    const opt = t.bot.dispatcher.find("channel")!.options[0]!;
    assert.ok(opt.type === "string" && opt.complete !== undefined);
    const choices = await opt.complete("unstable", {
      services: t.bot.services,
      platform: "discord",
      now: () => new Date(),
      others: {},
      deadline: Date.now() + 2500,
      signal: AbortSignal.timeout(2500),
    });
    assert.deepEqual(
      choices.map((c) => c.value),
      ["nixos-unstable", "nixpkgs-unstable"],
    );
  });

  describe("bad answers", () => {
    it("bad_data: falls back to channels.nixos.org (redirect + Last-Modified) and says so", async () => {
      t = await bot(fake, { fallbackChannels: ["nixos-unstable", "nixos-26.05"] });
      fake.override("channel_revision", { status: 400, body: recordedBadData() });
      const text = await plain(t, "!channels");
      assert.match(text, /Prometheus did not answer usably \(answered something nixie cannot read \(bad_data: invalid parameter "query".*\); revisions and times come from channels\.nixos\.org/);
      assert.match(text, /nixos-unstable: 0123456 · 14 h ago · fine · Hydra job unknown/);
      assert.match(text, /nixos-26\.05: fedcba9 · 5 d ago · late/);
      assert.ok(
        fake.mirrorRequests.some((r) => r.path.startsWith("/releases/nixos-unstable/")),
        "followed the redirect",
      );
    });

    it("the fallback asks for the channels nixie last saw as current", async () => {
      t = await bot(fake, { fallbackChannels: ["nixos-unstable"] });
      await plain(t, "!channels");
      fake.override("channel_update_time", { status: 503, body: { status: "error", errorType: "unavailable", error: "overloaded" } });
      const text = await plain(t, "!channels");
      assert.match(text, /nixpkgs-unstable: 89abcde · 12 d ago · stuck/);
      assert.match(text, /nixos-26\.05: fedcba9/);
    });

    it("bad_data and the fallback down: a clear error, no channel", async () => {
      t = await bot(fake);
      fake.override("channel_revision", { status: 400, body: recordedBadData() });
      fake.mirrorDown(true);
      const text = await plain(t, "!channels");
      assert.match(text, /answered something nixie cannot read\. Prometheus: answered something nixie cannot read \(bad_data: invalid parameter "query"/);
      assert.match(text, /channels\.nixos\.org failed too \(nixos-unstable: .*HTTP 500\)\. The status page: https:\/\/status\.nixos\.org/);
      assert.doesNotMatch(text, /0123456/);
    });

    it("an empty result is an error, not 'no channels'", async () => {
      t = await bot(fake);
      fake.channels.clear();
      const text = await plain(t, "!channels");
      assert.match(text, /Prometheus: answered no channel_revision series \(is the channel exporter down\?\)/);
    });

    it("a missing label, a revision that is not 40 hex, a time in the future: that channel is left out, saying why", async () => {
      t = await bot(fake);
      const now = Math.floor(Date.now() / 1000);
      fake.channels.get("nixos-26.05")!.revision = "fedcba98";
      fake.channels.get("nixpkgs-unstable")!.updateTime = now + 3 * DAY;
      const text = await plain(t, "!channels");
      assert.match(text, /nixos-unstable: 0123456/);
      assert.doesNotMatch(text, /^ +nixos-26\.05:/m);
      assert.doesNotMatch(text, /^ +nixpkgs-unstable:/m);
      assert.match(text, /Left out, because the answer about them is wrong: nixos-26\.05: revision "fedcba98" is not 40 hex characters; nixpkgs-unstable: its update time \S+ is in the future/);
      assert.match(await t.ask("!channel nixos-26.05"), /nixie cannot show nixos-26\.05 now: the answer about it is wrong \(revision "fedcba98" is not 40 hex characters\)/);

      const body = (await (await fetch(`${fake.url}/api/v1/query?query=channel_revision`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
      delete body.data.result.find((r) => r.metric["channel"] === "nixos-unstable")!.metric["revision"];
      fake.override("channel_revision", { status: 200, body });
      assert.match(await plain(t, "!channels"), /nixos-unstable: channel_revision has no revision label/);
    });
  });
});
