import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { executionMessage, failureReply } from '../../../src/bot/views/execution-message.js';
import { missedRunMessage } from '../../../src/bot/views/missed-run.js';
import { createLogger } from '../../../src/logger.js';
import type { ChatMessage, ChatPoster } from '../../../src/notifications/notifier.js';
import { SqsEventSource } from '../../../src/notifications/sqs-event-source.js';
import { startNotifications } from '../../../src/notifications/wiring.js';
import {
  deadLetterInbox,
  readDeadLetterEvent,
} from '../../../src/scheduling/aws/dead-letter-event.js';
import { parsePipelineCatalog } from '../../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import type { ScheduleRecord } from '../../../src/scheduling/triggers.js';
import { awsBackendOverTheWire } from '../../support/aws-local-endpoint.js';
import { type LocalHarness, ROLE, startLocal } from '../../support/local-backend.js';
import { SqsStandIn } from '../../support/sqs-stand-in.js';
import { ctx, value } from '../scheduling-contract.js';

/**
 * EventBridge Scheduler's dead-letter event, as the Scheduler guide's "Retrieve the dead-letter
 * event" section shows it: the body is the target's input, what failed is in String message
 * attributes. The bot reads the queue, stores every event, and a missed run quotes the error.
 */
const SCHEDULE_ARN =
  'arn:aws:scheduler:us-east-1:000000000000:schedule/sagemaker-pipelines/nightly';
const documented = {
  messageId: 'f2c7e3a1-0d9b-4b7e-9a57-3a1b2c3d4e5f',
  body: '{"PipelineParameterList":[]}',
  attributes: {
    ERROR_CODE: 'AccessDeniedException',
    ERROR_MESSAGE:
      'User: arn:aws:sts::000000000000:assumed-role/Runner/scheduler is not authorized to perform: sagemaker:StartPipelineExecution on resource: arn:aws:sagemaker:us-east-1:000000000000:pipeline/denied-train',
    EXECUTION_ID: 'c1b2a3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    IS_PAYLOAD_TRUNCATED: 'false',
    RETRY_ATTEMPTS: '3',
    SCHEDULED_TIME: '2026-11-29T08:00:00Z',
    SCHEDULE_ARN,
    TARGET_ARN: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/denied-train',
  },
};

describe("Scheduler's dead-letter event", () => {
  it('is read from its message attributes, keeping everything, whatever is missing', () => {
    const at = new Date('2026-11-29T08:01:00Z');
    expect(readDeadLetterEvent(documented, at)).toEqual({
      messageId: documented.messageId,
      scheduleArn: SCHEDULE_ARN,
      scheduledTime: new Date('2026-11-29T08:00:00Z'),
      errorCode: 'AccessDeniedException',
      errorMessage: documented.attributes.ERROR_MESSAGE,
      retryAttempts: 3,
      exhaustedRetryCondition: 'MaximumRetryAttempts',
      targetArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/denied-train',
      body: documented.body,
      attributes: documented.attributes,
      receivedAt: at,
    });
    // Scheduler's own failure, an attribute it may add one day, and fields that are not there.
    const sparse = readDeadLetterEvent(
      {
        body: '',
        attributes: {
          ERROR_CODE: 'AWS.Scheduler.InternalServerError',
          SCHEDULED_TIME: 'not a time',
          NEW_THING: 'x',
        },
      },
      at,
    );
    expect(sparse).toMatchObject({
      errorCode: 'AWS.Scheduler.InternalServerError',
      errorMessage: 'the dead-letter event gives no error message',
      attributes: { NEW_THING: 'x' },
    });
    expect(sparse.scheduleArn).toBeUndefined();
    expect(sparse.scheduledTime).toBeUndefined();
  });
});

const pipelines = parsePipelineCatalog(`
pipelines:
  - name: denied-train
    startFails: "${documented.attributes.ERROR_MESSAGE}"
    steps: [{ name: Train, seconds: 1 }]
`);

