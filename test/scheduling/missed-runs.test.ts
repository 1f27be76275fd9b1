import { afterEach, describe, expect, it } from 'vitest';
import { envelope } from '../../src/scheduling/local/event-bus.js';
import { parsePipelineCatalog } from '../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { awsBackendOverTheWire } from '../support/aws-local-endpoint.js';
import { type LocalHarness, ROLE, startLocal } from '../support/local-backend.js';
import { ctx, value } from './scheduling-contract.js';

/**
 * Missed runs, found the way the leader finds them: every enabled schedule's occurrences whose
 * window and grace have passed, each matched to the execution it started, or recorded as
 * missed with the cause — once, whatever watches look again.
 */

const pipelines = parsePipelineCatalog(`
pipelines:
  - name: churn-train
    steps: [{ name: Train, seconds: 1 }]
  - name: ingest-daily
    parameters: [{ name: InputDataUri, type: String }]
    steps: [{ name: Ingest, seconds: 1 }]
  - name: denied-train
    startFails: "User: arn:aws:sts::000000000000:assumed-role/LocalPipelineScheduler/scheduler is not authorized to perform: sagemaker:StartPipelineExecution on resource: denied-train"
    steps: [{ name: Train, seconds: 1 }]
`);

let h: LocalHarness;
let closeWire: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeWire?.();
  closeWire = undefined;
  await h.close();
});

/** The scheduling service on the local back end, or on the AWS adapters over the wire to it. */
async function serviceOn(backendKind: 'local' | 'aws'): Promise<SchedulingService> {
  h = await startLocal({ now: '2026-11-29T08:00:00Z', pipelines });
  if (backendKind === 'local')
    return new SchedulingService(h.backend, h.store, { group: 'sagemaker-pipelines' });
  const wire = await awsBackendOverTheWire(h.backend);
  closeWire = wire.close;
  const backend = wire.backend;
  return new SchedulingService(backend, h.store, { group: 'sagemaker-pipelines' });
}

async function setUp(backendKind: 'local' | 'aws' = 'local') {
  const service = await serviceOn(backendKind);
  for (const [name, pipeline] of [
    ['denied-every-5', 'denied-train'],
    ['churn-every-5', 'churn-train'],
  ] as const)
    value(
      await service.createSchedule(
        { pipeline, expression: 'rate(5 minutes)', name, roleArn: ROLE, parameters: [] },
        ctx(),
      ),
    );
  value(
    await service.createSchedule(
      {
        pipeline: 'denied-train',
        expression: 'rate(5 minutes)',
        name: 'denied-paused',
        roleArn: ROLE,
        parameters: [],
        state: 'DISABLED',
      },
      ctx(),
    ),
  );
  return service;
}

const at = (iso: string) => new Date(iso);

