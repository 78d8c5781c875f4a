/**
 * !hydra's answer (a header with the jobset, one line per platform) and the `hydra:` feed posts
 * (broke / fixed). Every value from Hydra is text in the reply model; renderers escape it.
 */
import { upstreamSentence } from "../core/error-reply.js";
import { bold, cardBlock, code, link, listBlock, rich, type CardField, type Reply, type RichText, type Span } from "../core/reply.js";
import type { FeedDef } from "../feeds/feed-def.js";
import type { PostDetail, PostEntry } from "../feeds/state.js";
import { truncate } from "../render/text.js";
import type { Hydra, HydraBuild } from "../upstream/hydra.js";
import type { HydraEvent } from "./history.js";
import type { HydraTarget } from "./jobsets.js";
import type { DependencyInfo, PlatformReport } from "./lookup.js";
import { statusWords } from "./status.js";

/** "2026-11-24" from unix seconds. */
export const dateOf = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** The version part of a `nixname`, as Nix splits names: after the first dash not followed by a letter. */
export function versionOf(nixname: string): string | undefined {
  return /-(?![A-Za-z])(.+)$/.exec(nixname)?.[1];
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "failing since 2026-11-24 (3 failed builds)" or "failing for at least 10 builds, since before 2026-11-20". */
export function sinceText(since: number, failed: number, atLeast: boolean): string {
  return atLeast ? `failing for at least ${plural(failed, "build", "builds")}, since before ${dateOf(since)}` : `failing since ${dateOf(since)} (${plural(failed, "failed build", "failed builds")})`;
}

function dependencySpans(hydra: Hydra, dep: DependencyInfo, build: HydraBuild): Span[] {
  if (dep.kind === "unknown") return [{ kind: "text", text: " · a dependency failed (" }, link("see the build", hydra.buildUrl(build.id)), { kind: "text", text: ")" }];
  const s = dep.step;
  const out: Span[] = [{ kind: "text", text: " · dependency " }, code(truncate(s.name, 80)), { kind: "text", text: ` ${s.status.toLowerCase()}` }];
  const extra: Span[] = [];
  if (s.logUrl) extra.push(link("log", s.logUrl));
  if (s.propagatedFrom !== undefined) {
    if (extra.length > 0) extra.push({ kind: "text", text: ", " });
    extra.push({ kind: "text", text: "from " }, link(`build ${s.propagatedFrom}`, hydra.buildUrl(s.propagatedFrom)));
  }
  if (extra.length > 0) out.push({ kind: "text", text: " (" }, ...extra, { kind: "text", text: ")" });
  return out;
}

/** One platform's line. */
export function platformLine(hydra: Hydra, target: HydraTarget, r: PlatformReport): RichText {
  const head: Span[] = [link(r.system, hydra.jobUrl(target.project, target.jobset, r.job)), { kind: "text", text: ": " }];
  if (r.kind === "late") return [...head, { kind: "text", text: "no answer yet" }];
  if (r.kind === "error") return [...head, { kind: "text", text: upstreamSentence(r.error) }];
  const st = r.state;
  switch (st.kind) {
    case "no-job":
      return rich(`Hydra builds no job for this on ${r.system}`);
    case "undecided":
      return [...head, { kind: "text", text: `only aborted or cancelled builds lately (` }, link(`build ${st.latest.id}`, hydra.buildUrl(st.latest.id)), { kind: "text", text: ")" }];
    case "succeeded": {
      const v = versionOf(st.build.nixname);
      return [
        ...head,
        bold("succeeded"),
        { kind: "text", text: " " },
        code(truncate(v ?? st.build.nixname, 60)),
        { kind: "text", text: " (" },
        link(`build ${st.build.id}`, hydra.buildUrl(st.build.id)),
        { kind: "text", text: ")" },
      ];
    }
    case "failing": {
      const b = st.latest;
      const out: Span[] = [
        ...head,
        bold(statusWords(b.buildstatus)),
        { kind: "text", text: `, ${sinceText(st.firstBroken.timestamp, st.failed, st.atLeast)} · newest ` },
        link(`build ${b.id}`, hydra.buildUrl(b.id)),
      ];
      // A build whose dependency failed never ran: it has no log of its own.
      if (b.buildstatus !== 2) out.push({ kind: "text", text: " (" }, link("log", hydra.buildLogUrl(b.id)), { kind: "text", text: ")" });
      if (r.dependency) out.push(...dependencySpans(hydra, r.dependency, b));
      return out;
    }
  }
}

/** The whole answer: header, then a line per platform. `note` goes after (did you mean …). */
export function reportReply(hydra: Hydra, target: HydraTarget, attr: string, reports: readonly PlatformReport[], note?: RichText): Reply {
  const title = rich("Hydra: ", bold(attr), ` in ${target.channel} (`, link(`${target.project}/${target.jobset}`, hydra.jobUrl(target.project, target.jobset)), ")");
  const items = reports.map((r) => platformLine(hydra, target, r));
  return { blocks: [listBlock(note ? [...items, note] : items, title)] };
}

/** The post entry of a feed event (captured once; the outbox keeps it). */
export function eventPost(hydra: Hydra, e: HydraEvent): PostEntry {
  const where = `${e.project}/${e.jobset}`;
  const details: PostDetail[] = [];
  if (e.kind === "fixed") {
    details.push({ name: "Version", text: versionOf(e.nixname) ?? e.nixname });
    details.push({ name: "Build", text: `build ${e.buildId}`, url: hydra.buildUrl(e.buildId) });
  } else {
    details.push({ name: "Status", text: e.status });
    if (e.since !== undefined && e.failed !== undefined) details.push({ name: "State", text: sinceText(e.since / 1000, e.failed, e.atLeast === true) });
    details.push({ name: "Build", text: `build ${e.buildId}`, url: hydra.buildUrl(e.buildId) });
    if (e.hasLog) details.push({ name: "Log", text: "build log", url: hydra.buildLogUrl(e.buildId) });
    const dep = e.dependency;
    if (dep === "unknown") details.push({ name: "Dependency", text: "a dependency failed (see the build)" });
    else if (dep !== undefined) {
      details.push({ name: "Dependency", text: `${truncate(dep.name, 80)} ${dep.status.toLowerCase()}`, ...(dep.logUrl ? { url: dep.logUrl } : {}) });
      if (dep.propagatedFrom !== undefined) details.push({ name: "Failed in", text: `build ${dep.propagatedFrom}`, url: hydra.buildUrl(dep.propagatedFrom) });
    }
  }
  return {
    id: e.id,
    title: truncate(e.kind === "broke" ? `${e.attr} broke on ${e.system} (${where}): ${e.status}` : `${e.attr} is fixed on ${e.system} (${where})`, 250),
    link: hydra.buildUrl(e.buildId),
    published: new Date(e.at).toISOString(),
    details,
  };
}

/** The post of a `hydra:` feed entry: a card with the details as fields. */
export function formatEventPost(feed: FeedDef, e: PostEntry): Reply {
  const fields: CardField[] = (e.details ?? []).map((d) => ({ name: d.name, value: d.url ? rich(link(d.text, d.url)) : rich(d.text), inline: true }));
  return { blocks: [cardBlock({ title: e.title, ...(e.link ? { url: e.link } : {}), fields, footer: feed.title })] };
}
