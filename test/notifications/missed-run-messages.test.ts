import { afterEach, describe, expect, it } from 'vitest';
import { executionMessage, failureReply } from '../../src/bot/views/execution-message.js';
import { missedRunMessage } from '../../src/bot/views/missed-run.js';
import { createLogger } from '../../src/logger.js';
import type { ChatMessage, ChatPoster } from '../../src/notifications/notifier.js';
import { type Notifications, startNotifications } from '../../src/notifications/wiring.js';
import type { Tick } from '../../src/scheduling/ticks.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * A missed run, told in the channels the schedule's executions go to: once per occurrence and
 * channel, whatever the notifier looks at again, and turned into "started late" in place when a
 * retry starts it after all.
 */

class Channels implements ChatPoster {
  posts: Array<{ channel: string; ts: string; message: ChatMessage; key?: string }> = [];
  updates: Array<{ channel: string; ts: string; message: ChatMessage }> = [];
  failNextPost = false;
  async post(channel: string, message: ChatMessage, options: { executionArn?: string } = {}) {
    if (this.failNextPost) {
      this.failNextPost = false;
      throw new Error('socket hang up');
    }
    const ts = `${this.posts.length + 1}.000`;
    this.posts.push({
      channel,
      ts,
      message,
      ...(options.executionArn ? { key: options.executionArn } : {}),
    });
    return { ts };
  }
  async update(channel: string, ts: string, message: ChatMessage) {
    this.updates.push({ channel, ts, message });
  }
  async find(channel: string, key: string) {
    return this.posts.find((p) => p.channel === channel && p.key === key)?.ts;
  }
}

/** When the watch recorded the tick: the notifier tells only fresh news. */
const now = new Date();

function missed(overrides: Partial<Tick> = {}): Tick {
  return {
    triggerKey: 'sagemaker-pipelines/nightly-retrain',
    ref: 'nightly-retrain',
    pipelineName: 'churn-train',
    occurrence: new Date('2026-12-02T07:00:00Z'),
    timeZone: 'Europe/Berlin',
    outcome: 'missed',
    reason:
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/Runner/x is not authorized to perform: sagemaker:StartPipelineExecution <!channel>',
    recordedAt: now,
    updatedAt: now,
    ...overrides,
  };
}

let store: Store;
let events: Notifications;
let channels: Channels;

async function setUp() {
  store = openSqliteStore('sqlite::memory:');
  channels = new Channels();
  await store.triggerRecords.put({
    kind: 'schedule',
    key: 'sagemaker-pipelines/nightly-retrain',
    pipelineNames: ['churn-train'],
    spec: '{}',
    channelId: 'C0MLOPS',
    createdAt: now,
    updatedAt: now,
  });
  await store.subscriptions.put({
    pipeline: 'churn-train',
    channel: 'C0ONCALL',
    filter: 'failures',
    createdAt: now,
  });
  events = startNotifications({
    store,
    log: createLogger({ level: 'silent' }),
    poster: channels,
    paceMs: 0,
    defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
    render: executionMessage,
    renderFailure: failureReply,
    renderTick: missedRunMessage,
  });
}

afterEach(async () => {
  events.stop();
  await store.close();
});

describe('a missed run in Slack', () => {
  it("is posted once in each channel the schedule's executions go to, with the run, its cause and what to do", async () => {
    await setUp();
    await store.ticks.insert(missed());
    await events.notifier?.process();
    await events.notifier?.process();
    expect(channels.posts.map((p) => p.channel).sort()).toEqual([
      'C0ALERTS',
      'C0MLOPS',
      'C0ONCALL',
    ]);
    const message = channels.posts[0]?.message as ChatMessage;
    const blocks = JSON.stringify(message.blocks);
    // The run in the schedule's zone, and in each reader's own through Slack's date token.
    expect(blocks).toContain('the 08:00 Europe/Berlin run of 2 Dec');
    expect(blocks).toContain(`<!date^${Date.parse('2026-12-02T07:00:00Z') / 1000}^`);
    expect(message.text).toContain(
      'is not authorized to perform: sagemaker:StartPipelineExecution',
    );
    // The cause is AWS's text: it cannot ping the channel.
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(blocks).not.toContain('<!channel>');
    for (const action of ['trigger_run_now', 'trigger_pause', 'trigger_describe'])
      expect(blocks).toMatch(
        new RegExp(
          `"action_id":"${action}","text":\\{[^}]*\\}(,"style":"primary")?,"value":"nightly-retrain"`,
        ),
      );
    expect((await store.ticks.untold(10)).length).toBe(0);
  });

  it('turns into "started late" in the same messages when a retry starts the run after all', async () => {
    await setUp();
    await store.ticks.insert(missed());
    await events.notifier?.process();
    const tick = (await store.ticks.get(
      'sagemaker-pipelines/nightly-retrain',
      new Date('2026-12-02T07:00:00Z'),
    )) as Tick;
    await store.ticks.update({
      ...tick,
      outcome: 'late',
      executionArn:
        'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train/execution/k2x8w1',
    });
    await events.notifier?.process();
    await events.notifier?.process();
    expect(channels.posts).toHaveLength(3);
    expect(channels.updates.map((u) => `${u.channel} ${u.ts}`).sort()).toEqual(
      channels.posts.map((p) => `${p.channel} ${p.ts}`).sort(),
    );
    const late = channels.updates[0]?.message as ChatMessage;
    expect(late.text).toContain('Started late');
    expect(late.text).toContain('`k2x8w1`');
    expect(JSON.stringify(late.blocks)).not.toContain('trigger_run_now');
  });

  it('is not told at all when the run started late before anyone heard it was missed, nor when it is hours old', async () => {
    await setUp();
    await store.ticks.insert(missed({ outcome: 'late', executionArn: 'arn:x/execution/a' }));
    await store.ticks.insert(
      missed({
        occurrence: new Date('2026-12-01T07:00:00Z'),
        recordedAt: new Date(now.getTime() - 7 * 3600_000),
      }),
    );
    await events.notifier?.process();
    expect(channels.posts).toEqual([]);
    expect(channels.updates).toEqual([]);
    expect((await store.ticks.untold(10)).length).toBe(0);
  });

  it('is posted to the channels it missed after a failure, without a second copy in the others', async () => {
    await setUp();
    await store.ticks.insert(missed());
    channels.failNextPost = true;
    await events.notifier?.process();
    expect(channels.posts).toHaveLength(2);
    expect((await store.ticks.untold(10)).length).toBe(1);
    await events.notifier?.process();
    expect(channels.posts.map((p) => p.channel).sort()).toEqual([
      'C0ALERTS',
      'C0MLOPS',
      'C0ONCALL',
    ]);
    expect((await store.ticks.untold(10)).length).toBe(0);
  });
});
