import assert from "node:assert/strict";
import pino from "pino";
import { routeSdkLogs } from "../../src/adapters/matrix/client.js";
import { LogService } from "../../src/adapters/matrix/sdk.js";

describe("matrix-bot-sdk log lines", () => {
  after(() => routeSdkLogs(pino({ level: "silent" })));

  it("keep what nixie expects and reports itself at debug, and the rest at warn", () => {
    const lines: { level: number; msg: string }[] = [];
    routeSdkLogs(pino({ level: "info" }, { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) }));
    LogService.error("MatrixHttpClient", "(REQ-1)", { errcode: "M_NOT_FOUND", error: "Account data not found" });
    LogService.error("MatrixHttpClient", "(REQ-2)", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8008"), { code: "ECONNREFUSED" }));
    LogService.error("MatrixHttpClient", "(REQ-3)", { errcode: "M_UNKNOWN", error: "Internal server error" });
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [[40, '(REQ-3) {"errcode":"M_UNKNOWN","error":"Internal server error"}']],
    );
  });
});
