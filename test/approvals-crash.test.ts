import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRequest, RequestStatus } from '../src/auth/approval-store.js';
import { openBotRuntime } from '../src/bot/bot-runtime.js';
import { parseCommand } from '../src/bot/commands/grammar.js';
import { runCommand } from '../src/bot/commands/run-command.js';
import { ids } from '../src/bot/ids.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { FakeSlack, postSigned } from './support/fake-slack.js';

/**
 * The security review's crash: the real service process in Slack HTTP mode, N approvals
 * clicked at once, SIGKILL after some acknowledgements, a restart. Every request must end in a
 * final state, every acknowledged click must be recorded and counted, nothing may run twice.
 *
 * Relies on the Slack approve handler recording the click (workflow.recordClick) before it
 * acknowledges, and passing the click id to approve; and on the leader's recovery at start.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SECRET = 'crash-test-signing-secret';
const N = 30;
/** After how many acknowledgements each round kills the process. */
const KILL_AFTER = [14, 21, 28, 17];
const ROUNDS = Math.min(Number(process.env.APPROVALS_CRASH_ROUNDS ?? 2), KILL_AFTER.length);
const FINAL: RequestStatus[] = ['EXECUTED', 'FAILED'];

const approvers = Array.from({ length: N }, (_, i) => `U0LEAD${i}`);
const policy = `
roles:
  ml:        { users: [U0ALICE] }
  approvers: { users: [${approvers.join(', ')}] }
executionRoles:
  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler
pipelines:
  - match: "*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    approval: { actions: [create], from: [approvers], count: 1 }
    executionRoles: [local]
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let slack: FakeSlack;
const children: ChildProcess[] = [];
beforeAll(async () => {
  slack = await FakeSlack.start();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await slack.close();
});

/** The service as `npm start` runs it, on this round's database. */
function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"port":(\d+),"msg":"pipeline-schedule-bot started"/.exec(output);
      if (started) resolve(Number(started[1]));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output.slice(-2000)}`)));
  });
  return { child, port, exited, output: () => output };
}

/** N requests waiting for approval, asked for before the service starts. */
async function submitRequests(env: Record<string, string>, round: number) {
  const runtime = await openBotRuntime(loadConfig(env), createLogger({ level: 'silent' }), {
    engine: false,
  });
  try {
    const requests: ApprovalRequest[] = [];
    for (let i = 0; i < N; i++) {
      const parsed = parseCommand(
        `create churn-train 'cron(0 8 ? * MON-FRI *)' name=crash-${round}-${i}`,
      );
      if (!parsed.ok) throw new Error(parsed.message);
      const reply = await runCommand(parsed.command, {
        ...runtime.commandDeps('U0ALICE', 'C0MLOPS'),
        requestId: randomUUID(),
      });
      if (reply.kind !== 'approval-requested')
        throw new Error(`not sent for approval: ${reply.kind}`);
      requests.push(reply.request);
    }
    return requests;
  } finally {
    await runtime.close();
  }
}

/** An Approve click as Slack sends it, signed; each one a new request (a new signature). */
function clickApprove(port: number, request: ApprovalRequest, approver: string) {
  const ts = `1700000000.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    user: { id: approver },
    api_app_id: 'A0APP',
    trigger_id: `trigger-${randomUUID()}`,
    channel: { id: 'C0APPROVALS' },
    container: { type: 'message', message_ts: ts, channel_id: 'C0APPROVALS' },
    message: { ts, text: 'request' },
    response_url: slack.responseUrl(`approve-${request.id}-${approver}`),
    actions: [
      {
        type: 'button',
        action_id: ids.actions.approve,
        block_id: 'approval_actions_0',
        value: `${request.id}|${request.contentHash}`,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
  return postSigned(
    `http://127.0.0.1:${port}/slack/events`,
    SECRET,
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  );
}

