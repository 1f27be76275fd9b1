import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionMessage, failureReply } from '../../src/bot/views/execution-message.js';
import { createLogger } from '../../src/logger.js';
import type { ChatMessage, ChatPoster } from '../../src/notifications/notifier.js';
import { type Notifications, startNotifications } from '../../src/notifications/wiring.js';
import { eventsEndpoint } from '../../src/ops/events-endpoint.js';
import { type HttpService, startHttpServer } from '../../src/ops/http-server.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Strict with people, lenient with AWS: every well-formed EventBridge envelope is stored and
 * shown, whatever optional field is missing, empty, null or new. Only what no EventBridge
 * delivery looks like is refused. The examples are AWS's own (SageMaker guide, §4.1/§4.2 of
 * shared/reference/eventbridge-rules-and-sagemaker.md).
 */
const KEY = 'a-long-shared-secret-for-events';
const EXECUTION =
  'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training/execution/k2x8w1qz7d3m';

const documentedExecutionEvent = () => ({
  version: '0',
  id: '0b6d8f3e-5a51-4f0e-9d2b-7e4a1c2f9a10',
  'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2026-03-02T09:14:05Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training', EXECUTION],
  detail: {
    pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training',
    pipelineExecutionArn: EXECUTION,
    pipelineExecutionDisplayName: 'chatops-run-42',
    pipelineExecutionDescription: 'started from #ml-ops by @alice',
    previousPipelineExecutionStatus: 'Executing',
    currentPipelineExecutionStatus: 'Failed',
    executionStartTime: '2026-03-02T09:00:41Z',
    executionEndTime: '2026-03-02T09:14:04Z',
  } as Record<string, unknown>,
});

