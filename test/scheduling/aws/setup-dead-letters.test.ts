import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupEventsFromArgs } from '../../../src/scheduling/aws/event-wiring.js';
import { seedForeignTriggers } from '../../../src/scheduling/local/foreign-triggers.js';
import { AwsLocalEndpoint } from '../../support/aws-local-endpoint.js';
import { type LocalHarness, startLocal } from '../../support/local-backend.js';
import { SqsStandIn } from '../../support/sqs-stand-in.js';

/**
 * `setup-events --scheduler-dlq`: one dead-letter queue for the bot's group, set on its pipeline
 * schedules that have none, through the real SQSClient and SchedulerClient. Nothing else about
 * a schedule changes, and nothing outside the group is touched.
 */

const GROUP = 'pipeline-schedule-bot';
const ROLE = 'arn:aws:iam::000000000000:role/PipelineScheduler';
const OTHER_ROLE = 'arn:aws:iam::000000000000:role/TeamScheduler';
const ARN = (name: string) => `arn:aws:sagemaker:local-1:000000000000:pipeline/${name}`;
const KMS = 'arn:aws:kms:local-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OWN_DLQ = 'arn:aws:sqs:us-east-1:000000000000:team-dlq';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:123456789012:bot-scheduler-dlq';

const schedule = (name: string, group: string, target: Record<string, unknown>) => ({
  Name: name,
  GroupName: group,
  ScheduleExpression: 'rate(1 day)',
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { RoleArn: ROLE, ...target },
});

const account = {
  schedules: [
    {
      ...schedule('nightly', GROUP, {
        Arn: ARN('churn-train'),
        SageMakerPipelineParameters: {},
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
      }),
      KmsKeyArn: KMS,
      Description: 'kept as it is',
    },
    schedule('weekly', GROUP, {
      Arn: ARN('ingest-daily'),
      RoleArn: OTHER_ROLE,
      SageMakerPipelineParameters: {},
    }),
    schedule('own-dlq', GROUP, {
      Arn: ARN('churn-train'),
      SageMakerPipelineParameters: {},
      DeadLetterConfig: { Arn: OWN_DLQ },
    }),
    schedule('cleanup', GROUP, {
      Arn: 'arn:aws:lambda:local-1:000000000000:function:cleanup',
      Input: '{}',
    }),
    schedule('elsewhere', 'default', { Arn: ARN('churn-train'), SageMakerPipelineParameters: {} }),
  ],
  rules: [],
};

let sqsStandIn: SqsStandIn;
beforeAll(async () => {
  sqsStandIn = await SqsStandIn.start();
});
afterAll(async () => {
  await sqsStandIn.close();
});

