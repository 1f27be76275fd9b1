import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ForeignTriggers } from '../../src/scheduling/local/foreign-triggers.js';
import { seedForeignTriggers } from '../../src/scheduling/local/foreign-triggers.js';
import { PIPELINE_ARN, PIPELINE_NAME } from '../../src/scheduling/pipeline.js';
import type { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import type { LocalHarness } from '../support/local-backend.js';
import { ctx, ROLE, value } from './scheduling-contract.js';

/**
 * An AWS account where the bot is not alone: what the SageMaker SDK's `put_triggers`, the
 * console and CloudFormation made, Lambda targets beside pipeline ones, and the bot's own
 * `setup-events` rule. Every back end must find, show and leave alone the same things.
 */

export interface ForeignSetup {
  service: SchedulingService;
  /** The account's contents live here on both back ends (the AWS one reaches it over the wire). */
  local: LocalHarness;
  /** What the AWS adapters sent, on the AWS back end. */
  sent?: () => Array<{ service: string; operation: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const ARN = (name: string) => `arn:aws:sagemaker:local-1:000000000000:pipeline/${name}`;
const LAMBDA = (name: string) => `arn:aws:lambda:local-1:000000000000:function:${name}`;
const KMS = 'arn:aws:kms:local-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** What `put_triggers` sends: no zone, window OFF, no retry policy, no parameters. */
const sdkSchedule = (name: string, pipeline: string, expression: string) => ({
  Name: name,
  GroupName: 'default',
  ScheduleExpression: expression,
  State: 'ENABLED',
  StartDate: '2026-11-01T00:00:00.000Z',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: ARN(pipeline), RoleArn: ROLE, SageMakerPipelineParameters: {} },
});

export const consoleSchedule = {
  Name: 'ingest-console',
  GroupName: 'default',
  ScheduleExpression: 'cron(30 1 * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Berlin',
  State: 'ENABLED',
  Description: 'nightly ingest, set up by hand',
  KmsKeyArn: KMS,
  FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
  ActionAfterCompletion: 'NONE',
  Target: {
    Arn: ARN('ingest-daily'),
    RoleArn: ROLE,
    SageMakerPipelineParameters: {
      PipelineParameterList: [{ Name: 'InputDataUri', Value: 's3://ml-data/daily/' }],
    },
    RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 5 },
  },
};

const account: ForeignTriggers = {
  schedules: [
    sdkSchedule('churn-train', 'churn-train', 'cron(0 6 ? * MON *)'),
    // Its pipeline was deleted: pipeline.delete() leaves the schedule behind.
    sdkSchedule('forecast-v1', 'forecast-v1', 'rate(1 day)'),
    consoleSchedule,
    {
      Name: 'cleanup-lambda',
      GroupName: 'sagemaker-pipelines',
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: LAMBDA('cleanup'), RoleArn: ROLE, Input: '{"dryRun":false}' },
    },
  ],
  rules: [
    {
      Name: 'nightly-console',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Targets: [{ Id: 'churn', Arn: ARN('churn-train'), RoleArn: ROLE }],
    },
    {
      Name: 'every-12h',
      ScheduleExpression: 'rate(12 hours)',
      State: 'ENABLED',
      Tags: { 'aws:cloudformation:stack-name': 'ml-platform' },
      Targets: [{ Id: 'ingest', Arn: ARN('ingest-daily'), RoleArn: ROLE }],
    },
    {
      Name: 'on-new-data',
      EventPattern: '{"source":["aws.s3"]}',
      State: 'ENABLED',
      Targets: [
        { Id: 'churn', Arn: ARN('churn-train'), RoleArn: ROLE },
        { Id: 'forecast', Arn: ARN('forecast-v1'), RoleArn: ROLE },
        { Id: 'audit-log', Arn: LAMBDA('audit-log') },
      ],
    },
    {
      Name: 's3-to-lambda',
      EventPattern: '{"source":["aws.s3"]}',
      State: 'ENABLED',
      Targets: [{ Id: 'thumbnail', Arn: LAMBDA('thumbnail') }],
    },
    {
      // What setup-events makes: SageMaker's events to the bot through an API destination.
      Name: 'pipeline-schedule-bot',
      EventPattern: '{"source":["aws.sagemaker"]}',
      State: 'ENABLED',
      Targets: [
        {
          Id: 'bot',
          Arn: 'arn:aws:events:local-1:000000000000:api-destination/pipeline-schedule-bot/0a1b',
        },
      ],
    },
  ],
};

