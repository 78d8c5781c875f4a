import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { decodeSnapshot } from "../../src/channels/snapshot.js";
import { ageText, intervalText, statusOf } from "../../src/channels/thresholds.js";
import { emptyTracker, track, type TrackerDoc } from "../../src/channels/history.js";
import type { ChannelSnapshot, ChannelInfo } from "../../src/channels/snapshot.js";
import { decodeVector } from "../../src/upstream/prometheus.js";
import { fixture } from "../helpers/fake-feeds.js";

const H = 3_600_000;
const D = 24 * H;
const body = (name: string): unknown => (JSON.parse(fixture(name)) as { body: unknown }).body;
const REV_A = "0123456789abcdef0123456789abcdef01234567";
const REV_B = "89abcdef0123456789abcdef0123456789abcdef";

describe("channels: status words and ages", () => {
  it("uses status.nixos.org's thresholds, measured exactly", () => {
    const now = Date.UTC(2026, 10, 30, 12);
    // status.nixos.org: fine under 3 days, late under 10, stuck from 10 (literals, not the code's constants)
    assert.equal(statusOf(now - 3 * D + 1, now), "fine");
    assert.equal(statusOf(now - 3 * D, now), "late");
    assert.equal(statusOf(now - 10 * D + 1, now), "late", "9 d 23 h 59 min 59.999 s is not stuck");
    assert.equal(statusOf(now - 10 * D, now), "stuck");
  });
  it("ages in hours under 2 days, in days beyond; intervals in days and hours", () => {
    const now = 1_000 * D;
    assert.equal(ageText(now - 14 * H - 59 * 60_000, now), "14 h ago");
    assert.equal(ageText(now - 2 * D + 1, now), "47 h ago");
    assert.equal(ageText(now - 2 * D, now), "2 d ago");
    assert.equal(ageText(now - 5 * D - 23 * H, now), "5 d ago");
    assert.equal(ageText(now - 10 * 60_000, now), "< 1 h ago");
    assert.equal(intervalText(2 * D + 4 * H + 59 * 60_000), "2 d 4 h");
    assert.equal(intervalText(13 * H), "13 h");
    assert.equal(intervalText(3 * D), "3 d");
    assert.equal(intervalText(35 * 60_000), "35 min");
  });
});

describe("channels: decoding the recorded Prometheus answers", () => {
  const now = 1796030787_000;
  it("reads the instant vectors (labels, value strings)", () => {
    const revs = decodeVector(body("prometheus-channel_revision.json"));
    assert.equal(revs.length, 4);
    assert.equal(revs[2]!.labels["revision"], REV_A);
    assert.equal(revs[3]!.labels["variant"], undefined, "empty labels vanish");
    assert.equal(revs[0]!.value, "1");
  });
  it("refuses bad_data, a range answer and a malformed sample, naming what is wrong", () => {
    assert.throws(() => decodeVector(body("prometheus-error-bad_data.json")), /^Error: bad_data: invalid parameter "query"/);
    assert.throws(() => decodeVector(body("prometheus-hydra_job_failed-range.json")), /not an instant vector/);
    assert.throws(() => decodeVector({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, 2] }] } }), /result 0: value is not/);
  });
  it("joins revision, update time and the Hydra job (exported_job); a time in the future is left out", () => {
    const snap = decodeSnapshot(
      {
        revisions: decodeVector(body("prometheus-channel_revision.json")),
        times: decodeVector(body("prometheus-channel_update_time.json")),
        jobs: decodeVector(body("prometheus-hydra_job_failed.json")),
      },
      now,
    );
    assert.deepEqual(
      snap.channels.map((c) => [c.name, c.current, c.updatedAt]),
      [
        ["nixos-25.11", false, 1780000000_000],
        ["nixos-26.05", true, 1795500000_000],
        ["nixos-unstable", true, 1796000000_000],
      ],
    );
    const unstable = snap.channels.find((c) => c.name === "nixos-unstable")!;
    assert.equal(unstable.hydraJob, "nixos/unstable/tested");
    assert.equal(unstable.jobFailed, false);
    // The recording's nixpkgs-unstable time (1796100000) is after the recording itself.
    assert.deepEqual(snap.problems, ["nixpkgs-unstable: its update time 2026-12-01T04:40:00.000Z is in the future"]);
  });
});

