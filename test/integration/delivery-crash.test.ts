// The outbox's crash test (test/helpers/delivery-crash.ts) for each feature that posts through it.
// A new scheduled feature adds itself here with one describeDeliveryCrash call (docs/delivery.md).
import { describeDeliveryCrash } from "../helpers/delivery-crash.js";
import { startFakeFeeds } from "../helpers/fake-feeds.js";
import { startFakeGitHub } from "../helpers/fake-github.js";
import { startFakeHydra, type FakeBuild } from "../helpers/fake-hydra.js";
import { recordedChannels, startFakePrometheus } from "../helpers/fake-prometheus.js";
import { startFakeSearch } from "../helpers/fake-search.js";

describeDeliveryCrash({
  name: "feeds",
  async start() {
    const fake = await startFakeFeeds();
    return {
      env: { NIXIE_DISCOURSE_URL: fake.url, NIXIE_NIXHOUR_FEED: fake.nixhourUrl },
      job: "feeds",
      follow: () => "!subscribe security",
      async next(n) {
        fake.addTopic("security", { id: 70_000 + n, title: `Advisory ${n}`, author: "security-team", category: "Security", html: `<p>Advisory ${n}.</p>` });
      },
      close: () => fake.close(),
    };
  },
});

describeDeliveryCrash({
  name: "PR tracking",
  async start() {
    const gh = await startFakeGitHub();
    const pr = 345_678;
    await gh.merge(pr, { title: "crash test", base: "master" });
    const branches = ["nixos-unstable-small", "nixos-unstable"];
    return {
      env: { NIXIE_GITHUB_API: gh.url, NIXIE_GITHUB_BUDGET: "1000000" },
      job: "tracking",
      follow: () => `!track ${pr}`,
      next: (n) => gh.advance(branches[n - 1]!, "master"),
      close: () => gh.close(),
    };
  },
});

describeDeliveryCrash({
  name: "channel feeds",
  async start() {
    const fake = await startFakePrometheus(recordedChannels().map((c) => ({ ...c, updateTime: Math.floor(Date.now() / 1000) - 10 * 3600 })));
    return {
      env: { NIXIE_PROMETHEUS_URL: fake.url, NIXIE_CHANNELS_URL: fake.mirrorUrl },
      // Every process asks Prometheus afresh (its answers are otherwise shared through the store).
      config: { channels: { cacheSeconds: 0 } },
      job: "feeds",
      follow: () => "!subscribe channels",
      async next(n) {
        const c = fake.channels.get("nixos-unstable")!;
        c.revision = `${String(n).repeat(8)}${"abcdef0123456789".repeat(2)}`;
        c.updateTime += 3600;
      },
      close: () => fake.close(),
    };
  },
});

describeDeliveryCrash({
  name: "Hydra feeds",
  async start() {
    const hydra = await startFakeHydra();
    const search = await startFakeSearch();
    const build = (id: number, buildstatus: number): FakeBuild => ({ id, nixname: "firefox-150.0", timestamp: 1795932000 + id, buildstatus });
    const job = ["nixpkgs/unstable", "firefox.x86_64-linux", "x86_64-linux"] as const;
    hydra.setBuilds(...job, [build(10, 0)]);
    return {
      env: { NIXIE_HYDRA_URL: hydra.url, NIXIE_SEARCH_URL: search.url },
      config: { hydra: { requestsPerSecond: 20 } },
      job: "hydra",
      follow: () => "!subscribe hydra:firefox",
      // It breaks, then it is fixed: two transitions, one post each.
      next: async (n) => hydra.setBuilds(...job, n === 1 ? [build(20, 1), build(10, 0)] : [build(30, 0), build(20, 1)]),
      async close() {
        await hydra.close();
        await search.close();
      },
    };
  },
});
