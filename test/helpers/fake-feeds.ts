/**
 * A loopback server playing Discourse and YouTube feeds for tests: the Announcements, Security and
 * Events category RSS (starting from the real-shaped fixtures), a Nix Hour playlist feed, and the
 * calendar plugin endpoint (404 unless a test sets it). Tests add topics or videos while the bot
 * runs; answers carry an ETag and Last-Modified and a matching conditional request gets a 304.
 * Point NIXIE_DISCOURSE_URL at `url` and NIXIE_NIXHOUR_FEED at `nixhourUrl`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startLoopback, type RecordedRequest } from "./loopback.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** Reads a file of test/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

export const PATHS = {
  announcements: "/c/announcements/8.rss",
  security: "/c/announcements/security/56.rss",
  events: "/c/events/13.rss",
  nixhour: "/feeds/videos.xml",
  calendar: "/discourse-post-event/events.json",
} as const;

export interface TopicInput {
  readonly id: number;
  readonly title: string;
  readonly author?: string;
  readonly category?: string;
  /** Cooked HTML of the first post. */
  readonly html?: string;
  readonly pubDate?: Date;
}

export interface VideoInput {
  readonly id: string;
  readonly title: string;
  readonly published: Date;
  readonly updated?: Date;
}

/** What a feed path answers instead of the feed. */
export type Fault = { readonly status: number } | { readonly malformed: true } | { readonly hugeBytes: number } | { readonly delayMs: number };

export interface FakeFeeds {
  /** Base URL: use as NIXIE_DISCOURSE_URL. */
  readonly url: string;
  /** The Nix Hour feed URL: use as NIXIE_NIXHOUR_FEED. */
  readonly nixhourUrl: string;
  readonly requests: RecordedRequest[];
  /** Adds a topic at the top of a category feed (announcements, security or events). */
  addTopic(feed: "announcements" | "security" | "events", topic: TopicInput): void;
  /** Changes the title of a topic already in a feed (an edit; the guid stays). */
  retitle(feed: "announcements" | "security" | "events", id: number, title: string): void;
  addVideo(video: VideoInput): void;
  /** Makes a path fail (or answer normally again with undefined). */
  fault(feed: keyof typeof PATHS, fault: Fault | undefined): void;
  /** Serves the calendar plugin endpoint with this JSON (undefined: 404, as without the plugin). */
  calendar(json: unknown): void;
  /** How many requests reached a path; and how many of them got a 304. */
  count(feed: keyof typeof PATHS): { requests: number; notModified: number };
  close(): Promise<void>;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "topic"
  );
}

function topicItem(base: string, t: TopicInput): string {
  const link = `${base}/t/${slug(t.title)}/${t.id}`;
  const html = t.html ?? `<p>${esc(t.title)}: the details are in the topic.</p>`;
  return `
        <item>
          <title>${esc(t.title)}</title>
          <dc:creator><![CDATA[${t.author ?? "someone"}]]></dc:creator>
          <category>${esc(t.category ?? "Announcements")}</category>
          <description><![CDATA[
            ${html}
            <p><small>1 post - 1 participant</small></p>
            <p><a href="${link}">Read full topic</a></p>
          ]]></description>
          <link>${link}</link>
          <pubDate>${(t.pubDate ?? new Date()).toUTCString().replace("GMT", "+0000")}</pubDate>
          <discourse:topicPinned>No</discourse:topicPinned>
          <discourse:topicClosed>No</discourse:topicClosed>
          <discourse:topicArchived>No</discourse:topicArchived>
          <guid isPermaLink="false">discourse.nixos.org-topic-${t.id}</guid>
          <source url="${link}.rss">${esc(t.title)}</source>
        </item>`;
}

function videoEntry(v: VideoInput): string {
  return `
 <entry>
  <id>yt:video:${v.id}</id>
  <yt:videoId>${v.id}</yt:videoId>
  <yt:channelId>UC0000000000000000000000</yt:channelId>
  <title>${esc(v.title)}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=${v.id}"/>
  <author>
   <name>Infinisil</name>
   <uri>https://www.youtube.com/channel/UC0000000000000000000000</uri>
  </author>
  <published>${v.published.toISOString()}</published>
  <updated>${(v.updated ?? v.published).toISOString()}</updated>
  <media:group>
   <media:title>${esc(v.title)}</media:title>
   <media:thumbnail url="https://i2.ytimg.com/vi/${v.id}/hqdefault.jpg" width="480" height="360"/>
   <media:description>A Nix Hour episode.</media:description>
  </media:group>
 </entry>`;
}

