/**
 * Composition root: config -> logger -> bot (store, services, adapters) -> signals.
 * Start-up problems are one clear line on stderr and a non-zero exit, never a bare stack trace.
 */
import { StartCancelled, startBot, type Bot } from "./bot.js";
import { loadConfig, type LoadedConfig } from "./config.js";
import type { Adapter } from "./core/adapter.js";
import { ConfigError } from "./core/errors.js";
import { createLogger } from "./logger.js";
import type { LogRoute } from "./human-log.js";
import { configuredSecrets, logScrubber } from "./redact.js";
import { startHealthServer, type HealthServer } from "./ops/health.js";
import { createMetrics } from "./ops/metrics.js";
import { createConsoleAdapter } from "./adapters/console.js";
import { createPlatformAdapters, hasPlatform } from "./adapters/index.js";

/** Writes each line of `message` (a ConfigError has one per bad key) as `nixie: <line>` and exits 1. */
function fail(message: string): never {
  process.stderr.write(
    message
      .split("\n")
      .map((line) => `nixie: ${line}\n`)
      .join(""),
  );
  process.exit(1);
}

async function main(): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
    // before anything is logged: no log line may carry a secret value
    logScrubber.add(...configuredSecrets(loaded));
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  // A person at a terminal running the console: a prompt, and only warnings and errors as
  // readable lines between the answers, unless NIXIE_LOG_LEVEL asks for more.
  const interactive = !hasPlatform(loaded.config, loaded.secrets) && process.stdin.isTTY === true;
  // Once the console shows its prompt, log lines are printed above it (see below).
  const logRoute: LogRoute = {};
  const log = interactive ? createLogger(process.env["NIXIE_LOG_LEVEL"] ? loaded.config.logLevel : "warn", 2, "human", logRoute) : createLogger(loaded.config.logLevel);
  log.debug({ sources: loaded.sources }, "configuration loaded");

  let bot: Bot | undefined;
  // Resolves once start-up is over (either way), so a shutdown asked during start-up waits for it.
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (markStarted = r));
  let health: HealthServer | undefined;
  const metrics = createMetrics();
  let exiting = false;
  const starting = new AbortController();
  const shutdown = async (code: number, why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    log.info({ why }, "shutting down");
    starting.abort();
    const force = setTimeout(() => process.exit(code), 10_000);
    force.unref();
    await started;
    await health?.close();
    await bot?.stop();
    process.exit(code);
  };

  // Before start-up, so a signal during start-up also stops cleanly.
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void shutdown(0, sig));
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));

  try {
    bot = await startBot({
      loaded,
      log,
      onCommand: (e) => metrics.onCommand(e),
      onHttpEvent: (e) => metrics.onHttp(e),
      onFeedEvent: (e) => metrics.onFeed(e),
      // Exit, so that a supervisor restarts this instance as a standby.
      onLostLease: () => void shutdown(1, "lost the lease"),
      signal: starting.signal,
      adapters: async (services, dispatcher) => {
        const adapters: Adapter[] = await createPlatformAdapters({
          config: loaded.config,
          secrets: loaded.secrets,
          services,
          dispatcher,
          log,
          onFatal: (err) => void shutdown(1, err.message),
        });
        if (adapters.length === 0) {
          const terminal = createConsoleAdapter({
            input: process.stdin,
            output: process.stdout,
            onEnd: () => void shutdown(0, "end of input"),
            maxLineLength: loaded.config.input.maxMessageLength,
            ...(interactive ? { interactive: { prefix: loaded.config.prefix } } : {}),
          });
          if (interactive) logRoute.around = terminal.aboveThePrompt;
          adapters.push(terminal);
        }
        return adapters;
      },
    });
  } catch (e) {
    markStarted();
    if (e instanceof StartCancelled) return; // shutdown() exits
    if (e instanceof ConfigError) fail(e.message);
    log.fatal({ err: e }, "start failed");
    fail(logScrubber.scrub(`start failed: ${(e as Error).message.split("\n")[0]}`));
  }
  const { port, host } = loaded.config.health;
  if (port > 0) {
    const running = bot;
    try {
      health = await startHealthServer({ adapters: () => running.adapters, store: running.services.store, metrics, role: () => running.role() }, port, host);
      log.info({ url: health.url }, "health and metrics server listening");
    } catch (e) {
      await running.stop();
      fail(`health server cannot listen on ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  markStarted();
}

void main();
