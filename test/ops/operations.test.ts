import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openBotRuntime } from '../../src/bot/bot-runtime.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startHttpServer } from '../../src/ops/http-server.js';
import { metricsHandler, readyzHandler } from '../../src/ops/operations.js';
import { executionEvent } from '../notifications/fixtures.js';
import {
  createTestDatabase,
  dropTestDatabases,
  postgresServerUrl,
} from '../support/postgres-databases.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
afterAll(dropTestDatabases);

let service: ChildProcess | undefined;
afterEach(() => {
  service?.kill('SIGKILL');
});

describe('/readyz', () => {
  it('answers 200 while the store and back end answer, and 503 once the store is gone', async () => {
    const url = await createTestDatabase('readyz');
    const log = createLogger({ level: 'silent' });
    const runtime = await openBotRuntime(loadConfig({ DATABASE_URL: url }), log, { engine: false });
    const http = await startHttpServer(0, log, [
      { path: '/readyz', handler: readyzHandler(runtime, 'sagemaker-pipelines', log) },
      { path: '/metrics', handler: metricsHandler(runtime) },
    ]);
    try {
      const ready = await fetch(`http://127.0.0.1:${http.port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: [
          { name: 'store', ok: true },
          { name: 'backend', ok: true },
        ],
      });
      const admin = new pg.Client({ connectionString: postgresServerUrl() });
      await admin.connect();
      await admin.query(`DROP DATABASE ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
      const gone = await fetch(`http://127.0.0.1:${http.port}/readyz`);
      expect(gone.status).toBe(503);
      expect(await gone.json()).toMatchObject({
        status: 'not ready',
        checks: [{ name: 'store', ok: false }, { name: 'backend' }],
      });
    } finally {
      await http.close();
      await runtime.close().catch(() => {});
    }
  });
});

/** The real service in its own process; resolves its port from its first log lines. */
function startService(env: Record<string, string>): Promise<number> {
  service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    service?.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output);
      if (started) resolve(Number(started[1]));
    });
    service?.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service?.once('exit', (code) => reject(new Error(`exited ${code}: ${output.slice(-1500)}`)));
  });
}

describe('the running service', () => {
  const KEY = 'operations-test-events-key';

  it('exposes its series at /metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    const port = await startService({
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      EVENTS_API_KEY: KEY,
    });
    const post = (body: object) =>
      fetch(`http://127.0.0.1:${port}/aws/events`, {
        method: 'POST',
        headers: { 'x-api-key': KEY },
        body: JSON.stringify(body),
      });
    await post(executionEvent('m1', 'x1', 'Executing'));
    await post(executionEvent('m1', 'x1', 'Executing'));
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('pipeline_schedule_events_total{result="received",via="http"} 1');
    expect(text).toContain('pipeline_schedule_events_total{result="deduplicated",via="http"} 1');
    for (const series of [
      'pipeline_schedule_outbox_depth',
      'pipeline_schedule_slack_ack_seconds',
      'pipeline_schedule_approval_events_total',
      'pipeline_schedule_triggers_total',
      'pipeline_schedule_slack_calls_total',
      'pipeline_schedule_aws_errors_total',
      'pipeline_schedule_process_cpu_seconds_total',
    ]) {
      expect(text).toContain(series);
    }
  });

  it('on SIGTERM exits even while a Slack call hangs, keeping the event for the next start', async () => {
    // Slack's address accepts connections and never answers.
    const held: Socket[] = [];
    const silentSlack = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silentSlack.listen(0, '127.0.0.1', resolve));
    const address = silentSlack.address();
    const slackPort = typeof address === 'object' && address ? address.port : 0;
    const dir = mkdtempSync(join(tmpdir(), 'sigterm-slack-'));
    writeFileSync(
      join(dir, 'policy.yml'),
      'roles:\n  all: { everyone: true }\npipelines:\n  - match: "*"\n    run: [all]\n    notify: [C0ALERTS]\n',
    );
    try {
      const port = await startService({
        DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
        POLICY_FILE: join(dir, 'policy.yml'),
        SLACK_BOT_TOKEN: 'xoxb-silent',
        SLACK_SIGNING_SECRET: 'silent-signing-secret',
        SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
        EVENTS_API_KEY: KEY,
      });
      const posted = await fetch(`http://127.0.0.1:${port}/aws/events`, {
        method: 'POST',
        headers: { 'x-api-key': KEY },
        body: JSON.stringify(executionEvent('hang-1', 'x1', 'Executing')),
      });
      expect(posted.status).toBe(200);
      for (let i = 0; i < 50 && held.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(held.length).toBeGreaterThan(0);
      const signalled = Date.now();
      service?.kill('SIGTERM');
      const exit = await new Promise<number | null>((resolve) =>
        service?.once('exit', (code) => resolve(code)),
      );
      expect(exit).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(8_000);
      const db = new Database(join(dir, 'bot.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT id FROM events').all()).toEqual([{ id: 'hang-1' }]);
      } finally {
        db.close();
      }
    } finally {
      for (const socket of held) socket.destroy();
      silentSlack.close();
    }
  }, 30_000);

  it('on SIGTERM under load, loses no acknowledged event and exits within 10 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
    const databaseUrl = `sqlite:${join(dir, 'bot.db')}`;
    const port = await startService({ DATABASE_URL: databaseUrl, EVENTS_API_KEY: KEY });
    const acknowledged: string[] = [];
    let n = 0;
    let stopping = false;
    const load = async () => {
      while (!stopping || n < 50) {
        const id = `load-${n++}`;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/aws/events`, {
            method: 'POST',
            headers: { 'x-api-key': KEY },
            body: JSON.stringify(executionEvent(id, `x${n}`, 'Executing')),
          });
          if (response.status === 200) acknowledged.push(id);
        } catch {
          return; // the server has closed: a sender would retry elsewhere
        }
      }
    };
    const workers = Array.from({ length: 10 }, load);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    stopping = true;
    service?.kill('SIGTERM');
    const exit = await new Promise<number | null>((resolve) =>
      service?.once('exit', (code) => resolve(code)),
    );
    const took = Date.now() - signalled;
    await Promise.all(workers);
    expect(exit).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(acknowledged.length).toBeGreaterThan(0);
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      // Stored, whether or not the notifier got to it before the stop.
      const stored = new Set(
        db
          .prepare<[], { id: string }>('SELECT id FROM events')
          .all()
          .map((e) => e.id),
      );
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      db.close();
    }
  }, 30_000);
});
