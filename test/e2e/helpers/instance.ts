/**
 * One nixie instance as a process of its own, for the leader-handover suite: a real bot (store,
 * feed job, lease) whose only adapter POSTs each send to a sink the test runs, the way a chat
 * platform would receive it. Killing this process is killing an instance.
 * Env: NIXIE_* as usual, SINK_URL, INSTANCE_ID.
 */
import pino from "pino";
import { startBot } from "../../../src/bot.js";
import { loadConfig } from "../../../src/config.js";
import type { Adapter } from "../../../src/core/adapter.js";

const sink = process.env["SINK_URL"];
const id = process.env["INSTANCE_ID"] ?? "instance";
if (!sink) throw new Error("SINK_URL is not set");

let connected = false;
const adapter: Adapter = {
  platform: "test",
  async start() {
    connected = true;
  },
  async send(room, _reply, opts) {
    const res = await fetch(sink, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ instance: id, room: room.id, deliveryId: opts?.deliveryId }) });
    if (!res.ok) throw new Error(`sink answered ${res.status}`);
    await res.text();
  },
  async stop() {
    connected = false;
  },
  isConnected: () => connected,
};

void startBot({ loaded: loadConfig({ ignoreLocal: true }), log: pino({ level: process.env["NIXIE_LOG_LEVEL"] ?? "warn" }, pino.destination(2)), adapters: () => [adapter], instanceId: id }).then(
  (bot) => {
    process.stdout.write(`ready ${bot.leader.isLeader() ? "leader" : "standby"}\n`);
    process.on("SIGTERM", () => void bot.stop().then(() => process.exit(0)));
  },
);
