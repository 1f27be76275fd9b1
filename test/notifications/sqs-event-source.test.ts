import { Writable } from 'node:stream';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { EventInbox } from '../../src/notifications/inbox.js';
import {
  queueArnOf,
  SqsEventSource,
  type SqsEventSourceOptions,
} from '../../src/notifications/sqs-event-source.js';
import { SqsStandIn, sqsError } from '../support/sqs-stand-in.js';

const QUEUE = 'pipeline-events';
const DLQ = 'pipeline-events-dlq';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:pipeline-events';
const MAX_RECEIVE_COUNT = 3;
const EXECUTION_ARN =
  'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training/execution/k2x8w1qz7d3m';

/** A pipeline status event exactly as an EventBridge rule's SQS target delivers it. */
function statusEvent(id: string, status = 'Succeeded'): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-03-02T09:14:05Z',
    region: 'us-east-1',
    resources: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training', EXECUTION_ARN],
    detail: {
      pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training',
      pipelineExecutionArn: EXECUTION_ARN,
      previousPipelineExecutionStatus: 'Executing',
      currentPipelineExecutionStatus: status,
    },
  });
}

/** Stores events by id, like the real inbox: a repeat id is a duplicate, not an error. */
function memoryInbox() {
  const seen = new Set<string>();
  const ingest = vi.fn<EventInbox['ingest']>(async (body) => {
    let id: unknown;
    try {
      id = (JSON.parse(body) as { id?: unknown }).id;
    } catch {
      return { ok: false, reason: 'body is not JSON' };
    }
    if (typeof id !== 'string') return { ok: false, reason: 'event has no id' };
    const duplicate = seen.has(id);
    seen.add(id);
    return { ok: true, duplicate };
  });
  return { ingest, seen };
}

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

let standIn: SqsStandIn;
let client: SQSClient;
let queueUrl: string;
let sources: SqsEventSource[];
let logged: ReturnType<typeof captureLog>;

