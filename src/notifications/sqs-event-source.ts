import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '../logger.js';
import type { IngestResult } from './inbox.js';

/** A message as received: its body and its string message attributes (all of them). */
export interface QueueMessage {
  messageId?: string;
  body: string;
  attributes: Record<string, string>;
}

export interface SqsEventSourceOptions {
  client: SQSClient;
  /**
   * The queue: the one an EventBridge rule targets, or Scheduler's dead-letter queue
   * (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
   */
  queueUrl: string;
  /** Stores a message (the event inbox, the dead letters); it is deleted from SQS only then. */
  deliver: (message: QueueMessage) => Promise<IngestResult>;
  log: Logger;
  /** Long-poll wait, 0–20 s (default 20). The client's requestTimeout, if set, must be longer. */
  waitTimeSeconds?: number;
  /** Messages per receive, 1–10 (default 10). */
  maxMessages?: number;
  /** Seconds a received message stays hidden; the queue's own setting when omitted. */
  visibilityTimeout?: number;
  /** Pause after a failure: doubles from minDelayMs to maxDelayMs (default 1 s to 30 s). */
  retry?: { minDelayMs?: number; maxDelayMs?: number };
}

/** IAM actions the bot's role needs on the queue, named in every access-denied hint. */
const NEEDED_ACTIONS = 'sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility';
/** DeleteMessageBatch takes at most 10 entries. */
const MAX_BATCH = 10;
/**
 * A malformed message is released at once so that the queue's redrive policy moves it to the
 * dead-letter queue after maxReceiveCount receives. On a queue without one that would spin
 * forever, so past this many receives the message waits out its visibility timeout instead.
 */
const FAST_REDELIVERY_LIMIT = 10;

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);
const NO_QUEUE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidSecurity',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

type Outcome = 'stored' | 'rejected' | 'failed';

/**
 * Long-polls the SQS queue that an EventBridge rule delivers pipeline events to and hands each
 * event to the inbox. A message is deleted only once the inbox has stored it; a malformed one is
 * released for redelivery so SQS redrive parks it in the dead-letter queue; when the store is
 * down the message is left to come back after its visibility timeout. Nothing is dropped here.
 */