describe('setup-events --scheduler-dlq', () => {
  let local: LocalHarness;
  let endpoint: AwsLocalEndpoint;
  let scheduler: SchedulerClient;
  let sqs: SQSClient;
  beforeEach(async () => {
    sqsStandIn.reset();
    local = await startLocal();
    await seedForeignTriggers(local.backend, account);
    endpoint = await AwsLocalEndpoint.start(local.backend);
    scheduler = new SchedulerClient(endpoint.clientConfig({ maxAttempts: 1 }));
    sqs = new SQSClient(sqsStandIn.clientConfig({ maxAttempts: 1 }));
  });
  afterEach(async () => {
    scheduler.destroy();
    sqs.destroy();
    await endpoint.close();
    await local.close();
  });

  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await setupEventsFromArgs(
      args,
      { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
      { sqs, scheduler },
      { group: GROUP },
    );
    return { code, out, err };
  };
  const held = async (group: string, name: string) =>
    (await local.backend.schedules.get(group, name)).held;

  it("creates the queue and sets it on the group's pipeline schedules without one, nothing else", async () => {
    const before = {
      nightly: await held(GROUP, 'nightly'),
      ownDlq: await held(GROUP, 'own-dlq'),
      cleanup: await held(GROUP, 'cleanup'),
      elsewhere: await held('default', 'elsewhere'),
    };
    const { code, out, err } = await run('--scheduler-dlq', 'bot-scheduler-dlq');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(
      expect.arrayContaining([
        'created dead-letter queue bot-scheduler-dlq',
        `updated schedule ${GROUP}/nightly: dead-letter queue`,
        `updated schedule ${GROUP}/weekly: dead-letter queue`,
        `unchanged schedule ${GROUP}/own-dlq (keeps its own dead-letter queue ${OWN_DLQ})`,
        `Set DEAD_LETTER_QUEUE_URL=${sqsStandIn.queueUrl('bot-scheduler-dlq')} so the bot reads the queue and gives it to new schedules.`,
        `  ${ROLE}`,
        `  ${OTHER_ROLE}`,
      ]),
    );
    expect(out.join('\n')).toContain(`"Resource": "${DLQ_ARN}"`);
    expect(out.join('\n')).not.toMatch(/cleanup|elsewhere/);
    expect(sqsStandIn.createdAttributes.get('bot-scheduler-dlq')).toEqual({
      MessageRetentionPeriod: '1209600',
      SqsManagedSseEnabled: 'true',
    });

    // Read-modify-write: the one field added, KmsKeyArn, the description and retries kept.
    const nightly = before.nightly as { Target: Record<string, unknown> };
    expect(await held(GROUP, 'nightly')).toEqual({
      ...nightly,
      Target: { ...nightly.Target, DeadLetterConfig: { Arn: DLQ_ARN } },
    });
    expect(await held(GROUP, 'own-dlq')).toEqual(before.ownDlq);
    expect(await held(GROUP, 'cleanup')).toEqual(before.cleanup);
    expect(await held('default', 'elsewhere')).toEqual(before.elsewhere);
  });

  it('a second run changes nothing and sends no write', async () => {
    await run('--scheduler-dlq', 'bot-scheduler-dlq');
    const writesBefore = endpoint.requests.filter((r) => r.operation === 'UpdateSchedule').length;
    const { code, out } = await run('--scheduler-dlq', 'bot-scheduler-dlq');
    expect(code).toBe(0);
    expect(out).toEqual(
      expect.arrayContaining([
        'unchanged dead-letter queue bot-scheduler-dlq',
        `unchanged schedule ${GROUP}/nightly: dead-letter queue`,
      ]),
    );
    expect(endpoint.requests.filter((r) => r.operation === 'UpdateSchedule').length).toBe(
      writesBefore,
    );
    expect(sqsStandIn.requestsFor('CreateQueue')).toHaveLength(1);
  });

  it('--dry-run says what it would do and writes nothing', async () => {
    const { code, out } = await run('--scheduler-dlq', 'bot-scheduler-dlq', '--dry-run');
    expect(code).toBe(0);
    expect(out).toEqual(
      expect.arrayContaining([
        'would create dead-letter queue bot-scheduler-dlq',
        `would update schedule ${GROUP}/nightly: dead-letter queue`,
        'dry run: nothing was changed',
      ]),
    );
    expect(sqsStandIn.requestsFor('CreateQueue')).toHaveLength(0);
    expect(endpoint.requests.some((r) => r.operation === 'UpdateSchedule')).toBe(false);
    expect((await held(GROUP, 'nightly')) as object).not.toHaveProperty('Target.DeadLetterConfig');
  });

  it('refuses a FIFO or malformed queue name before sending anything', async () => {
    for (const name of ['bot.fifo', 'has space', 'x'.repeat(81)]) {
      const { code, err } = await run('--scheduler-dlq', name);
      expect(code).toBe(2);
      expect(err[0]).toMatch(/--scheduler-dlq .* must be a standard queue name/);
    }
    expect(sqsStandIn.requests).toHaveLength(0);
    const { code, err } = await run('--group', GROUP, '--url', 'https://bot.example.com');
    expect(code).toBe(2);
    expect(err).toContain('pipeline-schedule: --group is for --scheduler-dlq only');
  });
});
