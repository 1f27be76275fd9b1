import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createAwsBackend } from './scheduling/aws/backend.js';
import { envelope } from './scheduling/local/event-bus.js';
import { createLocalBackend, type LocalBackend } from './scheduling/local/local-backend.js';
import { loadPipelineCatalog } from './scheduling/local/pipeline-catalog.js';
import type { Backend } from './scheduling/ports.js';
import { SchedulingService } from './scheduling/scheduling-service.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

/** The example pipelines shipped with the product, used when LOCAL_PIPELINES_FILE is unset. */
export const SHIPPED_PIPELINES_FILE = fileURLToPath(
  new URL('../examples/local-pipelines.yml', import.meta.url),
);

/** The execution role local triggers use when a command names none: nothing checks it locally. */
export const LOCAL_DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/LocalPipelineScheduler';

export interface Runtime {
  store: Store;
  backend: Backend;
  /** Set on the local back end. */
  local?: LocalBackend;
  service: SchedulingService;
  publishEvent?: (event: unknown) => Promise<{ id: string; source: string; detailType: string }>;
  close(): Promise<void>;
}

/**
 * Opens the store and the back end the configuration names. With `engine`, the local back end
 * fires schedules and advances executions (the service); without, it only reads and writes
 * state (a one-shot CLI command), and a running service picks the changes up.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  options: { engine: boolean },
): Promise<Runtime> {
  if (!config.databaseUrl.startsWith('sqlite:')) {
    throw new Error(
      'DATABASE_URL: only sqlite:PATH is supported so far; PostgreSQL comes with the multi-replica store',
    );
  }
  const store = openSqliteStore(config.databaseUrl);
  try {
    if (config.backend === 'aws') {
      const backend = createAwsBackend(config.awsRegion ? { region: config.awsRegion } : {});
      return {
        store,
        backend,
        service: new SchedulingService(backend, store, { group: config.scheduleGroup }),
        close: () => store.close(),
      };
    }
    const pipelines = loadPipelineCatalog(config.localPipelinesFile ?? SHIPPED_PIPELINES_FILE);
    const local = createLocalBackend({ store, pipelines, log });
    if (options.engine) await local.start();
    return {
      store,
      backend: local,
      local,
      service: new SchedulingService(local, store, { group: config.scheduleGroup }),
      async publishEvent(event) {
        const e = event as Partial<Parameters<typeof envelope>[0]>;
        const full = envelope(
          {
            ...e,
            source: typeof e.source === 'string' ? e.source : 'pipeline-schedule.test',
            'detail-type': typeof e['detail-type'] === 'string' ? e['detail-type'] : 'Test Event',
            detail: e.detail && typeof e.detail === 'object' ? e.detail : {},
          },
          Date.now(),
        );
        await local.bus.publish(full);
        return { id: full.id, source: full.source, detailType: full['detail-type'] };
      },
      async close() {
        await local.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}
