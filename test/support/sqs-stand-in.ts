import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// Before any client exists: the SDK warns once per process about Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A small Amazon SQS on loopback for tests that run the real `SQSClient`. Unlike the scripted
 * `AwsStandIn` it models queues, because the behaviour under test is a conversation with one:
 * received messages stay in flight for their visibility timeout, each receive counts, a receipt
 * handle is only good until the next receive, and a queue with a redrive policy moves a message
 * to its dead-letter queue once its receive count reaches maxReceiveCount.
 *
 * Wire: AWS JSON 1.0, what @aws-sdk/client-sqs 3.1169 speaks (`POST /`, `X-Amz-Target:
 * AmazonSQS.<Operation>`, `content-type: application/x-amz-json-1.0`, `x-amzn-query-mode: true`).
 * Errors carry `x-amzn-query-error: <query code>;Sender`, from which the client takes the error
 * name (SQS JSON API responses, developer guide).
 */

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** ReceiveMessage polls the queue this often while a long poll waits. */
const LONG_POLL_TICK_MS = 10;

export interface SqsRequest {
  operation: string;
  target: string | undefined;
  contentType: string | undefined;
  queryMode: string | undefined;
  body: Record<string, unknown>;
  at: number;
}

export interface SqsReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface QueueOptions {
  /** Seconds a received message stays invisible; SQS's default is 30. */
  visibilityTimeoutSeconds?: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

export interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms from which the message can be received again. */
  visibleAt: number;
  sentAt: number;
  firstReceivedAt: number | undefined;
  /** Only the latest handle deletes or changes the message. */
  receiptHandle: string | undefined;
  /** String message attributes, as EventBridge Scheduler sets on a dead-letter event. */
  messageAttributes?: Record<string, string>;
}

interface Queue {
  name: string;
  options: QueueOptions;
  messages: StoredMessage[];
}

/** An error answer as SQS's JSON protocol sends it. */
export function sqsError(
  queryCode: string,
  message: string,
  options: { status?: number; type?: string } = {},
): SqsReply {
  const type = options.type ?? `com.amazonaws.sqs#${queryCode}`;
  return {
    status: options.status ?? 400,
    headers: { 'x-amzn-query-error': `${queryCode};Sender` },
    body: { __type: type, message },
  };
}

class SqsFault extends Error {
  constructor(readonly reply: SqsReply) {
    super(String((reply.body as { message?: string }).message));
  }
}

export class SqsStandIn {
  readonly requests: SqsRequest[] = [];
  /** Every message a DeleteMessage(Batch) removed, in order. */
  readonly deleted: { queue: string; messageId: string; body: string }[] = [];
  /** Requests whose client hung up before the answer (an aborted long poll). */
  readonly hungUp: SqsRequest[] = [];
  private readonly queues = new Map<string, Queue>();
  private readonly scripted = new Map<string, SqsReply[]>();
  private readonly handles = new Map<string, { queue: Queue; messageId: string }>();
  private requestCount = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<SqsStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new SqsStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      standIn.handle(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    return standIn;
  }

  /** Client configuration pointing a real `SQSClient` here. */
  clientConfig(extra: { maxAttempts?: number } = {}) {
    return {
      endpoint: this.url,
      region: REGION,
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
      ...extra,
    };
  }

  /** Creates a queue and returns its URL, shaped like a real one (the client sends it as is). */
  createQueue(name: string, options: QueueOptions = {}): string {
    this.queues.set(name, { name, options, messages: [] });
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
  }