describe.each([
  // Reading the dead-letter queue over the wire is not built yet: the AWS adapters say so.
  [
    'local',
    /^Scheduler gave up after 3 retries: AccessDeniedException: User: .* is not authorized to perform: sagemaker:StartPipelineExecution/,
  ],
  ['aws', /^no execution started; the schedule has no dead-letter queue to say why/],
] as const)('missed runs on the %s back end', (backendKind, reason) => {
  it('are reported once, with their cause, and never for a paused schedule', async () => {
    const service = await setUp(backendKind);
    await h.clock.advanceTo('2026-11-29T08:12:00Z');
    const told = value(
      await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:12:00Z')),
    );
    expect(told.map((t) => [t.ref, t.occurrence.toISOString(), t.outcome])).toEqual([
      ['denied-every-5', '2026-11-29T08:00:00.000Z', 'missed'],
      ['denied-every-5', '2026-11-29T08:05:00.000Z', 'missed'],
      ['denied-every-5', '2026-11-29T08:10:00.000Z', 'missed'],
    ]);
    expect(told[0]?.reason).toMatch(reason);
    // Looking again (a restart, another replica after a failover) tells nothing twice.
    expect(
      value(await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:12:00Z'))),
    ).toEqual([]);
    // The working schedule's runs are ticks too: started, with their executions.
    const ticks = value(await service.ticksOf('churn-every-5'));
    expect(ticks.map((t) => [t.occurrence.toISOString(), t.outcome])).toEqual([
      ['2026-11-29T08:10:00.000Z', 'started'],
      ['2026-11-29T08:05:00.000Z', 'started'],
      ['2026-11-29T08:00:00.000Z', 'started'],
    ]);
    expect(ticks.every((t) => t.executionArn?.includes('/execution/'))).toBe(true);
    // A paused schedule's runs are history, not news: skipped, already "told", and one tick for
    // the whole stretch, however many runs it skips.
    const stretch = async () =>
      value(await service.ticksOf('denied-paused')).map((t) => [
        t.occurrence.toISOString(),
        t.through?.toISOString(),
        t.runs,
        t.outcome,
        t.reason,
        t.told,
      ]);
    const paused = (through: string, runs: number) => [
      '2026-11-29T08:00:00.000Z',
      through,
      runs,
      'skipped',
      'the schedule is paused',
      'skipped',
    ];
    expect(await stretch()).toEqual([paused('2026-11-29T08:10:00.000Z', 3)]);
    // The next look extends it; looking at a window again counts no run twice.
    await h.clock.advanceTo('2026-11-29T08:32:00Z');
    value(await service.watchRuns(at('2026-11-29T08:12:00Z'), at('2026-11-29T08:32:00Z')));
    value(await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:32:00Z')));
    expect(await stretch()).toEqual([paused('2026-11-29T08:30:00.000Z', 7)]);
    // Resumed, it runs; paused again, a new stretch begins after its runs.
    value(await service.resume('denied-paused', ctx()));
    await h.clock.advanceTo('2026-11-29T08:42:00Z');
    value(await service.watchRuns(at('2026-11-29T08:32:00Z'), at('2026-11-29T08:42:00Z')));
    value(await service.pause('denied-paused', ctx()));
    await h.clock.advanceTo('2026-11-29T09:02:00Z');
    value(await service.watchRuns(at('2026-11-29T08:42:00Z'), at('2026-11-29T09:02:00Z')));
    const again = value(await service.ticksOf('denied-paused'));
    expect(again.map((t) => [t.occurrence.toISOString(), t.outcome, t.runs])).toEqual([
      ['2026-11-29T08:45:00.000Z', 'skipped', 4],
      ['2026-11-29T08:40:00.000Z', 'missed', undefined],
      ['2026-11-29T08:35:00.000Z', 'missed', undefined],
      ['2026-11-29T08:00:00.000Z', 'skipped', 7],
    ]);
    // Resumed and paused again between two looks: no run between, yet a pause of its own.
    value(await service.resume('denied-paused', ctx()));
    value(await service.pause('denied-paused', ctx()));
    await h.clock.advanceTo('2026-11-29T09:12:00Z');
    value(await service.watchRuns(at('2026-11-29T09:02:00Z'), at('2026-11-29T09:12:00Z')));
    const third = value(await service.ticksOf('denied-paused', 2));
    expect(third.map((t) => [t.occurrence.toISOString(), t.runs])).toEqual([
      ['2026-11-29T09:05:00.000Z', 2],
      ['2026-11-29T08:45:00.000Z', 4],
    ]);
  });

  it('record a run daylight saving removes as skipped, never as missed', async () => {
    h = await startLocal({ now: '2027-03-27T23:00:00Z', pipelines });
    let service = new SchedulingService(h.backend, h.store, { group: 'sagemaker-pipelines' });
    if (backendKind === 'aws') {
      const wire = await awsBackendOverTheWire(h.backend);
      closeWire = wire.close;
      service = new SchedulingService(wire.backend, h.store, { group: 'sagemaker-pipelines' });
    }
    value(
      await service.createSchedule(
        {
          pipeline: 'churn-train',
          expression: 'cron(30 2 * * ? *)',
          timeZone: 'Europe/Berlin',
          name: 'berlin-0230',
          roleArn: ROLE,
          parameters: [],
        },
        ctx(),
      ),
    );
    // 28 March 2027: at 02:00 Berlin (01:00 UTC) the clocks jump to 03:00.
    await h.clock.advanceTo('2027-03-28T03:00:00Z');
    const told = value(
      await service.watchRuns(at('2027-03-27T23:00:00Z'), at('2027-03-28T03:00:00Z')),
    );
    expect(told).toEqual([]);
    const [tick, ...others] = value(await service.ticksOf('berlin-0230'));
    expect(others).toEqual([]);
    expect(tick).toMatchObject({
      outcome: 'skipped',
      wallTime: '2027-03-28 02:30',
      reason:
        '02:30 does not exist that day: clocks in Europe/Berlin jump from 02:00 to 03:00, and Scheduler skips the run',
    });
    // Looked at again, nothing is recorded twice.
    value(await service.watchRuns(at('2027-03-27T23:00:00Z'), at('2027-03-28T03:00:00Z')));
    expect(value(await service.ticksOf('berlin-0230'))).toHaveLength(1);
  });

  it('say the pipeline is gone when it is', async () => {
    const service = await setUp(backendKind);
    h.backend.pipelines.deletePipeline('churn-train');
    await h.clock.advanceTo('2026-11-29T08:03:00Z');
    const [missed] = value(
      await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:03:00Z')),
    ).filter((t) => t.ref === 'churn-every-5');
    expect(missed?.reason).toMatch(/the pipeline churn-train no longer exists \(an orphan/);
  });

  it('turn into "started late" when a retry starts the run within the retry policy', async () => {
    const service = await setUp(backendKind);
    await h.clock.advanceTo('2026-11-29T08:03:00Z');
    const [missed] = value(
      await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:03:00Z')),
    );
    expect(missed?.outcome).toBe('missed');
    // The role is fixed; Scheduler's retry (here by hand, as it would send it) starts the run.
    h.backend.pipelines.setStartFails('denied-train', undefined);
    await h.clock.advanceTo('2026-11-29T08:04:00Z');
    const { executionArn } = await h.backend.pipelines.start({
      pipelineName: 'denied-train',
      parameters: [],
      clientToken: 'retry-of-the-0800-run-000000000000',
    });
    const told = value(
      await service.watchRuns(at('2026-11-29T08:03:00Z'), at('2026-11-29T08:04:00Z')),
    );
    expect(told.map((t) => [t.ref, t.occurrence.toISOString(), t.outcome, t.executionArn])).toEqual(
      [['denied-every-5', '2026-11-29T08:00:00.000Z', 'late', executionArn]],
    );
    expect(value(await service.ticksOf('denied-every-5'))[0]?.outcome).toBe('late');
  });

  it("list a rule's runs: the executions its matched events started, not others", async () => {
    const service = await setUp(backendKind);
    value(
      await service.createEventTrigger(
        {
          pipelines: ['ingest-daily'],
          eventPattern: JSON.stringify({ source: ['aws.s3'] }),
          name: 'ingest-on-upload',
          roleArn: ROLE,
          parameters: [{ name: 'InputDataUri', value: '$.detail.key' }],
        },
        ctx(),
      ),
    );
    await h.clock.advanceTo('2026-11-29T08:03:00Z');
    await h.backend.bus.publish(
      envelope(
        { source: 'aws.s3', 'detail-type': 'Object Created', detail: { key: 'a.csv' } },
        h.clock.now(),
      ),
    );
    // Someone's own start of the same pipeline is not the rule's.
    value(await service.runNow('ingest-daily', [{ name: 'InputDataUri', value: 'b.csv' }], ctx()));
    const runs = value(await service.ticksOf('ingest-on-upload'));
    expect(runs.map((t) => [t.occurrence.toISOString(), t.outcome, t.byEvent])).toEqual([
      ['2026-11-29T08:03:00.000Z', 'started', true],
    ]);
    const described = value(await service.describe('ingest-on-upload'));
    expect(described.recentRuns.map((t) => t.executionArn)).toEqual([runs[0]?.executionArn]);
  });

  it('still account for a one-time at() schedule that Scheduler deleted after its run', async () => {
    const service = await setUp(backendKind);
    for (const [name, pipeline] of [
      ['denied-once', 'denied-train'],
      ['churn-once', 'churn-train'],
    ] as const)
      value(
        await service.createSchedule(
          { pipeline, expression: 'at(2026-11-29T08:02:00)', name, roleArn: ROLE, parameters: [] },
          ctx(),
        ),
      );
    await h.clock.advanceTo('2026-11-29T08:20:00Z');
    // ActionAfterCompletion DELETE (the default for at()): both are gone once they have run.
    for (const name of ['denied-once', 'churn-once'])
      await expect(h.backend.schedules.get('sagemaker-pipelines', name)).rejects.toThrow(
        /not found/,
      );
    const told = value(
      await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:20:00Z')),
    ).filter((t) => t.ref.endsWith('-once'));
    expect(told.map((t) => [t.ref, t.occurrence.toISOString(), t.outcome])).toEqual([
      ['denied-once', '2026-11-29T08:02:00.000Z', 'missed'],
    ]);
    expect(told[0]?.reason).toMatch(
      backendKind === 'local'
        ? reason
        : /^no execution started and Scheduler has deleted the one-time schedule since/,
    );
    const started = value(
      await service.watchRuns(at('2026-11-29T08:00:00Z'), at('2026-11-29T08:20:00Z')),
    );
    expect(started).toEqual([]);
    const history = await h.store.ticks.recent('sagemaker-pipelines/churn-once', 5);
    expect(history.map((t) => [t.occurrence.toISOString(), t.outcome])).toEqual([
      ['2026-11-29T08:02:00.000Z', 'started'],
    ]);
  });
});
