import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsBackend } from '../../src/scheduling/aws/backend.js';
import { seedForeignTriggers } from '../../src/scheduling/local/foreign-triggers.js';
import { readScheduleDocument, scheduleDocument } from '../../src/scheduling/schedule-document.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { AwsLocalEndpoint } from '../support/aws-local-endpoint.js';
import { type LocalHarness, ROLE, startLocal } from '../support/local-backend.js';

/**
 * Never harm what you did not mean to change: a pause and a resume of any schedule or rule,
 * whoever made it and whatever it holds, leave every field as it was — what the bot models,
 * what it does not (KmsKeyArn, a target's Input, a field AWS adds later), and what was never
 * set (no zone, no retry policy stays none).
 */

const PIPELINE = 'arn:aws:sagemaker:local-1:000000000000:pipeline/churn-train';

const expressions = fc.constantFrom(
  'cron(0 6 ? * MON *)',
  'cron(30 1 * * ? *)',
  'cron(0/15 8-17 ? * MON-FRI *)',
  'rate(1 day)',
  'rate(12 hours)',
  'at(2027-03-01T09:00:00)',
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const text = fc.string({ minLength: 1, maxLength: 40 });

/** A valid GetSchedule document, as any tool may have written it. */
const scheduleDocumentArb = (group: string, withUnknown: boolean) =>
  fc
    .record({
      Name: name,
      ScheduleExpression: expressions,
      ScheduleExpressionTimezone: maybe(fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Tokyo')),
      State: fc.constantFrom('ENABLED', 'DISABLED'),
      StartDate: maybe(fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-11-01T06:00:00.000Z')),
      EndDate: maybe(fc.constantFrom('2028-01-01T00:00:00.000Z')),
      Description: maybe(text),
      KmsKeyArn: maybe(
        fc.constant('arn:aws:kms:local-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      ),
      FlexibleTimeWindow: fc.oneof(
        fc.constant({ Mode: 'OFF' }),
        fc
          .integer({ min: 1, max: 1440 })
          .map((m) => ({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: m })),
      ),
      ActionAfterCompletion: maybe(fc.constantFrom('NONE', 'DELETE')),
      Target: fc.record(
        {
          Arn: fc.constant(PIPELINE),
          RoleArn: fc.constant(ROLE),
          SageMakerPipelineParameters: fc.oneof(
            fc.constant({}),
            fc.record({
              PipelineParameterList: fc.array(
                fc.record({ Name: fc.constantFrom('Epochs', 'InstanceType'), Value: text }),
                { maxLength: 2 },
              ),
            }),
          ),
          RetryPolicy: maybe(
            fc.record({
              MaximumEventAgeInSeconds: fc.integer({ min: 60, max: 86_400 }),
              MaximumRetryAttempts: fc.integer({ min: 0, max: 185 }),
            }),
          ),
          DeadLetterConfig: maybe(
            fc.constant({ Arn: 'arn:aws:sqs:local-1:000000000000:dead-letters' }),
          ),
          Input: maybe(fc.constant('{"note":"kept"}')),
        },
        { requiredKeys: ['Arn', 'RoleArn', 'SageMakerPipelineParameters'] },
      ),
      ...(withUnknown ? { FieldAwsAddsLater: maybe(fc.record({ Mode: text })) } : {}),
    })
    .map((d) => withoutUndefined({ ...d, GroupName: group }));

describe('a pause and a resume change State and nothing else', () => {
  it('in the document written back, field by field (fields unknown to the SDK included)', () => {
    fc.assert(
      fc.property(scheduleDocumentArb('default', true), (held) => {
        const read = readScheduleDocument(held);
        const flipped = read.state === 'ENABLED' ? 'DISABLED' : 'ENABLED';
        const changed = scheduleDocument({ ...read, state: flipped });
        expect(changed).toEqual({ ...held, State: flipped });
        const back = scheduleDocument({ ...readScheduleDocument(changed), state: read.state });
        expect(back).toEqual(held);
      }),
      { numRuns: 300 },
    );
  });

  describe('over the wire, through the service, on schedules and rules of any maker', () => {
    let local: LocalHarness;
    let endpoint: AwsLocalEndpoint;
    let clients: Array<{ destroy(): void }>;
    let service: SchedulingService;
    beforeAll(async () => {
      local = await startLocal();
      endpoint = await AwsLocalEndpoint.start(local.backend);
      const config = endpoint.clientConfig();
      const schedulerClient = new SchedulerClient(config);
      const eventBridgeClient = new EventBridgeClient(config);
      const sageMakerClient = new SageMakerClient(config);
      clients = [schedulerClient, eventBridgeClient, sageMakerClient];
      service = new SchedulingService(
        createAwsBackend({
          region: 'us-east-1',
          schedulerClient,
          eventBridgeClient,
          sageMakerClient,
        }),
        local.store,
        { group: 'sagemaker-pipelines' },
      );
    });
    afterAll(async () => {
      for (const client of clients) client.destroy();
      await endpoint.close();
      await local.close();
    });

    let run = 0;
    const ctx = () => ({ requestId: `round-trip-${++run}`, allowedRoles: 'any' as const });

    it('schedules', async () => {
      await fc.assert(
        fc.asyncProperty(scheduleDocumentArb('default', false), async (document) => {
          const held = { ...document, Name: `${document.Name}-${++run}` };
          await seedForeignTriggers(local.backend, { schedules: [held], rules: [] });
          const ref = `default/${held.Name}`;
          const before = (await local.backend.schedules.get('default', held.Name)).held;
          expect(before).toEqual(held);
          for (const step of ['pause', 'resume', 'pause', 'resume'] as const) {
            const result = await service[step](ref, ctx());
            expect(result.ok).toBe(true);
          }
          // Resumed from whatever state it had: ENABLED now, everything else as it was.
          expect((await local.backend.schedules.get('default', held.Name)).held).toEqual({
            ...held,
            State: 'ENABLED',
          });
        }),
        { numRuns: 25 },
      );
    });

    it('rules', async () => {
      const ruleArb = fc.record({
        Name: name.map((n) => `${n}-r`),
        pattern: fc.boolean(),
        State: fc.constantFrom('ENABLED' as const, 'DISABLED' as const),
        Description: maybe(text),
        lambda: fc.boolean(),
        parameters: fc.array(fc.record({ Name: fc.constant('Epochs'), Value: text }), {
          maxLength: 1,
        }),
      });
      await fc.assert(
        fc.asyncProperty(ruleArb, async (r) => {
          const ruleName = `${r.Name}-${++run}`;
          await seedForeignTriggers(local.backend, {
            schedules: [],
            rules: [
              withoutUndefined({
                Name: ruleName,
                ...(r.pattern
                  ? { EventPattern: '{"source":["aws.s3"]}' }
                  : { ScheduleExpression: 'rate(12 hours)' }),
                State: r.State,
                Description: r.Description,
                Targets: [
                  {
                    Id: 'churn',
                    Arn: PIPELINE,
                    RoleArn: ROLE,
                    SageMakerPipelineParameters: { PipelineParameterList: r.parameters },
                  },
                  ...(r.lambda
                    ? [{ Id: 'lambda', Arn: 'arn:aws:lambda:local-1:000000000000:function:f' }]
                    : []),
                ],
              }) as never,
            ],
          });
          const before = await local.backend.rules.get(ruleName);
          for (const step of ['pause', 'resume'] as const)
            expect((await service[step](ruleName, ctx())).ok).toBe(true);
          expect(await local.backend.rules.get(ruleName)).toEqual({ ...before, state: 'ENABLED' });
        }),
        { numRuns: 20 },
      );
    });
  });
});

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v)
        ? withoutUndefined(v as Record<string, unknown>)
        : v;
  }
  return out as T;
}
