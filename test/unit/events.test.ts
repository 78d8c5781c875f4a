import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/core/errors.js";
import { loadCuratedEvents, parseCuratedEvents } from "../../src/events/curated.js";
import { eventDates, howSoon } from "../../src/events/format.js";
import { mergeEvents, upcomingEvents } from "../../src/events/merge.js";
import { zonedInstant } from "../../src/events/time.js";
import type { CommunityEvent } from "../../src/events/types.js";
import { eventTimesFromHtml, placeFromHtml } from "../../src/upstream/discourse.js";
import { parseFeed } from "../../src/upstream/feeds.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const ROOT = join(import.meta.dirname, "..", "..");
const iso = (d: Date | undefined): string | undefined => d?.toISOString();

function ev(name: string, start: string, end: string, extra: Partial<CommunityEvent> = {}): CommunityEvent {
  return { name, start: new Date(start), end: new Date(end), allDay: false, url: `https://discourse.nixos.org/t/x/${name.length}`, tags: [], source: "category", ...extra };
}

describe("events: time zones", () => {
  it("turns wall-clock times in a zone into instants, across daylight saving time", () => {
    assert.equal(iso(zonedInstant("2026-11-28", "10:00:00", "Europe/Zurich")), "2026-11-28T09:00:00.000Z");
    assert.equal(iso(zonedInstant("2026-07-01", "10:00", "Europe/Zurich")), "2026-07-01T08:00:00.000Z");
    assert.equal(iso(zonedInstant("2027-02-22", undefined, "Asia/Bangkok")), "2027-02-21T17:00:00.000Z");
    assert.equal(iso(zonedInstant("2026-03-29", "03:30", "Europe/Berlin")), "2026-03-29T01:30:00.000Z");
    assert.equal(iso(zonedInstant("2026-12-01", "12:00", undefined)), "2026-12-01T12:00:00.000Z");
    assert.equal(iso(zonedInstant("2026-12-01", "12:00", "Not/AZone")), "2026-12-01T12:00:00.000Z");
    assert.equal(zonedInstant("tomorrow", undefined, "UTC"), undefined);
  });
});

describe("events: dates in Discourse posts", () => {
  let items: Awaited<ReturnType<typeof parseFeed>>["items"];
  before(async () => {
    items = (await parseFeed(readFileSync(join(FIXTURES, "discourse-events.rss"), "utf8"), "d")).items;
  });
  const byTitle = (t: string) => items.find((i) => i.title?.startsWith(t))!;

  it("reads a timed range of local-date spans in their time zone", () => {
    const r = eventTimesFromHtml(byTitle("Zero Hydra").html!)!;
    assert.equal(iso(r.start), "2026-11-28T09:00:00.000Z");
    assert.equal(iso(r.end), "2026-11-28T17:00:00.000Z");
    assert.equal(r.allDay, false);
  });

  it("reads whole-day ranges, the last day included", () => {
    const r = eventTimesFromHtml(byTitle("Thaiger").html!)!;
    assert.equal(r.allDay, true);
    assert.equal(r.startDate, "2027-02-22");
    assert.equal(r.endDate, "2027-02-28");
    assert.equal(iso(r.start), "2027-02-21T17:00:00.000Z");
    assert.equal(iso(r.end), "2027-02-28T17:00:00.000Z");
  });

  it("reads a post-event block", () => {
    const r = eventTimesFromHtml(byTitle("Nix meetup Berlin").html!)!;
    assert.equal(iso(r.start), "2026-12-10T18:00:00.000Z");
    assert.equal(iso(r.end), "2026-12-10T21:00:00.000Z");
  });

  it("finds no event in a post without dates", () => {
    assert.equal(eventTimesFromHtml(byTitle("NixCon 2026").html!), undefined);
  });

  it("gives a single timed date a default length", () => {
    const r = eventTimesFromHtml('<p><span class="discourse-local-date" data-date="2026-12-01" data-time="18:00:00" data-timezone="UTC">x</span></p>')!;
    assert.equal(iso(r.start), "2026-12-01T18:00:00.000Z");
    assert.equal(iso(r.end), "2026-12-01T21:00:00.000Z");
  });

  it("reads the place from a Where: or Location: line", () => {
    assert.equal(placeFromHtml(byTitle("Thaiger").html!), "Koh Phangan, Thailand");
    assert.equal(placeFromHtml(byTitle("Zero Hydra").html!), "OST campus Rapperswil-Jona");
    assert.equal(placeFromHtml(byTitle("Ocean Sprint").html!), undefined);
  });
});

