/**
 * A nixie stand-in for the "nixie died" tests of the eval standby: starts an eval service with the
 * eval config given as JSON in argv[2], prints `standby <pid>` for the evaluator left waiting after
 * start (or `standby none`), then either returns without stop() (argv[3] "return": the process
 * must end by itself) or stays up until it is killed ("wait").
 */
import pino from "pino";
import type { Config } from "../../src/config.js";
import { createEvalService } from "../../src/eval/service.js";

const config = JSON.parse(process.argv[2] ?? "{}") as Config["eval"];
const live = new Set<number>();
const service = createEvalService({
  config,
  log: pino({ level: "silent" }),
  observer: { started: (pid) => live.add(pid), ended: (pid) => live.delete(pid) },
});
const status = await service.start();
process.stdout.write(status.available ? `standby ${[...live].join(" ") || "none"}\n` : `unavailable ${status.reason}\n`);
if (process.argv[3] === "wait") setInterval(() => undefined, 60_000);