  /**
   * What an EventBridge rule's SQS target does: one message, the event JSON as its body; with
   * string message attributes, what Scheduler sends to a dead-letter queue.
   */
  send(queueName: string, body: string, messageAttributes?: Record<string, string>): string {
    const queue = this.queue(queueName);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      ...(messageAttributes ? { messageAttributes } : {}),
      receiveCount: 0,
      visibleAt: Date.now(),
      sentAt: Date.now(),
      firstReceivedAt: undefined,
      receiptHandle: undefined,
    };
    queue.messages.push(message);
    return message.messageId;
  }

  /** The messages still in a queue, in flight or not. */
  messages(queueName: string): readonly StoredMessage[] {
    return this.queue(queueName).messages;
  }

  /** Lets time pass for in-flight messages: they become receivable now. */
  expireVisibility(queueName: string): void {
    for (const message of this.queue(queueName).messages) message.visibleAt = Date.now();
  }

  /** Answers the next call of an operation with a reply, instead of the queue model. */
  failNext(operation: string, ...replies: SqsReply[]): this {
    this.scripted.set(operation, [...(this.scripted.get(operation) ?? []), ...replies]);
    return this;
  }

  requestsFor(operation: string): SqsRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  reset(): void {
    this.queues.clear();
    this.createdAttributes.clear();
    this.scripted.clear();
    this.handles.clear();
    this.requests.length = 0;
    this.deleted.length = 0;
    this.hungUp.length = 0;
    this.requestCount = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Watch for a hang-up before reading: an aborted long poll may close while the body arrives.
    let gone = req.socket.destroyed;
    let recorded: SqsRequest | undefined;
    res.on('close', () => {
      if (!res.writableFinished && recorded) this.hungUp.push(recorded);
      gone = true;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const target = header(req, 'x-amz-target');
    const request: SqsRequest = {
      operation: target?.replace(/^AmazonSQS\./, '') ?? '(no X-Amz-Target)',
      target,
      contentType: header(req, 'content-type'),
      queryMode: header(req, 'x-amzn-query-mode'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      at: Date.now(),
    };
    this.requests.push(request);
    recorded = request;
    if (gone) this.hungUp.push(request);
    // The client hung up (an aborted long poll): nothing may be received on its behalf.
    const reply = await this.answer(request, () => gone);
    if (gone) return;
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': `req-${++this.requestCount}`,
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '{}' : JSON.stringify(reply.body));
  }

  private async answer(request: SqsRequest, gone: () => boolean): Promise<SqsReply> {
    const scripted = this.scripted.get(request.operation)?.shift();
    if (scripted) return scripted;
    try {
      if (request.target === undefined || request.contentType !== 'application/x-amz-json-1.0') {
        throw new SqsFault(sqsError('InvalidAction', 'expected an AWS JSON 1.0 request'));
      }
      switch (request.operation) {
        case 'ReceiveMessage':
          return { body: await this.receive(request.body, gone) };
        case 'DeleteMessageBatch':
          return { body: this.deleteBatch(request.body) };
        case 'DeleteMessage':
          this.deleteOne(request.body);
          return {};
        case 'ChangeMessageVisibility':
          this.changeVisibility(request.body);
          return {};
        case 'GetQueueUrl':
          return {
            body: { QueueUrl: this.queueUrl(this.queueNamed(request.body.QueueName).name) },
          };
        case 'CreateQueue':
          return { body: { QueueUrl: this.createQueueOnWire(request.body) } };
        case 'GetQueueAttributes':
          return { body: { Attributes: this.attributesOf(request.body) } };
        default:
          throw new SqsFault(
            sqsError('AWS.SimpleQueueService.UnsupportedOperation', request.operation, {
              type: 'com.amazonaws.sqs#UnsupportedOperation',
            }),
          );
      }
    } catch (error) {
      if (error instanceof SqsFault) return error.reply;
      throw error;
    }
  }

  private async receive(input: Record<string, unknown>, gone: () => boolean) {
    const queue = this.queueOf(input);
    const max = numberIn(input.MaxNumberOfMessages, 1);
    const wait = numberIn(input.WaitTimeSeconds, 0);
    if (max < 1 || max > 10) throw invalidParameter('MaxNumberOfMessages', max);
    if (wait < 0 || wait > 20) throw invalidParameter('WaitTimeSeconds', wait);
    const visibility = numberIn(
      input.VisibilityTimeout,
      queue.options.visibilityTimeoutSeconds ?? 30,
    );
    const wanted = attributeNames(input);
    const wantedMessageAttributes = new Set(
      Array.isArray(input.MessageAttributeNames) ? input.MessageAttributeNames.map(String) : [],
    );
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      if (gone()) return { Messages: [] };
      const taken = this.take(queue, max, visibility);
      if (taken.length > 0 || Date.now() >= deadline) {
        // An empty receive answers `{}`: the SDK leaves Messages undefined, as with real SQS.
        return taken.length > 0
          ? { Messages: taken.map((m) => toWire(m, wanted, wantedMessageAttributes)) }
          : {};
      }
      await new Promise((resolve) => setTimeout(resolve, LONG_POLL_TICK_MS));
    }
  }

  private take(queue: Queue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = Date.now();
    const taken: StoredMessage[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        // SQS redrive: a message received maxReceiveCount times moves instead of a next delivery.
        queue.messages.splice(queue.messages.indexOf(message), 1);
        this.queue(redrive.deadLetterQueue).messages.push({
          ...message,
          visibleAt: now,
          receiptHandle: undefined,
        });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = `rh-${randomUUID()}`;
      this.handles.set(message.receiptHandle, { queue, messageId: message.messageId });
      taken.push(message);
    }
    return taken;
  }

  private deleteBatch(input: Record<string, unknown>) {
    const queue = this.queueOf(input);
    const entries = Array.isArray(input.Entries)
      ? (input.Entries as { Id?: string; ReceiptHandle?: string }[])
      : [];
    if (entries.length === 0) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.EmptyBatchRequest', 'no entries', {
          type: 'com.amazonaws.sqs#EmptyBatchRequest',
        }),
      );
    }
    if (entries.length > 10) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'at most 10 entries', {
          type: 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        }),
      );
    }
    const ids = entries.map((e) => e.Id ?? '');
    if (new Set(ids).size !== ids.length) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'ids repeat', {
          type: 'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
        }),
      );
    }
    const successful: { Id: string }[] = [];
    const failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const entry of entries) {
      const id = entry.Id ?? '';
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
        throw new SqsFault(
          sqsError('AWS.SimpleQueueService.InvalidBatchEntryId', `bad id ${id}`, {
            type: 'com.amazonaws.sqs#InvalidBatchEntryId',
          }),
        );
      }
      if (this.handles.get(entry.ReceiptHandle ?? '')?.queue !== queue) {
        failed.push({
          Id: id,
          SenderFault: true,
          Code: 'ReceiptHandleIsInvalid',
          Message: 'The input receipt handle is invalid.',
        });
        continue;
      }
      this.deleteByHandle(queue, entry.ReceiptHandle ?? '');
      successful.push({ Id: id });
    }
    return { Successful: successful, Failed: failed };
  }

  private deleteOne(input: Record<string, unknown>): void {
    const queue = this.queueOf(input);
    const handle = String(input.ReceiptHandle ?? '');
    if (this.handles.get(handle)?.queue !== queue) throw receiptHandleInvalid();
    this.deleteByHandle(queue, handle);
  }

  /**
   * A handle from before the latest receive "succeeds" without deleting (SQS developer guide:
   * the most recent receipt handle must be used).
   */
  private deleteByHandle(queue: Queue, handle: string): void {
    const index = queue.messages.findIndex((m) => m.receiptHandle === handle);
    const message = queue.messages[index];
    if (!message) return;
    queue.messages.splice(index, 1);
    this.deleted.push({ queue: queue.name, messageId: message.messageId, body: message.body });
  }

  private changeVisibility(input: Record<string, unknown>): void {
    const queue = this.queueOf(input);
    const handle = String(input.ReceiptHandle ?? '');
    const seconds = numberIn(input.VisibilityTimeout, Number.NaN);
    if (!(seconds >= 0 && seconds <= 43_200)) throw invalidParameter('VisibilityTimeout', seconds);
    if (this.handles.get(handle)?.queue !== queue) throw receiptHandleInvalid();
    const message = queue.messages.find((m) => m.receiptHandle === handle);
    if (!message || message.visibleAt <= Date.now()) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.MessageNotInflight', 'The message is not in flight.', {
          type: 'com.amazonaws.sqs#MessageNotInflight',
        }),
      );
    }
    message.visibleAt = Date.now() + seconds * 1000;
  }

  /** The attributes each queue was created with over the wire, by name. */
  readonly createdAttributes = new Map<string, Record<string, string>>();

  private createQueueOnWire(input: Record<string, unknown>): string {
    const name = String(input.QueueName ?? '');
    const attributes = (input.Attributes ?? {}) as Record<string, string>;
    const existing = this.queues.get(name);
    // SQS: creating an existing queue with other attributes is an error, with the same a no-op.
    if (
      existing &&
      JSON.stringify(this.createdAttributes.get(name) ?? {}) !== JSON.stringify(attributes)
    ) {
      throw new SqsFault(
        sqsError(
          'QueueAlreadyExists',
          `A queue already exists with the same name and a different value for attribute(s)`,
          {
            type: 'com.amazonaws.sqs#QueueNameExists',
          },
        ),
      );
    }
    if (!existing) this.createQueue(name);
    this.createdAttributes.set(name, attributes);
    return this.queueUrl(name);
  }

  private attributesOf(input: Record<string, unknown>): Record<string, string> {
    const queue = this.queueOf(input);
    const wanted = Array.isArray(input.AttributeNames) ? input.AttributeNames.map(String) : [];
    const all: Record<string, string> = {
      ...this.createdAttributes.get(queue.name),
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.name}`,
      ApproximateNumberOfMessages: String(queue.messages.length),
    };
    return Object.fromEntries(
      Object.entries(all).filter(([key]) => wanted.includes('All') || wanted.includes(key)),
    );
  }

  private queueNamed(name: unknown): Queue {
    const queue = this.queues.get(String(name ?? ''));
    if (!queue) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', {
          type: 'com.amazonaws.sqs#QueueDoesNotExist',
        }),
      );
    }
    return queue;
  }

  private queueOf(input: Record<string, unknown>): Queue {
    const url = String(input.QueueUrl ?? '');
    const queue = this.queues.get(url.split('/').pop() ?? '');
    if (!queue || url !== this.queueUrl(queue.name)) {
      throw new SqsFault(
        sqsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', {
          type: 'com.amazonaws.sqs#QueueDoesNotExist',
        }),
      );
    }
    return queue;
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name} in the SQS stand-in`);
    return queue;
  }
}