describe("channels: the tracker", () => {
  const ch = (name: string, revision: string, updatedAt: number, current = true): ChannelInfo => ({ name, revision, updatedAt, current });
  const snap = (...channels: ChannelInfo[]): ChannelSnapshot => ({ channels, problems: [], fetchedAt: 0, source: "prometheus" });
  let doc: TrackerDoc;
  const t0 = 1_000 * D;

  it("first sight makes no event, even for a stuck channel", () => {
    const r = track(emptyTracker(), snap(ch("a", REV_A, t0 - 11 * D), ch("b", REV_A, t0 - H)), t0);
    assert.deepEqual(r.events, []);
    assert.equal(r.doc.channels["a"]!.stuck, "seen");
    doc = r.doc;
  });
  it("an already stuck channel that advances is an ordinary advance, with its previous revision kept", () => {
    const r = track(doc, snap(ch("a", REV_B, t0 - H), ch("b", REV_A, t0 - H)), t0);
    assert.deepEqual(
      r.events.map((e) => [e.id, e.kind]),
      [["a@" + REV_B, "advance"]],
    );
    assert.deepEqual(r.doc.channels["a"]!.previous, { revision: REV_A, updatedAt: t0 - 11 * D });
    doc = r.doc;
  });
  it("crossing the threshold without a new revision: one stuck event, at the crossing time", () => {
    let r = track(doc, snap(ch("a", REV_B, t0 - H), ch("b", REV_A, t0 - H)), t0 + 10 * D - H - 1);
    assert.deepEqual(r.events, []);
    r = track(r.doc, snap(ch("a", REV_B, t0 - H), ch("b", REV_A, t0 - H)), t0 + 10 * D - H);
    assert.deepEqual(
      r.events.map((e) => [e.id, e.at]),
      [
        ["a@" + REV_B + ":stuck", t0 - H + 10 * D],
        ["b@" + REV_A + ":stuck", t0 - H + 10 * D],
      ],
    );
    r = track(r.doc, snap(ch("a", REV_B, t0 - H), ch("b", REV_A, t0 - H)), t0 + 20 * D);
    assert.deepEqual(r.events, [], "once");
    doc = r.doc;
  });
  it("disappearing is not stuck; advancing after stuck is a recovery; an older answer changes nothing", () => {
    let r = track(doc, snap(ch("a", REV_B, t0 - H)), t0 + 21 * D);
    assert.deepEqual(r.events, []);
    assert.equal(r.doc.channels["b"]!.missingSince, t0 + 21 * D);
    r = track(r.doc, snap(ch("a", REV_A, t0 - 2 * H)), t0 + 21 * D);
    assert.deepEqual(r.events, [], "a revision older than the known one");
    r = track(r.doc, snap(ch("a", REV_A, t0 + 21 * D)), t0 + 21 * D);
    assert.deepEqual(
      r.events.map((e) => [e.id, e.kind, e.from, e.to]),
      [["a@" + REV_A + ":recovered", "recovered", REV_B, REV_A]],
    );
  });
  it("a non-current channel gets no stuck event", () => {
    const first = track(emptyTracker(), snap(ch("old", REV_A, t0, false)), t0);
    assert.deepEqual(track(first.doc, snap(ch("old", REV_A, t0, false)), t0 + 11 * D).events, []);
  });
});

describe("channels: config", () => {
  const dir = mkdtempSync(join(tmpdir(), "nixie-channels-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (env: Record<string, string>, local?: object) => {
    const file = join(dir, "local.json");
    writeFileSync(file, JSON.stringify(local ?? {}));
    return loadConfig({ env: { NIXIE_CONFIG: file, ...env }, ignoreLocal: true });
  };
  it("reads NIXIE_PROMETHEUS_URL and NIXIE_CHANNELS_URL, with status.nixos.org's servers by default", () => {
    assert.equal(load({}).config.channels.prometheusUrl, "https://prometheus.nixos.org");
    assert.equal(load({}).config.channels.channelsUrl, "https://channels.nixos.org");
    const c = load({ NIXIE_PROMETHEUS_URL: "http://127.0.0.1:9090", NIXIE_CHANNELS_URL: "http://127.0.0.1:9091" }).config.channels;
    assert.equal(c.prometheusUrl, "http://127.0.0.1:9090");
    assert.equal(c.channelsUrl, "http://127.0.0.1:9091");
  });
  it("refuses a cache over 60 s, a bad URL, and an extra feed called channels", () => {
    assert.throws(() => load({}, { channels: { cacheSeconds: 61 } }), /channels\.cacheSeconds" must be a whole number from 0 to 60/);
    assert.throws(() => load({ NIXIE_PROMETHEUS_URL: "prometheus.nixos.org" }), /channels\.prometheusUrl" must be a URL/);
    assert.throws(() => load({}, { feeds: { extra: [{ name: "channels", title: "x", url: "https://a/x" }] } }), /feeds\.extra\[0\]\.name" must be a name not used by a built-in/);
  });
});