export class SqsEventSource {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly deliver: (message: QueueMessage) => Promise<IngestResult>;
  private readonly log: Logger;
  private readonly receiveInput: ReceiveMessageCommandInput;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private nextDelayMs: number;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: SqsEventSourceOptions) {
    const wait = options.waitTimeSeconds ?? 20;
    const max = options.maxMessages ?? 10;
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw new RangeError(`waitTimeSeconds must be 0–20, got ${wait}`);
    }
    if (!Number.isInteger(max) || max < 1 || max > MAX_BATCH) {
      throw new RangeError(`maxMessages must be 1–10, got ${max}`);
    }
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.deliver = options.deliver;
    this.log = options.log.child({ queueUrl: options.queueUrl });
    this.receiveInput = {
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: wait,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      // A dead-letter event says what failed in its message attributes.
      MessageAttributeNames: ['All'],
      ...(options.visibilityTimeout !== undefined
        ? { VisibilityTimeout: options.visibilityTimeout }
        : {}),
    };
    this.minDelayMs = options.retry?.minDelayMs ?? 1_000;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
    this.nextDelayMs = this.minDelayMs;
  }

  /** Starts polling in the background; a second call does nothing. */
  start(): void {
    if (this.controller.signal.aborted) throw new Error('SqsEventSource was stopped');
    if (this.loop) return;
    this.log.info('polling SQS for pipeline events');
    this.loop = this.run();
  }

  /** Abandons the current long poll and resolves once the messages in hand are settled. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      let pauseMs: number;
      try {
        pauseMs = await this.pollOnce(signal);
      } catch (error) {
        // A bug, not AWS: keep the loop alive rather than silently stop receiving.
        pauseMs = this.backOff();
        this.log.error({ err: error, retryInMs: pauseMs }, 'SQS event source failed unexpectedly');
      }
      if (pauseMs > 0) await delay(pauseMs, undefined, { signal }).catch(() => undefined);
    }
    this.log.info('stopped polling SQS');
  }

  /** One receive and the handling of what it brought; returns the pause before the next. */
  private async pollOnce(signal: AbortSignal): Promise<number> {
    let messages: Message[];
    try {
      const output = await this.client.send(new ReceiveMessageCommand(this.receiveInput), {
        abortSignal: signal,
      });
      messages = output.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return 0;
      return this.onSqsError(error, 'ReceiveMessage');
    }

    // In order, one at a time: events are few, and a store that is down fails fast anyway.
    const stored: Message[] = [];
    let storeFailed = false;
    for (const message of messages) {
      const outcome = await this.ingest(message);
      if (outcome === 'stored') stored.push(message);
      if (outcome === 'failed') storeFailed = true;
    }
    await this.deleteMessages(stored);

    if (storeFailed) return this.backOff();
    this.nextDelayMs = this.minDelayMs;
    return 0;
  }

  private async ingest(message: Message): Promise<Outcome> {
    const messageId = message.MessageId;
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 0);
    let result: IngestResult;
    try {
      result = await this.deliver({
        ...(messageId ? { messageId } : {}),
        body: message.Body ?? '',
        attributes: stringAttributes(message),
      });
    } catch (error) {
      // No delete and no visibility change: SQS hands it out again after its visibility timeout.
      this.log.error(
        { err: error, messageId, receiveCount },
        'could not store the event; its message stays on the queue and comes back later',
      );
      return 'failed';
    }
    if (result.ok) {
      this.log.debug({ messageId, duplicate: result.duplicate }, 'event from SQS stored');
      return 'stored';
    }
    this.log.warn(
      { messageId, receiveCount, reason: result.reason },
      'malformed event on the queue; released for redelivery so redrive moves it to the DLQ',
    );
    await this.release(message, receiveCount);
    return 'rejected';
  }

  /** Makes a rejected message visible again at once, so it reaches maxReceiveCount quickly. */
  private async release(message: Message, receiveCount: number): Promise<void> {
    if (receiveCount >= FAST_REDELIVERY_LIMIT) {
      this.log.error(
        { messageId: message.MessageId, receiveCount },
        'malformed event keeps coming back; give the queue a redrive policy with a dead-letter ' +
          'queue so SQS sets it aside',
      );
      return;
    }
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } catch (error) {
      // It still comes back, after its visibility timeout.
      this.logSqsError(error, 'ChangeMessageVisibility', { messageId: message.MessageId });
    }
  }

  private async deleteMessages(messages: Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += MAX_BATCH) {
      const chunk = messages.slice(start, start + MAX_BATCH);
      try {
        const output = await this.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            // Batch ids only need to be unique within the request.
            Entries: chunk.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        // A 200 answer can still carry failed entries.
        for (const failed of output.Failed ?? []) {
          const message = chunk[Number(failed.Id?.slice(1))];
          this.log.warn(
            {
              messageId: message?.MessageId,
              awsError: failed.Code,
              awsMessage: failed.Message,
              senderFault: failed.SenderFault,
            },
            'SQS did not delete a stored event; it will be redelivered and ingested as a duplicate',
          );
        }
      } catch (error) {
        this.logSqsError(error, 'DeleteMessage', { messageIds: chunk.map((m) => m.MessageId) });
      }
    }
  }

  /** Logs a failed receive and returns the pause before the next try. */
  private onSqsError(error: unknown, operation: string): number {
    const misconfigured = this.hintFor(error, operation) !== undefined;
    // A misconfiguration will not fix itself within seconds: retry slowly.
    const pauseMs = misconfigured ? this.maxDelayMs : this.backOff();
    this.logSqsError(error, operation, { retryInMs: pauseMs });
    return pauseMs;
  }

  private logSqsError(error: unknown, operation: string, fields: Record<string, unknown>): void {
    const { name, requestId, httpStatusCode } = sdkErrorFields(error);
    const hint = this.hintFor(error, operation);
    this.log.error(
      { err: error, operation, awsError: name, requestId, httpStatusCode, ...fields },
      hint ?? `SQS ${operation} failed (${name})`,
    );
  }

  /** What an operator has to fix, for errors that retrying alone will not cure. */
  private hintFor(error: unknown, operation: string): string | undefined {
    const { name, message } = sdkErrorFields(error);
    const queue = queueArnOf(this.queueUrl) ?? this.queueUrl;
    if (ACCESS_DENIED.has(name)) {
      return (
        `the bot's IAM role may not call sqs:${operation} on ${queue}; ` +
        `allow ${NEEDED_ACTIONS} on that queue ARN`
      );
    }
    if (NO_QUEUE.has(name)) {
      return `SQS queue ${this.queueUrl} does not exist; check the configured queue URL and region`;
    }
    if (name.startsWith('Kms') || name.startsWith('KMS.')) {
      return (
        `the queue ${queue} is encrypted with a KMS key the bot cannot use (${name}); ` +
        'allow kms:Decrypt on that key'
      );
    }
    if (BAD_CREDENTIALS.has(name)) {
      return `AWS refused the bot's credentials (${name}: ${message}); check the AWS credentials the bot runs with`;
    }
    return undefined;
  }

  private backOff(): number {
    const pauseMs = this.nextDelayMs;
    this.nextDelayMs = Math.min(this.maxDelayMs, this.nextDelayMs * 2);
    return pauseMs;
  }
}

/** String (and Number) message attributes by name; binary ones have no text to keep. */
function stringAttributes(message: Message): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {}))
    if (value.StringValue !== undefined) out[name] = value.StringValue;
  return out;
}

function sdkErrorFields(error: unknown): {
  name: string;
  message: string;
  requestId: string | undefined;
  httpStatusCode: number | undefined;
} {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { requestId?: string; httpStatusCode?: number };
  };
  return {
    name: typeof shape.name === 'string' ? shape.name : 'Error',
    message: typeof shape.message === 'string' ? shape.message : String(error),
    requestId: shape.$metadata?.requestId,
    httpStatusCode: shape.$metadata?.httpStatusCode,
  };
}

/** `https://sqs.us-east-1.amazonaws.com/123456789012/events` → `arn:aws:sqs:us-east-1:…:events`. */
export function queueArnOf(queueUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return undefined;
  }
  const [, account, name] = url.pathname.split('/');
  // Current (sqs.<region>.amazonaws.com) and legacy (<region>.queue.amazonaws.com) hosts.
  const region =
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(url.hostname)?.[1];
  if (!region || !account || !name || !/^\d{12}$/.test(account)) return undefined;
  const partition = url.hostname.endsWith('.amazonaws.com.cn')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return `arn:${partition}:sqs:${region}:${account}:${name}`;
}
