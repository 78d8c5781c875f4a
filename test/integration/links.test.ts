import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { renderDiscord } from "../../src/render/discord.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

describe("reference expansion (!links) against the fake GitHub", function () {
  this.timeout(30_000);
  let dir: string;
  let gh: FakeGitHub;
  let t: TestBot;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-links-"));
    gh = await startFakeGitHub();
    const cfg = join(dir, "config.json");
    // One command a minute: expansions must not use it up.
    writeFileSync(cfg, JSON.stringify({ rateLimit: { burst: 2, perMinute: 1 } }));
    t = await startTestBot({ NIXIE_GITHUB_API: gh.url, NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_CONFIG: cfg, NIXIE_GITHUB_BUDGET: "1000000" });
  });
  after(async () => {
    await t.stop();
    await gh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is off until a room manager turns it on", async () => {
    gh.open(700_001, { title: "open one", base: "master", author: "zoe" });
    assert.equal(await t.ask("look at nixpkgs#700001"), "");
    assert.equal(gh.requests.length, 0);
    assert.match(await t.ask("!links on"), /Only room managers/);
    assert.match(await t.ask("!links on", { manager: true }), /Reference expansion is on/);
  });

  it("gives one line per reference, with the channels of a merged nixpkgs pull request, embeds suppressed, outside the rate limit", async () => {
    const n = 700_002;
    await gh.merge(n, { title: "merged <one>", base: "master", author: "yan" });
    await gh.advance("nixpkgs-unstable", "master");
    gh.issues.set(45, { title: "nix issue", state: "closed" });
    const r = await t.adapter.say(`see nixpkgs#${n}, NixOS/nix#45 and nixpkgs#700001 and nixpkgs#1 please`, { user: "u1" });
    assert.ok(r);
    const text = r.blocks.map((b) => (b.kind === "text" ? b.text.map((s) => s.text).join("") : "")).join("\n");
    const lines = text.split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, new RegExp(`^nixpkgs#${n} \\(by yan, \\d+ \\w+ ago, merged on 2026-11-21\\): merged <one> · in nixpkgs-unstable$`));
    assert.match(lines[1]!, /^NixOS\/nix#45 \(by example-user, \d+ \w+ ago, closed\): nix issue$/);
    assert.match(lines[2]!, /^nixpkgs#700001 \(by zoe, .* ago, open\): open one$/);
    assert.equal(r.suppressEmbeds, true);
    assert.equal(renderDiscord(r).flags, 1 << 2);
    // Commands still work for this user: the expansions did not count.
    assert.match(await t.ask("!help pr", { user: "u1" }), /pr/);
  });

  it("!pr of another repository's pull request shows its line and says tracking is for nixpkgs (issue 20, item 7)", async () => {
    gh.issues.set(1, { title: "the first pull request", author: "edolstra", state: "closed", pull: { mergedAt: "2012-05-01T10:00:00Z" } });
    const text = await t.ask("!pr NixOS/nix#1", { user: "pr-asker" });
    assert.match(text, /^NixOS\/nix#1 <https:\/\/github\.com\/NixOS\/nix\/pull\/1> \(by edolstra, \d+ \w+ ago, merged on 2012-05-01\): the first pull request$/m);
    assert.match(text, /^!pr and !track follow branches and channels for pull requests of NixOS\/nixpkgs only\.$/m);
    assert.doesNotMatch(text, /is not a pull request/);
    const url = await t.ask("!pr https://github.com/NixOS/nix/pull/1", { user: "pr-asker2" });
    assert.match(url, /merged on 2012-05-01/);
  });

  it("!track of another repository's pull request says tracking is for nixpkgs and tracks nothing", async () => {
    const text = await t.ask("!track NixOS/nix#1", { user: "track-asker", room: "room-track" });
    assert.equal(text, "!track follows pull requests of NixOS/nixpkgs only; NixOS/nix#1 is in NixOS/nix (!pr NixOS/nix#1 shows it).");
    assert.deepEqual(await t.bot.services.tracks.list("test:room-track"), []);
  });

  it("expands a reference at most once per 30 minutes per room", async () => {
    assert.equal(await t.ask("again nixpkgs#700002"), "");
    await t.ask("!links on", { room: "room2", manager: true, user: "m2" });
    assert.notEqual(await t.ask("again nixpkgs#700002", { room: "room2" }), "");
  });

  it("a GitHub in trouble: the room hears nothing, the log has one warn line per cause per minute", async () => {
    const lines: { level: number; msg: string; failure?: string }[] = [];
    const logged = await startTestBot(
      { NIXIE_GITHUB_API: gh.url, NIXIE_FEEDS_CRON: "0 0 1 1 *", NIXIE_CONFIG: join(dir, "config.json"), NIXIE_GITHUB_BUDGET: "1000000" },
      { log: pino({ level: "warn" }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) }) },
    );
    try {
      await logged.ask("!links on", { manager: true, user: "m3" });
      gh.mode("error");
      assert.equal(await logged.ask("nixpkgs#710001 and nixpkgs#710002"), "");
      assert.equal(await logged.ask("nixpkgs#710003"), "");
      const failures = lines.filter((l) => l.msg.startsWith("reference expansion failed"));
      assert.equal(failures.length, 1, JSON.stringify(lines));
      assert.equal(failures[0]!.level, 40);
      assert.equal(failures[0]!.failure, "status");
    } finally {
      gh.mode("ok");
      await logged.stop();
    }
  });

  it("turns off", async () => {
    assert.match(await t.ask("!links off", { manager: true, user: "m" }), /off/);
    assert.equal(await t.ask("nixpkgs#700003"), "");
  });
});
