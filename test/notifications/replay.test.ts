import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { FakeSlack } from '../support/fake-slack.js';
import { executionEvent, stepEvent } from './fixtures.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Node itself, with tsx as a loader: a tsx wrapper process would take the SIGKILL while the
// service, its child, lived on.
const KEY = 'replay-test-events-api-key';
const EXECUTIONS = 500;
const STEPS = 9;

let service: ChildProcess | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  service?.kill('SIGKILL');
  await slack?.close();
});

/** The real service in its own process, serving Slack and POST /aws/events; resolves its port. */
function startService(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output);
      if (started) resolve({ child, port: Number(started[1]) });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`service exited with ${code}: ${output.slice(-2000)}`)),
    );
  });
}

describe('execution messages under duplicates, disorder and a crash', () => {
  it('10,000 events for 500 executions end with each message showing its true final status, one per execution, none lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    writeFileSync(
      join(dir, 'policy.yml'),
      'roles:\n  all: { everyone: true }\nexecutionRoles:\n  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler\npipelines:\n  - match: "*"\n    create: [all]\n    delete: [all]\n    pause: [all]\n    run: [all]\n    executionRoles: [local]\n    notify: [C0ALERTS]\n',
    );
    slack = await FakeSlack.start();
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      POLICY_FILE: join(dir, 'policy.yml'),
      SLACK_BOT_TOKEN: 'xoxb-replay',
      SLACK_SIGNING_SECRET: 'replay-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      EVENTS_API_KEY: KEY,
      // Against a stand-in: Slack's one-call-a-second per channel would make this take minutes.
      NOTIFY_PACE_MS: '0',
      LOG_LEVEL: 'info',
    };

    // Each execution: Executing, 9 steps starting and succeeding, then its final status.
    const finals = new Map<string, string>();
    const events: string[] = [];
    for (let x = 0; x < EXECUTIONS; x++) {
      const id = `x${String(x).padStart(4, '0')}`;
      const final = x % 2 === 0 ? 'Succeeded' : 'Failed';
      finals.set(id, final);
      const t = (s: number) =>
        new Date(Date.UTC(2026, 2, 2, 9, 0, s)).toISOString().replace('.000Z', 'Z');
      events.push(JSON.stringify(executionEvent(`${id}-start`, id, 'Executing', { time: t(0) })));
      for (let s = 0; s < STEPS; s++) {
        events.push(
          JSON.stringify(
            stepEvent(`${id}-s${s}-run`, id, `Step${s}`, 'Executing', { time: t(1 + 2 * s) }),
          ),
        );
        events.push(
          JSON.stringify(
            stepEvent(`${id}-s${s}-done`, id, `Step${s}`, 'Succeeded', { time: t(2 + 2 * s) }),
          ),
        );
      }
      events.push(
        JSON.stringify(
          executionEvent(`${id}-end`, id, final, { previous: 'Executing', time: t(30) }),
        ),
      );
    }
    expect(events).toHaveLength(10_000);
    // Out of order, with a tenth delivered twice.
    const deliveries = [...events, ...events.filter((_, i) => i % 10 === 0)];
    let seed = 7;
    for (let i = deliveries.length - 1; i > 0; i--) {
      seed = (seed * 48_271) % 2_147_483_647;
      const j = seed % (i + 1);
      [deliveries[i], deliveries[j]] = [deliveries[j] as string, deliveries[i] as string];
    }

    let { child, port } = await startService(env);
    service = child;
    let delivered = 0;
    let crashed = false;
    const queue = [...deliveries];
    // Like EventBridge: retry until a 2xx, whatever happens to the service.
    const send = async (body: string): Promise<void> => {
      for (;;) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/aws/events`, {
            method: 'POST',
            headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
            body,
          });
          if (response.status === 200) {
            delivered++;
            return;
          }
          throw new Error(`HTTP ${response.status}`);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const worker = async () => {
      for (let body = queue.shift(); body !== undefined; body = queue.shift()) {
        await send(body);
        if (!crashed && delivered >= deliveries.length / 2) {
          crashed = true;
          service?.kill('SIGKILL');
          ({ child, port } = await startService(env));
          service = child;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));

    // Wait until every execution's message shows its final status.
    const latest = () => {
      const shown = new Map<string, { text: string; posts: number }>();
      for (const call of slack?.calls ?? []) {
        if (
          (call.method !== 'chat.postMessage' && call.method !== 'chat.update') ||
          call.args.thread_ts
        )
          continue;
        const id = /churn-train (x\d{4}):/.exec(String(call.args.text))?.[1];
        if (!id) continue;
        const entry = shown.get(id) ?? { text: '', posts: 0 };
        entry.text = String(call.args.text);
        if (call.method === 'chat.postMessage') entry.posts++;
        shown.set(id, entry);
      }
      return shown;
    };
    const settled = () =>
      [...finals].every(([id, final]) => latest().get(id)?.text.includes(`: ${final}`));
    for (let i = 0; i < 600 && !settled(); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));

    const shown = latest();
    expect(shown.size).toBe(EXECUTIONS);
    for (const [id, final] of finals) {
      expect(shown.get(id)?.text, id).toContain(`: ${final}`);
      expect(shown.get(id)?.posts, `${id} was posted more than once`).toBe(1);
    }
    // The last batch is marked processed just after its messages are posted: wait for it
    // (under load that takes a moment) rather than stop the service between the two.
    const store = openSqliteStore(env.DATABASE_URL);
    try {
      for (let i = 0; i < 100 && (await store.events.pendingCount()) > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      service?.kill('SIGTERM');
      await new Promise((resolve) => service?.once('exit', resolve));
      expect(await store.events.pendingCount()).toBe(0);
      expect(
        (
          await store.executionMessages.listFor(
            'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train/execution/x0001',
          )
        ).length,
      ).toBe(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});
