import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../src/scheduling/local/event-bus.js';
import type { FiringReport } from '../../../src/scheduling/local/local-schedules.js';
import { DEFAULT_RETRY_POLICY, type ScheduleTrigger } from '../../../src/scheduling/triggers.js';
import { type LocalHarness, ROLE, startLocal } from '../../support/local-backend.js';

const GROUP = 'sagemaker-pipelines';

function schedule(overrides: Partial<ScheduleTrigger>): ScheduleTrigger {
  return {
    kind: 'schedule',
    name: 'churn-daily',
    group: GROUP,
    pipelineArn: 'arn:aws:sagemaker:local-1:000000000000:pipeline/churn-train',
    pipelineName: 'churn-train',
    expression: 'cron(0 8 * * ? *)',
    timeZone: 'UTC',
    state: 'ENABLED',
    roleArn: ROLE,
    parameters: [],
    retryPolicy: DEFAULT_RETRY_POLICY,
    deleteAfterCompletion: false,
    ...overrides,
  };
}

let harness: LocalHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(now: string) {
  harness = await startLocal({ now });
  await harness.backend.schedules.ensureGroup(GROUP);
  return harness;
}

function record(h: LocalHarness) {
  const firings: FiringReport[] = [];
  const events: BusEvent[] = [];
  h.backend.schedules.onFiring((r) => firings.push(r));
  h.backend.bus.subscribe((e) => {
    events.push(e);
  });
  return {
    firings,
    events,
    fired: () =>
      firings
        .filter((f) => f.outcome === 'started')
        .map((f) => new Date(f.scheduledTime).toISOString()),
  };
}

