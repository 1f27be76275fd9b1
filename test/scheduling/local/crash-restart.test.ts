import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createLocalBackend } from '../../../src/scheduling/local/local-backend.js';
import { loadPipelineCatalog } from '../../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { expectOk } from '../../support/runtime-harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Node itself, with tsx as a loader: a tsx wrapper process would take the SIGKILL while the
// service, its child, lived on.
const ROLE = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** at() takes a local date-time to the second; UTC here. */
const at = (ms: number) =>
  `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`;

let service: ChildProcess | undefined;
afterEach(() => {
  service?.kill('SIGKILL');
});

function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('pipeline-schedule-bot started')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
}

describe('the local back end after a crash', () => {
  it('loses nothing and fires nothing twice when the process is killed and restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-'));
    const pipelinesFile = join(dir, 'pipelines.yml');
    writeFileSync(
      pipelinesFile,
      'pipelines:\n  - name: slow\n    steps:\n      - { name: One, seconds: 2 }\n      - { name: Two, seconds: 2 }\n',
    );
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      LOCAL_PIPELINES_FILE: pipelinesFile,
      LOG_LEVEL: 'info',
    };

    // Set up as the CLI would: schedules at +3 s, +7 s and +11 s, kept after they run.
    const t0 = Date.now();
    const store = openSqliteStore(env.DATABASE_URL);
    const setup = createLocalBackend({
      store,
      pipelines: loadPipelineCatalog(pipelinesFile),
      log: createLogger({ level: 'silent' }),
      syncIntervalMs: 0,
    });
    const scheduling = new SchedulingService(setup, store, { group: 'sagemaker-pipelines' });
    for (const [name, offset] of [
      ['first', 3000],
      ['second', 7000],
      ['third', 11000],
    ] as const) {
      const created = await scheduling.createSchedule(
        {
          pipeline: 'slow',
          expression: at(t0 + offset),
          name,
          roleArn: ROLE,
          deleteAfterCompletion: false,
        },
        { requestId: name, allowedRoles: 'any' },
      );
      expectOk(created);
    }
    setup.pipelines.close();

    service = await startService(env);
    await sleep(Math.max(0, t0 + 5000 - Date.now())); // "first" fired at +3 s and is running
    service.kill('SIGKILL');
    await sleep(Math.max(0, t0 + 8500 - Date.now())); // "second" falls due while nothing runs
    service = await startService(env);
    await sleep(Math.max(0, t0 + 17500 - Date.now())); // "third" fires; everything finishes
    service.kill('SIGTERM');
    await new Promise((resolve) => service?.once('exit', resolve));

    const executions = (await store.local.list('executions')).map(
      (row) => JSON.parse(row.json) as { description: string; status: string; startTime: number },
    );
    await store.close();
    const bySchedule = executions
      .map((e) =>
        e.description.replace('Started by EventBridge Scheduler schedule sagemaker-pipelines/', ''),
      )
      .sort();
    expect(bySchedule).toEqual(['first', 'second', 'third']);
    expect(executions.map((e) => e.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
  }, 40_000);
});
