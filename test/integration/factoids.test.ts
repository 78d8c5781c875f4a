// Factoids through the whole bot (the test adapter, a real SQLite store): define, call, address,
// redefine, undo, forget, list by use, defaults vs the room's own, a restart, refusals.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reply } from "../../src/core/reply.js";
import { renderPlain } from "../../src/render/plain.js";
import { startTestBot, type SayOptions, type TestBot } from "../helpers/test-bot.js";

const MOD: SayOptions = { manager: true, user: "mod" };

describe("factoids through the bot", () => {
  let dir: string;
  let env: Record<string, string>;
  let t: TestBot;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-factoids-"));
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        rateLimit: { burst: 1000, perMinute: 10000 },
        factoids: { maxPerRoom: 3, defaults: { xy: "Ask about your problem, not your solution: https://xyproblem.info", ask: "Don't ask to ask, just ask." } },
      }),
    );
    env = { NIXIE_CONFIG: config, NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}` };
    t = await startTestBot(env);
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const say = async (text: string, o: SayOptions = {}): Promise<Reply | null> => t.adapter.say(text, o);

  it("learns a factoid and shows it by its name, with markup", async () => {
    assert.equal(await t.ask("!learn flakes Read **this** first: https://wiki.nixos.org/wiki/Flakes and try `nix flake init`.", MOD), "Learned !flakes.");
    const r = (await say("!flakes"))!;
    assert.equal(renderPlain(r), "Read this first: https://wiki.nixos.org/wiki/Flakes and try `nix flake init`.");
    const spans = r.blocks[0]!.kind === "text" ? r.blocks[0]!.text : [];
    assert.deepEqual(
      spans.map((s) => s.kind),
      ["text", "bold", "text", "link", "text", "code", "text"],
    );
    assert.equal(r.mentions, undefined);
    // !fact does the same
    assert.equal(await t.ask("!fact flakes"), renderPlain(r));
  });

  it("keeps the text as typed: quotes, spacing, lines and --words", async () => {
    assert.equal(await t.ask('!learn quote He said "do not   ask" --twice\nthen left', MOD), "Learned !quote.");
    assert.equal(await t.ask("!quote"), 'He said "do not   ask" --twice\nthen left');
  });

  it("addresses a factoid to one person: pinged only when the platform identified them", async () => {
    const pinged = (await say("!flakes Bob Smith", {
      mentions: [
        { id: "@bob:example.org", name: "Bob Smith" },
        { id: "@carol:example.org", name: "Carol" },
      ],
    }))!;
    assert.deepEqual(pinged.mentions, ["@bob:example.org"]);
    assert.match(renderPlain(pinged), /^Bob Smith: Read this first/);
    const typed = (await say("!flakes dave"))!;
    assert.equal(typed.mentions, undefined);
    assert.match(renderPlain(typed), /^dave: Read this first/);
    assert.match(await t.ask("!flakes @room"), /^@\u2060room: Read/);
  });

  it("shows the previous text on a redefinition, and --undo restores it", async () => {
    const changed = await t.ask("!learn flakes See the wiki.", MOD);
    assert.equal(changed, "Changed !flakes. It said before:\nRead this first: https://wiki.nixos.org/wiki/Flakes and try `nix flake init`.");
    assert.equal(await t.ask("!flakes"), "See the wiki.");
    assert.equal(
      await t.ask("!learn --undo flakes", MOD),
      "!flakes is back to its previous text:\nRead this first: https://wiki.nixos.org/wiki/Flakes and try `nix flake init`.\nIt said:\nSee the wiki.",
    );
    assert.match(await t.ask("!flakes"), /^Read this first/);
    assert.equal(await t.ask("!learn --undo flakes", MOD), "flakes has no earlier version to go back to.");
  });

  it("keeps five earlier versions", async () => {
    for (let i = 1; i <= 7; i++) await t.ask(`!learn v version ${i}`, MOD);
    for (let i = 6; i >= 2; i--) assert.match(await t.ask("!learn --undo v", MOD), new RegExp(`^!v is back to its previous text:\\nversion ${i}\\n`));
    assert.equal(await t.ask("!learn --undo v", MOD), "v has no earlier version to go back to.");
    assert.match(await t.ask("!forget v", MOD), /^Forgot !v\./);
  });

  it("refuses bad names and texts, and changes nothing", async () => {
    assert.equal(await t.ask("!learn pkg something", MOD), "pkg is a command; a factoid cannot take its name.");
    assert.equal(await t.ask("!learn sub something", MOD), "sub is a command; a factoid cannot take its name.");
    assert.match(await t.ask("!learn everyone hi", MOD), /^everyone is a reserved word/);
    assert.match(await t.ask("!learn 9lives hi", MOD), /^A factoid name is 1 to 32 lower-case letters/);
    assert.match(await t.ask(`!learn long ${"x".repeat(1001)}`, MOD), /at most 1000 characters; this one has 1001/);
    assert.match(await t.ask("!learn empty \u202e\u200f", MOD), /^What should !empty say\?|cannot be empty/);
    assert.equal(await t.ask("!long"), "");
    assert.match(await t.ask("!learn full3 a", MOD), /^Learned/);
    assert.equal(await t.ask("!learn full4 b", MOD), "This room has 3 factoids, the most it may have. Forget one first.");
    assert.match(await t.ask("!forget full3", MOD), /^Forgot !full3\. It said:\na$/);
  });

  it("refuses !learn and !forget to people who do not manage the room", async () => {
    assert.equal(await t.ask("!learn mine hi"), "Only room managers (moderators) can use !learn here.");
    assert.equal(await t.ask("!forget flakes"), "Only room managers (moderators) can use !forget here.");
    assert.match(await t.ask("!flakes"), /^Read this first/);
  });

  it("lists by use, marks the defaults, and shows one factoid's details", async () => {
    for (let i = 0; i < 3; i++) await t.ask("!xy");
    const list = await t.ask("!facts");
    const names = [...list.matchAll(/^• (\S+)/gm)].map((m) => m[1]);
    // flakes: 7 calls so far; xy: 3; quote: 1; ask: none (default)
    assert.deepEqual(names, ["flakes", "xy", "quote", "ask"]);
    assert.match(list, /^• xy · used 3 times · default$/m);
    assert.match(list, /^• ask · not used yet · default$/m);
    const one = await t.ask("!facts flakes");
    assert.match(one, /^!flakes: set by mod on \d{4}-\d\d-\d\d, used 8 times\. It says:\nRead this first/);
    assert.match(await t.ask("!facts xy"), /^!xy: a default of this nixie \(from its configuration\), used 3 times/);
  });

  it("a setter's display name cannot ping the room from !facts <name>", async () => {
    await t.ask("!learn pingy Nothing to see.", { manager: true, user: "@room", room: "ping-room" });
    const one = await t.ask("!facts pingy", { room: "ping-room" });
    assert.match(one, /^!pingy: set by @\u2060room on /);
  });

  it("lets a room override a default, and forgetting brings the default back", async () => {
    assert.equal(await t.ask("!learn xy Our own words.", MOD), "!xy now says this room's own text. The default said:\nAsk about your problem, not your solution: https://xyproblem.info");
    assert.equal(await t.ask("!xy"), "Our own words.");
    assert.equal(await t.ask("!xy", { room: "room2" }), "Ask about your problem, not your solution: https://xyproblem.info");
    assert.doesNotMatch(await t.ask("!facts"), /^• xy .*default/m);
    assert.equal(await t.ask("!forget xy", MOD), "Forgot !xy. The default text applies again. It said:\nOur own words.");
    assert.match(await t.ask("!xy"), /^Ask about your problem/);
    assert.match(await t.ask("!forget ask", MOD), /is one of this nixie's defaults/);
  });

  it("gives one 'did you mean' for a near miss of a factoid or a command, silence otherwise", async () => {
    assert.equal(await t.ask("!flake"), "Unknown command !flake, did you mean !flakes?");
    assert.equal(await t.ask("!lern"), "Unknown command !lern, did you mean !learn?");
    assert.equal(await t.ask("!zzzzzz"), "");
    // another room does not know this room's factoids
    assert.equal(await t.ask("!flakes", { room: "room2" }), "");
  });

  it("in a direct message: defaults only, and no definitions", async () => {
    const dm: SayOptions = { room: "dm1", direct: true, manager: true };
    assert.equal(await t.ask("!learn mine hi", dm), "!learn works in rooms, not in direct messages.");
    assert.equal(await t.ask("!forget xy", dm), "!forget works in rooms, not in direct messages.");
    assert.match(await t.ask("!xy", dm), /^Ask about your problem/);
    assert.doesNotMatch(await t.ask("!facts", dm), /flakes/);
  });

  it("counts calls for the rate limit", async () => {
    const events: string[] = [];
    const limited = await startTestBot({ NIXIE_STORE_URL: `sqlite://${join(dir, "limited.sqlite")}` }, { onCommand: (e) => events.push(`${e.command}:${e.outcome}`) });
    try {
      assert.match(await limited.ask("!learn hi Hello!", { manager: true, user: "m" }), /^Learned/);
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) answers.push(await limited.ask("!hi"));
      // burst 6 per person and room (default config), then one notice, then silence
      assert.deepEqual(answers.slice(0, 6), Array(6).fill("Hello!"));
      assert.match(answers[6]!, /^Slow down, please/);
      assert.equal(answers[7], "");
      assert.ok(events.includes("fact:rate-limited"));
    } finally {
      await limited.stop();
    }
  });

  it("keeps everything across a restart", async () => {
    assert.match(await t.ask("!learn flakes Changed before the restart.", MOD), /^Changed !flakes/);
    await t.stop();
    t = await startTestBot(env);
    assert.equal(await t.ask("!flakes"), "Changed before the restart.");
    assert.match(await t.ask("!facts flakes"), /used 9 times, 1 earlier version kept/);
    assert.match(await t.ask("!learn --undo flakes", MOD), /^!flakes is back to its previous text:\nRead this first/);
    assert.equal(await t.ask("!quote"), 'He said "do not   ask" --twice\nthen left');
  });
});
