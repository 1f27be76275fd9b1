import { beforeEach, describe, expect, it } from 'vitest';
import { TerminalPoster } from '../../src/bot/slack/posters.js';
import { executionMessage, failureReply } from '../../src/bot/views/execution-message.js';
import { createLogger } from '../../src/logger.js';
import { StoredInbox } from '../../src/notifications/inbox.js';
import type { NotificationMetrics } from '../../src/notifications/notification-metrics.js';
import {
  type ChatMessage,
  type ChatPoster,
  Notifier,
  type NotifierDeps,
  RateLimited,
  type Route,
} from '../../src/notifications/notifier.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { executionEvent, stepEvent } from './fixtures.js';

/** A recording poster standing in for Slack, with a virtual clock for pacing. */
class RecordingPoster implements ChatPoster {
  calls: Array<{
    op: 'post' | 'update';
    channel: string;
    ts: string;
    text: string;
    blocks?: unknown[];
    thread?: string;
    arn?: string;
    at: number;
  }> = [];
  failNext = 0;
  rateLimitNext = 0;
  private n = 0;
  constructor(private readonly clock: { now: number }) {}
  async post(
    channel: string,
    message: ChatMessage,
    options: { threadTs?: string; executionArn?: string } = {},
  ) {
    this.maybeFail();
    const ts = `${++this.n}`;
    this.calls.push({
      op: 'post',
      channel,
      ts,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      at: this.clock.now,
      ...(options.threadTs ? { thread: options.threadTs } : {}),
      ...(options.executionArn ? { arn: options.executionArn } : {}),
    });
    return { ts };
  }
  async update(channel: string, ts: string, message: ChatMessage) {
    this.maybeFail();
    this.calls.push({
      op: 'update',
      channel,
      ts,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      at: this.clock.now,
    });
  }
  async find(channel: string, executionArn: string) {
    return this.calls.find(
      (c) => c.op === 'post' && c.channel === channel && !c.thread && c.arn === executionArn,
    )?.ts;
  }
  private maybeFail() {
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      throw new RateLimited(7);
    }
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Slack is down');
    }
  }
}

let store: Store;
let inbox: StoredInbox;
let clock: { now: number };
let poster: RecordingPoster;
let routes: Route[];
let notifier: Notifier;

beforeEach(() => {
  store = openSqliteStore('sqlite::memory:');
  const log = createLogger({ level: 'silent' });
  inbox = new StoredInbox(store, log);
  clock = { now: 0 };
  poster = new RecordingPoster(clock);
  routes = [{ channel: 'C0ALERTS', filter: 'all' }];
  notifier = notifierWith({ log });
});

/** A notifier on this test's store, poster, clock and routes. */
function notifierWith(deps: Pick<NotifierDeps, 'log'> & Partial<NotifierDeps>): Notifier {
  return new Notifier({
    store,
    poster,
    paceMs: 1000,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    routes: async () => routes,
    render: (state) => executionMessage(state),
    renderFailure: async (state) => failureReply(state, 'U0OWNER'),
    ...deps,
  });
}

const put = (...events: object[]) =>
  Promise.all(events.map((e) => inbox.ingest(JSON.stringify(e), 'http')));

