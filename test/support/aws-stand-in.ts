import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTriggerError, type TriggerError } from '../../src/scheduling/errors.js';

// Before any client exists: the SDK warns once per process about Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A local HTTP stand-in that speaks the wire protocols of the AWS services the bot uses, so
 * tests run the real SDK v3 clients (serialisation, signing, retries, error parsing) against
 * scripted answers. It is not an emulator: each operation answers what the test scripted and
 * every request is recorded for the test to assert what AWS would have received.
 *
 * - JSON 1.1 (SageMaker, EventBridge): `POST /`, operation in `X-Amz-Target: Service.Operation`.
 * - REST-JSON (EventBridge Scheduler): operation from method + path, see `schedulerRoutes`.
 */

/** The TriggerError an adapter call rejects with; anything else (or success) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<TriggerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTriggerError(error)) throw new Error(`expected a TriggerError, got ${String(error)}`);
  return error;
}

export interface RecordedRequest {
  operation: string;
  method: string;
  /** Decoded path, without the query. */
  path: string;
  query: Record<string, string>;
  /** The X-Amz-Target header of JSON 1.1 requests. */
  target?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; undefined when empty. */
  body: unknown;
}

export interface StandInReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type ScriptedReply = StandInReply | ((request: RecordedRequest) => StandInReply);

/** REST-JSON routes of EventBridge Scheduler (2021-06-30). */
const schedulerRoutes: { method: string; path: RegExp; operation: string }[] = [
  { method: 'GET', path: /^\/schedules$/, operation: 'ListSchedules' },
  { method: 'POST', path: /^\/schedules\/[^/]+$/, operation: 'CreateSchedule' },
  { method: 'GET', path: /^\/schedules\/[^/]+$/, operation: 'GetSchedule' },
  { method: 'PUT', path: /^\/schedules\/[^/]+$/, operation: 'UpdateSchedule' },
  { method: 'DELETE', path: /^\/schedules\/[^/]+$/, operation: 'DeleteSchedule' },
  { method: 'GET', path: /^\/schedule-groups$/, operation: 'ListScheduleGroups' },
  { method: 'POST', path: /^\/schedule-groups\/[^/]+$/, operation: 'CreateScheduleGroup' },
  { method: 'GET', path: /^\/schedule-groups\/[^/]+$/, operation: 'GetScheduleGroup' },
  { method: 'DELETE', path: /^\/schedule-groups\/[^/]+$/, operation: 'DeleteScheduleGroup' },
];

export interface AwsErrorOptions {
  /** HTTP status AWS uses for this error on this service. */
  status: number;
  /** Where the error type travels: AWS uses the header, the body `__type`, or both. */
  via?: 'header' | 'body' | 'both';
  /** Key of the message in the body; services differ (`message`, `Message`). */
  messageKey?: 'message' | 'Message';
}

/** An error answer the way AWS sends it. */
export function awsError(type: string, message: string, options: AwsErrorOptions): StandInReply {
  const via = options.via ?? 'both';
  const body: Record<string, unknown> = { [options.messageKey ?? 'message']: message };
  if (via !== 'header') body.__type = type;
  return {
    status: options.status,
    headers: via === 'body' ? {} : { 'x-amzn-errortype': type },
    body,
  };
}

export class AwsStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private requestCount = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AwsStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new AwsStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      standIn.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    return standIn;
  }

  /**
   * Queues answers for an operation, used in order; the last one keeps answering (so a
   * single scripted error also answers the SDK's retries).
   */
  on(operation: string, ...replies: ScriptedReply[]): this {
    this.scripts.set(operation, [...(this.scripts.get(operation) ?? []), ...replies]);
    return this;
  }

  /** Forgets scripts and recorded requests between tests; request ids start again at req-1. */
  reset(): void {
    this.scripts.clear();
    this.requests.length = 0;
    this.requestCount = 0;
  }

  requestsFor(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** Client configuration pointing a real SDK v3 client here. */
  clientConfig(extra: { maxAttempts?: number } = {}) {
    return {
      endpoint: this.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
      ...extra,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const target = header(req, 'x-amz-target');
    const jsonProtocol = target !== undefined;
    const request: RecordedRequest = {
      operation: target?.split('.').pop() ?? restOperation(req.method ?? '', url.pathname),
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      ...(target !== undefined ? { target } : {}),
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(request);
    const reply = this.nextReply(request);
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, {
      'content-type': jsonProtocol ? 'application/x-amz-json-1.1' : 'application/json',
      'x-amzn-requestid': `req-${++this.requestCount}`,
      ...reply.headers,
    });
    res.end(body);
  }

  private nextReply(request: RecordedRequest): StandInReply {
    const queue = this.scripts.get(request.operation);
    const scripted = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (scripted === undefined) {
      // Loud, and not retried by the SDK (501 is not a transient status).
      return awsError('StandInUnscripted', `no answer scripted for ${request.operation}`, {
        status: 501,
      });
    }
    return typeof scripted === 'function' ? scripted(request) : scripted;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function restOperation(method: string, path: string): string {
  return (
    schedulerRoutes.find((r) => r.method === method && r.path.test(path))?.operation ??
    `${method} ${path}`
  );
}
