import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessControl, type RequestPayload } from '../../src/auth/access.js';
import { processRunner, runnerIsGone } from '../../src/auth/approval-runner.js';
import { ConfiguredIdentities } from '../../src/auth/identity.js';
import { type Policy, parsePolicy } from '../../src/auth/policy.js';
import { parseCommand } from '../../src/bot/commands/grammar.js';
import { executeApproved, runCommand } from '../../src/bot/commands/run-command.js';
import { createLogger } from '../../src/logger.js';
import { createLocalBackend } from '../../src/scheduling/local/local-backend.js';
import { parsePipelineCatalog } from '../../src/scheduling/local/pipeline-catalog.js';
import { SchedulingService } from '../../src/scheduling/scheduling-service.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/** The policy the requests below were made under: one approval from approvers. */
const before = `
roles:
  ml:        { users: [U0ALICE] }
  approvers: { users: [U0LEAD1, U0LEAD2] }
  admins:    { users: [U0ADMIN1, U0ADMIN2] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
pipelines:
  - match: "*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    approval: { actions: [create], from: [approvers], count: 1 }
    executionRoles: [prod]
`;

const parse = (text: string): Policy => {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.policy;
};

let store: Store;
let service: SchedulingService;
let close: () => Promise<void>;

beforeEach(async () => {
  store = openSqliteStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'access-')), 'bot.db')}`);
  const backend = createLocalBackend({
    store,
    pipelines: parsePipelineCatalog(
      'pipelines:\n  - name: prod-churn\n    steps: [{ name: Train, seconds: 1 }]\n',
    ),
    log: createLogger({ level: 'silent' }),
    syncIntervalMs: 0,
  });
  await backend.schedules.ensureGroup('sagemaker-pipelines');
  service = new SchedulingService(backend, store, { group: 'sagemaker-pipelines' });
  close = async () => {
    backend.pipelines.close();
    await store.close();
  };
});
afterEach(async () => {
  await close();
});

/** The service as it runs under one policy: a restart with a changed policy is a new one. */
function underPolicy(policyText: string) {
  const policy = parse(policyText);
  const deps = (userId: string) => ({
    service,
    now: () => new Date(),
    userId,
    allowedRoles: [] as string[],
    roleAliases: {},
    access,
    auditLog: store.audit,
  });
  const executions: string[] = [];
  const access: AccessControl = new AccessControl({
    policy: () => policy,
    identities: new ConfiguredIdentities('U0ADMIN3:S0ADMINS'),
    store,
    now: () => new Date(),
    execute: async (payload: RequestPayload, requestId: string) => {
      executions.push(requestId);
      return executeApproved(payload, requestId, deps(payload.access.userId));
    },
  });
  const ask = async (text: string) => {
    const parsed = parseCommand(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const reply = await runCommand(parsed.command, deps('U0ALICE'));
    if (reply.kind !== 'approval-requested')
      throw new Error(`not sent for approval: ${reply.kind}`);
    return reply.request;
  };
  return { access, ask, executions };
}

const create = "create prod-churn 'cron(0 8 ? * MON-FRI *)' name=prod-weekdays role=prod";

describe('a pending request under a policy changed since it was made', () => {
  it('needs what the rule says now: an approver dropped from `from` cannot approve it alone', async () => {
    const request = await underPolicy(before).ask(create);
    const after = underPolicy(
      before.replace('from: [approvers], count: 1', 'from: [admins], count: 2'),
    );
    expect(await after.access.workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: false,
      error: { code: 'NOT_APPROVER', message: expect.stringMatching(/only members of admins/) },
    });
    expect(await after.access.workflow.pending()).toMatchObject([
      {
        request: { id: request.id, requiredApprovals: 2, approverRoles: ['admins'] },
        approvals: 0,
      },
    ]);
    expect(await after.access.workflow.approve(request.id, 'U0ADMIN1')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 2 },
    });
    expect(after.executions).toEqual([]);
    expect(await after.access.workflow.approve(request.id, 'U0ADMIN2')).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED', outcome: { summary: 'created schedule prod-weekdays' } },
    });
    expect(after.executions).toEqual([request.id]);
  });

  it('is closed with the reason when nobody but the requester could approve it now', async () => {
    const first = await underPolicy(before).ask(create);
    const second = await underPolicy(before).ask(create.replace('prod-weekdays', 'prod-daily'));
    const after = underPolicy(
      before
        .replace('admins:    { users: [U0ADMIN1, U0ADMIN2] }', 'admins:    { users: [U0ALICE] }')
        .replace('from: [approvers], count: 1', 'from: [admins], count: 1'),
    );
    const reason =
      'the approval rule now needs an approval from admins, and nobody but the requester holds that role';
    expect(await after.access.workflow.approve(first.id, 'U0LEAD1')).toEqual({
      ok: false,
      error: {
        code: 'POLICY_CHANGED',
        message: `${reason}; the request was closed without running`,
      },
    });
    // The leader's recovery closes the others without waiting for a click.
    const report = await after.access.workflow.recover();
    expect(report.finished.map((f) => [f.request.id, f.request.status, f.request.reason])).toEqual([
      [second.id, 'REJECTED', reason],
    ]);
    expect(after.executions).toEqual([]);
  });

  it('counts members of a user group as possible approvers, so it stays open', async () => {
    const request = await underPolicy(before).ask(create);
    const after = underPolicy(
      before
        .replace('admins:    { users: [U0ADMIN1, U0ADMIN2] }', 'admins:    { groups: [S0ADMINS] }')
        .replace('from: [approvers], count: 1', 'from: [admins], count: 2'),
    );
    expect((await after.access.workflow.recover()).finished).toEqual([]);
    expect(await after.access.workflow.approve(request.id, 'U0ADMIN3')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 2 },
    });
  });

  it('is closed when its requester may no longer ask for it', async () => {
    const request = await underPolicy(before).ask(create);
    const after = underPolicy(
      before.replace('ml:        { users: [U0ALICE] }', 'ml: { users: [] }'),
    );
    expect(await after.access.workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: false,
      error: {
        code: 'REQUESTER_NOT_ALLOWED',
        message: expect.stringMatching(/^U0ALICE may no longer do this: .*closed without running$/),
      },
    });
    expect((await store.approvals.get(request.id))?.status).toBe('REJECTED');
  });
});

describe('a create resumed after a crash', () => {
  it('that the first attempt made is this request’s success, not "already exists"', async () => {
    const { access, ask } = underPolicy(before);
    const request = await ask(create);
    // The first attempt created the schedule, then its process died before recording it.
    const dead = `${hostname()}/${process.pid}/a-process-before-this-one`;
    await store.approvals.addVote({
      requestId: request.id,
      userId: 'U0LEAD1',
      contentHash: request.contentHash,
      at: new Date(),
    });
    await store.approvals.transition(request.id, ['PENDING'], 'APPROVED', {
      decidedBy: 'U0LEAD1',
      at: new Date(),
      attemptBy: dead,
    });
    const approved = await store.approvals.get(request.id);
    await store.approvals.startAttempt(
      request.id,
      {
        status: 'APPROVED',
        attemptBy: dead,
        ...(approved?.attemptAt ? { attemptAt: approved.attemptAt } : {}),
      },
      { by: dead, at: new Date(), token: request.id },
    );
    const payload = JSON.parse(request.payload) as RequestPayload;
    const first = await executeApproved(payload, request.id, {
      service,
      now: () => new Date(),
      allowedRoles: [],
      roleAliases: {},
      access,
    });
    expect(first, first.summary).toMatchObject({ ok: true });

    const report = await access.workflow.recover();
    expect(report.finished.map((f) => [f.request.status, f.outcome.summary])).toEqual([
      ['EXECUTED', 'created schedule prod-weekdays (resumed after a restart)'],
    ]);
    const list = await service.list();
    expect(list.ok && list.value.items.map((i) => i.name)).toEqual(['prod-weekdays']);
  });
});

describe('whether the runner behind an attempt is gone', () => {
  it('knows this host’s processes: alive, exited, an earlier process with our pid', () => {
    const mine = processRunner();
    expect(runnerIsGone(mine.id)).toBe(false);
    expect(runnerIsGone(`${hostname()}/${process.pid}/not-one-of-ours`)).toBe(true);
    expect(runnerIsGone(`${hostname()}/${process.ppid}/parent`)).toBe(false);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    expect(runnerIsGone(`${hostname()}/${exited.stdout.toString()}/x`)).toBe(true);
    // Another machine's runner: only its lease can tell.
    expect(runnerIsGone(`another-host/${exited.stdout.toString()}/x`)).toBe(false);
    expect(runnerIsGone('not a runner id')).toBe(false);
  });
});
