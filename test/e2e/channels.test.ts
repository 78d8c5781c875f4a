// !channels and the channel feeds end to end against a real Prometheus (Debian's 2.42), started by
// test/e2e/servers/prometheus.sh and scraping, every second, the exporter this test runs: the
// channel exporter's metrics (NixOS/infra channel-exporter.py: channel_revision with its labels,
// channel_update_time, channel_current) and Hydra's per-job metrics (hydra_job_failed).
// Run: NIXIE_E2E_SERVERS=prometheus npm run test:e2e -- test/e2e/channels.test.ts
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestBot, type SentMessage, type TestBot } from "../helpers/test-bot.js";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite through npm run test:e2e, which starts Prometheus`);
  return v;
}

interface ExportedChannel {
  revision: string;
  /** Unix seconds. */
  updateTime: number;
  status: string;
  variant: string;
  current: boolean;
  /** Hydra job "project/jobset/job" and whether its last build failed. */
  job?: { path: string; failed: boolean };
}

const HOUR = 3600;
const DAY = 24 * HOUR;
const now = (): number => Math.floor(Date.now() / 1000);
const REV = {
  unstable: "0123456789abcdef0123456789abcdef01234567",
  unstable2: "abcdef0123456789abcdef0123456789abcdef01",
  stable: "fedcba9876543210fedcba9876543210fedcba98",
  stable2: "1111111111222222222233333333334444444444",
  nixpkgs: "89abcdef0123456789abcdef0123456789abcdef",
  old: "00112233445566778899aabbccddeeff00112233",
};

/** Label values are escaped as the text format wants. */
const esc = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>): string =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(",")}}`;

/** The channel exporter's /metrics in the Prometheus text format (prometheus_client's layout). */
function channelMetrics(channels: Map<string, ExportedChannel>): string {
  const out = ["# HELP channel_revision Channel revision", "# TYPE channel_revision gauge"];
  for (const [name, c] of channels) out.push(`channel_revision${labels({ channel: name, revision: c.revision, status: c.status, variant: c.variant, current: c.current ? "1" : "0" })} 1.0`);
  out.push("# HELP channel_update_time Channel update time", "# TYPE channel_update_time gauge");
  for (const [name, c] of channels) out.push(`channel_update_time${labels({ channel: name })} ${c.updateTime.toExponential()}`);
  out.push("# HELP channel_current Channel is current", "# TYPE channel_current gauge");
  for (const [name, c] of channels) out.push(`channel_current${labels({ channel: name })} ${c.current ? "1.0" : "0.0"}`);
  return out.join("\n") + "\n";
}

/** Hydra's /job/<project>/<jobset>/<job>/prometheus. */
function hydraMetrics(path: string, failed: boolean): string {
  const [project, jobset, job] = path.split("/") as [string, string, string];
  const l = labels({ project, jobset, job });
  return [
    "# HELP hydra_job_completion_time The most recent job's completion time",
    "# TYPE hydra_job_completion_time counter",
    `hydra_job_completion_time${l} ${now() - HOUR}`,
    "# HELP hydra_job_failed Record if the most recent version of this job failed (1 means failed)",
    "# TYPE hydra_job_failed gauge",
    `hydra_job_failed${l} ${failed ? 1 : 0}`,
    "",
  ].join("\n");
}

