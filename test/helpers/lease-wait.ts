/**
 * For bot processes restarted after a kill: the killed process's lease stays until it expires, and
 * until then the outbox's fence stops every send (as it would a second instance's). A restarted
 * crash-test child waits for the lease as a real restarted instance does; its config keeps the
 * lease short (a few seconds).
 */
import type { Bot } from "../../src/bot.js";

export async function waitForLease(bot: Bot, maxMs = 20_000): Promise<void> {
  for (const until = Date.now() + maxMs; !bot.leader.isLeader();) {
    if (Date.now() > until) throw new Error("the lease did not come free");
    await new Promise((r) => setTimeout(r, 100));
  }
}