describe('the local scheduler', () => {
  it('fires a cron schedule at each occurrence, on time', async () => {
    const h = await start('2026-11-29T07:00:00Z');
    const { firings, fired } = record(h);
    await h.backend.schedules.create(schedule({}), 'token-1');
    await h.clock.advanceTo('2026-12-01T09:00:00Z');
    expect(fired()).toEqual([
      '2026-11-29T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
      '2026-12-01T08:00:00.000Z',
    ]);
    expect(firings.every((f) => f.firedAt - f.scheduledTime === 0)).toBe(true);
  });

  it('honours the time zone and skips the local time daylight saving removes', async () => {
    const h = await start('2027-03-13T00:00:00Z');
    const { fired } = record(h);
    await h.backend.schedules.create(
      schedule({ expression: 'cron(30 2 * * ? *)', timeZone: 'America/New_York' }),
      't',
    );
    await h.clock.advanceTo('2027-03-16T00:00:00Z');
    expect(fired()).toEqual(['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
  });

  it('starts the pipeline with the schedule parameters and Scheduler context attributes', async () => {
    const h = await start('2026-11-29T07:59:00Z');
    const { firings } = record(h);
    await h.backend.schedules.create(
      schedule({
        parameters: [{ name: 'InstanceType', value: 'ml.c5.xlarge' }],
        expression: 'cron(0 8 * * ? *)',
      }),
      't',
    );
    await h.clock.advance(60_000);
    const arn = firings[0]?.executionArn ?? '';
    const execution = await h.backend.pipelines.describeExecution(arn);
    expect(execution.parameters).toEqual([
      { name: 'InstanceType', value: 'ml.c5.xlarge' },
      { name: 'Epochs', value: '10' },
      { name: 'SkipEval', value: 'false' },
    ]);
  });

  it('respects start and end dates', async () => {
    const h = await start('2026-11-29T00:00:00Z');
    const { fired } = record(h);
    await h.backend.schedules.create(
      schedule({ start: new Date('2026-11-30T00:00:00Z'), end: new Date('2026-12-01T08:00:00Z') }),
      't',
    );
    await h.clock.advanceTo('2026-12-05T00:00:00Z');
    expect(fired()).toEqual(['2026-11-30T08:00:00.000Z', '2026-12-01T08:00:00.000Z']);
  });

  it('fires within the flexible window, never before the scheduled time', async () => {
    const h = await start('2026-11-29T07:00:00Z');
    const { firings } = record(h);
    await h.backend.schedules.create(schedule({ flexibleWindowMinutes: 15 }), 't');
    await h.clock.advanceTo('2026-12-09T00:00:00Z');
    expect(firings).toHaveLength(10);
    for (const f of firings) {
      expect(f.firedAt).toBeGreaterThanOrEqual(f.scheduledTime);
      expect(f.firedAt - f.scheduledTime).toBeLessThan(15 * 60_000);
    }
    expect(new Set(firings.map((f) => f.firedAt - f.scheduledTime)).size).toBeGreaterThan(1);
  });

  it('counts rate() from its creation, and does not fire a paused schedule', async () => {
    const h = await start('2026-11-29T08:00:30Z');
    const { fired } = record(h);
    await h.backend.schedules.create(
      schedule({ name: 'every-2h', expression: 'rate(2 hours)' }),
      't1',
    );
    await h.backend.schedules.create(schedule({ name: 'paused', state: 'DISABLED' }), 't2');
    await h.clock.advance(5 * 3_600_000);
    expect(fired()).toEqual([
      '2026-11-29T08:00:30.000Z',
      '2026-11-29T10:00:30.000Z',
      '2026-11-29T12:00:30.000Z',
    ]);
  });

  it('deletes a one-time schedule once it has run, when asked to', async () => {
    const h = await start('2026-12-24T07:00:00Z');
    const { fired } = record(h);
    await h.backend.schedules.create(
      schedule({
        name: 'xmas',
        expression: 'at(2026-12-24T09:00:00)',
        timeZone: 'Europe/Berlin',
        deleteAfterCompletion: true,
      }),
      't',
    );
    await h.clock.advanceTo('2026-12-24T09:00:00Z');
    expect(fired()).toEqual(['2026-12-24T08:00:00.000Z']);
    await expect(h.backend.schedules.get(GROUP, 'xmas')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('retries a failed start, then records a dead letter', async () => {
    const h = await start('2026-11-29T07:59:00Z');
    const { firings } = record(h);
    await h.backend.schedules.create(
      schedule({ retryPolicy: { maximumEventAgeSeconds: 60, maximumRetryAttempts: 2 } }),
      't',
    );
    h.backend.pipelines.deletePipeline('churn-train');
    await h.clock.advance(5 * 60_000);
    expect(firings.map((f) => f.outcome)).toEqual(['retrying', 'retrying', 'dead-lettered']);
    const letters = await h.store.local.list('dead-letters');
    expect(JSON.parse(letters[0]?.json ?? '{}')).toMatchObject({
      scheduledTime: '2026-11-29T08:00:00.000Z',
      attempts: 3,
    });
  });

  it('after a restart, fires nothing twice and catches up what it missed while down', async () => {
    let h = await start('2026-11-29T07:00:00Z');
    await h.backend.schedules.create(schedule({ expression: 'cron(0/20 * * * ? *)' }), 't');
    let log = record(h);
    await h.clock.advanceTo('2026-11-29T07:45:00Z');
    expect(log.fired()).toEqual(['2026-11-29T07:20:00.000Z', '2026-11-29T07:40:00.000Z']);
    await h.backend.stop();
    // Down for 50 minutes: 08:00, 08:20 and 08:40 were missed.
    await h.clock.advanceTo('2026-11-29T08:35:00Z');
    h = await h.restart();
    harness = h;
    log = record(h);
    await h.clock.advanceTo('2026-11-29T09:05:00Z');
    expect(log.fired()).toEqual([
      '2026-11-29T08:00:00.000Z',
      '2026-11-29T08:20:00.000Z',
      '2026-11-29T08:40:00.000Z',
      '2026-11-29T09:00:00.000Z',
    ]);
    const executions = await h.backend.pipelines.listExecutions('churn-train', { maxResults: 100 });
    expect(executions.items).toHaveLength(6);
  });
});

describe('the local pipelines', () => {
  it('walk through their steps and publish real-shaped SageMaker events', async () => {
    const h = await start('2026-11-29T08:00:00Z');
    const { events } = record(h);
    const { executionArn } = await h.backend.pipelines.start({
      pipelineName: 'churn-train',
      parameters: [],
      clientToken: 'x'.repeat(32),
    });
    await h.clock.advance(10_000);
    const summary = events.map((e) =>
      e['detail-type'].endsWith('Step Status Change')
        ? `${e.detail.stepName}:${e.detail.currentStepStatus}`
        : `execution:${e.detail.currentPipelineExecutionStatus}`,
    );
    expect(summary).toEqual([
      'execution:Executing',
      'Preprocess:Executing',
      'Preprocess:Succeeded',
      'Train:Executing',
      'Train:Succeeded',
      'execution:Succeeded',
    ]);
    const last = events.at(-1);
    expect(last).toMatchObject({
      version: '0',
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
      resources: ['arn:aws:sagemaker:local-1:000000000000:pipeline/churn-train', executionArn],
      detail: {
        pipelineExecutionArn: executionArn,
        previousPipelineExecutionStatus: 'Executing',
        currentPipelineExecutionStatus: 'Succeeded',
        executionStartTime: '2026-11-29T08:00:00Z',
        executionEndTime: '2026-11-29T08:00:07Z',
      },
    });
  });

  it('report a failing step with its reason', async () => {
    const h = await start('2026-11-29T08:00:00Z');
    const { events } = record(h);
    const { executionArn } = await h.backend.pipelines.start({
      pipelineName: 'gate-fails',
      parameters: [],
      clientToken: 'y'.repeat(32),
    });
    await h.clock.advance(5_000);
    expect(events.find((e) => e.detail.currentStepStatus === 'Failed')?.detail.failureReason).toBe(
      'AUC 0.61 is below the 0.70 threshold',
    );
    const execution = await h.backend.pipelines.describeExecution(executionArn);
    expect(execution).toMatchObject({
      status: 'Failed',
      failureReason: expect.stringContaining('AUC 0.61'),
    });
  });

  it('resume a running execution after a restart, replaying only what it missed', async () => {
    let h = await start('2026-11-29T08:00:00Z');
    const { executionArn } = await h.backend.pipelines.start({
      pipelineName: 'churn-train',
      parameters: [],
      clientToken: 'z'.repeat(32),
    });
    await h.clock.advance(3_000); // Preprocess done, Train running
    await h.backend.stop();
    h = await h.restart();
    harness = h;
    const { events } = record(h);
    await h.clock.advance(10_000);
    expect(events.map((e) => e.detail.stepName ?? e.detail.currentPipelineExecutionStatus)).toEqual(
      ['Train', 'Succeeded'],
    );
    expect((await h.backend.pipelines.describeExecution(executionArn)).status).toBe('Succeeded');
  });

  it('can be stopped', async () => {
    const h = await start('2026-11-29T08:00:00Z');
    const { executionArn } = await h.backend.pipelines.start({
      pipelineName: 'churn-train',
      parameters: [],
      clientToken: 's'.repeat(32),
    });
    await h.clock.advance(1_000);
    await h.backend.pipelines.stopExecution(executionArn);
    await h.clock.advance(2_000);
    expect((await h.backend.pipelines.describeExecution(executionArn)).status).toBe('Stopped');
  });
});

describe('local event rules', () => {
  it('start the target pipeline with static values and values read from the event', async () => {
    const h = await start('2026-11-29T08:00:00Z');
    await h.backend.rules.put({
      kind: 'event',
      name: 'ingest-on-upload',
      eventPattern: JSON.stringify({
        source: ['aws.s3'],
        detail: { object: { key: [{ prefix: 'daily/' }] } },
      }),
      state: 'ENABLED',
      roleArn: ROLE,
      targets: [
        {
          id: 'ingest-daily',
          pipelineArn: 'arn:aws:sagemaker:local-1:000000000000:pipeline/ingest-daily',
          pipelineName: 'ingest-daily',
          parameters: [{ name: 'InputDataUri', value: '$.detail.object.key' }],
        },
      ],
    });
    const event = (key: string, id: string): BusEvent => ({
      version: '0',
      id,
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      time: '2026-11-29T08:00:00Z',
      region: 'local-1',
      resources: [],
      detail: { object: { key } },
    });
    await h.backend.bus.publish(event('daily/2026-11-29.csv', 'e1'));
    await h.backend.bus.publish(event('daily/2026-11-29.csv', 'e1')); // delivered twice
    await h.backend.bus.publish(event('weekly/x.csv', 'e2'));
    const runs = await h.backend.pipelines.listExecutions('ingest-daily', {});
    expect(runs.items).toHaveLength(1);
    const run = await h.backend.pipelines.describeExecution(runs.items[0]?.arn ?? '');
    expect(run.parameters).toEqual([{ name: 'InputDataUri', value: 'daily/2026-11-29.csv' }]);
  });
});

describe('local rules on a schedule', () => {
  it('run in UTC, start only their pipeline targets with a Scheduled Event, and stop when disabled', async () => {
    const h = await start('2026-11-29T08:00:00Z');
    const reports: string[] = [];
    h.backend.rules.onTarget((r) => {
      reports.push(`${r.rule}/${r.target}: ${r.outcome}`);
    });
    await h.backend.rules.store({
      kind: 'event',
      name: 'nightly-batch',
      bus: 'default',
      eventPattern: '',
      scheduleExpression: 'cron(0 2 * * ? *)',
      state: 'ENABLED',
      roleArn: ROLE,
      targets: [
        {
          id: 'batch',
          pipelineArn: 'arn:aws:sagemaker:local-1:000000000000:pipeline/ingest-daily',
          pipelineName: 'ingest-daily',
          parameters: [{ name: 'InputDataUri', value: '$.time' }],
        },
      ],
      otherTargets: [{ id: 'notify', arn: 'arn:aws:lambda:local-1:000000000000:function:notify' }],
    });
    await h.clock.advanceTo('2026-12-01T03:00:00Z');
    const runs = await h.backend.pipelines.listExecutions('ingest-daily', {});
    const started = await Promise.all(
      runs.items.map((r) => h.backend.pipelines.describeExecution(r.arn)),
    );
    expect(
      started.map((e) => e.parameters).sort((a, b) => (a[0]!.value < b[0]!.value ? -1 : 1)),
    ).toEqual([
      [{ name: 'InputDataUri', value: '2026-11-30T02:00:00Z' }],
      [{ name: 'InputDataUri', value: '2026-12-01T02:00:00Z' }],
    ]);
    // The Lambda target is not the local back end's to run; only the pipeline is reported.
    expect(reports).toEqual(['nightly-batch/batch: started', 'nightly-batch/batch: started']);

    await h.backend.rules.setState('nightly-batch', 'DISABLED');
    await h.clock.advanceTo('2026-12-03T03:00:00Z');
    expect((await h.backend.pipelines.listExecutions('ingest-daily', {})).items).toHaveLength(2);
  });

  it('after a restart, neither replay the runs missed while down nor run one twice', async () => {
    let h = await start('2026-11-29T08:00:00Z');
    await h.backend.rules.store({
      kind: 'event',
      name: 'hourly',
      bus: 'default',
      eventPattern: '',
      scheduleExpression: 'cron(0 * * * ? *)',
      state: 'ENABLED',
      roleArn: ROLE,
      targets: [
        {
          id: 'p',
          pipelineArn: 'arn:aws:sagemaker:local-1:000000000000:pipeline/churn-train',
          pipelineName: 'churn-train',
          parameters: [],
        },
      ],
      otherTargets: [],
    });
    await h.clock.advanceTo('2026-11-29T09:00:30Z');
    await h.backend.stop();
    // Down from 09:00:30 to 11:30: the 10:00 and 11:00 runs were EventBridge's to make then.
    await h.clock.advanceTo('2026-11-29T11:30:00Z');
    h = await h.restart();
    harness = h;
    await h.clock.advanceTo('2026-11-29T12:00:10Z');
    const runs = await h.backend.pipelines.listExecutions('churn-train', {});
    expect(runs.items).toHaveLength(2);
  });
});

describe('a second process on the same store', () => {
  it('sees schedules and executions a one-shot command wrote, and stops firing a deleted schedule', async () => {
    const h = await startLocal({ now: '2026-11-29T07:58:00Z', syncIntervalMs: 2000 });
    harness = h;
    await h.backend.schedules.ensureGroup(GROUP);
    const { fired } = record(h);
    // The CLI: its own back end on the same file, no engine running.
    const { openSqliteStore } = await import('../../../src/store/sqlite-store.js');
    const { createLocalBackend } = await import('../../../src/scheduling/local/local-backend.js');
    const { createLogger } = await import('../../../src/logger.js');
    const { testPipelines } = await import('../../support/local-backend.js');
    const cliStore = openSqliteStore(h.databaseUrl);
    const cli = createLocalBackend({
      store: cliStore,
      pipelines: testPipelines,
      log: createLogger({ level: 'silent' }),
      clock: h.clock,
      syncIntervalMs: 0,
    });
    await cli.schedules.create(schedule({ expression: 'cron(0/1 8 * * ? *)' }), 'cli-token');
    const { executionArn } = await cli.pipelines.start({
      pipelineName: 'churn-train',
      parameters: [],
      clientToken: 'c'.repeat(32),
    });
    cli.pipelines.close();
    await h.clock.advanceTo('2026-11-29T08:01:30Z');
    expect(fired()).toEqual(['2026-11-29T08:00:00.000Z', '2026-11-29T08:01:00.000Z']);
    await h.clock.advance(10_000);
    expect((await h.backend.pipelines.describeExecution(executionArn)).status).toBe('Succeeded');
    await cli.schedules.delete(GROUP, 'churn-daily', 'x');
    await h.clock.advanceTo('2026-11-29T08:05:00Z');
    // Deleted at 08:01:40: the 08:02 slot finds it gone in the store and does not fire.
    expect(fired()).toHaveLength(2);
    await cliStore.close();
  });
});