let h: LocalHarness;
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('a missed run on AWS with a dead-letter queue', () => {
  it('quotes the error of the dead-letter event once it is in the queue, in the same message', async () => {
    h = await startLocal({ now: '2026-11-29T07:58:00Z', pipelines });
    closers.push(() => h.close());
    const wire = await awsBackendOverTheWire(h.backend, { deadLetters: h.store.deadLetters });
    closers.push(() => wire.close());
    const backend = wire.backend;
    // DEAD_LETTER_QUEUE_URL: the queue the bot reads is the one its new schedules get.
    const service = new SchedulingService(backend, h.store, {
      group: 'sagemaker-pipelines',
      deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq',
    });
    const schedule = value(
      await service.createSchedule(
        {
          pipeline: 'denied-train',
          expression: 'cron(0 8 * * ? *)',
          name: 'nightly',
          roleArn: ROLE,
          parameters: [],
        },
        ctx(),
      ),
    ) as ScheduleRecord;
    expect(schedule.deadLetterArn).toBe('arn:aws:sqs:us-east-1:123456789012:scheduler-dlq');

    // The bot's channel, as the notifier posts and updates it.
    const posted: Array<{ ts: string; message: ChatMessage }> = [];
    const updated: Array<{ ts: string; message: ChatMessage }> = [];
    const poster: ChatPoster = {
      post: async (_channel, message) => {
        posted.push({ ts: String(posted.length + 1), message });
        return { ts: String(posted.length) };
      },
      update: async (_channel, ts, message) => {
        updated.push({ ts, message });
      },
      find: async () => undefined,
    };
    const events = startNotifications({
      store: h.store,
      log: createLogger({ level: 'silent' }),
      poster,
      paceMs: 0,
      defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
      render: executionMessage,
      renderFailure: failureReply,
      renderTick: missedRunMessage,
      now: () => h.clock.now(),
    });
    closers.push(() => events.stop());

    // The 08:00 run fails; the retries are not spent yet, so the queue is still empty.
    await h.clock.advanceTo('2026-11-29T08:03:00Z');
    const [missed] = value(
      await service.watchRuns(new Date('2026-11-29T08:00:00Z'), new Date('2026-11-29T08:03:00Z')),
    );
    expect(missed?.reason).toMatch(/its dead-letter queue holds no event for this run yet/);
    await events.notifier?.process();
    expect(posted).toHaveLength(1);

    // Scheduler gives up and sends the dead-letter event; the bot reads the queue.
    const sqs = await SqsStandIn.start();
    closers.push(() => sqs.close());
    const queueUrl = sqs.createQueue('scheduler-dlq');
    const sqsClient = new SQSClient(sqs.clientConfig({ maxAttempts: 1 }));
    closers.push(() => sqsClient.destroy());
    const source = new SqsEventSource({
      client: sqsClient,
      queueUrl,
      deliver: deadLetterInbox(h.store.deadLetters, createLogger({ level: 'silent' })),
      log: createLogger({ level: 'silent' }),
      waitTimeSeconds: 1,
    });
    source.start();
    closers.push(() => source.stop());
    sqs.send('scheduler-dlq', documented.body, {
      ...documented.attributes,
      SCHEDULE_ARN: schedule.arn,
    });
    for (let i = 0; i < 50 && sqs.messages('scheduler-dlq').length > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sqs.messages('scheduler-dlq')).toHaveLength(0);

    await h.clock.advanceTo('2026-11-29T08:04:00Z');
    const [explained] = value(
      await service.watchRuns(new Date('2026-11-29T08:03:00Z'), new Date('2026-11-29T08:04:00Z')),
    );
    expect(explained?.reason).toBe(
      `Scheduler gave up after 3 retries: AccessDeniedException: ${documented.attributes.ERROR_MESSAGE}`,
    );
    await events.notifier?.process();
    // The same message, now with the error; nothing posted twice.
    expect(posted).toHaveLength(1);
    expect(updated.map((u) => u.ts)).toEqual(['1']);
    expect(updated[0]?.message.text).toContain(
      'AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/Runner/scheduler is not authorized to perform: sagemaker:StartPipelineExecution',
    );
    // Looking again tells nothing new.
    expect(
      value(
        await service.watchRuns(new Date('2026-11-29T08:04:00Z'), new Date('2026-11-29T08:05:00Z')),
      ),
    ).toEqual([]);
  });
});
