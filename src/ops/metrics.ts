/**
 * Prometheus metrics (prom-client), one registry per bot so tests and several bots in one
 * process never share counters. Observers plug into the dispatcher, the HTTP layer and the feeds.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CommandEvent } from "../core/dispatcher.js";
import type { FeedEvent } from "../feeds/watcher.js";
import type { HttpEvent } from "../upstream/http.js";

export type { FeedEvent };

export interface Metrics {
  readonly registry: Registry;
  onCommand(e: CommandEvent): void;
  onHttp(e: HttpEvent): void;
  onFeed(e: FeedEvent): void;
  /** The text /metrics serves. */
  render(): Promise<string>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "nixie_" });
  const commands = new Counter({ name: "nixie_commands_total", help: "Commands handled, by name, platform and outcome", labelNames: ["command", "platform", "outcome"], registers: [registry] });
  const commandSeconds = new Histogram({
    name: "nixie_command_duration_seconds",
    help: "Time from a command's arrival to its reply",
    labelNames: ["command", "platform"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstream = new Counter({
    name: "nixie_upstream_requests_total",
    help: "Upstream HTTP requests, by service and outcome (ok, error)",
    labelNames: ["service", "outcome"],
    registers: [registry],
  });
  const upstreamErrors = new Counter({ name: "nixie_upstream_errors_total", help: "Failed upstream HTTP requests, by service and status", labelNames: ["service", "status"], registers: [registry] });
  const upstreamSeconds = new Histogram({
    name: "nixie_upstream_duration_seconds",
    help: "Upstream HTTP request latency",
    labelNames: ["service"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cacheHits = new Counter({ name: "nixie_cache_hits_total", help: "Upstream answers served from the cache", labelNames: ["service"], registers: [registry] });
  const feedPolls = new Counter({ name: "nixie_feed_polls_total", help: "Feed polls, by feed and outcome (ok, not-modified, error)", labelNames: ["feed", "outcome"], registers: [registry] });
  const feedEntries = new Counter({ name: "nixie_feed_new_entries_total", help: "New feed entries seen", labelNames: ["feed"], registers: [registry] });
  const feedPosts = new Counter({ name: "nixie_feed_posts_total", help: "Feed posts sent to rooms, by outcome", labelNames: ["feed", "outcome"], registers: [registry] });
  const feedFailures = new Counter({ name: "nixie_feed_failures_total", help: "Failed feed polls", labelNames: ["feed"], registers: [registry] });
  const feedBackoff = new Gauge({ name: "nixie_feed_backoff_seconds", help: "Current back-off of a failing feed (0 when healthy)", labelNames: ["feed"], registers: [registry] });

  return {
    registry,
    onCommand(e) {
      commands.inc({ command: e.command, platform: e.platform, outcome: e.outcome });
      if (e.outcome !== "rate-limited") commandSeconds.observe({ command: e.command, platform: e.platform }, e.ms / 1000);
    },
    onHttp(e) {
      if (e.outcome === "cache-hit") {
        cacheHits.inc({ service: e.service });
        return;
      }
      upstream.inc({ service: e.service, outcome: e.outcome });
      upstreamSeconds.observe({ service: e.service }, e.ms / 1000);
      if (e.outcome === "error") upstreamErrors.inc({ service: e.service, status: e.status === undefined ? "none" : String(e.status) });
    },
    onFeed(e) {
      switch (e.kind) {
        case "poll":
          feedPolls.inc({ feed: e.feed, outcome: e.outcome });
          if (e.outcome === "error") feedFailures.inc({ feed: e.feed });
          break;
        case "new-entries":
          feedEntries.inc({ feed: e.feed }, e.count);
          break;
        case "post":
          feedPosts.inc({ feed: e.feed, outcome: e.outcome });
          break;
        case "backoff":
          feedBackoff.set({ feed: e.feed }, e.seconds);
          break;
      }
    },
    render: () => registry.metrics(),
  };
}
