/**
 * The container's HEALTHCHECK (`node dist/scripts/healthcheck.js`): asks `/healthz` where this
 * configuration's health server listens (`health.port`/`NIXIE_HEALTH_PORT`,
 * `health.host`/`NIXIE_HEALTH_HOST`, from the environment or the config file, as nixie reads them)
 * and exits 0 when it answers 200, else 1 with one line saying why. With the health server off
 * (port 0) nothing can be checked: it exits 1 saying so (run such a container with
 * `--no-healthcheck`).
 */
import { loadConfig } from "../src/config.js";
import { healthzUrl, probeHealth } from "../src/ops/healthcheck.js";

/** Below the HEALTHCHECK's own --timeout (5 s), so the line above is what Docker records. */
const TIMEOUT_MS = 4000;

async function main(): Promise<number> {
  let url: string | undefined;
  try {
    url = healthzUrl(loadConfig().config.health);
  } catch (e) {
    process.stdout.write(`unhealthy: configuration: ${(e as Error).message.split("\n")[0]}\n`);
    return 1;
  }
  if (url === undefined) {
    process.stdout.write("unhealthy: the health server is off (NIXIE_HEALTH_PORT / health.port is 0), so nothing can be checked; set it, or run with --no-healthcheck\n");
    return 1;
  }
  const r = await probeHealth(url, TIMEOUT_MS);
  process.stdout.write(`${r.healthy ? "healthy" : "unhealthy"}: ${r.detail}\n`);
  return r.healthy ? 0 : 1;
}

process.exitCode = await main();
