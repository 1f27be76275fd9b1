import { ApprovalWorkflow, type ExecutionOutcome } from '../../src/auth/approvals.js';
import type { ApprovalRequest, Store } from '../../src/store/store.js';

/** A workflow on a store, with approvers and requesters given as plain sets, for tests. */
export function testWorkflow(
  store: Store,
  options: {
    approvers?: string[];
    revoked?: string[];
    now?: () => Date;
    execute?: (request: ApprovalRequest) => Promise<ExecutionOutcome>;
  } = {},
) {
  const executed: string[] = [];
  const approvers = new Set(options.approvers ?? ['U0LEAD1', 'U0LEAD2', 'U0LEAD3']);
  const revoked = new Set(options.revoked ?? []);
  const workflow = new ApprovalWorkflow({
    store,
    now: options.now ?? (() => new Date()),
    canApprove: async (userId) => approvers.has(userId),
    requesterStillAllowed: async (request) =>
      revoked.has(request.requestedBy)
        ? {
            ok: false,
            reason: `${request.requestedBy} may no longer create for ${request.pipelineNames.join(', ')}`,
          }
        : { ok: true },
    execute:
      options.execute ??
      (async (request) => {
        executed.push(request.id);
        return { ok: true, summary: `created schedule ${request.triggerName}` };
      }),
  });
  return { workflow, executed, approvers, revoked };
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
