/**
 * A chat platform unreachable at start-up does not stop nixie (nixie runs as operators run it):
 * it is retried with backoff while the other platform and the health server run, and connects
 * when the platform comes up; a token the platform refuses ends nixie with a line naming it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDS, startFakeDiscord, type FakeDiscord } from "../helpers/fake-discord.js";
import { startFakeMatrix, type FakeMatrix } from "../helpers/fake-matrix.js";
import { spawnNixie, type NixieProcess } from "../helpers/nixie-process.js";

/** A loopback port nothing listens on (free now; the test brings its server up there later). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function health(nixie: NixieProcess): Promise<{ status: number; body: { status: string; adapters: Record<string, string> } }> {
  await nixie.waitFor(/health and metrics server listening/);
  const url = /"url":"(http:\/\/[^"]+)","msg":"health and metrics server listening"/.exec(nixie.stderr())![1]!;
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; adapters: Record<string, string> } };
}

describe("platforms unreachable at start-up", function () {
  this.timeout(60_000);
  let dir: string;
  const servers: { close(): Promise<void> }[] = [];
  const running: NixieProcess[] = [];
  const nixie = async (env: Record<string, string>): Promise<NixieProcess> => {
    const p = spawnNixie(join(dir, String(running.length)), { NIXIE_HEALTH_PORT: String(await freePort()), NIXIE_HEALTH_HOST: "127.0.0.1", ...env });
    running.push(p);
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "nixie-start-"));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
    for (const s of servers.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("retries a homeserver that is down, keeps Discord and reports degraded, then connects when it comes up", async () => {
    const port = await freePort();
    const discord: FakeDiscord = await startFakeDiscord({ heartbeatInterval: 300 });
    servers.push(discord);
    const hs = `http://127.0.0.1:${port}`;
    const bot = await nixie({
      MATRIX_HOMESERVER_URL: hs,
      MATRIX_ACCESS_TOKEN: "syt_bml4aWU_FakeHomeserverTok3n_0Abc12",
      DISCORD_TOKEN: "fake-bot-token",
      DISCORD_APPLICATION_ID: IDS.app,
      DISCORD_API_URL: discord.apiUrl,
    });
    await bot.waitFor(new RegExp(`Matrix: homeserver ${hs} unreachable \\(ECONNREFUSED\\), retrying in \\d+ s`));
    await bot.waitFor(/connected to Discord/);
    await bot.waitFor(/nixie is ready/);
    const down = await health(bot);
    assert.equal(down.status, 200);
    assert.equal(down.body.status, "degraded");
    assert.deepEqual(down.body.adapters, { matrix: "disconnected", discord: "connected" });

    const matrix: FakeMatrix = await startFakeMatrix({ port, rooms: 1, members: 3 });
    servers.push(matrix);
    await bot.waitFor(/matrix: syncing/, 30_000);
    await bot.waitFor(/matrix: connected after retrying/);
    const deadline = Date.now() + 10_000;
    while (matrix.syncs() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const up = await health(bot);
    assert.equal(up.body.status, "ok");
    assert.equal(up.status, 200);
  });

  it("retries a Discord API that is down and connects when it comes up", async () => {
    const port = await freePort();
    const bot = await nixie({ DISCORD_TOKEN: "fake-bot-token", DISCORD_APPLICATION_ID: IDS.app, DISCORD_API_URL: `http://127.0.0.1:${port}/api` });
    await bot.waitFor(/Discord: gateway unreachable \([^)]*\), retrying in \d+ s/);
    const down = await health(bot);
    assert.equal(down.status, 503);
    assert.deepEqual(down.body.adapters, { discord: "disconnected" });
    const discord = await startFakeDiscord({ heartbeatInterval: 300, port });
    servers.push(discord);
    await bot.waitFor(/connected to Discord/, 30_000);
    assert.equal((await health(bot)).body.status, "ok");
  });

  it("exits with a line naming Matrix when the homeserver refuses the token", async () => {
    const matrix = await startFakeMatrix({ accessToken: "syt_right_token_1234567890" });
    servers.push(matrix);
    const bot = await nixie({ MATRIX_HOMESERVER_URL: matrix.url, MATRIX_ACCESS_TOKEN: "syt_wrong_token_1234567890" });
    assert.equal(await bot.exited(), 1);
    assert.match(bot.stderr(), new RegExp(`nixie: start failed: Matrix: homeserver ${matrix.url} refused the access token \\(401 M_UNKNOWN_TOKEN`));
  });

  it("exits with a line naming Matrix when a homeserver that was down comes up refusing the token", async () => {
    const port = await freePort();
    const bot = await nixie({ MATRIX_HOMESERVER_URL: `http://127.0.0.1:${port}`, MATRIX_ACCESS_TOKEN: "syt_wrong_token_1234567890" });
    await bot.waitFor(/unreachable \(ECONNREFUSED\), retrying in/);
    servers.push(await startFakeMatrix({ port, accessToken: "syt_right_token_1234567890" }));
    assert.equal(await bot.exited(), 1);
    assert.match(bot.stderr(), /"level":60,.*"msg":"Matrix: homeserver [^"]+ refused the access token \(401 M_UNKNOWN_TOKEN/);
  });

  it("exits with a line naming Discord when the token is invalid", async () => {
    const discord = await startFakeDiscord({ heartbeatInterval: 300, token: "the-right-token" });
    servers.push(discord);
    const bot = await nixie({ DISCORD_TOKEN: "a-wrong-token", DISCORD_APPLICATION_ID: IDS.app, DISCORD_API_URL: discord.apiUrl });
    assert.equal(await bot.exited(), 1);
    assert.match(bot.stderr(), /nixie: start failed: Discord: the bot token was refused/);
  });
});
