import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reply } from "../../src/core/reply.js";
import { renderDiscord } from "../../src/render/discord.js";
import { renderMatrix } from "../../src/render/matrix.js";
import { renderPlain } from "../../src/render/plain.js";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";

/** A config file merged over the defaults (for settings that have no environment variable). */
function configFile(dir: string, config: unknown): string {
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe("!pkg, !option and !locate through the bot", () => {
  let fake: FakeSearch;
  let t: TestBot;
  let dir: string;
  let users = 0;
  /** Every question from another user, so the per-user rate limit never answers instead. */
  const ask = (text: string): Promise<string> => t.ask(text, { user: `user${++users}` });
  const say = async (text: string): Promise<Reply> => {
    const r = await t.adapter.say(text, { user: `user${++users}` });
    assert.ok(r, "a reply");
    return r;
  };

  async function start(env: Record<string, string> = {}, fakeOpts: Parameters<typeof startFakeSearch>[0] = {}): Promise<void> {
    fake = await startFakeSearch(fakeOpts);
    t = await startTestBot({ NIXIE_SEARCH_URL: fake.url, ...env });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nixie-search-test-"));
  });
  afterEach(async () => {
    await t.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(fake.problems, [], "the fake found nothing wrong in what the bot sent");
  });

  describe("answers", () => {
    it("!pkg: name, version, description, homepage, maintainers, team, license, source, show= links and N more results", async () => {
      await start();
      const text = await ask("!pkg firefox");
      assert.equal(
        text,
        [
          "firefox 158.0.1 <https://search.nixos.org/packages?channel=unstable&query=firefox&show=firefox>",
          "  Web browser built from Firefox source tree",
          "  Homepage: http://www.mozilla.com/en-US/firefox/",
          "  Maintainers: Martin Weinelt <https://github.com/mweinelt>",
          "  Team: Mozilla <https://github.com/orgs/NixOS/teams/mozilla>",
          "  License: mpl20",
          "  Source: pkgs/applications/networking/browsers/firefox/wrapper.nix:489 <https://github.com/NixOS/nixpkgs/blob/nixos-unstable/pkgs/applications/networking/browsers/firefox/wrapper.nix#L489>",
          "firefox-esr 153.4.0esr <https://search.nixos.org/packages?channel=unstable&query=firefox&show=firefox-esr>",
          "  Web browser built from Firefox Extended Support Release source tree",
          "  Homepage: http://www.mozilla.com/en-US/firefox/",
          "  Maintainers: Martin Weinelt <https://github.com/mweinelt>",
          "  Team: Mozilla <https://github.com/orgs/NixOS/teams/mozilla>",
          "  License: mpl20",
          "  Source: pkgs/applications/networking/browsers/firefox/wrapper.nix:489 <https://github.com/NixOS/nixpkgs/blob/nixos-unstable/pkgs/applications/networking/browsers/firefox/wrapper.nix#L489>",
          "firefox-bin 158.0.1 <https://search.nixos.org/packages?channel=unstable&query=firefox&show=firefox-bin>",
          "  Mozilla Firefox, free web browser (binary package)",
          "  Homepage: https://www.mozilla.org/firefox/",
          "  Maintainers: Martin Weinelt <https://github.com/mweinelt>",
          "  Team: Mozilla <https://github.com/orgs/NixOS/teams/mozilla>",
          "  License: unfreeRedistributable",
          "  Source: pkgs/applications/networking/browsers/firefox-bin/default.nix:233 <https://github.com/NixOS/nixpkgs/blob/nixos-unstable/pkgs/applications/networking/browsers/firefox-bin/default.nix#L233>",
          "4 more results <https://search.nixos.org/packages?channel=unstable&query=firefox> on search.nixos.org (unstable)",
        ].join("\n"),
      );
    });

    it("!pkg asks only for the card's extra fields, and links the source at the channel's branch", async () => {
      await start();
      const text = await ask("!pkg --channel 26.05 firefox");
      const source = (fake.requests[0]!.body as { _source: string[] })._source;
      assert.deepEqual(
        source.filter((f) => /maintainers|teams|license|position/.test(f)),
        ["package_maintainers", "package_teams", "package_license", "package_position"],
      );
      assert.ok(!source.includes("package_longDescription") && !source.includes("package_maintainers_set"));
      assert.match(text, /<https:\/\/github\.com\/NixOS\/nixpkgs\/blob\/nixos-26\.05\/pkgs\/applications\/networking\/browsers\/firefox\/wrapper\.nix#L489>/);
    });

    it("!pkg -word excludes and --channel picks the index", async () => {
      await start();
      const text = await ask("!pkg --channel 26.05 firefox -esr -bin -pwa");
      assert.doesNotMatch(text, /firefox-esr|firefox-bin|firefoxpwa/);
      assert.match(text, /^firefox 158\.0\.1 <https:\/\/search\.nixos\.org\/packages\?channel=26\.05&query=firefox\+-esr\+-bin\+-pwa&show=firefox>/);
      assert.equal(fake.requests[0]!.path, "/latest-51-nixos-26.05/_search");
    });

    it("!option: name, type, default, description as text, declaration and site links", async () => {
      await start();
      const text = await ask("!option services.nginx.enable");
      assert.equal(
        text,
        [
          "services.nginx.enable <https://search.nixos.org/options?channel=unstable&query=services.nginx.enable&show=services.nginx.enable>",
          "  Whether to enable Nginx Web Server.",
          "  Type: `boolean`",
          "  Default: `false`",
          "  Declared in: nixos/modules/services/web-servers/nginx/default.nix <https://github.com/NixOS/nixpkgs/blob/nixos-unstable/nixos/modules/services/web-servers/nginx/default.nix>",
        ].join("\n"),
      );
      const sent = fake.requests[0]!;
      assert.equal(sent.query.get("request_cache"), "true");
      assert.ok(sent.strings.includes("option"), "type filter option");
    });

    it("!option keeps code as code and cuts a long description at a word boundary", async () => {
      await start();
      const reply = await say("!option commonHttpConfig");
      const card = reply.blocks[0]!;
      assert.equal(card.kind, "card");
      if (card.kind !== "card") return;
      assert.equal(card.card.title, "services.nginx.commonHttpConfig");
      const description = card.card.description ?? [];
      assert.deepEqual(
        description.slice(0, 3).map((s) => s.kind),
        ["text", "code", "text"],
      );
      assert.equal(description[1]!.text, "http");
      const plain = description.map((s) => s.text).join("");
      assert.ok([...plain].length <= 300, `${[...plain].length} characters`);
      assert.match(plain, /[a-z,.]…$/, "ends with an ellipsis after a whole word");
      assert.ok(description.some((s) => s.kind === "link" && s.url === "https://nginx.org/en/docs/http/ngx_http_core_module.html"));
      const defaultField = card.card.fields?.find((f) => f.name === "Default");
      assert.deepEqual(defaultField?.value, [{ kind: "code", text: '""' }]);
    });

    it("!option --source home-manager asks for that document type and links that tab", async () => {
      await start();
      const text = await ask("!option --source home-manager programs.git.enable");
      assert.match(text, /^programs\.git\.enable <https:\/\/search\.nixos\.org\/options\?channel=unstable&source=home_manager&query=programs\.git\.enable&show=programs\.git\.enable>/);
      assert.match(text, /Declared in: `modules\/programs\/git\.nix`/);
      assert.ok(fake.requests[0]!.strings.includes("home-manager-option"));
    });

    it("!locate: exact program names first, then prefixes, the more popular first", async () => {
      await start();
      const text = await ask("!locate rg");
      assert.equal(
        text,
        [
          "Packages with a program named `rg` (unstable):",
          "• ripgrep <https://search.nixos.org/packages?channel=unstable&query=rg&show=ripgrep> 15.2.0 — Utility that combines the usability of The Silver Searcher with the raw speed of grep",
          "• ripgrep-static <https://search.nixos.org/packages?channel=unstable&query=rg&show=ripgrep-static> 15.2.0 — Utility that combines the usability of The Silver Searcher with the raw speed of grep (static build)",
          "• ripgrep-all <https://search.nixos.org/packages?channel=unstable&query=rg&show=ripgrep-all> 0.10.9 (provides `rga`) — Ripgrep, but also search in PDFs, E-Books, Office documents, zip, tar.gz, and more",
          "1 more package <https://search.nixos.org/packages?channel=unstable&query=rg> on search.nixos.org (unstable)",
        ].join("\n"),
      );
    });

    it("!locate finds a program only given as meta.mainProgram, in any case", async () => {
      await start();
      const text = await ask("!locate RGA");
      assert.match(text, /^Packages with a program named `RGA` \(unstable\):\n• ripgrep-all /);
    });

    it("!locate wants one program name", async () => {
      await start();
      assert.equal(await ask("!locate rg fd"), "Give one program name, e.g. !locate rg.");
      assert.equal(fake.requests.length, 0);
    });
  });

  describe("no hits", () => {
    it("says so helpfully, with a link to the site, for each command", async () => {
      await start();
      assert.equal(
        await ask("!pkg zzzzqqq"),
        "No package matches `zzzzqqq` on unstable. Try fewer or other words, or !locate for a program name. Search on the site <https://search.nixos.org/packages?channel=unstable&query=zzzzqqq>",
      );
      assert.match(
        await ask("!option zzzzqqq"),
        /^No option matches `zzzzqqq` on unstable \(nixos\)\. Home Manager options: --source home-manager\. Search on the site <https:\/\/search\.nixos\.org\/options\?channel=unstable&query=zzzzqqq>$/,
      );
      assert.match(await ask("!locate zzzzqqq"), /^No package provides a program named `zzzzqqq` on unstable\. Search on the site </);
    });

    it("hints in slash syntax to Discord slash commands", async () => {
      await start();
      const slash = async (name: string, args: [string, string][]): Promise<string> => {
        const message = { room: { platform: "test" as const, id: "room1" }, user: { id: `user${++users}` }, text: "", canManageRoom: async () => false, slash: true };
        const reply = await t.bot.dispatcher.invoke(message, name, new Map(args));
        assert.ok(reply, "a reply");
        return renderPlain(reply);
      };
      assert.match(await slash("option", [["query", "zzzzqqq"]]), /Home Manager options: source:home-manager\. /);
      assert.equal(await slash("locate", [["program", "rg fd"]]), "Give one program name, e.g. /locate program:rg.");
    });

    it("asks for a word when only exclusions are given", async () => {
      await start();
      assert.equal(await ask("!pkg -esr"), "Give at least one word to search for (words starting with - only exclude).");
      assert.equal(fake.requests.length, 0);
    });
  });

  describe("channels", () => {
    it("rejects an unknown channel with the valid ones, without asking upstream", async () => {
      await start();
      assert.equal(await ask("!pkg --channel 25.11 firefox"), 'Unknown channel "25.11". Channels: unstable, 26.05.');
      assert.equal(await ask("!option --channel=nixos-unstable nginx"), 'Unknown channel "nixos-unstable". Channels: unstable, 26.05.');
      assert.equal(await ask("!locate --channel x rg"), 'Unknown channel "x". Channels: unstable, 26.05.');
      assert.equal(fake.requests.length, 0);
    });

    it("accepts a configured channel in any case", async () => {
      await start();
      assert.match(await ask("!locate --channel UNSTABLE rg"), /^Packages with a program named `rg` \(unstable\)/);
    });

    it("rejects an unknown --source", async () => {
      await start();
      assert.match(await ask("!option --source nixpkgs nginx"), /^--source must be one of nixos, home-manager, darwin/);
    });
  });

  describe("index churn", () => {
    it("finds the newer schema after a 404 and keeps using it", async () => {
      await start({}, { schema: 52 });
      assert.match(await ask("!pkg firefox"), /^firefox 158\.0\.1 /);
      assert.match(await ask("!option services.nginx.enable"), /^services\.nginx\.enable /);
      const schemas = fake.requests.map((r) => r.schema);
      // 51, then the three schemas ahead together, then straight to 52.
      assert.deepEqual([schemas[0], ...schemas.slice(1, 4).sort(), ...schemas.slice(4)], [51, 52, 53, 54, 52]);
      assert.equal(t.bot.services.search.schemaFor("unstable"), 52);
    });

    it("says the index moved and links the site when no schema answers", async () => {
      await start({}, { schema: 99 });
      assert.equal(
        await ask("!pkg firefox"),
        "search.nixos.org has moved its data and nixie cannot find it yet. Search on the site meanwhile: https://search.nixos.org/packages?channel=unstable&query=firefox",
      );
      assert.deepEqual(fake.requests.map((r) => r.schema).sort(), [51, 52, 53, 54]);
    });
  });

  describe("upstream failures", () => {
    it("retries 429 and 5xx and answers", async () => {
      await start();
      fake.fail({ kind: "status", status: 429, retryAfter: "0" }, 1);
      assert.match(await ask("!pkg firefox"), /^firefox 158\.0\.1/);
      fake.fail({ kind: "status", status: 502 }, 1);
      assert.match(await ask("!locate rg"), /ripgrep/);
      fake.fail({ kind: "status", status: 504, retryAfter: "0" }, 2);
      assert.match(await ask("!option nginx"), /services\.nginx/);
      assert.deepEqual(
        fake.requests.map((r) => r.status),
        [429, 200, 502, 200, 504, 504, 200],
      );
    });

    it("after the retries, says search.nixos.org did not answer and links the site", async () => {
      await start();
      fake.fail({ kind: "status", status: 503, retryAfter: "0" });
      assert.equal(await ask("!option nginx"), "search.nixos.org did not answer, try again in a minute. Search on the site: https://search.nixos.org/options?channel=unstable&query=nginx");
      assert.equal(fake.requests.length, 3);
    });

    it("times out with a clear message and a link to the site search for that query", async () => {
      await start({ NIXIE_CONFIG: configFile(dir, { http: { timeoutMs: 300 } }) });
      fake.fail({ kind: "hang" });
      assert.equal(await ask("!pkg firefox"), "search.nixos.org did not answer in 0.3 s, try again in a minute. Search on the site: https://search.nixos.org/packages?channel=unstable&query=firefox");
    });

    it("answers malformed JSON with the cannot-read message", async () => {
      await start();
      fake.fail({ kind: "malformed" });
      assert.match(await ask("!pkg firefox"), /^search\.nixos\.org answered something nixie cannot read\. Search on the site: https:\/\/search\.nixos\.org\/packages\?/);
    });

    it("refuses a huge response instead of reading it all", async () => {
      await start();
      fake.fail({ kind: "huge", bytes: 6_000_000 });
      assert.match(await ask("!locate rg"), /^search\.nixos\.org answered something nixie cannot read\. Search on the site: /);
    });
  });

  describe("hostile input", () => {
    it("sends quotes, backslashes, *, AND, HTML, @everyone and emoji only as JSON values, and escapes them in replies", async () => {
      await start();
      const reply = await say(`!pkg "it's \\"quoted\\"" back\\slash * AND <b>bold</b> @everyone 🦊`);
      const sent = fake.requests[0]!;
      const words = [`it's "quoted"`, "back\\slash", "*", "and", "<b>bold</b>", "@everyone", "🦊"];
      assert.ok(sent.strings.includes(words.join(" ")), `the words as one query value: ${JSON.stringify(sent.strings.slice(0, 12))}`);
      assert.ok(sent.strings.includes("*\\**"), "a typed * is a literal star in wildcards");
      const plain = renderPlain(reply);
      assert.match(plain, /^No package matches `/);
      const discord = renderDiscord(reply);
      assert.deepEqual(discord.allowedMentions.parse, []);
      // Inside a code span Discord shows mentions as text; and the payload allows none anyway.
      assert.match(discord.content ?? "", /`[^`]*@everyone[^`]*`/);
      const matrix = renderMatrix(reply);
      assert.ok(!matrix.formatted_body.includes("<b>bold</b>"), "HTML escaped");
      assert.ok(matrix.formatted_body.includes("&lt;b&gt;bold&lt;/b&gt;"));
    });

    it("bounds 10 KB of text: the query is cut and the request stays small", async () => {
      await start();
      const long = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(" ");
      assert.ok(long.length > 10_000);
      const text = await ask(`!pkg ${long}`);
      assert.match(text, /^No package matches `w0 w1 /);
      assert.match(text, /Your query was cut to its first 200 characters\./);
      const sent = fake.requests[0]!;
      assert.ok(JSON.stringify(sent.body).length < 20_000, "bounded request body");
      assert.ok(sent.strings.includes("w0 w1 w2 w3 w4 w5 w6 w7"), "at most 8 words reach the backend");
      assert.ok(!sent.strings.some((s) => s.includes("w8")));
    });
  });

  describe("speed", () => {
    it("answers a repeated question from the cache", async () => {
      await start();
      const first = await ask("!option services.nginx.enable");
      const second = await ask("!option services.nginx.enable");
      assert.equal(second, first);
      assert.equal(fake.requests.length, 1);
    });

    it("shares one upstream request between many identical commands in flight", async () => {
      await start({}, { delayMs: 50 });
      const answers = await Promise.all(Array.from({ length: 12 }, () => ask("!pkg firefox")));
      assert.equal(fake.requests.length, 1);
      assert.ok(answers.every((a) => a === answers[0] && a.startsWith("firefox 158.0.1")));
    });
  });

  describe("!versions", () => {
    it("asks every channel once, in parallel, and shows the versions side by side", async () => {
      await start({ NIXIE_CONFIG: configFile(dir, { http: { timeoutMs: 3000, retries: 0 } }) });
      fake.fail({ kind: "hang" }, 1);
      const pending = ask("!versions firefox");
      // the first channel's request hangs; the second is sent anyway, without waiting for it
      for (let i = 0; i < 100 && fake.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(fake.requests.map((r) => r.channel).sort(), ["26.05", "unstable"]);
      // which channel's request reached the fake first (and hangs) is up to the network stack
      const hung = fake.requests[0]!.channel;
      const shown = (ch: string): string => (ch === hung ? `${ch} did not answer` : `${ch} 158.0.1`);
      assert.equal(await pending, `firefox: ${shown("unstable")} · ${shown("26.05")}`);
      fake.fail(null);
      assert.equal(await ask("!versions firefox-esr"), "firefox-esr: unstable 153.4.0esr · 26.05 153.4.0esr");
      const body = fake.requests.at(-1)!.body as { _source: string[] };
      assert.deepEqual(body._source, ["type", "package_attr_name", "package_pversion"]);
    });

    it("says which channel lacks the attribute, finds it in any case, and says when no channel has it", async () => {
      await start({}, { channels: ["unstable"] });
      assert.equal(await ask("!versions FIREFOX"), "firefox: unstable 158.0.1 · 26.05 did not answer");
      await t.stop();
      await fake.close();
      await start();
      assert.match(
        await ask("!versions nosuchpackage"),
        /^No package nosuchpackage in unstable or 26\.05\. Search by words with !pkg, or on the site <https:\/\/search\.nixos\.org\/packages\?channel=unstable&query=nosuchpackage&show=nosuchpackage>\.$/,
      );
      assert.match(await ask("!versions two words"), /one attribute name/);
    });

    it("says search.nixos.org did not answer when no channel answers", async () => {
      await start({ NIXIE_CONFIG: configFile(dir, { http: { retries: 0 } }) });
      fake.fail({ kind: "status", status: 503 });
      assert.match(await ask("!versions hello"), /^search\.nixos\.org did not answer/);
    });

    it("autocompletes the attribute on Discord", async () => {
      await start();
      const choices = await t.bot.dispatcher.complete("versions", "attribute", "firef", "discord");
      assert.equal(choices[0]?.value, "firefox");
    });
  });

  describe("autocomplete", () => {
    it("completes package names, option names, programs and channels, at most 25 of at most 100 characters", async () => {
      await start();
      const d = t.bot.dispatcher;
      const pkgs = await d.complete("pkg", "query", "firef", "discord");
      assert.equal(pkgs[0]?.value, "firefox");
      assert.ok(pkgs.length <= 25 && pkgs.every((c) => c.name.length <= 100 && c.value.length <= 100));
      const opts = await d.complete("option", "query", "services.ngi", "discord");
      assert.ok(opts.some((c) => c.value === "services.nginx.enable"));
      const progs = await d.complete("locate", "program", "rg", "discord");
      assert.ok(progs.some((c) => c.value === "rg"));
      assert.deepEqual(await d.complete("pkg", "channel", "2", "discord"), [{ name: "26.05", value: "26.05" }]);
      const before = fake.requests.length;
      await d.complete("pkg", "query", "firef", "discord");
      assert.equal(fake.requests.length, before, "cached");
      assert.deepEqual(await d.complete("pkg", "query", "f", "discord"), []);
      assert.equal(fake.requests.length, before, "one character asks nothing");
    });

    it("completes in the channel and option source already chosen in the other options", async () => {
      await start();
      const d = t.bot.dispatcher;
      await d.complete("option", "query", "programs.gi", "discord", { source: "home-manager", channel: "26.05" });
      const asked = fake.requests.at(-1)!;
      assert.equal(asked.channel, "26.05");
      assert.ok(asked.strings.includes("home-manager-option"), "the Home Manager options are asked");
      await d.complete("pkg", "query", "firef", "discord", { channel: "no-such-channel" });
      assert.equal(fake.requests.at(-1)!.channel, "unstable", "an unknown channel completes in the default one");
    });

    it("returns nothing (never an error) when the backend fails", async () => {
      await start();
      fake.fail({ kind: "status", status: 500 });
      assert.deepEqual(await t.bot.dispatcher.complete("pkg", "query", "firef", "discord"), []);
    });
  });
});
