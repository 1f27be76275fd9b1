import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openBotRuntime } from '../src/bot/bot-runtime.js';
import { runCli } from '../src/cli.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { ChatMessage, ChatPoster } from '../src/notifications/notifier.js';
import type { Runtime } from '../src/runtime.js';
import { executionEvent } from './notifications/fixtures.js';
import { FakeSlack } from './support/fake-slack.js';
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

const root = fileURLToPath(new URL('../', import.meta.url));

/** A service process as users run it (`npm start`), and the port it says it listens on. */
function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output);
      if (started) resolve(Number(started[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output.slice(-1000)}`)));
  });
  return { child, port, leads: () => output.includes('this replica leads'), output: () => output };
}

/** A directory with a policy that lets everyone do everything and tells C0ALERTS of every run. */
function policyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
  writeFileSync(
    join(dir, 'policy.yml'),
    'roles:\n  all: { everyone: true }\nexecutionRoles:\n  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler\npipelines:\n  - match: "*"\n    create: [all]\n    delete: [all]\n    pause: [all]\n    run: [all]\n    executionRoles: [local]\n    notify: [C0ALERTS]\n',
  );
  return dir;
}

describe('two service processes on one PostgreSQL', () => {
  it('both take events; each execution is posted once; killing the leader hands over', async () => {
    const url = await createTestDatabase('processes');
    const slack = await FakeSlack.start();
    const dir = policyDir();
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
    const start = () => startService(env);
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

describe('missed runs with two service processes on one PostgreSQL', () => {
  it('are posted once per occurrence, with their cause, across a SIGKILL of the leader', async () => {
    const url = await createTestDatabase('missed_runs');
    const slack = await FakeSlack.start();
    const dir = policyDir();
    writeFileSync(
      join(dir, 'pipelines.yml'),
      'pipelines:\n  - name: denied-train\n    startFails: "User: arn:aws:sts::000000000000:assumed-role/LocalPipelineScheduler/scheduler is not authorized to perform: sagemaker:StartPipelineExecution on resource: denied-train"\n    steps: [{ name: Train, seconds: 1 }]\n',
    );
    const env = {
      DATABASE_URL: url,
      POLICY_FILE: join(dir, 'policy.yml'),
      LOCAL_PIPELINES_FILE: join(dir, 'pipelines.yml'),
      SLACK_BOT_TOKEN: 'xoxb-r',
      SLACK_SIGNING_SECRET: 'replica-secret',
      SLACK_API_URL: slack.apiUrl,
      NOTIFY_PACE_MS: '0',
      // The bot's retry policy gives up after about 7 s: the cause is known by then.
      MISSED_RUN_GRACE_SECONDS: '9',
      RUN_WATCH_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
      PORT: '0',
    };
    const one = startService(env);
    const two = startService(env);
    const missedPosts = (name: string) =>
      slack
        .callsTo('chat.postMessage')
        .filter((c) => String(c.args.text).startsWith(`:warning: Missed run: schedule \`${name}`));
    const waitFor = async (check: () => boolean, seconds: number) => {
      for (let i = 0; i < seconds * 10 && !check(); i++) await sleep(100);
    };
    try {
      await Promise.all([one.port, two.port]);
      const soon = (seconds: number) =>
        new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toISOString().slice(0, 19);
      // Through the CLI, as a person would; the running services pick the schedules up.
      // Every minute from a few seconds from now: the first run comes at once.
      const create = async (name: string, start: string) => {
        const lines: string[] = [];
        const code = await runCli(
          [
            'create',
            'denied-train',
            'rate(1 minute)',
            `start=${start}`,
            `name=${name}`,
            'role=local',
          ],
          {
            stdout: (l) => lines.push(l),
            stderr: (l) => lines.push(l),
            now: () => new Date(),
            env,
          },
        );
        expect(code, lines.join('\n')).toBe(0);
      };
      await create('missed-first', soon(2));
      await create('missed-second', soon(25));
      await waitFor(() => missedPosts('missed-first').length > 0, 20);
      const [first] = missedPosts('missed-first');
      expect(first?.args.channel, one.output().slice(-3000) + two.output().slice(-3000)).toBe(
        'C0ALERTS',
      );
      expect(String(first?.args.text)).toMatch(
        /Scheduler gave up after 3 retries: AccessDeniedException: User: .* is not authorized to perform: sagemaker:StartPipelineExecution/,
      );
      expect(JSON.stringify(first?.args.blocks)).toContain('trigger_run_now');

      // Kill the leader; the other takes over, looks back, and tells only what is new.
      const leader = one.leads() ? one : two;
      leader.child.kill('SIGKILL');
      await waitFor(() => missedPosts('missed-second').length > 0, 40);
      await sleep(3000);
      expect(missedPosts('missed-first')).toHaveLength(1);
      expect(missedPosts('missed-second')).toHaveLength(1);
    } finally {
      one.child.kill('SIGKILL');
      two.child.kill('SIGKILL');
      await slack.close();
    }
  }, 90_000);
});
