import assert from "node:assert/strict";
import { packageCard } from "../../commands/pkg.js";
import { cardBlock } from "../../src/core/reply.js";
import { embedLength, renderDiscord } from "../../src/render/discord.js";
import { renderPlain } from "../../src/render/plain.js";
import type { PackageHit } from "../../src/upstream/nixos-search.js";

const base: PackageHit = {
  attrName: "hello",
  pname: "hello",
  version: "2.12.2",
  description: "Program that produces a familiar, friendly greeting",
  homepages: ["https://www.gnu.org/software/hello/manual/"],
  programs: ["hello"],
  mainProgram: "hello",
  maintainers: [],
  teams: [],
  licenses: [],
  position: undefined,
};

describe("!pkg card", () => {
  it("names up to five maintainers, links GitHub handles, counts the rest, and links teams", () => {
    const hit: PackageHit = {
      ...base,
      maintainers: [
        ...["a", "b", "c", "d"].map((x) => ({ name: `Person ${x}`, github: `gh-${x}` })),
        { name: "No Handle", github: undefined },
        { name: "Person f", github: "gh-f" },
        { name: "Person g", github: "gh-g" },
      ],
      teams: [
        { name: "Mozilla", githubTeams: ["mozilla"] },
        { name: "Secret", githubTeams: [] },
      ],
      licenses: ["mit", "asl20"],
      position: "pkgs/by-name/he/hello/package.nix:30",
    };
    const text = renderPlain({ blocks: [cardBlock(packageCard(hit, "https://search.nixos.org/x", "https://github.com/NixOS/nixpkgs/blob/nixos-unstable/x#L30"))] });
    assert.match(text, /Maintainers: Person a <https:\/\/github\.com\/gh-a>, Person b <[^>]+>, Person c <[^>]+>, Person d <[^>]+>, No Handle, \+2 more$/m);
    assert.match(text, /Teams: Mozilla <https:\/\/github\.com\/orgs\/NixOS\/teams\/mozilla>, Secret$/m);
    assert.match(text, /Licenses: mit, asl20$/m);
    assert.match(text, /Source: pkgs\/by-name\/he\/hello\/package\.nix:30 <https:\/\/github\.com\/NixOS\/nixpkgs\/blob\/nixos-unstable\/x#L30>$/m);
  });

  it("shows no empty fields, and the position as code when it cannot be linked", () => {
    const text = renderPlain({ blocks: [cardBlock(packageCard({ ...base, position: "/nix/store/x/default.nix:3" }, "https://search.nixos.org/x", undefined))] });
    assert.doesNotMatch(text, /Maintainers|Team|License/);
    assert.match(text, /Source: `\/nix\/store\/x\/default\.nix:3`/);
  });

  it("stays within Discord's embed limits with huge maintainer lists, names and licenses, three cards at once", () => {
    const long = "x".repeat(500);
    const hit: PackageHit = {
      ...base,
      attrName: long,
      description: long.repeat(10),
      maintainers: Array.from({ length: 200 }, (_, i) => ({ name: `${long}${i}`, github: `user-${i}-${"y".repeat(30)}` })),
      teams: Array.from({ length: 50 }, (_, i) => ({ name: long, githubTeams: [`team-${i}`] })),
      licenses: Array.from({ length: 50 }, () => long),
      position: `${"pkgs/".repeat(300)}x.nix:1`,
    };
    const card = packageCard(hit, "https://search.nixos.org/x", "https://github.com/NixOS/nixpkgs/blob/nixos-unstable/x");
    const payload = renderDiscord({ blocks: [cardBlock(card), cardBlock(card), cardBlock(card)] });
    const total = payload.embeds.reduce((n, e) => n + embedLength(e), 0);
    assert.ok(total <= 6000, String(total));
    for (const e of payload.embeds) {
      assert.ok((e.title ?? "").length <= 256);
      for (const f of e.fields ?? []) assert.ok([...f.value].length <= 1024, `${f.name}: ${[...f.value].length}`);
    }
    const maintainers = (card.fields ?? []).find((f) => f.name === "Maintainers");
    assert.equal(maintainers?.value.filter((s) => s.kind === "link").length, 5);
    assert.match(maintainers?.value.at(-1)?.text ?? "", /\+195 more/);
    // a field value is never cut inside a link: each one fits Discord's 1024 on its own
    const discordCard = renderDiscord({ blocks: [cardBlock(card)] }).embeds[0]!;
    for (const f of discordCard.fields ?? []) assert.ok(!f.value.endsWith("…"), `${f.name} was cut: ${f.value.slice(-80)}`);
  });
});
