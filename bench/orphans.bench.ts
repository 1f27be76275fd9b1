// biome-ignore-all lint/suspicious/noConsole: a benchmark prints its figures
/**
 * Benchmark: `orphans` in a busy account, through the AWS adapters over the wire.
 *
 *   npm run bench:orphans            (BENCH_SCHEDULES=2000 BENCH_RULES=500 by default)
 *
 * The account: BENCH_SCHEDULES schedules across three groups (the bot's, `default` where the
 * SageMaker SDK puts them, and a team's), one in twenty a Lambda; BENCH_RULES rules on the
 * default bus, with one to three pipeline targets and often a Lambda beside them; 60 pipelines of
 * which 10 were deleted. The bot watches every group (`*`). It runs the real SDK clients and AWS
 * adapters against the stateful stand-in, counts every AWS call by operation and times the scan.
 * Target: under 30 s.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createLogger } from '../src/logger.js';
import { createAwsBackend } from '../src/scheduling/aws/backend.js';
import { createLocalBackend } from '../src/scheduling/local/local-backend.js';
import {
  localPipelineArn,
  parsePipelineCatalog,
} from '../src/scheduling/local/pipeline-catalog.js';
import { readScheduleDocument } from '../src/scheduling/schedule-document.js';
import { SchedulingService } from '../src/scheduling/scheduling-service.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { AwsLocalEndpoint } from '../test/support/aws-local-endpoint.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 2000);
const RULES = Number(process.env.BENCH_RULES ?? 500);
const TARGET_MS = 30_000;
const ROLE = 'arn:aws:iam::000000000000:role/LocalPipelineScheduler';
const LAMBDA = 'arn:aws:lambda:local-1:000000000000:function:housekeeping';

const living = Array.from({ length: 50 }, (_, i) => `model-${i}`);
const deleted = Array.from({ length: 10 }, (_, i) => `retired-${i}`);
const pipelineOf = (i: number) =>
  i % 12 === 0 ? (deleted[i % deleted.length] as string) : (living[i % living.length] as string);

async function main(): Promise<void> {
  const store = openSqliteStore(
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-orphans-')), 'bot.db')}`,
  );
  const local = createLocalBackend({
    store,
    pipelines: parsePipelineCatalog(
      `pipelines:\n${living.map((name) => `  - name: ${name}\n    steps: [{ name: Train, seconds: 1 }]`).join('\n')}\n`,
    ),
    log: createLogger({ level: 'silent' }),
    syncIntervalMs: 0,
  });
  const groups = ['sagemaker-pipelines', 'default', 'team-forecasting'];
  const seeded = performance.now();
  for (const group of groups) await local.schedules.ensureGroup(group);
  for (let i = 0; i < SCHEDULES; i++) {
    const group = groups[i % groups.length] as string;
    const target = i % 20 === 0 ? LAMBDA : localPipelineArn(pipelineOf(i));
    await local.schedules.create(
      readScheduleDocument({
        Name: `schedule-${i}`,
        GroupName: group,
        ScheduleExpression: `cron(${i % 60} ${i % 24} * * ? *)`,
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: target,
          RoleArn: ROLE,
          ...(target === LAMBDA ? {} : { SageMakerPipelineParameters: {} }),
        },
      }),
      `bench-${i}`,
    );
  }
  for (let i = 0; i < RULES; i++) {
    const pipelines = Array.from({ length: 1 + (i % 3) }, (_, k) => pipelineOf(i * 3 + k));
    await local.rules.store({
      kind: 'event',
      name: `rule-${i}`,
      bus: 'default',
      eventPattern: JSON.stringify({ source: ['aws.s3'], detail: { n: [i] } }),
      state: 'ENABLED',
      roleArn: ROLE,
      targets: [...new Set(pipelines)].map((name) => ({
        id: name,
        pipelineArn: localPipelineArn(name),
        pipelineName: name,
        parameters: [],
      })),
      otherTargets: i % 2 === 0 ? [{ id: 'lambda', arn: LAMBDA }] : [],
    });
  }
  const seedMs = performance.now() - seeded;

  const endpoint = await AwsLocalEndpoint.start(local);
  const config = endpoint.clientConfig({ maxAttempts: 1 });
  const schedulerClient = new SchedulerClient(config);
  const eventBridgeClient = new EventBridgeClient(config);
  const sageMakerClient = new SageMakerClient(config);
  const service = new SchedulingService(
    createAwsBackend({ region: 'us-east-1', schedulerClient, eventBridgeClient, sageMakerClient }),
    store,
    { group: 'sagemaker-pipelines', watch: { scheduleGroups: '*', eventBuses: ['default'] } },
  );

  const started = performance.now();
  const result = await service.orphans();
  const elapsed = performance.now() - started;
  if (!result.ok) throw new Error(`orphans failed: ${result.error.message}`);

  const calls = new Map<string, number>();
  for (const request of endpoint.requests) {
    const operation =
      request.service === 'scheduler'
        ? request.operation.replace(/\/schedules\/[^/]+$/, '/schedules/{name}')
        : request.operation;
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
  }
  const deadSchedules = result.value.filter((o) => o.kind === 'schedule').length;
  const deadTargets = result.value.reduce((n, o) => n + o.deadTargets.length, 0);
  console.log(
    `account: ${SCHEDULES} schedules in ${groups.length} groups, ${RULES} rules (seeded in ${(seedMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `orphans: ${deadSchedules} schedules, ${result.value.length - deadSchedules} rules with ${deadTargets} dead targets`,
  );
  console.log(`time: ${(elapsed / 1000).toFixed(2)} s (target < ${TARGET_MS / 1000} s)`);
  console.log(`AWS calls: ${endpoint.requests.length}`);
  for (const [operation, count] of [...calls].sort((a, b) => b[1] - a[1]))
    console.log(`  ${operation.padEnd(34)} ${count}`);

  for (const client of [schedulerClient, eventBridgeClient, sageMakerClient]) client.destroy();
  await endpoint.close();
  await local.stop();
  await store.close();
  if (elapsed > TARGET_MS) {
    console.log('FAIL: slower than the target');
    process.exitCode = 1;
  }
}

await main();
