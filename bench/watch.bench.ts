// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: the cost of watching for missed runs, through the AWS adapters over the wire.
 *
 *   npm run bench:watch            (BENCH_SCHEDULES=10000 by default)
 *
 * The account: BENCH_SCHEDULES enabled schedules in the bot's group, on 50 pipelines, at every
 * minute of the day (cron(m h * * ? *)), so a minute has about one in 1,440 of them due. The
 * leader's watch pass runs over one interval (RUN_WATCH_INTERVAL_SECONDS, 30 s by default) with
 * the real SDK clients and adapters against the stateful stand-in, for three intervals in a row
 * (the first reads every schedule; the others re-read only what changed). It prints how long a pass takes, its AWS
 * calls by operation, and what that makes per hour at that interval.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logger.js';
import { createLocalBackend } from '../src/scheduling/local/local-backend.js';
import {
  localPipelineArn,
  parsePipelineCatalog,
} from '../src/scheduling/local/pipeline-catalog.js';
import { readScheduleDocument } from '../src/scheduling/schedule-document.js';
import { SchedulingService } from '../src/scheduling/scheduling-service.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { awsBackendOverTheWire } from '../test/support/aws-local-endpoint.js';
import { FakeClock } from '../test/support/fake-clock.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const INTERVAL_MS = Number(process.env.RUN_WATCH_INTERVAL_SECONDS ?? 30) * 1000;
const ROLE = 'arn:aws:iam::000000000000:role/LocalPipelineScheduler';
const pipelines = Array.from({ length: 50 }, (_, i) => `model-${i}`);

async function main(): Promise<void> {
  const store = openSqliteStore(
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-watch-')), 'bot.db')}`,
  );
  // A clock that stands still: the engine fires nothing, so every due run is missed and the
  // pass does its most work (a cause for each).
  const clock = new FakeClock(Date.parse('2026-12-03T07:00:00Z'));
  const local = createLocalBackend({
    store,
    pipelines: parsePipelineCatalog(
      `pipelines:\n${pipelines.map((name) => `  - name: ${name}\n    steps: [{ name: Train, seconds: 1 }]`).join('\n')}\n`,
    ),
    log: createLogger({ level: 'silent' }),
    clock,
    syncIntervalMs: 0,
  });
  const seeded = performance.now();
  await local.schedules.ensureGroup('sagemaker-pipelines');
  for (let i = 0; i < SCHEDULES; i++) {
    const minuteOfDay = i % 1440;
    await local.schedules.create(
      readScheduleDocument({
        Name: `schedule-${i}`,
        GroupName: 'sagemaker-pipelines',
        ScheduleExpression: `cron(${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * ? *)`,
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: localPipelineArn(pipelines[i % pipelines.length] as string),
          RoleArn: ROLE,
          SageMakerPipelineParameters: {},
        },
      }),
      `bench-${i}`,
    );
  }
  const seedMs = performance.now() - seeded;

  const wire = await awsBackendOverTheWire(local);
  const endpoint = wire.endpoint;
  const service = new SchedulingService(wire.backend, store, {
    group: 'sagemaker-pipelines',
    watch: { scheduleGroups: [], eventBuses: [] },
  });

  // Three intervals in a row, as the leader watches: each has its own due runs (the grace is
  // 60 s), and the second and third show the steady state, schedules already read.
  const first = Date.parse('2026-12-03T08:02:00Z');
  const windows = [0, 1, 2].map((i) => ({
    from: new Date(first + (i - 1) * INTERVAL_MS),
    to: new Date(first + i * INTERVAL_MS),
  }));
  const passes: Array<{ ms: number; calls: Map<string, number>; total: number; told: number }> = [];
  for (const { from, to } of windows) {
    const before = endpoint.requests.length;
    const started = performance.now();
    const result = await service.watchRuns(from, to);
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`watch failed: ${result.error.message}`);
    const calls = new Map<string, number>();
    for (const request of endpoint.requests.slice(before)) {
      const operation =
        request.service === 'scheduler'
          ? request.operation.replace(/\/schedules\/[^/]+$/, '/schedules/{name}')
          : request.operation;
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
    }
    passes.push({ ms, calls, total: endpoint.requests.length - before, told: result.value.length });
  }

  const perHour = 3600_000 / INTERVAL_MS;
  console.log(
    `account: ${SCHEDULES} enabled schedules (seeded in ${(seedMs / 1000).toFixed(1)} s); one pass every ${INTERVAL_MS / 1000} s`,
  );
  for (const [i, pass] of passes.entries()) {
    console.log(
      `pass ${i + 1}${i === 0 ? ' (reads every schedule)' : ' (steady state)'}: ${(pass.ms / 1000).toFixed(2)} s, ${pass.total} AWS calls, ${pass.told} missed runs told`,
    );
    for (const [operation, count] of [...pass.calls].sort((a, b) => b[1] - a[1]))
      console.log(`  ${operation.padEnd(34)} ${count}`);
  }
  const steady = passes.slice(1);
  const calls = steady.reduce((n, p) => n + p.total, 0) / steady.length;
  const ms = steady.reduce((n, p) => n + p.ms, 0) / steady.length;
  console.log(
    `per hour at this interval: about ${Math.round(calls * perHour)} AWS calls, ${((ms * perHour) / 1000).toFixed(0)} s of watching`,
  );

  await wire.close();
  await local.stop();
  await store.close();
}

await main();
