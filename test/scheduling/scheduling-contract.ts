import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext, SchedulingService } from '../../src/scheduling/scheduling-service.js';
import type { ScheduleRecord } from '../../src/scheduling/triggers.js';

export const ROLE = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';

export interface ContractSetup {
  service: SchedulingService;
  /** Makes a pipeline disappear, as DeletePipeline does. */
  deletePipeline(name: string): Promise<void> | void;
  close(): Promise<void>;
}

let requests = 0;
/** A request as Alice makes it, at the contract's fixed instant. */
export const ctx = (extra: Partial<RequestContext> = {}): RequestContext => ({
  requestId: `req-${++requests}`,
  userId: 'U0ALICE',
  allowedRoles: 'any',
  now: new Date('2026-11-29T08:00:00Z'),
  ...extra,
});

/** The value of a result that must have succeeded. */
export function value<T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/**
 * What every back end must do the same way, driven through the scheduling service: the local
 * engine directly, and the AWS adapters over the wire.
 */
export function schedulingContract(backendName: string, setup: () => Promise<ContractSetup>): void {
  describe(`scheduling contract: ${backendName}`, () => {
    let env: ContractSetup;
    beforeEach(async () => {
      env = await setup();
    });
    afterEach(async () => {
      await env.close();
    });

    const weekdays = {
      pipeline: 'churn-train',
      expression: 'cron(0 8 ? * MON-FRI *)',
      name: 'churn-weekdays',
      timeZone: 'Europe/Berlin',
      roleArn: ROLE,
      parameters: [{ name: 'InstanceType', value: 'ml.m5.2xlarge' }],
    };

    it('creates a schedule and describes it with its next runs in its zone', async () => {
      const created = value(await env.service.createSchedule(weekdays, ctx())) as ScheduleRecord;
      expect(created).toMatchObject({
        name: 'churn-weekdays',
        state: 'ENABLED',
        timeZone: 'Europe/Berlin',
        expression: 'cron(0 8 ? * MON-FRI *)',
      });
      const described = value(
        await env.service.describe('churn-weekdays', new Date('2026-11-29T08:00:00Z')),
      );
      expect(described.kind).toBe('schedule');
      if (described.kind !== 'schedule') return;
      expect(described.description).toBe('at 08:00, Monday through Friday, Europe/Berlin');
      expect(described.nextRuns.map((d) => d.toISOString())).toEqual([
        '2026-11-30T07:00:00.000Z',
        '2026-12-01T07:00:00.000Z',
        '2026-12-02T07:00:00.000Z',
        '2026-12-03T07:00:00.000Z',
        '2026-12-04T07:00:00.000Z',
      ]);
      expect(described.trigger.parameters).toEqual([
        { name: 'InstanceType', value: 'ml.m5.2xlarge' },
      ]);
      expect(described.trigger.roleArn).toBe(ROLE);
      expect(described.trigger.retryPolicy).toEqual({
        maximumEventAgeSeconds: 3600,
        maximumRetryAttempts: 3,
      });
      expect(described.pipelineExists).toBe(true);
      expect(described.attribution.createdBy).toBe('U0ALICE');
      expect(described.drift).toEqual([]);
    });

    it('lists triggers, filtered by pipeline', async () => {
      value(await env.service.createSchedule(weekdays, ctx()));
      value(
        await env.service.createSchedule(
          {
            ...weekdays,
            name: 'ingest-hourly',
            pipeline: 'ingest-daily',
            expression: 'rate(1 hour)',
            parameters: [{ name: 'InputDataUri', value: 's3://raw/daily/' }],
          },
          ctx(),
        ),
      );
      const all = value(await env.service.list());
      expect(all.items.map((i) => i.name).sort()).toEqual(['churn-weekdays', 'ingest-hourly']);
      const churn = value(await env.service.list({ pipeline: 'churn-train' }));
      expect(churn.items.map((i) => i.name)).toEqual(['churn-weekdays']);
    });

    it('pages through many triggers', async () => {
      for (let i = 0; i < 7; i++)
        value(await env.service.createSchedule({ ...weekdays, name: `churn-${i}` }, ctx()));
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = value(
          await env.service.list({ maxResults: 3, ...(nextToken ? { nextToken } : {}) }),
        );
        names.push(...page.items.map((i) => i.name));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(names.sort()).toEqual([
        'churn-0',
        'churn-1',
        'churn-2',
        'churn-3',
        'churn-4',
        'churn-5',
        'churn-6',
      ]);
    });

    it('updates a schedule, keeping every field it does not change', async () => {
      value(
        await env.service.createSchedule(
          {
            ...weekdays,
            end: new Date('2027-06-30T00:00:00Z'),
            flexibleWindowMinutes: 15,
            description: 'nightly churn',
          },
          ctx(),
        ),
      );
      value(
        await env.service.updateTrigger(
          'churn-weekdays',
          { expression: 'cron(30 9 ? * MON-FRI *)' },
          ctx(),
        ),
      );
      const described = value(await env.service.describe('churn-weekdays'));
      if (described.kind !== 'schedule') throw new Error('not a schedule');
      expect(described.trigger).toMatchObject({
        expression: 'cron(30 9 ? * MON-FRI *)',
        timeZone: 'Europe/Berlin',
        flexibleWindowMinutes: 15,
        description: 'nightly churn',
        parameters: [{ name: 'InstanceType', value: 'ml.m5.2xlarge' }],
      });
      expect(described.trigger.end?.toISOString()).toBe('2027-06-30T00:00:00.000Z');
      expect(described.drift).toEqual([]);
    });

    it('pauses and resumes, without losing the rest of the schedule', async () => {
      value(await env.service.createSchedule(weekdays, ctx()));
      expect(value(await env.service.pause('churn-weekdays', ctx()))).toMatchObject({
        state: 'DISABLED',
      });
      let described = value(await env.service.describe('churn-weekdays'));
      if (described.kind !== 'schedule') throw new Error('not a schedule');
      expect(described.trigger.state).toBe('DISABLED');
      expect(described.nextRuns).toEqual([]);
      expect(described.trigger.parameters).toEqual(weekdays.parameters);
      value(await env.service.resume('churn-weekdays', ctx()));
      described = value(await env.service.describe('churn-weekdays'));
      expect(described.trigger.state).toBe('ENABLED');
    });

    it('deletes a trigger', async () => {
      value(await env.service.createSchedule(weekdays, ctx()));
      value(await env.service.delete('churn-weekdays', ctx()));
      const gone = await env.service.describe('churn-weekdays');
      expect(gone.ok ? 'found' : gone.error.code).toBe('NOT_FOUND');
    });

    it('refuses a second trigger with the same name', async () => {
      value(await env.service.createSchedule(weekdays, ctx()));
      const again = await env.service.createSchedule(
        { ...weekdays, expression: 'rate(1 day)' },
        ctx(),
      );
      expect(again.ok ? 'created' : again.error).toMatchObject({
        code: 'ALREADY_EXISTS',
        field: 'name',
      });
    });

    it('says what is not found', async () => {
      for (const result of [
        await env.service.describe('nope'),
        await env.service.delete('nope', ctx()),
        await env.service.pause('nope', ctx()),
        await env.service.createSchedule({ ...weekdays, pipeline: 'no-such-pipeline' }, ctx()),
      ]) {
        expect(result.ok ? 'ok' : result.error.code).toBe('NOT_FOUND');
      }
    });

    it('rejects bad input before calling the back end, naming the field', async () => {
      const cases: Array<[Partial<typeof weekdays> & Record<string, unknown>, string, RegExp]> = [
        [{ expression: 'cron(0 8 ? * 8 *)' }, 'expression', /day-of-week: 8 is out of range 1-7/],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone', /not an IANA time zone/],
        [{ name: 'has spaces' }, 'name', /name: "has spaces" can't be a name: use 1-64/],
        [{ roleArn: 'admin' }, 'roleArn', /not an IAM role ARN/],
        [
          { parameters: [{ name: 'Epochs', value: 'ten' }] },
          'parameters',
          /Epochs is an Integer; "ten" is not a whole number/,
        ],
        [
          { parameters: [{ name: 'Epoch', value: '3' }] },
          'parameters',
          /churn-train has no parameter Epoch/,
        ],
        [
          { pipeline: 'ingest-daily', parameters: [] },
          'parameters',
          /InputDataUri \(String\) has no default/,
        ],
        [{ flexibleWindowMinutes: 0 } as never, 'flexibleWindowMinutes', /1-1440 minutes/],
      ];
      for (const [change, field, message] of cases) {
        const result = await env.service.createSchedule({ ...weekdays, ...change }, ctx());
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.field).toBe(field);
          expect(result.error.message).toMatch(message);
        }
      }
      expect(value(await env.service.list()).items).toEqual([]);
    });

    it('refuses an execution role the caller may not use', async () => {
      const result = await env.service.createSchedule(
        weekdays,
        ctx({ allowedRoles: ['arn:aws:iam::123456789012:role/Other'] }),
      );
      expect(result.ok ? 'ok' : result.error.code).toBe('ROLE_NOT_ALLOWED');
    });

    it('creates once when the same request is retried', async () => {
      const request = ctx();
      value(await env.service.createSchedule(weekdays, request));
      const retry = await env.service.createSchedule(weekdays, request);
      // The service sees the name taken; the back end never receives a second create.
      expect(retry.ok ? 'ok' : retry.error.code).toBe('ALREADY_EXISTS');
      expect(value(await env.service.list()).items).toHaveLength(1);
    });

    it('shows the exact request on a dry run and changes nothing', async () => {
      const result = value(await env.service.createSchedule(weekdays, ctx({ dryRun: true })));
      expect(result).toMatchObject({
        dryRun: true,
        requests: [
          {
            operation: 'CreateSchedule',
            input: {
              Name: 'churn-weekdays',
              ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
              ScheduleExpressionTimezone: 'Europe/Berlin',
              FlexibleTimeWindow: { Mode: 'OFF' },
              Target: {
                RoleArn: ROLE,
                SageMakerPipelineParameters: {
                  PipelineParameterList: [{ Name: 'InstanceType', Value: 'ml.m5.2xlarge' }],
                },
              },
            },
          },
        ],
      });
      expect(value(await env.service.list()).items).toEqual([]);
    });

    it('creates an event trigger for up to five pipelines, with values from the event', async () => {
      const pattern = JSON.stringify({
        source: ['aws.s3'],
        detail: { object: { key: [{ prefix: 'daily/' }] } },
      });
      const created = value(
        await env.service.createEventTrigger(
          {
            pipelines: ['ingest-daily'],
            eventPattern: pattern,
            name: 'ingest-on-upload',
            roleArn: ROLE,
            parameters: [{ name: 'InputDataUri', value: '$.detail.object.key' }],
          },
          ctx(),
        ),
      );
      expect(created).toMatchObject({ name: 'ingest-on-upload', state: 'ENABLED' });
      const described = value(await env.service.describe('ingest-on-upload'));
      expect(described).toMatchObject({
        kind: 'event',
        pipelinesExist: { 'ingest-daily': true },
        drift: [],
      });
      const tooMany = await env.service.createEventTrigger(
        { pipelines: ['a', 'b', 'c', 'd', 'e', 'f'], eventPattern: pattern, roleArn: ROLE },
        ctx(),
      );
      expect(tooMany.ok ? 'ok' : tooMany.error.message).toMatch(/at most 5 pipelines/);
      const badPattern = await env.service.createEventTrigger(
        { pipelines: ['ingest-daily'], eventPattern: '{"source": "aws.s3"}', roleArn: ROLE },
        ctx(),
      );
      expect(badPattern.ok ? 'ok' : badPattern.error).toMatchObject({
        code: 'INVALID_INPUT',
        field: 'eventPattern',
      });
    });

    it('finds orphans whose pipeline was deleted, and cleans them up', async () => {
      value(await env.service.createSchedule(weekdays, ctx()));
      value(
        await env.service.createSchedule(
          {
            ...weekdays,
            name: 'ingest-hourly',
            pipeline: 'ingest-daily',
            expression: 'rate(1 hour)',
            parameters: [{ name: 'InputDataUri', value: 's3://raw/' }],
          },
          ctx(),
        ),
      );
      expect(value(await env.service.orphans())).toEqual([]);
      await env.deletePipeline('ingest-daily');
      expect(value(await env.service.orphans())).toMatchObject([
        { name: 'ingest-hourly', missingPipelines: ['ingest-daily'] },
      ]);
      const removed = value(await env.service.cleanUpOrphans(ctx()));
      expect(removed).toMatchObject([{ name: 'ingest-hourly' }]);
      expect(value(await env.service.list()).items.map((i) => i.name)).toEqual(['churn-weekdays']);
    });

    it('runs a pipeline now, once per request, and shows it in the history', async () => {
      const request = ctx();
      const first = value(
        await env.service.runNow('churn-train', [{ name: 'Epochs', value: '3' }], request),
      );
      const again = value(
        await env.service.runNow('churn-train', [{ name: 'Epochs', value: '3' }], request),
      );
      expect(again).toEqual(first);
      const history = value(await env.service.history('churn-train'));
      expect(history).toHaveLength(1);
      expect(history[0]?.arn).toBe((first as { executionArn: string }).executionArn);
    });
  });
}