describe("channels against a real Prometheus", function () {
  this.timeout(120_000);
  let prometheus: string;
  let exporter: Server;
  let dir: string;
  let t: TestBot | undefined;
  const channels = new Map<string, ExportedChannel>();

  const sentTo = (room: string): SentMessage[] => t!.adapter.sent.filter((m) => m.room.id === room);
  async function bot(): Promise<TestBot> {
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ feeds: { sendPaceMs: 0 }, rateLimit: { burst: 1000, perMinute: 10000 }, channels: { cacheSeconds: 0 } }));
    return startTestBot({
      NIXIE_PROMETHEUS_URL: prometheus,
      // The fallback must not be what answers here: nothing listens there.
      NIXIE_CHANNELS_URL: "http://127.0.0.1:9/",
      NIXIE_FEEDS_CRON: "0 0 1 1 *",
      NIXIE_CONFIG: config,
      NIXIE_STORE_URL: `sqlite://${join(dir, "nixie.sqlite")}`,
    });
  }

  /** Waits until Prometheus has scraped the exporter's current values (asked directly, not through nixie). */
  async function scraped(): Promise<void> {
    const want = [...channels].map(([name, c]) => `${name}@${c.revision}@${c.updateTime}`).sort();
    const jobs = [...channels]
      .filter(([, c]) => c.job)
      .map(([name, c]) => `${name}=${c.job!.failed ? 1 : 0}`)
      .sort();
    const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [revs, times, failed] = await Promise.all([query("channel_revision"), query("channel_update_time"), query("hydra_job_failed")]);
      const time = new Map(times.map((r) => [r.metric["channel"], Number(r.value[1])]));
      const got = revs.map((r) => `${r.metric["channel"]}@${r.metric["revision"]}@${time.get(r.metric["channel"])}`).sort();
      const gotJobs = failed.map((r) => `${r.metric["channel"]}=${r.value[1]}`).sort();
      if (JSON.stringify(got) === JSON.stringify(want) && JSON.stringify(gotJobs) === JSON.stringify(jobs)) return;
      if (Date.now() > deadline) assert.fail(`Prometheus did not scrape the new values: ${got.join(", ")} / ${gotJobs.join(", ")}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async () => {
    prometheus = required("NIXIE_E2E_PROMETHEUS_URL");
    const port = Number(required("NIXIE_E2E_EXPORTER_PORT"));
    dir = mkdtempSync(join(tmpdir(), "nixie-e2e-channels-"));
    const t0 = now();
    channels.set("nixos-25.11", { revision: REV.old, updateTime: t0 - 200 * DAY, status: "unmaintained", variant: "primary", current: false });
    channels.set("nixos-26.05", { revision: REV.stable, updateTime: t0 - 5 * DAY, status: "stable", variant: "primary", current: true, job: { path: "nixos/release-26.05/tested", failed: false } });
    channels.set("nixos-unstable", { revision: REV.unstable, updateTime: t0 - 14 * HOUR, status: "rolling", variant: "primary", current: true, job: { path: "nixos/unstable/tested", failed: true } });
    // The real exporter sets variant="" here; Prometheus drops the empty label.
    channels.set("nixpkgs-unstable", { revision: REV.nixpkgs, updateTime: t0 - 12 * DAY, status: "rolling", variant: "", current: true });
    exporter = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const job = /^\/job\/(.+)\/prometheus$/.exec(url.pathname)?.[1];
      const c = job ? [...channels.values()].find((x) => x.job?.path === job) : undefined;
      const body = url.pathname === "/metrics" ? channelMetrics(channels) : c ? hydraMetrics(job!, c.job!.failed) : undefined;
      if (body === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(body);
    });
    await new Promise<void>((r) => exporter.listen(port, "127.0.0.1", r));
    await scraped();
    t = await bot();
  });
  after(async () => {
    await t?.stop();
    exporter?.closeAllConnections();
    await new Promise((r) => exporter?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("Prometheus keeps the real exporter's labels: exported_job, no empty variant", async () => {
    const res = await fetch(`${prometheus}/api/v1/query?query=hydra_job_failed`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
    const unstable = body.data.result.find((r) => r.metric["channel"] === "nixos-unstable")!;
    assert.equal(unstable.metric["exported_job"], "tested");
    assert.equal(unstable.metric["job"], "channel-job-nixos-unstable");
    const revs = (await (await fetch(`${prometheus}/api/v1/query?query=channel_revision`)).json()) as typeof body;
    assert.equal(revs.data.result.find((r) => r.metric["channel"] === "nixpkgs-unstable")!.metric["variant"], undefined);
  });

  it("!channels: every current channel with revision, age, status and Hydra job", async () => {
    const text = (await t!.ask("!channels")).replace(/ <https?:\/\/[^>\s]+>/g, "");
    assert.match(text, /nixos-unstable: 0123456 · 14 h ago · fine · Hydra job failing/);
    assert.match(text, /nixos-26\.05: fedcba9 · 5 d ago · late · Hydra job passing/);
    assert.match(text, /nixpkgs-unstable: 89abcde · 12 d ago · stuck · Hydra job unknown/);
    assert.doesNotMatch(text, /nixos-25\.11/);
    assert.doesNotMatch(text, /Left out|channels\.nixos\.org/);
    const detail = await t!.ask("!channel nixos-unstable");
    assert.match(detail, /Hydra: nixos\/unstable\/tested <https:\/\/hydra\.nixos\.org\/job\/nixos\/unstable\/tested> · failing/);
  });

  it("an advance: one post per subscribed room, once, also after a restart", async () => {
    assert.match(await t!.ask("!subscribe channels", { room: "r1", manager: true }), /Subscribed/);
    assert.match(await t!.ask("!subscribe channels", { room: "r2", manager: true }), /Subscribed/);
    assert.match(await t!.ask("!subscribe channel:nixos-unstable", { room: "r3", manager: true }), /Subscribed/);
    await t!.bot.feeds.pollNow();
    assert.deepEqual(t!.adapter.sent, [], "no backfill, and nixpkgs-unstable (already stuck) gets no post");

    const c = channels.get("nixos-unstable")!;
    c.revision = REV.unstable2;
    c.updateTime += 13 * HOUR;
    await scraped();
    await t!.bot.feeds.pollNow();
    for (const room of ["r1", "r2", "r3"]) {
      assert.equal(sentTo(room).length, 1, room);
      assert.match(sentTo(room)[0]!.text, /nixos-unstable advanced: 0123456 → abcdef0, 13 h after the previous one/);
      assert.match(sentTo(room)[0]!.text, /compare\/0123456789abcdef0123456789abcdef01234567\.\.\.abcdef0123456789abcdef0123456789abcdef01/);
    }
    await t!.bot.feeds.pollNow();
    assert.equal(t!.adapter.sent.length, 3);
    await t!.stop();
    t = await bot();
    await t.bot.feeds.pollNow();
    assert.deepEqual(t.adapter.sent, []);
  });

  it("a stuck post, then a recovery post", async () => {
    const c = channels.get("nixos-26.05")!;
    c.updateTime = now() - 10 * DAY - 4 * HOUR;
    await scraped();
    await t!.bot.feeds.pollNow();
    await t!.bot.feeds.pollNow();
    for (const room of ["r1", "r2"]) {
      assert.equal(sentTo(room).length, 1, room);
      assert.match(sentTo(room)[0]!.text, /nixos-26\.05 is stuck: no update for 10 days \(still at fedcba9/);
    }
    c.revision = REV.stable2;
    c.updateTime += 10 * DAY + 3 * HOUR;
    await scraped();
    await t!.bot.feeds.pollNow();
    await t!.bot.feeds.pollNow();
    for (const room of ["r1", "r2"]) {
      assert.equal(sentTo(room).length, 2, room);
      assert.match(sentTo(room)[1]!.text, /nixos-26\.05 recovered after being stuck: fedcba9 → 1111111, 10 d 3 h after the previous one/);
    }
    assert.equal(sentTo("r3").length, 0);
    assert.match(await t!.ask("!feeds", { room: "r1" }), /`channels` — .* — 2 rooms \(this one too\) — last read just now/);
  });
});
