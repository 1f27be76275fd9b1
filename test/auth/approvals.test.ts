import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { approvalWorkflowContract, submission, testWorkflow } from './approval-workflow.js';

const freshStore = () =>
  openSqliteStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'approvals-')), 'bot.db')}`);

approvalWorkflowContract('SQLite', async () => freshStore());

let store: Store;
beforeEach(() => {
  store = freshStore();
});
afterEach(async () => {
  await store.close();
});

describe('an approval', () => {
  it('runs the request once the approver says yes, and records every step', async () => {
    const { workflow, executed } = testWorkflow(store);
    const request = await workflow.submit(submission);
    expect(request.status).toBe('PENDING');
    const result = await workflow.approve(request.id, 'U0LEAD1', request.contentHash);
    expect(result).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED', outcome: { summary: 'created schedule churn-weekdays' } },
    });
    expect(executed).toEqual([request.id]);
    expect((await store.approvals.get(request.id))?.status).toBe('EXECUTED');
    expect((await store.audit.list()).map((e) => `${e.actor} ${e.event}`).reverse()).toEqual([
      'U0ALICE requested',
      'U0LEAD1 approval recorded',
      'U0LEAD1 approved',
      'system executed',
    ]);
  });

  it('counts each workflow event through the metrics port it is given', async () => {
    const outcomes: string[] = [];
    const { workflow } = testWorkflow(store, {
      metrics: { approvalEvent: (outcome) => outcomes.push(outcome) },
    });
    const request = await workflow.submit(submission);
    await workflow.approve(request.id, 'U0ALICE');
    await workflow.approve('req-unknown', 'U0LEAD1');
    await workflow.approve(request.id, 'U0LEAD1', request.contentHash);
    expect(outcomes).toEqual(['requested', 'denied', 'approved', 'executed']);
  });

  it('waits for N distinct approvers when the policy asks for N', async () => {
    const { workflow, executed } = testWorkflow(store);
    const request = await workflow.submit({ ...submission, requiredApprovals: 2 });
    expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 2 },
    });
    expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 2 },
    });
    expect(executed).toEqual([]);
    expect(await workflow.approve(request.id, 'U0LEAD2')).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED' },
    });
    expect(executed).toHaveLength(1);
  });

  it('records a failure to run as FAILED, with the reason', async () => {
    const { workflow } = testWorkflow(store, {
      execute: async () => ({ ok: false, summary: 'pipeline prod-churn does not exist' }),
    });
    const request = await workflow.submit(submission);
    expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: true,
      value: { status: 'FAILED', outcome: { summary: 'pipeline prod-churn does not exist' } },
    });
    expect((await store.approvals.get(request.id))?.status).toBe('FAILED');
  });

  it('runs once when many approvers click at once', async () => {
    const { workflow, executed } = testWorkflow(store, {
      approvers: Array.from({ length: 50 }, (_, i) => `U0LEAD${i}`),
    });
    const request = await workflow.submit(submission);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => workflow.approve(request.id, `U0LEAD${i}`)),
    );
    expect(executed).toEqual([request.id]);
    expect(results.filter((r) => r.ok && r.value.status === 'EXECUTED')).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok))
      expect(r.ok ? '' : r.error.code).toBe('ALREADY_DECIDED');
  });
});

describe('attacks on the approval workflow, each refused and audited', () => {
  it.each([
    [
      'self-approval',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string) =>
        w.approve(id, 'U0ALICE'),
      'SELF_APPROVAL',
      /you asked for request .* so someone else must approve it/,
    ],
    [
      'approval by a non-approver',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string) =>
        w.approve(id, 'U0MALLORY'),
      'NOT_APPROVER',
      /only members of approvers can approve/,
    ],
    [
      'an unknown or forged request id',
      async (w: ReturnType<typeof testWorkflow>['workflow']) => w.approve('req-forged', 'U0LEAD1'),
      'NOT_FOUND',
      /there is no request req-forged/,
    ],
    [
      'an approval of different content than the request holds',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string) =>
        w.approve(id, 'U0LEAD1', 'f'.repeat(64)),
      'CHANGED',
      /changed after you saw it/,
    ],
    [
      'a rejection by a non-approver',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string) =>
        w.reject(id, 'U0MALLORY', 'nope'),
      'NOT_APPROVER',
      /can reject/,
    ],
    [
      'a cancellation by someone other than the requester',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string) => w.cancel(id, 'U0LEAD1'),
      'NOT_REQUESTER',
      /only U0ALICE, who asked, can cancel/,
    ],
  ] as const)('%s', async (_name, attack, code, message) => {
    const { workflow, executed } = testWorkflow(store);
    const request = await workflow.submit(submission);
    const result = await attack(workflow, request.id);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).toMatch(message);
    }
    expect(executed).toEqual([]);
    const [last] = await store.audit.list({ limit: 1 });
    expect(last).toMatchObject({ event: 'denied' });
    expect(JSON.parse(last?.details ?? '{}').reason).toMatch(message);
  });

  it.each([
    [
      'rejected',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string): Promise<void> =>
        void (await w.reject(id, 'U0LEAD2', 'not on a Friday')),
    ],
    [
      'executed',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string): Promise<void> =>
        void (await w.approve(id, 'U0LEAD2')),
    ],
    [
      'cancelled',
      async (w: ReturnType<typeof testWorkflow>['workflow'], id: string): Promise<void> =>
        void (await w.cancel(id, 'U0ALICE')),
    ],
  ] as const)('approval of a %s request', async (state, decide) => {
    const { workflow, executed } = testWorkflow(store);
    const request = await workflow.submit(submission);
    await decide(workflow, request.id);
    const runs = executed.length;
    const result = await workflow.approve(request.id, 'U0LEAD3');
    expect(result.ok ? 'ok' : result.error.code).toBe('ALREADY_DECIDED');
    expect(result.ok ? '' : result.error.message).toMatch(
      state === 'executed'
        ? /already approved and done/
        : state === 'rejected'
          ? /already rejected/
          : /cancelled by its requester/,
    );
    expect(executed).toHaveLength(runs);
  });

  it('approval of an expired request', async () => {
    let now = new Date('2026-11-29T08:00:00Z');
    const { workflow, executed } = testWorkflow(store, { now: () => now });
    const request = await workflow.submit({ ...submission, expiresAfterMs: 3_600_000 });
    now = new Date('2026-11-29T09:00:01Z');
    const result = await workflow.approve(request.id, 'U0LEAD1');
    expect(result.ok ? 'ok' : result.error).toMatchObject({
      code: 'EXPIRED',
      message: expect.stringMatching(/expired at 2026-11-29T09:00:00.000Z; ask for it again/),
    });
    expect(executed).toEqual([]);
    expect((await store.approvals.get(request.id))?.status).toBe('EXPIRED');
  });

  it('a requester who lost their role before approval', async () => {
    const { workflow, executed, revoked } = testWorkflow(store);
    const request = await workflow.submit(submission);
    revoked.add('U0ALICE');
    const result = await workflow.approve(request.id, 'U0LEAD1');
    expect(result.ok ? 'ok' : result.error).toMatchObject({
      code: 'REQUESTER_NOT_ALLOWED',
      message: expect.stringMatching(/U0ALICE may no longer create for prod-churn/),
    });
    expect(executed).toEqual([]);
    expect((await store.approvals.get(request.id))?.status).toBe('REJECTED');
  });
});

describe('housekeeping', () => {
  it('sweeps expired requests and lists what is still waiting', async () => {
    let now = new Date('2026-11-29T08:00:00Z');
    const { workflow } = testWorkflow(store, { now: () => now });
    const short = await workflow.submit({ ...submission, expiresAfterMs: 60_000 });
    const long = await workflow.submit({ ...submission, requiredApprovals: 2 });
    await workflow.approve(long.id, 'U0LEAD1');
    now = new Date('2026-11-29T08:05:00Z');
    expect(await workflow.sweep()).toEqual([short.id]);
    expect((await workflow.pending()).map((p) => [p.request.id, p.approvals])).toEqual([
      [long.id, 1],
    ]);
    expect((await store.audit.list({ limit: 1 }))[0]).toMatchObject({
      actor: 'system',
      event: 'expired',
      requestId: short.id,
    });
  });
});

describe('the approval rule in force at each decision, not the one at submit', () => {
  it('an approver no longer in `from` cannot approve alone once the rule asks for 2 admins', async () => {
    const { workflow, executed, policy } = testWorkflow(store, {
      roles: { U0ADMIN1: ['admins'], U0ADMIN2: ['admins'] },
    });
    const request = await workflow.submit(submission);
    policy.rule = () => ({ outcome: 'approval', from: ['admins'], count: 2 });
    expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: false,
      error: { code: 'NOT_APPROVER', message: expect.stringMatching(/only members of admins/) },
    });
    expect(await workflow.approve(request.id, 'U0ADMIN1')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 2 },
    });
    expect(executed).toEqual([]);
    expect(await workflow.approve(request.id, 'U0ADMIN2')).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED' },
    });
    const approved = (await store.audit.list()).find((e) => e.event === 'approved');
    expect(JSON.parse(approved?.details ?? '{}')).toEqual({
      approvers: ['U0ADMIN1', 'U0ADMIN2'],
      rule: 'the policy changed since the request: it now needs 2 approvals from admins (was an approval from approvers)',
    });
  });

  it('votes by people no longer in `from` stop counting; a raised count needs the new number', async () => {
    const { workflow, executed, policy, approvers } = testWorkflow(store, {
      roles: { U0ADMIN1: ['approvers'] },
    });
    const request = await workflow.submit({ ...submission, requiredApprovals: 2 });
    await workflow.approve(request.id, 'U0LEAD1');
    approvers.delete('U0LEAD1');
    policy.rule = () => ({ outcome: 'approval', from: ['approvers'], count: 3 });
    expect(await workflow.approve(request.id, 'U0LEAD2')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 1, required: 3 },
    });
    expect(await workflow.approve(request.id, 'U0ADMIN1')).toMatchObject({
      ok: true,
      value: { status: 'PENDING', approvals: 2, required: 3 },
    });
    expect(
      (await workflow.pending()).map((p) => [p.approvals, p.request.requiredApprovals]),
    ).toEqual([[2, 3]]);
    expect(await workflow.approve(request.id, 'U0LEAD3')).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED' },
    });
    expect(executed).toHaveLength(1);
  });

  it('a rule that can no longer be met closes the request with the reason, audited', async () => {
    const { workflow, executed, policy } = testWorkflow(store);
    const request = await workflow.submit(submission);
    const reason =
      'the approval rule now needs 2 approvals from admins, and nobody but the requester holds that role';
    policy.rule = () => ({ outcome: 'approval', from: ['admins'], count: 2, impossible: reason });
    expect(await workflow.approve(request.id, 'U0LEAD1')).toEqual({
      ok: false,
      error: {
        code: 'POLICY_CHANGED',
        message: `${reason}; the request was closed without running`,
      },
    });
    expect(executed).toEqual([]);
    expect(await store.approvals.get(request.id)).toMatchObject({
      status: 'REJECTED',
      decidedBy: 'system',
      reason,
    });
    expect(
      (await store.audit.list({ limit: 2 })).map((e) => `${e.actor} ${e.event}`).reverse(),
    ).toEqual(['system rejected', 'U0LEAD1 denied']);
    expect(await workflow.reject(request.id, 'U0LEAD2', 'too late')).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_DECIDED' },
    });
  });

  it('a rule that no longer asks for approval runs the request on the first approval, and says so', async () => {
    const { workflow, executed, policy } = testWorkflow(store);
    const request = await workflow.submit({ ...submission, requiredApprovals: 3 });
    policy.rule = () => ({ outcome: 'allow' });
    expect(await workflow.approve(request.id, 'U0MALLORY')).toMatchObject({
      ok: false,
      error: { code: 'NOT_APPROVER' },
    });
    expect(await workflow.approve(request.id, 'U0LEAD1')).toMatchObject({
      ok: true,
      value: { status: 'EXECUTED' },
    });
    expect(executed).toEqual([request.id]);
    const approved = (await store.audit.list()).find((e) => e.event === 'approved');
    expect(JSON.parse(approved?.details ?? '{}').rule).toBe(
      'the policy no longer asks for approval of this; the first approval runs it',
    );
  });

  it('a rejection is judged by the rule in force too', async () => {
    const { workflow, policy } = testWorkflow(store, { roles: { U0ADMIN1: ['admins'] } });
    const request = await workflow.submit(submission);
    policy.rule = () => ({ outcome: 'approval', from: ['admins'], count: 1 });
    expect(await workflow.reject(request.id, 'U0LEAD1', 'no')).toMatchObject({
      ok: false,
      error: { code: 'NOT_APPROVER' },
    });
    expect(await workflow.reject(request.id, 'U0ADMIN1', 'no')).toMatchObject({
      ok: true,
      value: { status: 'REJECTED', decidedBy: 'U0ADMIN1' },
    });
  });
});
