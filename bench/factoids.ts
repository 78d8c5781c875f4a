/**
 * Factoid benchmarks: a call (`!name`: the room's index and the factoid read, the use count
 * written) and an unknown `!word` (the fallback's one read before staying silent) through the
 * dispatcher and a SQLite store, with a room holding the most factoids it may (200).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDiscord } from "../src/render/discord.js";
import { renderMatrix } from "../src/render/matrix.js";
import { startTestBot } from "../test/helpers/test-bot.js";
import { fmt, nowMs, summarize, type Result } from "./lib.js";

export async function factoidCalls(): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), "nixie-bench-factoids-"));
  const file = join(dir, "bench.json");
  writeFileSync(file, JSON.stringify({ rateLimit: { burst: 1000, perMinute: 10000 } }));
  const t = await startTestBot({ NIXIE_CONFIG: file });
  const mod = { manager: true, user: "mod" };
  for (let i = 0; i < 200; i++) await t.ask(`!learn fact-${i} Factoid ${i}: **read** https://wiki.nixos.org/wiki/Flakes and \`nix flake init\`.`, mod);
  const time = async (n: number, text: (i: number) => string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      const reply = await t.adapter.say(text(i), { user: `u${i % 500}` });
      if (reply) {
        renderMatrix(reply);
        renderDiscord(reply);
      }
      times.push(nowMs() - t0);
    }
    return times;
  };
  await time(200, (i) => `!fact-${i % 200}`); // warm-up
  const cpu0 = process.cpuUsage();
  const calls = summarize(await time(2000, (i) => `!fact-${(i * 7) % 200} Bob`));
  const cpu = process.cpuUsage(cpu0);
  const rate = 2000 / ((cpu.user + cpu.system) / 1e6);
  const unknown = summarize(await time(2000, (i) => `!nothing-${i % 50}`));
  await t.stop();
  return [
    { name: "factoids: !name call (200 in the room, SQLite, use counted) latency p50 / p99", measured: `${fmt(calls.p50, 3)} / ${fmt(calls.p99, 3)} ms`, target: "—", met: "n/a" },
    { name: "factoids: !name calls through dispatcher + Matrix and Discord renderers", measured: `${fmt(rate, 0)} calls per CPU second`, target: "—", met: "n/a" },
    { name: "factoids: unknown !word (one store read, silence) latency p50 / p99", measured: `${fmt(unknown.p50, 3)} / ${fmt(unknown.p99, 3)} ms`, target: "—", met: "n/a" },
  ];
}