// A stand-in per test: a poll abandoned at the end of one test must not reach the next one's queue.
beforeEach(async () => {
  standIn = await SqsStandIn.start();
  // One attempt: the source's own backoff is under test, not the SDK's retries.
  client = new SQSClient(standIn.clientConfig({ maxAttempts: 1 }));
  standIn.createQueue(DLQ);
  queueUrl = standIn.createQueue(QUEUE, {
    redrive: { deadLetterQueue: DLQ, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
  sources = [];
  logged = captureLog();
});
afterEach(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  client.destroy();
  await standIn.close();
});

function startSource(inbox: EventInbox, options: Partial<SqsEventSourceOptions> = {}) {
  const source = new SqsEventSource({
    client,
    queueUrl,
    deliver: (message) => inbox.ingest(message.body, 'sqs'),
    log: logged.log,
    // Short long polls and pauses keep the file fast; the defaults are 20 s and 1–30 s.
    waitTimeSeconds: 1,
    retry: { minDelayMs: 100, maxDelayMs: 400 },
    ...options,
  });
  sources.push(source);
  source.start();
  return source;
}

/** vi.waitFor with room for a loaded CI machine; it returns as soon as the check passes. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 10 });
const logsAt = (level: number) => logged.lines.filter((l) => l.level === level);
const WARN = 40;
const ERROR = 50;

describe('SqsEventSource on the wire', () => {
  it('long-polls with AWS JSON 1.0 and asks for the receive count', async () => {
    startSource(memoryInbox(), { waitTimeSeconds: 20, visibilityTimeout: 60 });
    await eventually(() => expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(1));

    const [receive] = standIn.requestsFor('ReceiveMessage');
    expect(receive).toMatchObject({
      target: 'AmazonSQS.ReceiveMessage',
      contentType: 'application/x-amz-json-1.0',
      queryMode: 'true',
      body: {
        QueueUrl: queueUrl,
        WaitTimeSeconds: 20,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        VisibilityTimeout: 60,
      },
    });
  });

  it('refuses options SQS would reject', () => {
    const base = {
      client,
      queueUrl,
      deliver: async () => ({ ok: true as const, duplicate: false }),
      log: logged.log,
    };
    expect(() => new SqsEventSource({ ...base, waitTimeSeconds: 21 })).toThrow(RangeError);
    expect(() => new SqsEventSource({ ...base, maxMessages: 11 })).toThrow(RangeError);
  });
});

describe('SqsEventSource delivering events', () => {
  it('hands each body to the inbox as is and deletes the message once stored', async () => {
    const inbox = memoryInbox();
    const bodies = [statusEvent('ev-1'), statusEvent('ev-2', 'Failed')];
    const ids = bodies.map((b) => standIn.send(QUEUE, b));
    startSource(inbox);

    await eventually(() => expect(standIn.deleted).toHaveLength(2));
    expect(inbox.ingest.mock.calls).toEqual([
      [bodies[0], 'sqs'],
      [bodies[1], 'sqs'],
    ]);
    expect(standIn.deleted.map((d) => d.messageId)).toEqual(ids);
    expect(standIn.messages(QUEUE)).toHaveLength(0);
    // One batch delete for the batch received, with the handles from that receive.
    const [deleteBatch] = standIn.requestsFor('DeleteMessageBatch');
    expect(deleteBatch?.target).toBe('AmazonSQS.DeleteMessageBatch');
    expect(deleteBatch?.body.Entries).toEqual([
      { Id: 'm0', ReceiptHandle: expect.stringMatching(/^rh-/) },
      { Id: 'm1', ReceiptHandle: expect.stringMatching(/^rh-/) },
    ]);
    expect(standIn.requestsFor('ChangeMessageVisibility')).toHaveLength(0);
  });

  it('deletes a duplicate too: the same event twice is stored once and both messages go', async () => {
    const inbox = memoryInbox();
    standIn.send(QUEUE, statusEvent('ev-dup'));
    standIn.send(QUEUE, statusEvent('ev-dup'));
    startSource(inbox);

    await eventually(() => expect(standIn.deleted).toHaveLength(2));
    const results = await Promise.all(inbox.ingest.mock.results.map((r) => r.value));
    expect(results).toEqual([
      { ok: true, duplicate: false },
      { ok: true, duplicate: true },
    ]);
    expect(standIn.messages(QUEUE)).toHaveLength(0);
  });

  it('never deletes a malformed message: it is redelivered and redrive moves it to the DLQ', async () => {
    const inbox = memoryInbox();
    const id = standIn.send(QUEUE, '{"detail-type": "truncated');
    standIn.send(QUEUE, statusEvent('ev-ok'));
    startSource(inbox);

    await eventually(() => expect(standIn.messages(DLQ)).toHaveLength(1));
    const [parked] = standIn.messages(DLQ);
    expect(parked).toMatchObject({
      messageId: id,
      body: '{"detail-type": "truncated',
      receiveCount: MAX_RECEIVE_COUNT,
    });
    expect(standIn.messages(QUEUE)).toHaveLength(0);
    expect(standIn.deleted.map((d) => d.messageId)).not.toContain(id);
    expect(standIn.deleted).toHaveLength(1);

    // Released at once each time, not left to its 30 s visibility timeout.
    const releases = standIn.requestsFor('ChangeMessageVisibility');
    expect(releases).toHaveLength(MAX_RECEIVE_COUNT);
    expect(releases[0]?.body).toMatchObject({ QueueUrl: queueUrl, VisibilityTimeout: 0 });
    const warnings = logsAt(WARN);
    expect(warnings).toHaveLength(MAX_RECEIVE_COUNT);
    expect(warnings.map((w) => w.receiveCount)).toEqual([1, 2, 3]);
    expect(warnings[0]).toMatchObject({ messageId: id, reason: 'body is not JSON' });
  });

  it('stops releasing at once on a queue without a dead-letter queue', async () => {
    queueUrl = standIn.createQueue('no-dlq');
    const id = standIn.send('no-dlq', 'not json');
    startSource(memoryInbox());

    await eventually(() =>
      expect(logsAt(ERROR).some((l) => String(l.msg).includes('redrive policy'))).toBe(true),
    );
    expect(standIn.requestsFor('ChangeMessageVisibility')).toHaveLength(9);
    const [message] = standIn.messages('no-dlq');
    expect(message).toMatchObject({ messageId: id, receiveCount: 10 });
    expect(message?.visibleAt).toBeGreaterThan(Date.now() + 20_000);
  });

  it('leaves the message alone when the store throws, backs off, and stores it when it returns', async () => {
    const inbox = memoryInbox();
    const stored = inbox.ingest.getMockImplementation()!;
    inbox.ingest.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const id = standIn.send(QUEUE, statusEvent('ev-later'));
    startSource(inbox);

    await eventually(() => expect(logsAt(ERROR)).toHaveLength(1));
    expect(logsAt(ERROR)[0]).toMatchObject({ messageId: id, err: { message: expect.any(String) } });
    // Still on the queue, in flight for its visibility timeout: no delete, no release.
    expect(standIn.deleted).toHaveLength(0);
    expect(standIn.requestsFor('ChangeMessageVisibility')).toHaveLength(0);
    const [message] = standIn.messages(QUEUE);
    expect(message?.visibleAt).toBeGreaterThan(Date.now() + 20_000);

    // The next receive waits out the pause.
    await eventually(() => expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(2));
    const [first, second] = standIn.requestsFor('ReceiveMessage');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(100);

    inbox.ingest.mockImplementation(stored);
    standIn.expireVisibility(QUEUE);
    await eventually(() => expect(standIn.deleted).toHaveLength(1));
    expect(standIn.deleted[0]?.messageId).toBe(id);
    expect(inbox.ingest).toHaveBeenCalledTimes(2);
  });

  it('logs DeleteMessageBatch entries that failed', async () => {
    const id = standIn.send(QUEUE, statusEvent('ev-1'));
    standIn.failNext('DeleteMessageBatch', {
      body: {
        Successful: [],
        Failed: [
          {
            Id: 'm0',
            SenderFault: true,
            Code: 'ReceiptHandleIsInvalid',
            Message: 'The input receipt handle is invalid.',
          },
        ],
      },
    });
    startSource(memoryInbox());

    await eventually(() => expect(logsAt(WARN)).toHaveLength(1));
    expect(logsAt(WARN)[0]).toMatchObject({
      messageId: id,
      awsError: 'ReceiptHandleIsInvalid',
      senderFault: true,
    });
    expect(standIn.messages(QUEUE)).toHaveLength(1);
  });
});

describe('SqsEventSource when SQS fails', () => {
  it('backs off on receive errors, doubling, and keeps going', async () => {
    standIn.failNext(
      'ReceiveMessage',
      sqsError('RequestThrottled', 'Rate exceeded', { status: 403 }),
      sqsError('InternalError', 'We encountered an internal error.', {
        status: 500,
        type: 'com.amazonaws.sqs#InternalError',
      }),
    );
    standIn.send(QUEUE, statusEvent('ev-1'));
    startSource(memoryInbox());

    await eventually(() => expect(standIn.deleted).toHaveLength(1));
    const errors = logsAt(ERROR);
    expect(errors.map((e) => [e.awsError, e.retryInMs])).toEqual([
      ['RequestThrottled', 100],
      ['InternalError', 200],
    ]);
  });

  it('keeps retrying when SQS cannot be reached at all', async () => {
    const closed = await SqsStandIn.start();
    const unreachable = new SQSClient(closed.clientConfig({ maxAttempts: 1 }));
    await closed.close();
    startSource(memoryInbox(), { client: unreachable });

    await eventually(() => expect(logsAt(ERROR).length).toBeGreaterThanOrEqual(2));
    expect(logsAt(ERROR).map((e) => e.retryInMs)).toEqual(expect.arrayContaining([100, 200]));
    expect(logsAt(ERROR)[0]?.msg).toMatch(/^SQS ReceiveMessage failed/);
    await sources.pop()?.stop();
    unreachable.destroy();
  });

  it('says which permissions to grant when access is denied, and retries slowly', async () => {
    standIn.failNext(
      'ReceiveMessage',
      sqsError(
        'AccessDenied',
        `User: arn:aws:sts::123456789012:assumed-role/bot/task is not authorized to perform: sqs:receivemessage on resource: ${QUEUE_ARN}`,
        { status: 403, type: 'com.amazon.coral.service#AccessDeniedException' },
      ),
    );
    startSource(memoryInbox());

    await eventually(() => expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(2));
    const [denied] = logsAt(ERROR);
    expect(denied).toMatchObject({ awsError: 'AccessDenied', retryInMs: 400, requestId: 'req-1' });
    expect(denied?.msg).toContain(`sqs:ReceiveMessage on ${QUEUE_ARN}`);
    expect(denied?.msg).toContain(
      'sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility',
    );
    const [first, second] = standIn.requestsFor('ReceiveMessage');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(400);
  });

  it('names the queue URL when the queue does not exist', async () => {
    queueUrl = standIn.queueUrl('pipeline-evnets');
    startSource(memoryInbox());

    await eventually(() => expect(logsAt(ERROR)).toHaveLength(1));
    expect(logsAt(ERROR)[0]).toMatchObject({
      awsError: 'QueueDoesNotExist',
      retryInMs: 400,
      msg: `SQS queue ${queueUrl} does not exist; check the configured queue URL and region`,
    });
  });

  it('points at the permission when the delete is denied', async () => {
    standIn.send(QUEUE, statusEvent('ev-1'));
    standIn.failNext(
      'DeleteMessageBatch',
      sqsError('AccessDenied', 'not authorized to perform: sqs:deletemessage', {
        status: 403,
        type: 'com.amazon.coral.service#AccessDeniedException',
      }),
    );
    startSource(memoryInbox());

    await eventually(() => expect(logsAt(ERROR)).toHaveLength(1));
    expect(logsAt(ERROR)[0]?.msg).toContain(`sqs:DeleteMessage on ${QUEUE_ARN}`);
  });
});

describe('SqsEventSource.stop', () => {
  it('ends a long poll at once', async () => {
    const source = startSource(memoryInbox(), { waitTimeSeconds: 20 });
    await eventually(() => expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(1));

    const started = performance.now();
    await source.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    // The poll was abandoned on the wire, and nothing is taken on its behalf.
    const [poll] = standIn.requestsFor('ReceiveMessage');
    await eventually(() => expect(standIn.hungUp).toContain(poll));
    standIn.send(QUEUE, statusEvent('ev-after'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(standIn.messages(QUEUE)[0]?.receiveCount).toBe(0);
    expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(1);
  });

  it('waits for the messages in hand to be stored and deleted', async () => {
    let finish!: () => void;
    const inbox = memoryInbox();
    const stored = inbox.ingest.getMockImplementation()!;
    inbox.ingest.mockImplementationOnce(async (body, via) => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return stored(body, via);
    });
    standIn.send(QUEUE, statusEvent('ev-slow'));
    const source = startSource(inbox);
    await eventually(() => expect(inbox.ingest).toHaveBeenCalledOnce());

    let stopped = false;
    const stopping = source.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);

    finish();
    await stopping;
    expect(standIn.deleted).toHaveLength(1);
    expect(standIn.requestsFor('ReceiveMessage')).toHaveLength(1);
    expect(() => source.start()).toThrow(/stopped/);
  });
});

describe('queueArnOf', () => {
  it('derives the ARN IAM policies name from a queue URL', () => {
    expect(queueArnOf('https://sqs.us-east-1.amazonaws.com/123456789012/pipeline-events')).toBe(
      QUEUE_ARN,
    );
    expect(queueArnOf('https://eu-west-1.queue.amazonaws.com/123456789012/q')).toBe(
      'arn:aws:sqs:eu-west-1:123456789012:q',
    );
    expect(queueArnOf('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q')).toBe(
      'arn:aws-cn:sqs:cn-north-1:123456789012:q',
    );
    expect(queueArnOf('http://127.0.0.1:4566/queue')).toBeUndefined();
  });
});