function toWire(message: StoredMessage, wanted: Set<string>, wantedMessageAttributes: Set<string>) {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SenderId: 'AIDAEVENTBRIDGE',
  };
  const picked = Object.entries(attributes).filter(([k]) => wanted.has('All') || wanted.has(k));
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    // The client checks this against the body it got (middleware-sdk-sqs).
    MD5OfBody: createHash('md5').update(message.body, 'utf8').digest('hex'),
    Body: message.body,
    ...(picked.length > 0 ? { Attributes: Object.fromEntries(picked) } : {}),
    // SQS returns message attributes only when asked for, by name or with All.
    ...(message.messageAttributes && wantedMessageAttributes.size > 0
      ? {
          MessageAttributes: Object.fromEntries(
            Object.entries(message.messageAttributes)
              .filter(([k]) => wantedMessageAttributes.has('All') || wantedMessageAttributes.has(k))
              .map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
          ),
        }
      : {}),
  };
}

function attributeNames(input: Record<string, unknown>): Set<string> {
  const names = [input.MessageSystemAttributeNames, input.AttributeNames].flatMap((v) =>
    Array.isArray(v) ? v.map(String) : [],
  );
  return new Set(names);
}

function numberIn(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function invalidParameter(name: string, value: number): SqsFault {
  return new SqsFault(
    sqsError('InvalidParameterValue', `Value ${value} for parameter ${name} is invalid.`, {
      type: 'com.amazonaws.sqs#InvalidParameterValue',
    }),
  );
}

function receiptHandleInvalid(): SqsFault {
  return new SqsFault(
    sqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.', { status: 404 }),
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
