/**
 * A loopback GitHub for the `!pr` overhead benchmark, run in a process of its own so that its
 * work does not share the measured event loop: every answer after FAKE_GITHUB_DELAY_MS, a merged
 * master pull request and "ahead" comparisons. Prints its URL on stdout.
 */
import { sendJson, startLoopback } from "../test/helpers/loopback.js";

export const MERGE_SHA = "5f1c0d3e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
const delay = Number(process.env["FAKE_GITHUB_DELAY_MS"] ?? "20");
const pull = {
  title: "hello: 2.12.1 -> 2.12.2",
  state: "closed",
  merged: true,
  merged_at: "2026-11-21T08:59:00Z",
  merge_commit_sha: MERGE_SHA,
  base: { ref: "master" },
  user: { login: "u" },
  html_url: "https://github.com/NixOS/nixpkgs/pull/345678",
};
const comparison = { status: "ahead", base_commit: { sha: "1".repeat(40) }, ahead_by: 3, behind_by: 0, commits: [], files: [] };

if (process.env["FAKE_GITHUB_CHILD"] === "1") {
  const fake = await startLoopback(async (req, res) => {
    await new Promise((r) => setTimeout(r, delay));
    sendJson(res, 200, req.path.includes("/pulls/") ? pull : comparison);
  });
  process.stdout.write(`${fake.url}\n`);
}
