/** The worker thread of parse.ts: parses the body it is given and posts the entries back. */
import { parentPort, workerData } from "node:worker_threads";
import { UpstreamError } from "../core/errors.js";
import { parseToEntries, type WorkerAnswer } from "./parse.js";

let answer: WorkerAnswer;
try {
  answer = { ok: true, parsed: parseToEntries(String(workerData)) };
} catch (e) {
  answer = e instanceof UpstreamError ? { ok: false, failure: e.failure, detail: e.detail } : { ok: false, failure: "internal", detail: (e as Error).message };
}
parentPort?.postMessage(answer);
