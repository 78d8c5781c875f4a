/**
 * !about: version, uptime, what this instance is connected to, whether !eval is on, and every
 * upstream with its last status (never secrets). The upstreams come from the registry
 * (src/upstream/registry.ts): a new one is listed by registering it, not by editing this file.
 */
import { defineCommand } from "../src/core/command.js";
import { bold, cardBlock, link, listBlock, rich, type RichText } from "../src/core/reply.js";
import type { UpstreamStatus } from "../src/upstream/registry.js";

export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Only scheme and host of an upstream URL: enough to tell which one, never credentials or paths. */
export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid)";
  }
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** One upstream's line: name, host, what it is for, and its last request. */
export function upstreamLine(u: UpstreamStatus, now: Date): RichText {
  const last = u.last;
  const state =
    last === undefined
      ? "not asked yet"
      : last.ok
        ? `answered ${ago(now.getTime() - last.at.getTime())}`
        : `failed ${ago(now.getTime() - last.at.getTime())} (${last.status === undefined ? "no answer" : `HTTP ${last.status}`})`;
  return rich(bold(u.entry.name), ` ${hostOf(u.entry.url)} (${u.entry.purpose}): ${state}`);
}

export default defineCommand({
  name: "about",
  aliases: ["version"],
  summary: "What nixie is, its version, uptime and connections",
  options: [],
  async run(_args, ctx) {
    const { about, store, upstreams } = ctx.services;
    const now = ctx.now();
    const uptime = formatUptime(now.getTime() - about.startedAt.getTime());
    const ev = ctx.services.eval.status();
    const evalState = `${ev.available ? "on" : "off"}: ${ev.reason}`;
    return {
      blocks: [
        cardBlock({
          title: `nixie ${about.version}`,
          description: rich("The chat bot of the Nix/NixOS community. ", link("Source", "https://github.com/nix-community/nixie")),
          fields: [
            { name: "Uptime", value: rich(uptime), inline: true },
            { name: "Adapters", value: rich(about.adapters().join(", ") || "none"), inline: true },
            { name: "Store", value: rich(store.backend), inline: true },
            { name: `${ctx.prefix}eval`, value: rich(evalState) },
          ],
        }),
        listBlock(
          upstreams.list().map((u) => upstreamLine(u, now)),
          rich("Upstreams"),
        ),
      ],
    };
  },
});