export async function startFakeFeeds(): Promise<FakeFeeds> {
  const docs: Record<string, string> = {
    [PATHS.announcements]: fixture("discourse-announcements.rss"),
    // The security subcategory: the announcements fixture's security advisory alone.
    [PATHS.security]: fixture("discourse-announcements.rss").replace(/<item>(?:(?!<\/item>)[\s\S])*?<category>(?!Security)[\s\S]*?<\/item>/g, ""),
    [PATHS.events]: fixture("discourse-events.rss"),
    [PATHS.nixhour]: fixture("nixhour-youtube.xml"),
  };
  const lastModified: Record<string, string> = {};
  const faults = new Map<string, Fault>();
  const counts = new Map<string, { requests: number; notModified: number }>();
  let calendarJson: unknown;
  let base = "";

  const touch = (path: string): void => {
    lastModified[path] = new Date().toUTCString();
  };
  for (const p of Object.keys(docs)) touch(p);

  const answer = async (path: string, req: RecordedRequest, res: ServerResponse): Promise<void> => {
    const c = counts.get(path) ?? { requests: 0, notModified: 0 };
    c.requests++;
    counts.set(path, c);
    const fault = faults.get(path);
    if (fault && "status" in fault) {
      res.writeHead(fault.status, { "content-type": "text/plain" });
      res.end(`error ${fault.status}`);
      return;
    }
    if (fault && "delayMs" in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault && "hugeBytes" in fault) {
      // No content-length: the client has to count while reading.
      res.writeHead(200, { "content-type": "application/rss+xml" });
      const chunk = Buffer.alloc(64 * 1024, " ");
      let sent = 0;
      const write = (): void => {
        while (sent < fault.hugeBytes) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", write);
            return;
          }
        }
        res.end();
      };
      res.on("error", () => undefined);
      write();
      return;
    }
    const body = fault && "malformed" in fault ? `${docs[path]!.slice(0, 400)}<item><title>broken` : docs[path]!;
    const etag = `"${createHash("sha1").update(body).digest("hex").slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) {
      c.notModified++;
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const type = path === PATHS.nixhour ? "application/atom+xml; charset=UTF-8" : "application/rss+xml; charset=utf-8";
    res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body), etag, "last-modified": lastModified[path]! });
    res.end(body);
  };

  const server = await startLoopback(async (req, res) => {
    if (req.path === PATHS.calendar) {
      counts.set(PATHS.calendar, { requests: (counts.get(PATHS.calendar)?.requests ?? 0) + 1, notModified: 0 });
      const text = calendarJson === undefined ? '{"errors":["The requested URL or resource could not be found."],"error_type":"not_found"}' : JSON.stringify(calendarJson);
      res.writeHead(calendarJson === undefined ? 404 : 200, { "content-type": "application/json" });
      res.end(text);
      return;
    }
    if (docs[req.path] === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    await answer(req.path, req, res);
  });
  base = server.url;
  // The fixtures' links point at discourse.nixos.org; new topics point here, as a real site would.
  const insertItem = (path: string, xml: string, before: RegExp): void => {
    const doc = docs[path]!;
    const m = before.exec(doc);
    const at = m ? m.index : doc.lastIndexOf("</channel>");
    docs[path] = doc.slice(0, at) + xml.trimStart() + "\n        " + doc.slice(at);
    touch(path);
  };
  return {
    url: base,
    nixhourUrl: `${base}${PATHS.nixhour}?playlist_id=PLyzwHTVJlRc8yjlx4VR4LU5A5O44og9in`,
    requests: server.requests,
    addTopic(feed, topic) {
      insertItem(PATHS[feed], topicItem(base, topic), /<item>/);
    },
    retitle(feed, id, title) {
      const path = PATHS[feed];
      const re = new RegExp(`<title>[^<]*</title>((?:(?!</item>)[\\s\\S])*?-topic-${id}</guid>)`);
      docs[path] = docs[path]!.replace(re, `<title>${esc(title)}</title>$1`);
      touch(path);
    },
    addVideo(video) {
      const doc = docs[PATHS.nixhour]!;
      const at = doc.indexOf("<entry>");
      docs[PATHS.nixhour] = doc.slice(0, at) + videoEntry(video).trimStart() + "\n " + doc.slice(at);
      touch(PATHS.nixhour);
    },
    fault(feed, f) {
      if (f === undefined) faults.delete(PATHS[feed]);
      else faults.set(PATHS[feed], f);
    },
    calendar(json) {
      calendarJson = json;
    },
    count(feed) {
      return { ...(counts.get(PATHS[feed]) ?? { requests: 0, notModified: 0 }) };
    },
    close: () => server.close(),
  };
}

/** Milliseconds after which the standalone server publishes its one new announcement. */
const NEW_AFTER_MS = 10_000;

// Standalone (the README's console check): print the Discourse URL, publish one new announcement
// NEW_AFTER_MS later (after nixie's first poll has marked the feed as read), serve until killed.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // No top-level await: test runners may load this file through require().
  void startFakeFeeds().then((fake) => {
    process.stdout.write(`${fake.url}\n`);
    const timer = setTimeout(() => {
      fake.addTopic("announcements", { id: 90_001, title: "Console check: a new announcement" });
      process.stderr.write("fake-feeds: published one new announcement\n");
    }, NEW_AFTER_MS);
    const stop = (): void => {
      clearTimeout(timer);
      void fake.close().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
