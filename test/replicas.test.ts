import { afterAll, describe, expect, it } from 'vitest';
import { openBotRuntime } from '../src/bot/bot-runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { ChatMessage, ChatPoster } from '../src/notifications/notifier.js';
import type { Runtime } from '../src/runtime.js';
import { executionEvent } from './notifications/fixtures.js';
import { createTestDatabase, dropTestDatabases } from './support/postgres-databases.js';
import { expectOk } from './support/runtime-harness.js';

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
      openBotRuntime(loadConfig({ DATABASE_URL: url }), log, {
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
      expectOk(created);
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

describe('two service processes on one PostgreSQL', () => {
  it('both take events; each execution is posted once; killing the leader hands over', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FakeSlack } = await import('./support/fake-slack.js');
    const root = fileURLToPath(new URL('../', import.meta.url));
    const url = await createTestDatabase('processes');
    const slack = await FakeSlack.start();
    const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
    writeFileSync(
      join(dir, 'policy.yml'),
      'roles:\n  all: { everyone: true }\nexecutionRoles:\n  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler\npipelines:\n  - match: "*"\n    create: [all]\n    delete: [all]\n    pause: [all]\n    run: [all]\n    executionRoles: [local]\n    notify: [C0ALERTS]\n',
    );
    const KEY = 'replicas-events-api-key';
    const env = {
      DATABASE_URL: url,
      POLICY_FILE: join(dir, 'policy.yml'),
      SLACK_BOT_TOKEN: 'xoxb-r',
      SLACK_SIGNING_SECRET: 'replica-secret',
      SLACK_API_URL: slack.apiUrl,
      EVENTS_API_KEY: KEY,
      NOTIFY_PACE_MS: '0',
      LOG_LEVEL: 'info',
      PORT: '0',
    };
    const start = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = new Promise<number>((resolve, reject) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const started = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output);
          if (started) resolve(Number(started[1]));
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output.slice(-1000)}`)));
      });
      return { child, port };
    };
    const one = start();
    const two = start();
    try {
      const ports = [await one.port, await two.port];
      const post = (port: number, body: object) =>
        fetch(`http://127.0.0.1:${port}/aws/events`, {
          method: 'POST',
          headers: { 'x-api-key': KEY },
          body: JSON.stringify(body),
        });
      for (let x = 0; x < 20; x++) {
        // Every event reaches both processes, as two API-destination retries might.
        for (const port of ports)
          expect((await post(port, executionEvent(`p${x}`, `x${x}`, 'Executing'))).status).toBe(
            200,
          );
      }
      const postedFor = (id: string) =>
        slack
          .callsTo('chat.postMessage')
          .filter((c) => !c.args.thread_ts && String(c.args.text).includes(`${id}:`)).length;
      for (
        let i = 0;
        i < 100 && Array.from({ length: 20 }, (_, x) => postedFor(`x${x}`)).some((n) => n === 0);
        i++
      )
        await sleep(100);
      for (let x = 0; x < 20; x++) expect(postedFor(`x${x}`), `x${x}`).toBe(1);

      // Kill the first process, leader or not: the second goes on posting (taking over within 5 s if the first led).
      one.child.kill('SIGKILL');
      await post(ports[1] as number, executionEvent('after', 'x99', 'Executing'));
      for (let i = 0; i < 150 && postedFor('x99') === 0; i++) await sleep(100);
      expect(postedFor('x99')).toBe(1);
    } finally {
      one.child.kill('SIGKILL');
      two.child.kill('SIGKILL');
      await slack.close();
    }
  }, 60_000);
});
