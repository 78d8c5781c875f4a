import assert from "node:assert/strict";
import { channelName, indexIdOf, parsePkgFeed, pkgFeedName, whyNotPkgFeed } from "../../src/pkg-feed/names.js";
import { eventTitle, versionText } from "../../src/pkg-feed/format.js";
import { newestStable } from "../../src/pkg-feed/service.js";
import { applyAnswer, emptyDoc, EVENT_KEEP_MS, failChannel, MAX_EVENTS, prune, type PkgDoc } from "../../src/pkg-feed/versions.js";

describe("package feed names", () => {
  it("parses pkg:<attr> and pkg:<attr>@<channel>, keeping the attribute's case and canonicalising the channel", () => {
    assert.deepEqual(parsePkgFeed("pkg:hyprland"), { attr: "hyprland", channel: undefined });
    assert.deepEqual(parsePkgFeed(" PKG:python313Packages.requests "), { attr: "python313Packages.requests", channel: undefined });
    assert.deepEqual(parsePkgFeed("pkg:hyprland@unstable"), { attr: "hyprland", channel: "nixos-unstable" });
    assert.deepEqual(parsePkgFeed("pkg:hyprland@26.05"), { attr: "hyprland", channel: "nixos-26.05" });
    assert.deepEqual(parsePkgFeed("pkg:gtk+3@NIXOS-26.05"), { attr: "gtk+3", channel: "nixos-26.05" });
    assert.equal(pkgFeedName({ attr: "hyprland", channel: "nixos-unstable" }), "pkg:hyprland@nixos-unstable");
    assert.equal(pkgFeedName({ attr: "hyprland", channel: undefined }), "pkg:hyprland");
  });

  it("refuses anything but a plain attribute path of at most 200 characters, saying why", () => {
    for (const bad of ["pkg:", "pkg:a b", "pkg:a..b", "pkg:.a", "pkg:a.", "pkg:a/b", 'pkg:a"', "pkg:a*", "pkg:ü", `pkg:${"a".repeat(201)}`, "pkg:a@", "pkg:a@b c", "pkg:a@x@y"]) {
      assert.equal(parsePkgFeed(bad), undefined, bad);
      assert.ok(whyNotPkgFeed(bad), bad);
    }
    assert.ok(parsePkgFeed(`pkg:${"a".repeat(200)}`));
    assert.match(whyNotPkgFeed(`pkg:${"a".repeat(201)}`)!, /at most 200 characters/);
    assert.match(whyNotPkgFeed("pkg:a@b c")!, /After @ comes a channel/);
    assert.equal(whyNotPkgFeed("announcements"), undefined);
    assert.equal(whyNotPkgFeed("pkg:fine"), undefined);
  });

  it("maps channel names to the search index's ids, and only nixos- channels", () => {
    assert.equal(indexIdOf("nixos-unstable"), "unstable");
    assert.equal(indexIdOf("nixos-26.05"), "26.05");
    assert.equal(indexIdOf("nixpkgs-unstable"), undefined);
    assert.equal(indexIdOf("nixos-26.05-small"), undefined);
    assert.equal(channelName("26.11"), "nixos-26.11");
    assert.equal(channelName("../x"), undefined);
  });

  it("picks the newest current stable release from the channel status", () => {
    const ch = (name: string, current: boolean, status?: string): { name: string; current: boolean; status?: string } => ({ name, current, ...(status ? { status } : {}) });
    assert.equal(newestStable([ch("nixos-25.11", false, "unmaintained"), ch("nixos-26.05", true, "stable"), ch("nixos-unstable", true, "rolling")]), "nixos-26.05");
    assert.equal(newestStable([ch("nixos-26.05", true, "stable"), ch("nixos-26.11", true, "beta")]), "nixos-26.05", "a beta is not stable yet");
    assert.equal(newestStable([ch("nixos-26.05", true, "stable"), ch("nixos-26.11", true, "stable"), ch("nixos-26.11-small", true, "stable")]), "nixos-26.11");
    assert.equal(newestStable([ch("nixos-26.05", true), ch("nixos-25.11", true)]), "nixos-26.05", "the mirror's snapshot has no status");
    assert.equal(newestStable([ch("nixos-unstable", true, "rolling")]), undefined);
  });
});

