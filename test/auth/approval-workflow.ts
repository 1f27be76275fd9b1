import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalMetrics } from '../../src/auth/approval-metrics.js';
import type { Runner } from '../../src/auth/approval-runner.js';
import type { ApprovalRequest } from '../../src/auth/approval-store.js';
import { ApprovalWorkflow, type ExecutionOutcome, type RuleNow } from '../../src/auth/approvals.js';
import type { Store } from '../../src/store/store.js';

/**
 * A workflow on a store, with approvers and requesters given as plain sets, for tests.
 * `approvers` hold the `approvers` role; `roles` adds any other memberships; `policy.rule`
 * stands for the policy in force now (unset: the rule the request was made under).
 */
export function testWorkflow(
  store: Store,
  options: {
    approvers?: string[];
    roles?: Record<string, string[]>;
    revoked?: string[];
    now?: () => Date;
    execute?: (
      request: ApprovalRequest,
      attempt: { token: string; resumed: boolean },
    ) => Promise<ExecutionOutcome>;
    runner?: Runner;
    attemptLeaseMs?: number;
    metrics?: ApprovalMetrics;
  } = {},
) {
  const executed: string[] = [];
  const approvers = new Set(options.approvers ?? ['U0LEAD1', 'U0LEAD2', 'U0LEAD3']);
  const roles = options.roles ?? {};
  const revoked = new Set(options.revoked ?? []);
  const policy: { rule?: (request: ApprovalRequest) => RuleNow } = {};
  const holds = (userId: string) => [
    ...(approvers.has(userId) ? ['approvers'] : []),
    ...(roles[userId] ?? []),
  ];
  const workflow = new ApprovalWorkflow({
    store,
    now: options.now ?? (() => new Date()),
    canApprove: async (userId, from) => holds(userId).some((role) => from.includes(role)),
    ruleNow: async (request) =>
      revoked.has(request.requestedBy)
        ? {
            outcome: 'deny',
            reason: `${request.requestedBy} may no longer create for ${request.pipelineNames.join(', ')}`,
          }
        : (policy.rule?.(request) ?? {
            outcome: 'approval',
            from: request.approverRoles,
            count: request.requiredApprovals,
          }),
    execute:
      options.execute ??
      (async (request) => {
        executed.push(request.id);
        return { ok: true, summary: `created schedule ${request.triggerName}` };
      }),
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.attemptLeaseMs !== undefined ? { attemptLeaseMs: options.attemptLeaseMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return { workflow, executed, approvers, revoked, roles, policy };
}

export const submission = {
  payload: JSON.stringify({
    name: 'create',
    pipeline: 'prod-churn',
    expression: 'cron(0 8 ? * MON-FRI *)',
  }),
  action: 'create',
  pipelineNames: ['prod-churn'],
  triggerName: 'churn-weekdays',
  requestedBy: 'U0ALICE',
  channelId: 'C0MLOPS',
  requiredApprovals: 1,
  approverRoles: ['approvers'],
  expiresAfterMs: 24 * 3_600_000,
};

/** A runner standing for one process; `gone` holds the runners whose process has died. */
export function testRunner(id: string, gone: Set<string>): Runner {
  return { id, isGone: (other) => gone.has(other) };
}

/** A promise with its resolver outside: an execution held in flight until a test lets go. */
function held<T>() {
  let release!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the condition never held');
}

/**
 * Crash and recovery, run against SQLite and PostgreSQL: a "process" is a workflow with its
 * own runner id; one that died is one whose runner is in `gone`, its work left in the store.
 */
export function approvalWorkflowContract(name: string, open: () => Promise<Store>): void {
  describe(`approval workflow across a crash: ${name}`, () => {
    let store: Store;
    let clock: number;
    const gone = new Set<string>();
    const now = () => new Date(clock);
    beforeEach(async () => {
      store = await open();
      clock = Date.parse('2026-11-29T08:00:00Z');
      gone.clear();
    });
    afterEach(async () => {
      await store.close();
    });

    const events = async (requestId: string) =>
      (await store.audit.list({ limit: 200 }))
        .filter((e) => e.requestId === requestId)
        .map((e) => `${e.actor} ${e.event}`)
        .reverse();

    it('records the run as EXECUTING, under the request id as token, while it runs', async () => {
      let during: ApprovalRequest | undefined;
      const { workflow } = testWorkflow(store, {
        now,
        runner: testRunner('first', gone),
        execute: async (request, attempt) => {
          during = await store.approvals.get(request.id);
          expect(attempt).toEqual({ token: request.id, resumed: false });
          return { ok: true, summary: 'created schedule churn-weekdays' };
        },
      });
      const request = await workflow.submit(submission);
      expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
        ok: true,
        value: { status: 'EXECUTED' },
      });
      expect(during).toMatchObject({
        status: 'EXECUTING',
        attemptBy: 'first',
        attemptAt: now(),
        attempts: 1,
        executionToken: request.id,
        decidedBy: 'U0LEAD1',
      });
      expect(await store.approvals.get(request.id)).toMatchObject({
        status: 'EXECUTED',
        attempts: 1,
      });
    });

    it('a process that died while running: the next one runs it again under the same token, once, and says so', async () => {
      const inFlight = held<ExecutionOutcome>();
      const first = testWorkflow(store, {
        now,
        runner: testRunner('first', gone),
        execute: () => inFlight.promise,
      });
      const request = await first.workflow.submit(submission);
      const approving = first.workflow.approve(request.id, 'U0LEAD1');
      await until(async () => (await store.approvals.get(request.id))?.status === 'EXECUTING');
      gone.add('first');

      const attempts: Array<{ token: string; resumed: boolean }> = [];
      const second = testWorkflow(store, {
        now,
        runner: testRunner('second', gone),
        execute: async (_request, attempt) => {
          attempts.push(attempt);
          return { ok: true, summary: 'created schedule churn-weekdays' };
        },
      });
      const report = await second.workflow.recover();
      expect(attempts).toEqual([{ token: request.id, resumed: true }]);
      expect(report.errors).toEqual([]);
      expect(report.finished).toHaveLength(1);
      expect(report.finished[0]).toMatchObject({
        request: { id: request.id, status: 'EXECUTED', attempts: 2, attemptBy: 'second' },
        outcome: { ok: true, summary: 'created schedule churn-weekdays (resumed after a restart)' },
      });
      expect(await events(request.id)).toEqual([
        'U0ALICE requested',
        'U0LEAD1 approval recorded',
        'U0LEAD1 approved',
        'system resumed after restart',
        'system executed',
      ]);
      // Nothing is left for another pass.
      expect((await second.workflow.recover()).finished).toEqual([]);

      // Were the first runner only slow, its late result changes nothing: one outcome stands.
      inFlight.release({ ok: true, summary: 'created schedule churn-weekdays' });
      expect(await approving).toMatchObject({
        ok: true,
        value: {
          status: 'EXECUTED',
          outcome: { summary: 'created schedule churn-weekdays (resumed after a restart)' },
        },
      });
      expect((await events(request.id)).filter((e) => e === 'system executed')).toHaveLength(1);
    });

    it('a request left APPROVED (the process died between the decision and the run) is run and finished', async () => {
      const { workflow } = testWorkflow(store, { now, runner: testRunner('second', gone) });
      const request = await workflow.submit(submission);
      await store.approvals.transition(request.id, ['PENDING'], 'APPROVED', {
        decidedBy: 'U0LEAD1',
        at: now(),
        attemptBy: 'first',
      });
      expect((await workflow.recover()).finished).toEqual([]);
      gone.add('first');
      const report = await workflow.recover();
      expect(report.finished.map((f) => [f.request.id, f.request.status])).toEqual([
        [request.id, 'EXECUTED'],
      ]);
      expect((await events(request.id)).slice(-2)).toEqual([
        'system resumed after restart',
        'system executed',
      ]);
    });

    it('a request approved before attempts were recorded (stuck APPROVED for good) is finished at once', async () => {
      const { workflow, executed } = testWorkflow(store, {
        now,
        runner: testRunner('second', gone),
      });
      const request = await workflow.submit(submission);
      await store.approvals.transition(request.id, ['PENDING'], 'APPROVED', {
        decidedBy: 'U0LEAD1',
        at: now(),
      });
      const report = await workflow.recover();
      expect(executed).toEqual([request.id]);
      expect(report.finished[0]?.request.status).toBe('EXECUTED');
    });

    it("leaves a live runner's fresh attempt alone, and takes it over once the lease runs out", async () => {
      const inFlight = held<ExecutionOutcome>();
      const first = testWorkflow(store, {
        now,
        runner: testRunner('first', gone),
        attemptLeaseMs: 60_000,
        execute: () => inFlight.promise,
      });
      const request = await first.workflow.submit(submission);
      const approving = first.workflow.approve(request.id, 'U0LEAD1');
      await until(async () => (await store.approvals.get(request.id))?.status === 'EXECUTING');
      const second = testWorkflow(store, {
        now,
        runner: testRunner('second', gone),
        attemptLeaseMs: 60_000,
      });
      // The same process never takes over its own run either.
      expect((await first.workflow.recover()).finished).toEqual([]);
      expect((await second.workflow.recover()).finished).toEqual([]);
      expect(second.executed).toEqual([]);
      clock += 60_000;
      expect((await second.workflow.recover()).finished.map((f) => f.request.status)).toEqual([
        'EXECUTED',
      ]);
      expect(second.executed).toEqual([request.id]);
      inFlight.release({ ok: false, summary: 'the first attempt timed out' });
      expect(await approving).toMatchObject({ ok: true, value: { status: 'EXECUTED' } });
    });

    it('an acknowledged click the process died before processing is processed as if it came again', async () => {
      const first = testWorkflow(store, { now, runner: testRunner('first', gone) });
      const request = await first.workflow.submit(submission);
      const clickId = await first.workflow.recordClick({
        requestId: request.id,
        userId: 'U0LEAD1',
        contentHash: request.contentHash,
        teamId: 'T0TEAM',
      });
      expect(await store.clicks.forRequest(request.id)).toEqual([
        {
          id: clickId,
          requestId: request.id,
          userId: 'U0LEAD1',
          contentHash: request.contentHash,
          teamId: 'T0TEAM',
          recordedBy: 'first',
          at: now(),
        },
      ]);
      const second = testWorkflow(store, { now, runner: testRunner('second', gone) });
      // Its own process may still be working on it: left alone while that one lives.
      expect((await second.workflow.recover()).finished).toEqual([]);
      gone.add('first');
      const report = await second.workflow.recover();
      expect(report.finished.map((f) => [f.request.status, f.outcome.summary])).toEqual([
        ['EXECUTED', 'created schedule churn-weekdays (resumed after a restart)'],
      ]);
      expect(second.executed).toEqual([request.id]);
      expect(await store.clicks.forRequest(request.id)).toMatchObject([
        { id: clickId, processedAt: now(), result: 'APPROVED' },
      ]);
      expect(await events(request.id)).toEqual([
        'U0ALICE requested',
        'U0LEAD1 resumed after restart',
        'U0LEAD1 approval recorded',
        'U0LEAD1 approved',
        'system executed',
      ]);
    });

    it("takes over a live runner's unprocessed click after the grace, and never counts a click twice", async () => {
      const { workflow, executed } = testWorkflow(store, {
        now,
        runner: testRunner('only', gone),
      });
      const request = await workflow.submit({ ...submission, requiredApprovals: 2 });
      const late = await workflow.recordClick({
        requestId: request.id,
        userId: 'U0LEAD1',
        contentHash: request.contentHash,
      });
      // Counted (the process died before marking it); the click before it decides the request.
      const counted = await workflow.recordClick({
        requestId: request.id,
        userId: 'U0LEAD2',
        contentHash: request.contentHash,
        at: new Date(clock + 1),
      });
      await store.approvals.addVote({
        requestId: request.id,
        userId: 'U0LEAD2',
        contentHash: request.contentHash,
        at: now(),
      });
      expect((await workflow.recover()).finished).toEqual([]);
      clock += 30_001;
      const report = await workflow.recover();
      expect(report.finished.map((f) => f.request.status)).toEqual(['EXECUTED']);
      expect(executed).toEqual([request.id]);
      expect(
        (await store.clicks.forRequest(request.id)).map((c) => [c.id, c.result]).sort(),
      ).toEqual(
        [
          [late, 'APPROVED'],
          [counted, 'COUNTED'],
        ].sort(),
      );
      expect((await events(request.id)).filter((e) => e.endsWith('denied'))).toEqual([]);
    });

    it('marks a click processed with what it gave when approve is told its id', async () => {
      const { workflow } = testWorkflow(store, { now });
      const request = await workflow.submit({ ...submission, requiredApprovals: 2 });
      const ok = await workflow.recordClick({ requestId: request.id, userId: 'U0LEAD1' });
      const refused = await workflow.recordClick({ requestId: request.id, userId: 'U0MALLORY' });
      await workflow.approve(request.id, 'U0LEAD1', request.contentHash, { clickId: ok });
      await workflow.approve(request.id, 'U0MALLORY', request.contentHash, { clickId: refused });
      expect(
        (await store.clicks.forRequest(request.id)).map((c) => [c.userId, c.result]).sort(),
      ).toEqual([
        ['U0LEAD1', 'PENDING'],
        ['U0MALLORY', 'NOT_APPROVER'],
      ]);
      expect(await store.clicks.unprocessed(10)).toEqual([]);
    });

    it('closes, at recovery, pending requests the policy in force now makes impossible', async () => {
      const { workflow, policy } = testWorkflow(store, { now });
      const open = await workflow.submit(submission);
      const doomed = await workflow.submit({ ...submission, triggerName: 'doomed' });
      policy.rule = (request) =>
        request.id === doomed.id
          ? {
              outcome: 'approval',
              from: ['admins'],
              count: 2,
              impossible: 'nobody but the requester holds admins',
            }
          : { outcome: 'approval', from: ['approvers'], count: 1 };
      const report = await workflow.recover();
      expect(report.finished).toEqual([
        {
          request: expect.objectContaining({
            id: doomed.id,
            status: 'REJECTED',
            decidedBy: 'system',
            reason: 'nobody but the requester holds admins',
          }),
          outcome: {
            ok: false,
            summary:
              'nobody but the requester holds admins; the request was closed without running',
          },
        },
      ]);
      expect((await store.approvals.get(open.id))?.status).toBe('PENDING');
    });
  });
}
