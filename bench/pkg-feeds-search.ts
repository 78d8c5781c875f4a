/**
 * The search fake in a process of its own, so that the package feed benchmark measures the bot's CPU
 * only. Prints its URL, then answers one JSON line per command read on stdin:
 * `{"set": [channels, attrs, version]}` (a re-import of those packages) -> `{"ok": true}`;
 * `{"count": true}` -> `{"requests": N}` (searches answered so far).
 */
import { createInterface } from "node:readline";
import { startFakeSearch } from "../test/helpers/fake-search.js";

const fake = await startFakeSearch({ channels: ["unstable", "26.05", "25.11"] });
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { set?: [string[], string[], string | null]; count?: boolean };
  if (cmd.set) {
    const [channels, attrs, version] = cmd.set;
    for (const ch of channels) for (const a of attrs) fake.setPackage(ch, a, version);
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } else {
    process.stdout.write(`${JSON.stringify({ requests: fake.requests.length, problems: fake.problems.length })}\n`);
  }
}
await fake.close();
