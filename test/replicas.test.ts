import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { ChatMessage, ChatPoster } from '../src/notifications/notifier.js';
import { openRuntime, type Runtime } from '../src/runtime.js';
import { executionEvent } from './notifications/fixtures.js';
import { createTestDatabase, dropTestDatabases } from './support/postgres-databases.js';

afterAll(dropTestDatabases);

class Recorder implements ChatPoster {
  posts: string[] = [];
  async post(_channel: string, message: ChatMessage, options: { threadTs?: string } = {}) {
    if (!options.threadTs) this.posts.push(message.text);
    return { ts: String(this.posts.length) };
  }
  async update() {}
  async find() {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two replicas on one PostgreSQL', () => {
  it('fire each schedule once, post each execution once, and the other takes over when the leader stops', async () => {
    const url = await createTestDatabase('replicas');
    const log = createLogger({ level: 'silent' });
    const open = async (poster: Recorder): Promise<Runtime> =>
      openRuntime(loadConfig({ DATABASE_URL: url }), log, {
        engine: true,
        notify: {
          poster,
          defaultRoutes: () => [{ channel: 'C0ALERTS', filter: 'all' }],
          paceMs: 0,
        },
      });
    const first = new Recorder();
    const second = new Recorder();
    const a = await open(first);
    const b = await open(second);
    let aOpen = true;
    try {
      // A one-time schedule two seconds from now, created through the replica that does not lead.
      const at = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000).toISOString().slice(0, 19);
      const created = await b.service.createSchedule(
        {
          pipeline: 'churn-train',
          expression: `at(${at})`,
          name: 'once',
          roleArn: 'arn:aws:iam::000000000000:role/LocalPipelineScheduler',
          deleteAfterCompletion: false,
        },
        { requestId: 'r1', allowedRoles: 'any' },
      );
      expect(created.ok).toBe(true);
      // Events arrive at both.
      await a.events.inbox.ingest(JSON.stringify(executionEvent('e1', 'x1', 'Executing')), 'http');
      await b.events.inbox.ingest(JSON.stringify(executionEvent('e1', 'x1', 'Executing')), 'http');
      await b.events.inbox.ingest(JSON.stringify(executionEvent('e2', 'x2', 'Executing')), 'http');
      // The schedule falls due, and the leader (the first replica) fires it.
      await sleep(4000);
      const history = await a.service.history('churn-train');
      expect(history.ok && history.value).toHaveLength(1);
      expect(first.posts.filter((p) => /x1|x2/.test(p))).toHaveLength(2);
      expect(second.posts).toEqual([]);

      // The leader stops; the other replica leads within its retry interval and posts.
      await a.close();
      aOpen = false;
      await b.events.inbox.ingest(JSON.stringify(executionEvent('e3', 'x3', 'Executing')), 'http');
      for (let i = 0; i < 80 && second.posts.length === 0; i++) await sleep(100);
      expect(second.posts.some((p) => /x3/.test(p))).toBe(true);
    } finally {
      if (aOpen) await a.close();
      await b.close();
    }
  }, 30_000);
});
