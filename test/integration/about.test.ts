// !about lists every upstream nixie talks to with its last status, and whether !eval is on
// (issue 20, item 9), from the upstream registry rather than a list of its own.
import assert from "node:assert/strict";
import { startFakeSearch, type FakeSearch } from "../helpers/fake-search.js";
import { startTestBot, type TestBot } from "../helpers/test-bot.js";
import { createUpstreamRegistry } from "../../src/upstream/registry.js";

describe("!about", () => {
  let fake: FakeSearch;
  let t: TestBot;
  before(async () => {
    fake = await startFakeSearch();
    // The wiki on a port where nothing listens: its requests fail without an answer.
    t = await startTestBot({ NIXIE_SEARCH_URL: fake.url, NIXIE_WIKI_API: "http://127.0.0.1:7/w/api.php", NIXIE_GITHUB_API: "http://127.0.0.1:9" });
  });
  after(async () => {
    await t?.stop();
    await fake?.close();
  });

  it("lists every upstream with its last status, and says why !eval is off", async () => {
    const before = await t.ask("!about");
    for (const name of ["search.nixos.org", "wiki", "Discourse", "YouTube", "GitHub", "Prometheus", "channels mirror", "Noogle"]) {
      assert.match(before, new RegExp(`^• ${name} \\S+ \\(`, "m"), `${name} in ${before}`);
    }
    assert.match(before, /^• search\.nixos\.org http:\/\/127\.0\.0\.1:\d+ \(packages, options, programs\): not asked yet$/m);
    assert.match(before, /^ +!eval: off: eval\.enabled is off$/m);

    await t.ask("!pkg firefox", { user: "a" });
    await t.ask("!wiki flakes", { user: "b" });
    const after = await t.ask("!about", { user: "c" });
    assert.match(after, /^• search\.nixos\.org http:\/\/127\.0\.0\.1:\d+ \(packages, options, programs\): answered just now$/m);
    assert.match(after, /^• wiki http:\/\/127\.0\.0\.1:7 \(wiki pages\): failed just now \(no answer\)$/m);
    assert.match(after, /^• GitHub http:\/\/127\.0\.0\.1:9 \(pull requests\): not asked yet$/m);
  });

  it("a later upstream is listed by registering one entry, and its requests are matched by service name", () => {
    const r = createUpstreamRegistry();
    r.register({ name: "Hydra", purpose: "builds", url: "https://hydra.nixos.org" });
    r.register({ name: "Noogle", purpose: "functions", url: "https://noogle.dev/api", services: ["noogle"] });
    const at = new Date("2026-12-07T12:00:00Z");
    r.record({ service: "hydra.nixos.org", outcome: "error", status: 503, ms: 10 }, at);
    r.record({ service: "noogle", outcome: "ok", status: 200, ms: 10 }, at);
    r.record({ service: "noogle", outcome: "cache-hit", ms: 0 }, new Date(at.getTime() + 1000));
    r.record({ service: "elsewhere", outcome: "ok", status: 200, ms: 1 }, at);
    r.register({ name: "Hydra", purpose: "a name already taken", url: "https://example.org" });
    r.register({ name: "Hydra mirror", purpose: "the same host", url: "https://hydra.nixos.org/mirror" });
    r.record({ service: "hydra.nixos.org", outcome: "ok", status: 200, ms: 10 }, at);
    assert.deepEqual(
      r.list().map((u) => [u.entry.name, u.last]),
      [
        ["Hydra", { ok: true, status: 200, at }],
        ["Noogle", { ok: true, status: 200, at }],
        ["Hydra mirror", { ok: true, status: 200, at }],
      ],
    );
  });
});