async function statuses(store: Store, requests: ApprovalRequest[]) {
  const out = new Map<string, RequestStatus | undefined>();
  for (const r of requests) out.set(r.id, (await store.approvals.get(r.id))?.status);
  return out;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

describe('a SIGKILL during a burst of approvals', () => {
  it(`leaves no request stuck and loses no acknowledged click (${ROUNDS} rounds of ${N})`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'approvals-crash-'));
      writeFileSync(join(dir, 'policy.yml'), policy);
      const databaseUrl = `sqlite:${join(dir, 'bot.db')}`;
      const env = { DATABASE_URL: databaseUrl, POLICY_FILE: join(dir, 'policy.yml') };
      const requests = await submitRequests(env, round);
      const serviceEnv = {
        ...env,
        SLACK_BOT_TOKEN: 'xoxb-crash',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        NOTIFY_PACE_MS: '0',
        LOG_LEVEL: 'info',
        PORT: '0',
      };

      // Every approver clicks at once; the process dies after the round's count of acks.
      const first = startService(serviceEnv);
      const port = await first.port;
      const acked = new Set<number>();
      const killAfter = KILL_AFTER[round] ?? N;
      await Promise.all(
        requests.map(async (request, i) => {
          const response = await clickApprove(port, request, approvers[i] ?? '').catch(
            () => undefined,
          );
          if (response?.status !== 200) return;
          acked.add(i);
          if (acked.size === killAfter) first.child.kill('SIGKILL');
        }),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const store = openSqliteStore(databaseUrl);
      try {
        const atCrash = [...(await statuses(store, requests)).values()];
        const context = `round ${round}: killed after ${killAfter} acks (${acked.size} acked); at the crash ${JSON.stringify(
          Object.fromEntries(
            [...new Set(atCrash)].map((s) => [s, atCrash.filter((x) => x === s).length]),
          ),
        )}`;

        // The restarted service recovers on its own: no click, no command.
        const second = startService(serviceEnv);
        const secondPort = await second.port;
        const settled = await waitUntil(async () => {
          const now = await statuses(store, requests);
          for (const [i, request] of requests.entries()) {
            const status = now.get(request.id);
            if (status === 'APPROVED' || status === 'EXECUTING') return false;
            if (acked.has(i) && !FINAL.includes(status ?? 'PENDING')) return false;
          }
          return (await store.clicks.unprocessed(1)).length === 0;
        }, 20_000);
        expect(settled, `${context}; after the restart: ${second.output().slice(-2000)}`).toBe(
          true,
        );

        // A click that was never acknowledged reads as failed in Slack: the approver clicks again.
        const pending = requests.filter((_, i) => !acked.has(i));
        for (const request of pending) {
          const still = (await store.approvals.get(request.id))?.status;
          if (still !== 'PENDING') continue;
          const i = requests.indexOf(request);
          expect((await clickApprove(secondPort, request, approvers[i] ?? '')).status).toBe(200);
        }
        const done = await waitUntil(
          async () =>
            [...(await statuses(store, requests)).values()].every((s) =>
              FINAL.includes(s ?? 'PENDING'),
            ),
          20_000,
        );
        second.child.kill('SIGTERM');
        await second.exited;
        expect(done, context).toBe(true);

        for (const [i, request] of requests.entries()) {
          const final = await store.approvals.get(request.id);
          expect(FINAL, `${context}; ${request.id}`).toContain(final?.status);
          // Every acknowledged click is recorded and processed.
          if (acked.has(i)) {
            const clicks = await store.clicks.forRequest(request.id);
            expect(
              clicks.filter((c) => c.userId === approvers[i] && c.processedAt),
              `${context}; click on ${request.id}`,
            ).not.toHaveLength(0);
          }
          // Approved once, with exactly one outcome in the audit.
          const audit = (await store.audit.list({ limit: 1000 })).filter(
            (e) => e.requestId === request.id,
          );
          const count = (event: string) => audit.filter((e) => e.event === event).length;
          expect(count('approved'), `${context}; ${request.id}`).toBe(1);
          expect(count('executed') + count('failed'), `${context}; ${request.id}`).toBe(1);
        }
        // No schedule twice, and each one made by its own request.
        const runtime = await openBotRuntime(loadConfig(env), createLogger({ level: 'silent' }), {
          engine: false,
        });
        try {
          const listed = await runtime.service.list({ maxResults: 100 });
          const names = listed.ok ? listed.value.items.map((item) => item.name) : [];
          const executed = [];
          for (const request of requests)
            if ((await store.approvals.get(request.id))?.status === 'EXECUTED')
              executed.push(request);
          expect(names.sort(), context).toEqual(executed.map((r) => r.triggerName ?? '').sort());
          for (const request of executed) {
            const record = await store.triggerRecords.get(
              'schedule',
              `sagemaker-pipelines/${request.triggerName}`,
            );
            expect(record?.requestId, `${context}; ${request.id}`).toBe(request.id);
          }
        } finally {
          await runtime.close();
        }
      } finally {
        await store.close();
      }
    }
  }, 60_000);
});