describe("events: curated list", () => {
  it("loads the shipped config/events.json, each entry citing its announcement", () => {
    const list = loadCuratedEvents(join(ROOT, "config", "events.json"));
    assert.ok(list.length >= 1);
    for (const e of list) assert.match(e.url, /^https:\/\//);
    const nixcon = list.find((e) => e.name === "NixCon 2025")!;
    assert.equal(nixcon.startDate, "2025-09-05");
    assert.equal(nixcon.endDate, "2025-09-07");
    assert.equal(iso(nixcon.start), "2025-09-04T22:00:00.000Z");
  });

  it("reads timed entries in their zone", () => {
    const [e] = parseCuratedEvents({ events: [{ name: "A", start: "2026-12-12T09:00", end: "2026-12-12T17:00", timezone: "Europe/Zurich", url: "https://a/t/a/1" }] }, "f");
    assert.equal(iso(e!.start), "2026-12-12T08:00:00.000Z");
    assert.equal(e!.allDay, false);
  });

  it("names the entry and field that are wrong", () => {
    const bad = (events: unknown[], re: RegExp) =>
      assert.throws(
        () => parseCuratedEvents({ events }, "events.json"),
        (e: unknown) => e instanceof ConfigError && re.test(e.message),
      );
    bad([{ start: "2026-01-01", url: "https://a" }], /events\[0\]\.name must be a non-empty string/);
    bad([{ name: "A", start: "2026-01-05", end: "2026-01-01", url: "https://a" }], /events\[0\]: start and end/);
    bad([{ name: "A", start: "soon", url: "https://a" }], /events\[0\]: start and end/);
    bad([{ name: "A", start: "2026-01-01", url: "javascript:alert(1)" }], /events\[0\]\.url must be an http\(s\) URL/);
    bad([{ name: "A", start: "2026-01-01", url: "https://a", timezone: "Mars/Base" }], /timezone/);
    assert.throws(() => parseCuratedEvents([], "f"), /must hold \{"events": \[\.\.\.\]\}/);
  });

  it("refuses a missing file in one line instead of losing the curated events", () => {
    assert.throws(
      () => loadCuratedEvents(join(FIXTURES, "no-such-events.json")),
      (e: unknown) => e instanceof ConfigError && /^events file .*no-such-events\.json \(events\.file\) does not exist$/.test(e.message),
    );
  });
});

describe("events: merging and choosing", () => {
  it("keeps one entry per topic or per name and day; the first source wins, later ones fill the place", () => {
    const curated = [ev("Ocean Sprint 2026", "2026-12-07T00:00:00Z", "2026-12-12T00:00:00Z", { url: "https://discourse.nixos.org/t/ocean-sprint-2026/73544", source: "curated" })];
    const fromDiscourse = [
      ev("Ocean Sprint 2026 (Lanzarote)", "2026-12-07T00:00:00Z", "2026-12-11T23:00:00Z", { url: "https://d/t/ocean-sprint-2026/73544", place: "Lanzarote" }),
      ev("Nix meetup", "2026-12-10T18:00:00Z", "2026-12-10T21:00:00Z", { url: "https://d/t/a/1" }),
      ev("nix Meetup!", "2026-12-10T19:00:00Z", "2026-12-10T21:00:00Z", { url: "https://other.example/meetup" }),
    ];
    const merged = mergeEvents([curated, fromDiscourse]);
    assert.deepEqual(
      merged.map((e) => [e.name, e.place, e.source]),
      [
        ["Ocean Sprint 2026", "Lanzarote", "curated"],
        ["Nix meetup", undefined, "category"],
      ],
    );
  });

  it("hides what is over, keeps what is happening, sorts by start, filters by every word", () => {
    const now = new Date("2026-12-08T12:00:00Z");
    const list = [
      ev("Thaiger Sprint 2027", "2027-02-21T17:00:00Z", "2027-02-28T17:00:00Z", { place: "Thailand", tags: ["sprint"] }),
      ev("ZHF hackathon", "2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z"),
      ev("Ocean Sprint 2026", "2026-12-07T00:00:00Z", "2026-12-12T00:00:00Z"),
      ev("Nix meetup Berlin", "2026-12-10T18:00:00Z", "2026-12-10T21:00:00Z"),
    ];
    assert.deepEqual(
      upcomingEvents(list, now, undefined, 5).map((e) => e.name),
      ["Ocean Sprint 2026", "Nix meetup Berlin", "Thaiger Sprint 2027"],
    );
    assert.deepEqual(
      upcomingEvents(list, now, undefined, 2).map((e) => e.name),
      ["Ocean Sprint 2026", "Nix meetup Berlin"],
    );
    assert.deepEqual(
      upcomingEvents(list, now, "SPRINT", 5).map((e) => e.name),
      ["Ocean Sprint 2026", "Thaiger Sprint 2027"],
    );
    assert.deepEqual(
      upcomingEvents(list, now, "sprint thailand", 5).map((e) => e.name),
      ["Thaiger Sprint 2027"],
    );
    assert.deepEqual(upcomingEvents(list, now, "zhf", 5), []);
    // Exactly at the end: over.
    assert.deepEqual(upcomingEvents(list, new Date("2026-12-12T00:00:00Z"), "ocean", 5), []);
  });
});

describe("events: formatting", () => {
  it("writes dates in UTC, or the announced days for whole-day events", () => {
    assert.equal(eventDates(ev("a", "2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z")), "28 Nov 2026, 09:00–17:00 UTC");
    assert.equal(eventDates(ev("a", "2026-12-31T22:00:00Z", "2027-01-01T02:00:00Z")), "31 Dec 2026 22:00 UTC – 1 Jan 2027 02:00 UTC");
    const days = (s: string, e: string) => ev("a", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", { allDay: true, startDate: s, endDate: e });
    assert.equal(eventDates(days("2026-12-07", "2026-12-11")), "7–11 Dec 2026");
    assert.equal(eventDates(days("2026-12-30", "2027-01-02")), "30 Dec 2026 – 2 Jan 2027");
    assert.equal(eventDates(days("2026-12-07", "2026-12-07")), "7 Dec 2026");
  });

  it("says how soon", () => {
    const e = ev("a", "2026-12-07T12:00:00Z", "2026-12-08T00:00:00Z");
    assert.equal(howSoon(e, new Date("2026-11-25T12:00:00Z")), "in 12 days");
    assert.equal(howSoon(e, new Date("2026-12-06T11:00:00Z")), "in 1 day");
    assert.equal(howSoon(e, new Date("2026-12-07T07:00:00Z")), "in 5 hours");
    assert.equal(howSoon(e, new Date("2026-12-07T11:40:00Z")), "in 20 minutes");
    assert.equal(howSoon(e, new Date("2026-12-07T11:59:00Z")), "in 1 minute");
    assert.equal(howSoon(e, new Date("2026-12-07T11:59:30Z")), "in 1 minute");
    assert.equal(howSoon(e, new Date("2026-12-07T13:00:00Z")), "happening now");
    // Calendar days in UTC (issue 20, item 10): 61 hours before, but three dates ahead.
    const tenth = ev("b", "2026-12-10T09:00:00Z", "2026-12-10T17:00:00Z");
    assert.equal(howSoon(tenth, new Date("2026-12-07T20:00:00Z")), "in 3 days");
    assert.equal(howSoon(tenth, new Date("2026-12-08T23:30:00Z")), "in 2 days");
    assert.equal(howSoon(tenth, new Date("2026-12-09T08:00:00Z")), "in 1 day");
  });
});
