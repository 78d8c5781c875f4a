/** !about: version, uptime, and what this instance is connected to (never secrets). */
import { defineCommand } from "../src/core/command.js";
import { bold, cardBlock, link, rich } from "../src/core/reply.js";

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

export default defineCommand({
  name: "about",
  aliases: ["version"],
  summary: "What nixie is, its version, uptime and connections",
  options: [],
  async run(_args, ctx) {
    const { about, config, store } = ctx.services;
    const uptime = formatUptime(ctx.now().getTime() - about.startedAt.getTime());
    return {
      blocks: [
        cardBlock({
          title: `nixie ${about.version}`,
          description: rich("The chat bot of the Nix/NixOS community. ", link("Source", "https://github.com/nix-community/nixie")),
          fields: [
            { name: "Uptime", value: rich(uptime), inline: true },
            { name: "Adapters", value: rich(about.adapters().join(", ") || "none"), inline: true },
            { name: "Store", value: rich(store.backend), inline: true },
            {
              name: "Upstreams",
              value: rich(
                bold("search "),
                hostOf(config.search.url),
                ", ",
                bold("wiki "),
                hostOf(config.wiki.api),
                ", ",
                bold("discourse "),
                hostOf(config.discourse.url),
              ),
            },
          ],
        }),
      ],
    };
  },
});