describe("package feed versions", () => {
  const watched = (...a: string[]): Set<string> => new Set(a);
  const answer = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

  it("records first sight silently, then one event per change, with ids that never repeat (a revert is new)", () => {
    let doc: PkgDoc = emptyDoc();
    let r = applyAnswer(doc, "nixos-unstable", watched("hello", "gone"), answer({ hello: "2.12.1" }), 1);
    assert.deepEqual(r.events, []);
    assert.deepEqual(r.doc.channels["nixos-unstable"]!.versions, { gone: null, hello: "2.12.1" });
    doc = r.doc;
    const ids: string[] = [];
    for (const v of ["2.12.2", "2.12.1", "2.12.2"]) {
      r = applyAnswer(doc, "nixos-unstable", watched("hello", "gone"), answer({ hello: v }), 2);
      assert.equal(r.events.length, 1);
      ids.push(r.events[0]!.id);
      doc = r.doc;
    }
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual(ids, ["nixos-unstable:hello:1", "nixos-unstable:hello:2", "nixos-unstable:hello:3"]);
    r = applyAnswer(doc, "nixos-unstable", watched("hello", "gone"), answer({ hello: "2.12.2", gone: "1.0" }), 3);
    assert.deepEqual(
      r.events.map((e) => [e.attr, e.from, e.to]),
      [["gone", null, "1.0"]],
    );
  });

  it("forgets attributes no longer watched; a newly watched one starts silent", () => {
    const first = applyAnswer(emptyDoc(), "c", watched("a", "b"), answer({ a: "1", b: "1" }), 1).doc;
    const r = applyAnswer(first, "c", watched("b", "new"), answer({ b: "1", new: "1" }), 2);
    assert.deepEqual(r.events, []);
    assert.deepEqual(Object.keys(r.doc.channels["c"]!.versions).sort(), ["b", "new"]);
  });

  it("an answer with none of the packages the channel had is a failure, not mass removal", () => {
    const first = applyAnswer(emptyDoc(), "c", watched("a", "b", "c"), answer({ a: "1", b: "1", c: "1" }), 1).doc;
    const r = applyAnswer(first, "c", watched("a", "b", "c"), answer({}), 2);
    assert.deepEqual(r.events, []);
    assert.equal(r.doc.channels["c"]!.failures, 1);
    assert.deepEqual(r.doc.channels["c"]!.versions, first.channels["c"]!.versions);
  });

  it("a failure keeps what was known and counts; success clears it", () => {
    let doc = applyAnswer(emptyDoc(), "c", watched("a"), answer({ a: "1" }), 1).doc;
    doc = failChannel(failChannel(doc, "c", "HTTP 500", 2), "c", "HTTP 502", 3);
    assert.equal(doc.channels["c"]!.failures, 2);
    assert.equal(doc.channels["c"]!.failingSince, 2);
    assert.equal(doc.channels["c"]!.lastError, "HTTP 502");
    assert.equal(doc.channels["c"]!.versions["a"], "1");
    doc = applyAnswer(doc, "c", watched("a"), answer({ a: "1" }), 4).doc;
    assert.equal(doc.channels["c"]!.failures, undefined);
  });

  it("prune drops unfollowed channels and bounds the event log by age and count", () => {
    let doc = applyAnswer(emptyDoc(), "x", watched("a"), answer({ a: "1" }), 0).doc;
    doc = applyAnswer(doc, "y", watched("a"), answer({ a: "1" }), 0).doc;
    doc = applyAnswer(doc, "x", watched("a"), answer({ a: "2" }), 0).doc;
    const later = prune(doc, new Set(["y"]), EVENT_KEEP_MS + 1);
    assert.deepEqual(Object.keys(later.channels), ["y"]);
    assert.equal(later.events.length, 0);
    const many: PkgDoc = { ...doc, events: Array.from({ length: MAX_EVENTS + 5 }, (_, i) => ({ id: `x:a:${i}`, channel: "x", attr: "a", from: "1", to: "2", at: 0 })) };
    const bounded = prune(many, new Set(["x"]), 0);
    assert.equal(bounded.events.length, MAX_EVENTS);
    assert.equal(bounded.events[0]!.id, "x:a:5", "the oldest go");
  });

  it("post titles: change, removal, arrival; upstream versions are cleaned and bounded", () => {
    assert.equal(eventTitle({ attr: "hyprland", channel: "nixos-unstable", from: "0.52.1", to: "0.53.0" }), "hyprland 0.52.1 → 0.53.0 in nixos-unstable");
    assert.equal(eventTitle({ attr: "hyprland", channel: "nixos-26.05", from: "0.52.1", to: null }), "hyprland is no longer in nixos-26.05");
    assert.equal(eventTitle({ attr: "hyprland", channel: "nixos-26.05", from: null, to: "0.53.0" }), "hyprland is now in nixos-26.05 (version 0.53.0)");
    assert.equal(eventTitle({ attr: "x", channel: "c", from: "", to: "1" }), "x (no version) → 1 in c");
    assert.equal(versionText("1.0\u0000\n\u001b[31m"), "1.0[31m");
    assert.equal([...versionText("9".repeat(500))].length, 64);
  });
});