export function foreignTriggersContract(backendName: string, setup: () => Promise<ForeignSetup>) {
  describe(`triggers made elsewhere: ${backendName}`, () => {
    let env: ForeignSetup;
    beforeEach(async () => {
      env = await setup();
      await seedForeignTriggers(env.local.backend, account);
    });
    afterEach(async () => {
      // Nothing that is not a pipeline ever reaches SageMaker (a name, or a pipeline's ARN).
      for (const request of env.sent?.() ?? []) {
        if (request.service !== 'sagemaker') continue;
        for (const value of [request.body.PipelineName, request.body.PipelineNamePrefix])
          if (value !== undefined)
            expect(PIPELINE_NAME.test(String(value)) || PIPELINE_ARN.test(String(value))).toBe(
              true,
            );
      }
      await env.close();
    });

    it('lists every pipeline trigger with who made it, and no Lambda schedule or rule', async () => {
      const listed = value(await env.service.list()).items;
      expect(listed.map((i) => [i.ref, i.provenance.source, i.otherTargets])).toEqual([
        ['default/churn-train', 'sagemaker-sdk', 0],
        ['default/forecast-v1', 'sagemaker-sdk', 0],
        ['default/ingest-console', 'elsewhere', 0],
        ['every-12h', 'cloudformation', 0],
        ['nightly-console', 'elsewhere', 0],
        ['on-new-data', 'elsewhere', 1],
      ]);
      expect(listed.find((i) => i.ref === 'every-12h')?.provenance).toEqual({
        source: 'cloudformation',
        stack: 'ml-platform',
      });
    });

    it('lists the triggers of one pipeline wherever they are', async () => {
      const listed = value(await env.service.list({ pipeline: 'churn-train' })).items;
      expect(listed.map((i) => i.ref)).toEqual([
        'default/churn-train',
        'nightly-console',
        'on-new-data',
      ]);
    });

    it('describes a rule on a schedule with its meaning and next runs, in UTC', async () => {
      const described = value(
        await env.service.describe('nightly-console', new Date('2026-11-29T08:00:00Z')),
      );
      if (described.kind !== 'event') throw new Error('expected a rule');
      expect(described.schedule?.description).toBe('at 02:00, every day, UTC');
      expect(described.schedule?.nextRuns.map((d) => d.toISOString()).slice(0, 2)).toEqual([
        '2026-11-30T02:00:00.000Z',
        '2026-12-01T02:00:00.000Z',
      ]);
    });

    it('says a Lambda schedule or rule is none of its business', async () => {
      for (const ref of ['cleanup-lambda', 's3-to-lambda', 'pipeline-schedule-bot']) {
        const described = await env.service.describe(ref);
        expect(described.ok).toBe(false);
        if (!described.ok) expect(described.error.message).toMatch(/not a SageMaker pipeline/);
      }
    });

    it('pauses and resumes a console schedule keeping every field, KmsKeyArn included', async () => {
      const before = (await env.local.backend.schedules.get('default', 'ingest-console')).held;
      expect(before).toMatchObject(consoleSchedule);
      value(await env.service.pause('default/ingest-console', ctx()));
      const paused = (await env.local.backend.schedules.get('default', 'ingest-console')).held;
      expect(paused).toEqual({ ...before, State: 'DISABLED' });
      value(await env.service.resume('default/ingest-console', ctx()));
      const resumed = (await env.local.backend.schedules.get('default', 'ingest-console')).held;
      expect(resumed).toEqual(before);
    });

    it('finds the orphans target by target, and not the Lambda or API destination targets', async () => {
      const orphans = value(await env.service.orphans());
      expect(
        orphans.map((o) => [o.ref, o.cleanUp, o.deadTargets.map((t) => t.id), o.provenance.source]),
      ).toEqual([
        ['default/forecast-v1', 'delete-schedule', [], 'sagemaker-sdk'],
        ['on-new-data', 'remove-targets', ['forecast'], 'elsewhere'],
      ]);
    });

    it('cleans up exactly what is dead: the SDK orphan and the dead target', async () => {
      const dry = value(await env.service.cleanUpOrphans(ctx({ dryRun: true })));
      expect('dryRun' in dry && dry.requests.map((r) => [r.operation, r.input])).toEqual([
        ['DeleteSchedule', expect.objectContaining({ Name: 'forecast-v1', GroupName: 'default' })],
        ['RemoveTargets', { Rule: 'on-new-data', Ids: ['forecast'] }],
      ]);
      value(await env.service.cleanUpOrphans(ctx()));
      const listed = value(await env.service.list()).items.map((i) => i.ref);
      expect(listed).not.toContain('default/forecast-v1');
      const rule = await env.local.backend.rules.get('on-new-data');
      expect(rule.targets.map((t) => t.id)).toEqual(['churn']);
      expect(rule.otherTargets.map((t) => t.id)).toEqual(['audit-log']);
      expect(value(await env.service.orphans())).toEqual([]);
    });

    it('changes a console schedule in place, keeping what the bot does not model', async () => {
      const update = value(
        await env.service.updateTrigger(
          'default/ingest-console',
          {
            expression: 'cron(45 1 * * ? *)',
            parameters: [{ name: 'InputDataUri', value: 's3://ml-data/v2/' }],
          },
          ctx(),
        ),
      );
      expect(update.changes).toEqual([
        { field: 'expression', before: 'cron(30 1 * * ? *)', after: 'cron(45 1 * * ? *)' },
        { field: 'param:InputDataUri', before: 's3://ml-data/daily/', after: 's3://ml-data/v2/' },
      ]);
      const held = (await env.local.backend.schedules.get('default', 'ingest-console')).held ?? {};
      expect(held).toMatchObject({
        ScheduleExpression: 'cron(45 1 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        Description: 'nightly ingest, set up by hand',
        KmsKeyArn: KMS,
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: { RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 5 } },
      });
    });

    it("changes a rule's pattern, leaving its other targets alone", async () => {
      const pattern = '{"source":["aws.s3"],"detail-type":["Object Created"]}';
      const dry = value(
        await env.service.updateTrigger(
          'on-new-data',
          { eventPattern: pattern },
          ctx({ dryRun: true }),
        ),
      );
      expect(dry.requests?.map((r) => r.operation)).toEqual(['PutRule', 'PutTargets']);
      // Only pipeline targets are sent again; the Lambda is neither sent nor removed.
      const sentTargets = (
        (dry.requests?.[1]?.input ?? { Targets: [] }) as { Targets: Array<{ Id: string }> }
      ).Targets;
      expect(sentTargets.map((t) => t.Id)).toEqual(['churn', 'forecast']);
      value(await env.service.updateTrigger('on-new-data', { eventPattern: pattern }, ctx()));
      const rule = await env.local.backend.rules.get('on-new-data');
      expect(JSON.parse(rule.eventPattern)).toEqual(JSON.parse(pattern));
      expect(rule.targets.map((t) => t.id)).toEqual(['churn', 'forecast']);
      expect(rule.otherTargets.map((t) => t.id)).toEqual(['audit-log']);
      const again = await env.service.updateTrigger(
        'on-new-data',
        { eventPattern: pattern },
        ctx(),
      );
      expect(again.ok ? 'changed' : again.error.message).toBe(
        'on-new-data is already like that: the update changes nothing',
      );
      const scheduled = await env.service.updateTrigger(
        'nightly-console',
        { eventPattern: pattern },
        ctx(),
      );
      expect(scheduled.ok ? 'changed' : scheduled.error.message).toMatch(
        /runs on a schedule \(cron\(0 2 \* \* \? \*\)\), not on events/,
      );
    });

    it('warns before a schedule that would run a pipeline twice', async () => {
      const sameName = value(
        await env.service.collisions(
          {
            pipeline: 'churn-train',
            expression: 'cron(0 6 ? * TUE *)',
            name: 'churn-train',
          },
          new Date('2026-11-29T08:00:00Z'),
        ),
      );
      expect(sameName.map((c) => [c.ref, c.reason])).toEqual([
        ['default/churn-train', 'same-name'],
      ]);
      expect(sameName[0]?.words).toMatch(/made with the SageMaker Python SDK/);
      const sameTime = value(
        await env.service.collisions(
          {
            pipeline: 'churn-train',
            expression: 'cron(0 2 * * ? *)',
            name: 'churn-nightly',
          },
          new Date('2026-11-29T08:00:00Z'),
        ),
      );
      expect(sameTime.map((c) => [c.ref, c.reason, c.together?.toISOString()])).toEqual([
        ['nightly-console', 'same-time', '2026-11-30T02:00:00.000Z'],
      ]);
      const refused = await env.service.createSchedule(
        {
          pipeline: 'churn-train',
          expression: 'cron(0 2 * * ? *)',
          name: 'churn-nightly',
          roleArn: ROLE,
        },
        ctx({ collisions: 'refuse' }),
      );
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.message).toMatch(/nightly-console.*collisions: refuse/);
    });

    it('adopts an SDK schedule: identical in the bot group, the original gone', async () => {
      const adopted = value(await env.service.adopt('default/churn-train', {}, ctx()));
      if ('dryRun' in adopted) throw new Error('not a dry run');
      expect(adopted.from.ref).toBe('default/churn-train');
      expect(adopted.schedule).toMatchObject({
        group: 'sagemaker-pipelines',
        name: 'churn-train',
        expression: 'cron(0 6 ? * MON *)',
        timeZone: 'UTC',
        roleArn: ROLE,
        start: new Date('2026-11-01T00:00:00.000Z'),
      });
      // Nothing the SDK did not set was added (no zone, no retry policy).
      const held = (await env.local.backend.schedules.get('sagemaker-pipelines', 'churn-train'))
        .held;
      expect(held).toEqual({
        ...sdkSchedule('churn-train', 'churn-train', 'cron(0 6 ? * MON *)'),
        GroupName: 'sagemaker-pipelines',
      });
      const described = value(await env.service.describe('churn-train'));
      expect(described.provenance.source).toBe('bot');
      expect((await env.service.describe('default/churn-train')).ok).toBe(false);
    });

    it('refuses to adopt with a role this caller may not pass, naming it', async () => {
      const refused = await env.service.adopt(
        'default/churn-train',
        {},
        ctx({ allowedRoles: ['arn:aws:iam::123456789012:role/Other'] }),
      );
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.message).toContain(ROLE);
      expect((await env.service.describe('default/churn-train')).ok).toBe(true);
    });

    it('history says what started each run: the SDK schedule, the console rule, a Run now, someone outside', async () => {
      // Sunday 08:00 UTC → Monday 06:00:30: the rule's 02:00 run, then the SDK schedule's 06:00.
      await env.local.clock.advanceTo('2026-11-30T06:00:30Z');
      value(await env.service.runNow('churn-train', [], ctx({ requestId: 'req-run-1' })));
      await env.local.backend.pipelines.start({
        pipelineName: 'churn-train',
        parameters: [{ name: 'Epochs', value: '3' }],
        clientToken: 'started-in-studio-by-hand-000000000',
      });
      const runs = value(await env.service.history('churn-train'));
      const byStart = runs
        .map((r) => ({ at: r.startTime.toISOString(), by: r.startedBy }))
        // The Run now and the run by hand start in the same second: by kind, then.
        .sort((a, b) => a.at.localeCompare(b.at) || b.by.kind.localeCompare(a.by.kind));
      expect(byStart.map((r) => r.by)).toEqual([
        {
          kind: 'rule',
          ref: 'nightly-console',
          occurrence: '2026-11-30T02:00:00.000Z',
          likely: true,
        },
        {
          kind: 'schedule',
          ref: 'default/churn-train',
          group: 'default',
          name: 'churn-train',
          occurrence: '2026-11-30T06:00:00.000Z',
          timeZone: 'UTC',
          likely: true,
        },
        { kind: 'run', requestId: 'req-run-1', userId: 'U0ALICE' },
        { kind: 'outside' },
      ]);
      // The execution message asks the same question, execution by execution.
      const scheduled = runs.find((r) => r.startTime.toISOString() === '2026-11-30T06:00:00.000Z');
      expect(await env.service.startedBy(scheduled?.arn ?? '')).toMatchObject({
        kind: 'schedule',
        ref: 'default/churn-train',
      });
    });
  });
}