describe('execution messages', () => {
  it('coalesce a burst: twenty step events become one message', async () => {
    await put(
      executionEvent('e0', 'x1', 'Executing'),
      ...Array.from({ length: 20 }, (_, i) => stepEvent(`s${i}`, 'x1', `Step${i}`, 'Executing')),
    );
    await notifier.process();
    expect(poster.calls.map((c) => c.op)).toEqual(['post']);
    expect(poster.calls[0]?.text).toMatch(/churn-train x1: Executing/);
    expect(await store.events.pendingCount()).toBe(0);
  });

  it('keep one message per execution per channel, updated in place, paced to one call a second', async () => {
    routes = [
      { channel: 'C0ALERTS', filter: 'all' },
      { channel: 'C0TEAM', filter: 'all' },
    ];
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    await put(executionEvent('e1', 'x1', 'Succeeded', { time: '2026-03-02T09:20:00Z' }));
    await notifier.process();
    const alerts = poster.calls.filter((c) => c.channel === 'C0ALERTS');
    expect(alerts.map((c) => [c.op, c.ts])).toEqual([
      ['post', alerts[0]?.ts],
      ['update', alerts[0]?.ts],
    ]);
    expect(alerts[1]?.text).toMatch(/Succeeded/);
    expect((alerts[1]?.at ?? 0) - (alerts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(poster.calls.filter((c) => c.channel === 'C0TEAM')).toHaveLength(2);
  });

  it('never show an older status over a newer one, and ignore duplicates', async () => {
    await put(executionEvent('e1', 'x1', 'Succeeded', { time: '2026-03-02T09:20:00Z' }));
    await notifier.process();
    await put(
      executionEvent('e0', 'x1', 'Executing', { time: '2026-03-02T09:00:00Z' }),
      executionEvent('e1', 'x1', 'Succeeded'),
    );
    await notifier.process();
    expect(poster.calls.map((c) => c.op)).toEqual(['post']);
    expect(poster.calls[0]?.text).toMatch(/Succeeded/);
  });

  it('reply in the thread when an execution fails, mentioning its owner', async () => {
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    await put(
      stepEvent('s1', 'x1', 'Train', 'Failed', { failureReason: 'AlgorithmError: loss is NaN' }),
      executionEvent('e1', 'x1', 'Failed'),
    );
    await notifier.process();
    const reply = poster.calls.find((c) => c.thread);
    expect(reply).toMatchObject({
      op: 'post',
      thread: poster.calls[0]?.ts,
      text: '<@U0OWNER> churn-train failed: Train: AlgorithmError: loss is NaN',
    });
  });

  it('show a forged failure reason as text: no channel ping, no disguised link, the owner still mentioned', async () => {
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    await put(
      stepEvent('s1', 'x1', 'Train', 'Failed', {
        failureReason: '<!channel> logs at <https://evil.example|the console> & retry',
      }),
      executionEvent('e1', 'x1', 'Failed'),
    );
    await notifier.process();
    const safe = '&lt;!channel&gt; logs at &lt;https://evil.example|the console&gt; &amp; retry';
    expect(poster.calls.find((c) => c.thread)?.text).toBe(
      `<@U0OWNER> churn-train failed: Train: ${safe}`,
    );
    const update = poster.calls.find((c) => c.op === 'update');
    expect(update?.text).toBe(`churn-train x1: Failed — Train: ${safe}`);
    const blocks = JSON.stringify(update?.blocks);
    expect(blocks).toContain(`*Why it failed:* Train: ${safe}`);
    expect(blocks).not.toMatch(/<!channel>|<https:/);
  });

  it('show the terminal what the Slack message shows, in the characters Slack would show, escaped once', async () => {
    const lines: string[] = [];
    const terminal = new Notifier({
      store,
      poster: new TerminalPoster((shown) => lines.push(...shown)),
      log: createLogger({ level: 'silent' }),
      paceMs: 0,
      routes: async () => [{ channel: 'terminal', filter: 'all' }],
      render: (state) => executionMessage(state),
      renderFailure: async (state) => failureReply(state),
    });
    await put(
      stepEvent('s1', 'x1', 'Train', 'Failed', { failureReason: 'R&D quota <exceeded>' }),
      executionEvent('e1', 'x1', 'Failed'),
    );
    await terminal.process();
    // What the Slack message shows, as text: status, duration, steps, the reason, the ARN.
    expect(lines).toEqual([
      '● ✗ churn-train x1 is failed',
      expect.stringMatching(/^ {2}Duration: \d+ min \d+ s$/),
      '  Steps: 0 of 1 done',
      '  ✗ Train — failed',
      '  Why it failed: Train: R&D quota <exceeded>',
      '  arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train/execution/x1',
      '   ↳ churn-train failed: Train: R&D quota <exceeded>',
    ]);
  });

  it('post only failures where the subscription says so', async () => {
    routes = [{ channel: 'C0ONCALL', filter: 'failures' }];
    await put(executionEvent('e0', 'x1', 'Executing'), executionEvent('e1', 'x1', 'Succeeded'));
    await notifier.process();
    expect(poster.calls).toEqual([]);
    await put(executionEvent('f0', 'x2', 'Failed'));
    await notifier.process();
    expect(poster.calls.map((c) => c.text)).toEqual([
      expect.stringMatching(/x2: Failed/),
      expect.stringMatching(/failed/),
    ]);
  });

  it('wait out Retry-After on a 429, then go on', async () => {
    poster.rateLimitNext = 1;
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    expect(poster.calls).toHaveLength(1);
    expect(poster.calls[0]?.at).toBeGreaterThanOrEqual(7000);
    expect(notifier.stats.rateLimited).toBe(1);
  });

  it('find the message it posted just before a crash instead of posting a second one', async () => {
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    // As if the process died after Slack took the post but before the ts was saved.
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train/execution/x1';
    const row = await store.executionMessages.get(arn, 'C0ALERTS');
    await store.executionMessages.put({
      ...(row ?? { executionArn: arn, channel: 'C0ALERTS', state: '{}', updatedAt: new Date() }),
      ts: 'posting:0',
    });
    await put(executionEvent('e1', 'x1', 'Succeeded', { time: '2026-03-02T09:20:00Z' }));
    await notifier.process();
    expect(poster.calls.map((c) => c.op)).toEqual(['post', 'update']);
    expect(poster.calls[1]?.ts).toBe(poster.calls[0]?.ts);
  });

  it('lose nothing when Slack fails: the events stay pending and are shown on the next run', async () => {
    poster.failNext = 1;
    await put(executionEvent('e0', 'x1', 'Executing'));
    await notifier.process();
    expect(poster.calls).toEqual([]);
    expect(await store.events.pendingCount()).toBe(1);
    await notifier.process();
    expect(poster.calls.map((c) => c.op)).toEqual(['post']);
    expect(await store.events.pendingCount()).toBe(0);
  });
});

describe('the event path counts', () => {
  it('events and Slack calls through the metrics port it is given', async () => {
    const counted: string[] = [];
    const metrics: NotificationMetrics = {
      eventReceived: (result, via) => counted.push(`event ${result} ${via}`),
      slackCall: (result, count) => counted.push(`slack ${result}${count ? ` ${count}` : ''}`),
    };
    const log = createLogger({ level: 'silent' });
    const counting = new StoredInbox(store, log, metrics);
    const counter = notifierWith({ log, metrics, paceMs: 0 });
    await counting.ingest('{"not":"an event"}', 'sqs');
    await counting.ingest(JSON.stringify(executionEvent('e0', 'x1', 'Executing')), 'http');
    await counting.ingest(JSON.stringify(executionEvent('e0', 'x1', 'Executing')), 'local');
    poster.failNext = 1;
    await counter.process();
    await counter.process();
    poster.rateLimitNext = 1;
    await counting.ingest(
      JSON.stringify(executionEvent('e1', 'x1', 'Succeeded', { time: '2026-03-02T09:20:00Z' })),
      'http',
    );
    await counter.process();
    expect(counted).toEqual([
      'event refused sqs',
      'event received http',
      'event deduplicated local',
      'slack error 1',
      'slack posted',
      'event received http',
      'slack rate_limited',
      'slack updated',
    ]);
  });
});
