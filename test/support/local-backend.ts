import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { createLocalBackend, type LocalBackend } from '../../src/scheduling/local/local-backend.js';
import {
  parsePipelineCatalog,
  type SimulatedPipeline,
} from '../../src/scheduling/local/pipeline-catalog.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from './fake-clock.js';

export const testPipelines = parsePipelineCatalog(`
pipelines:
  - name: churn-train
    parameters:
      - { name: InstanceType, type: String, default: ml.m5.xlarge }
      - { name: Epochs, type: Integer, default: 10 }
      - { name: SkipEval, type: Boolean, default: false }
    steps:
      - { name: Preprocess, type: Processing, seconds: 2 }
      - { name: Train, type: Training, seconds: 5 }
  - name: ingest-daily
    parameters:
      - { name: InputDataUri, type: String }
    steps:
      - { name: Ingest, seconds: 3 }
  - name: gate-fails
    steps:
      - { name: Evaluate, seconds: 1, fails: "AUC 0.61 is below the 0.70 threshold" }
`);

export const ROLE = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';

export interface LocalHarness {
  backend: LocalBackend;
  store: Store;
  clock: FakeClock;
  databaseUrl: string;
  /** A new process on the same database file: stop this backend, start another. */
  restart(): Promise<LocalHarness>;
  close(): Promise<void>;
}

export async function startLocal(
  options: {
    now?: string;
    databaseUrl?: string;
    clock?: FakeClock;
    syncIntervalMs?: number;
    pipelines?: SimulatedPipeline[];
  } = {},
): Promise<LocalHarness> {
  const databaseUrl =
    options.databaseUrl ??
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'pipeline-schedule-')), 'bot.db')}`;
  const clock = options.clock ?? new FakeClock(Date.parse(options.now ?? '2026-11-29T08:00:00Z'));
  const store = openSqliteStore(databaseUrl);
  const backend = createLocalBackend({
    store,
    pipelines: options.pipelines ?? testPipelines,
    log: createLogger({ level: 'silent' }),
    clock,
    // Off unless a test is about it: a fake day would otherwise poll 43,200 times.
    syncIntervalMs: options.syncIntervalMs ?? 0,
  });
  await backend.start();
  const harness: LocalHarness = {
    backend,
    store,
    clock,
    databaseUrl,
    async restart() {
      await harness.close();
      return startLocal({
        databaseUrl,
        clock,
        ...(options.pipelines ? { pipelines: options.pipelines } : {}),
      });
    },
    async close() {
      await backend.stop();
      await store.close();
    },
  };
  return harness;
}
