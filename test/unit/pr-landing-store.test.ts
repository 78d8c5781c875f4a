// What the pull-request status service keeps in the store, and for how long: anyone may look up
// any number, so answers and negatives expire; positives are final and kept.
import assert from "node:assert/strict";
import type { KV, Store } from "../../src/storage/store.js";
import { createStatusService } from "../../src/pr-tracking/landing.js";
import type { GitHub, PullRequest } from "../../src/upstream/github.js";

interface Write {
  readonly key: string;
  readonly ttlMs: number | undefined;
}

function recordingStore(writes: Write[]): Store {
  const data = new Map<string, unknown>();
  const kv: KV<unknown> = {
    get: async (key) => data.get(key),
    getMany: async (keys) => keys.map((k) => data.get(k)),
    async set(key, value, ttlMs) {
      writes.push({ key, ttlMs });
      data.set(key, value);
    },
    delete: async (key) => data.delete(key),
  };
  return {
    backend: "sqlite",
    namespace: <T>() => kv as KV<T>,
    leases: undefined as never,
    ping: async () => undefined,
    close: async () => undefined,
  };
}

const SHA = "a".repeat(40);
const HEAD = "b".repeat(40);

describe("pull request status in the store", () => {
  it("keeps answers and negatives for a bounded time, positives for good", async () => {
    const writes: Write[] = [];
    const pull: PullRequest = { number: 7, title: "t", url: "https://github.com/NixOS/nixpkgs/pull/7", author: "a", state: "merged", baseRef: "master", mergeSha: SHA };
    const github = {
      pull: async () => pull,
      // nixos-unstable-small has it; the other channels do not yet
      compare: async (branch: string) => (branch === "nixos-unstable-small" ? { contained: true } : { contained: false, head: HEAD }),
    } as unknown as GitHub;
    const status = createStatusService({ github, store: recordingStore(writes) });
    await status.lookup(7, "background");
    const ttlOf = (prefix: string): (number | undefined)[] => writes.filter((w) => w.key.startsWith(prefix)).map((w) => w.ttlMs);
    assert.deepEqual(ttlOf("has:"), [undefined]);
    assert.ok(ttlOf("not:").length >= 1);
    for (const ttl of [...ttlOf("not:"), ...ttlOf("status:")]) assert.ok(ttl !== undefined && ttl > 0 && ttl <= 90 * 86_400_000, String(ttl));
    assert.equal(ttlOf("status:").length, 1);
  });
});
