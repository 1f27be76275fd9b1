import { describe, expect, it } from 'vitest';
import { executionMessage, failureReply } from '../../src/bot/views/execution-message.js';
import { createLogger } from '../../src/logger.js';
import type { ChatMessage, ChatPoster } from '../../src/notifications/notifier.js';
import { startNotifications } from '../../src/notifications/wiring.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { executionEvent } from './fixtures.js';

describe('where an execution is posted', () => {
  it("goes to the policy's channels, the subscriptions and the channel its pipeline's triggers were asked in, with its parameters", async () => {
    const store = openSqliteStore('sqlite::memory:');
    const at = new Date();
    await store.triggerRecords.put({
      kind: 'schedule',
      key: 'g/churn-daily',
      pipelineNames: ['churn-train'],
      spec: '{}',
      channelId: 'C0MLOPS',
      createdAt: at,
      updatedAt: at,
    });
    await store.subscriptions.put({
      pipeline: 'churn-train',
      channel: 'C0ONCALL',
      filter: 'all',
      createdAt: at,
    });
    const posted: Array<{ channel: string; message: ChatMessage }> = [];
    const poster: ChatPoster = {
      post: async (channel, message) => {
        posted.push({ channel, message });
        return { ts: String(posted.length) };
      },
      update: async () => {},
      find: async () => undefined,
    };
    const events = startNotifications({
      store,
      log: createLogger({ level: 'silent' }),
      poster,
      paceMs: 0,
      defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
      render: executionMessage,
      renderFailure: failureReply,
      parametersOf: async () => [{ name: 'Epochs', value: '3' }],
    });
    try {
      await events.inbox.ingest(JSON.stringify(executionEvent('e1', 'x1', 'Executing')), 'http');
      await events.notifier?.process();
      expect(posted.map((p) => p.channel).sort()).toEqual(['C0ALERTS', 'C0MLOPS', 'C0ONCALL']);
      expect(JSON.stringify(posted[0]?.message.blocks)).toContain('Epochs=`3`');
    } finally {
      events.stop();
      await store.close();
    }
  });

  it('says which schedule and occurrence started it, offers to pause that schedule, and mentions its creator on failure', async () => {
    const store = openSqliteStore('sqlite::memory:');
    const at = new Date();
    await store.triggerRecords.put({
      kind: 'schedule',
      key: 'default/churn-train',
      pipelineNames: ['churn-train'],
      spec: '{}',
      createdBy: 'U0OWNER',
      createdAt: at,
      updatedAt: at,
    });
    const posted: ChatMessage[] = [];
    const poster: ChatPoster = {
      post: async (_channel, message) => {
        posted.push(message);
        return { ts: String(posted.length) };
      },
      update: async (_channel, _ts, message) => {
        posted.push(message);
      },
      find: async () => undefined,
    };
    let asked = 0;
    const events = startNotifications({
      store,
      log: createLogger({ level: 'silent' }),
      poster,
      paceMs: 0,
      defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
      render: executionMessage,
      renderFailure: failureReply,
      startedByOf: async () => {
        asked++;
        return {
          kind: 'schedule',
          ref: 'default/churn-train',
          group: 'default',
          name: 'churn-train',
          occurrence: '2026-12-02T07:00:00.000Z',
          timeZone: 'Europe/Berlin',
          likely: true,
        };
      },
    });
    try {
      await events.inbox.ingest(JSON.stringify(executionEvent('e1', 'x1', 'Executing')), 'http');
      await events.notifier?.process();
      await events.inbox.ingest(JSON.stringify(executionEvent('e2', 'x1', 'Failed')), 'http');
      await events.notifier?.process();
      const first = JSON.stringify(posted[0]?.blocks);
      expect(first).toContain(
        'likely schedule `default/churn-train`, the 08:00 Europe/Berlin run of 2 Dec',
      );
      expect(first).toMatch(
        /"action_id":"trigger_pause","text":\{[^}]*\},"value":"default\/churn-train"/,
      );
      // Worked out once for the execution, not again for each event.
      expect(asked).toBe(1);
      expect(posted.at(-1)?.text).toContain('<@U0OWNER>');
    } finally {
      events.stop();
      await store.close();
    }
  });

  it('says what started an execution, with the trigger to pause and a link to open it', () => {
    const message = executionMessage(
      {
        executionArn:
          'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train/execution/k2x8w1qz7d3m',
        pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train',
        pipelineName: 'churn-train',
        status: 'Failed',
        startTime: '2026-03-02T09:00:41Z',
        endTime: '2026-03-02T09:14:04Z',
        failureReason: 'TrainModel: AlgorithmError',
        steps: { TrainModel: { status: 'Failed' } },
        seen: [],
      },
      {
        trigger: 'churn-daily',
        consoleUrl: 'https://us-east-1.console.aws.amazon.com/sagemaker/home',
      },
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('13 min 23 s');
    expect(text).toContain('TrainModel: AlgorithmError');
    expect(text).toContain('"action_id":"trigger_pause"');
    expect(text).toContain('"url":"https://us-east-1.console.aws.amazon.com/sagemaker/home"');
    expect(text).toContain('"action_id":"execution_rerun"');
  });
});
