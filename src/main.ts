import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startHttpServer } from './ops/http-server.js';

/** Composition root: read the configuration once, start what it asks for, stop cleanly. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel });
  const http = await startHttpServer(config.port, log);
  log.info(
    {
      backend: config.backend,
      slack: config.slack.mode,
      scheduleGroup: config.scheduleGroup,
      database: config.databaseUrl.split(':')[0],
    },
    'pipeline-schedule-bot started',
  );
  log.info(
    `try: curl http://localhost:${http.port}/healthz, or npm run cli -- validate 'cron(0 8 ? * MON-FRI *)' --tz Europe/Berlin`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await http.close();
    log.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pipeline-schedule-bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
