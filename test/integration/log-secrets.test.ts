/**
 * Secrets never reach a log: nixie runs as operators run it, at `trace` (discord.js's debug
 * strings and matrix-bot-sdk's request logs included), with known secrets given through the
 * environment and through `*_FILE`, against the fake Discord and the Matrix stand-in; neither
 * stdout nor stderr may hold any of them, nor their telltale parts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDS, startFakeDiscord, type FakeDiscord } from "../helpers/fake-discord.js";
import { startFakeMatrix, type FakeMatrix } from "../helpers/fake-matrix.js";
import { spawnNixie } from "../helpers/nixie-process.js";

// A token shaped like Discord's: base64 of the bot's id, a timestamp part, an HMAC part.
const DISCORD_TOKEN = `${Buffer.from(IDS.bot).toString("base64url")}.GzQx7b.k3Yp0vT9sWq2LmN8rXc4HdJf6aBe1UiOo5Rg`;
const MATRIX_TOKEN = "syt_bml4aWU_sEcReTmAtRiXtOkEn4242_1AbCdE";
const MATRIX_PASSWORD = 'correct horse "battery" staple';
const SEARCH_USER = "searchuser";
const SEARCH_PASSWORD = "s3arch-Pa55word-Xy";

/** Every string that must not appear, with what it is. */
const FORBIDDEN: Record<string, string> = {
  "Discord token": DISCORD_TOKEN,
  "Discord token's first two parts": DISCORD_TOKEN.split(".").slice(0, 2).join("."),
  "Discord token's second part": `.${DISCORD_TOKEN.split(".")[1]!}`,
  "Discord token's third part": DISCORD_TOKEN.split(".")[2]!,
  "Matrix access token": MATRIX_TOKEN,
  "Matrix access token's random part": "sEcReTmAtRiXtOkEn4242",
  "Matrix password": MATRIX_PASSWORD,
  "Matrix password, JSON-escaped": JSON.stringify(MATRIX_PASSWORD).slice(1, -1),
  "search password": SEARCH_PASSWORD,
  "search Basic auth": Buffer.from(`${SEARCH_USER}:${SEARCH_PASSWORD}`).toString("base64"),
};

function leaks(text: string): string[] {
  return Object.entries(FORBIDDEN)
    .filter(([, secret]) => text.includes(secret))
    .map(([what]) => what);
}

describe("secrets in logs at trace", function () {
  this.timeout(60_000);
  let dir: string;
  let discord: FakeDiscord;
  let matrix: FakeMatrix;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "nixie-secrets-"));
    discord = await startFakeDiscord({ heartbeatInterval: 300, token: DISCORD_TOKEN });
    matrix = await startFakeMatrix({ accessToken: MATRIX_TOKEN, password: MATRIX_PASSWORD, rooms: 2, members: 6 });
  });
  after(async () => {
    await discord.close();
    await matrix.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(name: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    const home = join(dir, name);
    const syncsBefore = matrix.syncs();
    const nixie = spawnNixie(home, {
      NIXIE_LOG_LEVEL: "trace",
      NIXIE_SEARCH_USERNAME: SEARCH_USER,
      NIXIE_SEARCH_PASSWORD: SEARCH_PASSWORD,
      MATRIX_HOMESERVER_URL: matrix.url,
      DISCORD_APPLICATION_ID: IDS.app,
      DISCORD_API_URL: discord.apiUrl,
      ...env,
    });
    try {
      await nixie.waitFor(/nixie is ready/, 30_000);
      // one sync processed and the next one asked for: the SDK has logged a whole round
      const deadline = Date.now() + 10_000;
      while (matrix.syncs() < syncsBefore + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await nixie.stop();
    }
    return { stdout: nixie.stdout(), stderr: nixie.stderr() };
  }

  it("logs none from *_FILE, a password login and the environment", async () => {
    writeFileSync(join(dir, "discord-token"), `${DISCORD_TOKEN}\n`);
    writeFileSync(join(dir, "matrix-password"), `${MATRIX_PASSWORD}\n`);
    const { stdout, stderr } = await run("files", {
      DISCORD_TOKEN_FILE: join(dir, "discord-token"),
      MATRIX_USER: matrix.userId,
      MATRIX_PASSWORD_FILE: join(dir, "matrix-password"),
    });
    // the test sees what it claims to: discord.js's token line, the SDK's request traces, the login
    assert.match(stderr, /Provided token: /);
    assert.match(stderr, /MatrixHttpClient/);
    assert.ok(
      matrix.calls.some((c) => c.path === "/_matrix/client/v3/login"),
      "no password login happened",
    );
    assert.deepEqual(leaks(stdout + stderr), []);
  });

  it("logs none from the environment with an access token", async () => {
    const { stdout, stderr } = await run("env", { DISCORD_TOKEN, MATRIX_ACCESS_TOKEN: MATRIX_TOKEN });
    assert.match(stderr, /Provided token: /);
    assert.match(stderr, /\/sync/);
    assert.deepEqual(leaks(stdout + stderr), []);
  });
});
