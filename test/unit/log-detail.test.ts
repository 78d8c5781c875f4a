import assert from "node:assert/strict";
import pino from "pino";
import { errorToReply } from "../../src/core/error-reply.js";
import { UpstreamError } from "../../src/core/errors.js";
import { upstreamDetail } from "../../src/core/log-detail.js";

describe("upstream failures in logs", () => {
  it("name the service once: in its field, not again in err", () => {
    const hinted = new UpstreamError("search.nixos.org", "status", "HTTP 500", { status: 500 }).withHint("Search on the site:", "https://search.nixos.org");
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    errorToReply(hinted, log, { command: "pkg" });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!["service"], "search.nixos.org");
    assert.equal(lines[0]!["err"], "HTTP 500");
  });

  it("strips the prefix however often it was added, and nothing else", () => {
    assert.equal(upstreamDetail({ service: "wiki", message: "wiki: wiki: no answer within 5000 ms" }), "no answer within 5000 ms");
    assert.equal(upstreamDetail({ service: "wiki", message: "wikipedia: HTTP 500" }), "wikipedia: HTTP 500");
  });
});