const documentedStepEvent = () => ({
  version: '0',
  id: '8c1e2d44-7f0a-4a8e-b2b9-3d5f6e7a8b90',
  'detail-type': 'SageMaker Model Building Pipeline Execution Step Status Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2026-03-02T09:13:58Z',
  region: 'us-east-1',
  resources: ['arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training', EXECUTION],
  detail: {
    pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-training',
    pipelineExecutionArn: EXECUTION,
    stepName: 'TrainModel',
    stepType: 'Training',
    previousStepStatus: 'Executing',
    currentStepStatus: 'Failed',
    stepStartTime: '2026-03-02T09:03:10Z',
    stepEndTime: '2026-03-02T09:13:57Z',
    failureReason: 'ClientError: AlgorithmError: ...',
    metadata: { trainingJob: { arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/x' } },
  } as Record<string, unknown>,
});

let store: Store;
let http: HttpService;
let events: Notifications;
let posted: Array<{ channel: string; message: ChatMessage; threadTs?: string }>;
let updated: Array<{ channel: string; message: ChatMessage }>;
let warnings: Array<Record<string, unknown>>;

beforeEach(async () => {
  store = openSqliteStore('sqlite::memory:');
  warnings = [];
  const log = createLogger({
    level: 'warn',
    destination: { write: (line: string) => warnings.push(JSON.parse(line)) },
  });
  posted = [];
  updated = [];
  const poster: ChatPoster = {
    post: async (channel, message, options) => {
      posted.push({
        channel,
        message,
        ...(options?.threadTs ? { threadTs: options.threadTs } : {}),
      });
      return { ts: String(posted.length) };
    },
    update: async (channel, _ts, message) => {
      updated.push({ channel, message });
    },
    find: async () => undefined,
  };
  events = startNotifications({
    store,
    log,
    poster,
    paceMs: 0,
    active: () => true,
    defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
    render: executionMessage,
    renderFailure: failureReply,
  });
  http = await startHttpServer(0, log, [
    { path: '/aws/events', handler: eventsEndpoint({ apiKey: KEY, inbox: events.inbox, log }) },
  ]);
});

afterEach(async () => {
  events.stop();
  await http.close();
  await store.close();
});

const post = (event: unknown) =>
  fetch(`http://127.0.0.1:${http.port}/aws/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: typeof event === 'string' ? event : JSON.stringify(event),
  });

/** What the channel shows for the execution now. */
async function shown(): Promise<string> {
  await events.notifier?.process();
  // The execution's own message (failures add a thread reply beside it).
  const last = updated.at(-1) ?? posted.filter((p) => !p.threadTs).at(-1);
  return `${last?.message.text ?? ''} ${JSON.stringify(last?.message.blocks ?? [])}`;
}

function without(
  event: ReturnType<typeof documentedExecutionEvent>,
  field: string,
  value?: unknown,
) {
  const copy = structuredClone(event);
  if (value === undefined) delete copy.detail[field];
  else copy.detail[field] = value;
  return copy;
}

describe('SageMaker execution events as AWS sends them', () => {
  it('the documented example is stored and posted', async () => {
    expect((await post(documentedExecutionEvent())).status).toBe(200);
    expect(await shown()).toMatch(/Failed/);
  });

  it.each([
    [
      'previousPipelineExecutionStatus empty (a first transition)',
      'previousPipelineExecutionStatus',
      '',
    ],
    ['previousPipelineExecutionStatus missing', 'previousPipelineExecutionStatus', undefined],
    ['previousPipelineExecutionStatus unknown', 'previousPipelineExecutionStatus', 'Pending'],
    ['previousPipelineExecutionStatus null', 'previousPipelineExecutionStatus', null],
    ['pipelineExecutionDisplayName missing', 'pipelineExecutionDisplayName', undefined],
    ['pipelineExecutionDescription null', 'pipelineExecutionDescription', null],
    ['executionEndTime missing (not finished)', 'executionEndTime', undefined],
    ['executionStartTime empty', 'executionStartTime', ''],
    ['pipelineArn missing (the execution ARN names it)', 'pipelineArn', undefined],
  ])('with %s: accepted and posted', async (_name, field, value) => {
    const response = await post(without(documentedExecutionEvent(), field, value));
    expect(response.status).toBe(200);
    expect(await shown()).toMatch(/churn-training/);
  });

  it('with a status nobody documented yet: accepted, shown as received, warned about once', async () => {
    const event = without(documentedExecutionEvent(), 'currentPipelineExecutionStatus', 'Starting');
    expect((await post(event)).status).toBe(200);
    expect((await post(event)).status).toBe(200);
    expect(await shown()).toMatch(/Starting/);
    const warned = warnings.filter((w) => w.eventId === event.id);
    expect(warned).toHaveLength(1);
    expect(warned[0]?.oddities).toEqual([
      'currentPipelineExecutionStatus "Starting" is not one SageMaker documents',
    ]);
  });

  it('with the status missing altogether: accepted and shown as unknown', async () => {
    expect(
      (await post(without(documentedExecutionEvent(), 'currentPipelineExecutionStatus'))).status,
    ).toBe(200);
    expect(await shown()).toMatch(/churn-training/);
  });

  it('updates the message when a later event with odd fields arrives', async () => {
    const first = without(
      documentedExecutionEvent(),
      'currentPipelineExecutionStatus',
      'Executing',
    );
    first.id = 'first';
    first.detail.previousPipelineExecutionStatus = '';
    first.detail.executionEndTime = null;
    expect((await post(first)).status).toBe(200);
    expect(await shown()).toMatch(/Executing/);
    const second = documentedExecutionEvent();
    second.detail.pipelineExecutionDescription = 42;
    expect((await post(second)).status).toBe(200);
    expect(await shown()).toMatch(/Failed/);
    expect(posted.filter((p) => !p.threadTs)).toHaveLength(1);
  });

  it('with envelope fields of other shapes (numeric account, resources [null], no version): accepted', async () => {
    const event = { ...documentedExecutionEvent(), account: 123456789012, resources: [null] };
    delete (event as Partial<typeof event>).version;
    expect((await post(event)).status).toBe(200);
    expect(await store.events.pendingCount()).toBeGreaterThanOrEqual(0);
    expect(await shown()).toMatch(/Failed/);
  });

  it('with unknown fields and a new detail-type: stored as received', async () => {
    const event = {
      ...documentedExecutionEvent(),
      id: 'new-kind',
      'detail-type': 'SageMaker Model Building Pipeline Execution Something New',
      futureField: { x: 1 },
    };
    expect((await post(event)).status).toBe(200);
    const [stored] = await store.events.pending(10);
    expect(stored?.body).toBe(JSON.stringify(event));
  });
});

describe('SageMaker step events as AWS sends them', () => {
  it.each([
    ['as documented', {}],
    ['without failureReason', { failureReason: undefined }],
    ['with an empty previousStepStatus', { previousStepStatus: '' }],
    ['with a new step status', { currentStepStatus: 'Skipped' }],
    ['without stepType and metadata', { stepType: undefined, metadata: undefined }],
    ['with stepName missing', { stepName: undefined }],
  ])('%s: accepted and shown', async (_name, changes: Record<string, unknown>) => {
    const event = documentedStepEvent();
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) delete event.detail[field];
      else event.detail[field] = value;
    }
    expect((await post(event)).status).toBe(200);
    expect(await shown()).toMatch(/churn-training/);
  });
});

describe('what is refused', () => {
  it.each([
    ['a body that is not JSON', '{"id": '],
    ['no id', JSON.stringify({ ...documentedExecutionEvent(), id: undefined })],
    ['no detail-type', JSON.stringify({ ...documentedExecutionEvent(), 'detail-type': '' })],
    ['no source', JSON.stringify({ ...documentedExecutionEvent(), source: undefined })],
    ['a JSON null', 'null'],
  ])('%s gets 400', async (_name, body) => {
    expect((await post(body)).status).toBe(400);
  });
});
