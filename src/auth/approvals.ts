import { createHash, randomUUID } from 'node:crypto';
import { metrics } from '../ops/metrics.js';
import type { ApprovalRequest, AuditEntry, RequestStatus, Store } from '../store/store.js';

/**
 * The approval workflow. A request is stored PENDING with the whole change it asks for; approvers
 * decide; PENDING → APPROVED → EXECUTED or FAILED, PENDING → REJECTED, EXPIRED or CANCELLED.
 * Every move is a compare-and-set in the store, so double clicks, two approvers at once or two
 * replicas yield exactly one execution.
 */

export type ApprovalErrorCode =
  | 'NOT_FOUND'
  | 'SELF_APPROVAL'
  | 'NOT_APPROVER'
  | 'ALREADY_DECIDED'
  | 'EXPIRED'
  | 'CHANGED'
  | 'REQUESTER_NOT_ALLOWED'
  | 'NOT_REQUESTER';

export interface ApprovalError {
  code: ApprovalErrorCode;
  message: string;
}

export type ApprovalResult<T> = { ok: true; value: T } | { ok: false; error: ApprovalError };

export interface ExecutionOutcome {
  ok: boolean;
  /** A sentence for the channel: "created schedule churn-weekdays", or the error. */
  summary: string;
  /** Details kept with the request and in the audit log. */
  details?: unknown;
}

export interface ApprovalDeps {
  store: Store;
  now: () => Date;
  /** Does this person hold one of these policy roles right now? */
  canApprove(userId: string, approverRoles: string[]): Promise<boolean>;
  /** May the requester still ask for this (they may have lost their role since)? */
  requesterStillAllowed(
    request: ApprovalRequest,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Runs the approved change, idempotently: the request id is its client token. */
  execute(request: ApprovalRequest): Promise<ExecutionOutcome>;
}

export interface SubmitInput {
  /** The change, as JSON the executor understands. */
  payload: string;
  action: string;
  pipelineNames: string[];
  triggerName?: string;
  requestedBy: string;
  channelId?: string;
  requiredApprovals: number;
  approverRoles: string[];
  expiresAfterMs: number;
}

export type ApproveOutcome =
  | { status: 'PENDING'; request: ApprovalRequest; approvals: number; required: number }
  | { status: 'EXECUTED' | 'FAILED'; request: ApprovalRequest; outcome: ExecutionOutcome };

const statusWords: Record<RequestStatus, string> = {
  PENDING: 'still waiting',
  APPROVED: 'already approved and running',
  EXECUTED: 'already approved and done',
  FAILED: 'already approved (it failed when it ran)',
  REJECTED: 'already rejected',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled by its requester',
};

export function contentHash(payload: string): string {
  return createHash('sha256').update(payload).digest('hex');
}

export class ApprovalWorkflow {
  constructor(private readonly deps: ApprovalDeps) {}

  async submit(input: SubmitInput): Promise<ApprovalRequest> {
    const now = this.deps.now();
    const request: ApprovalRequest = {
      id: `req-${randomUUID()}`,
      payload: input.payload,
      contentHash: contentHash(input.payload),
      action: input.action,
      pipelineNames: input.pipelineNames,
      ...(input.triggerName ? { triggerName: input.triggerName } : {}),
      requestedBy: input.requestedBy,
      ...(input.channelId ? { channelId: input.channelId } : {}),
      status: 'PENDING',
      requiredApprovals: Math.max(1, input.requiredApprovals),
      approverRoles: input.approverRoles,
      createdAt: now,
      expiresAt: new Date(now.getTime() + input.expiresAfterMs),
      updatedAt: now,
    };
    await this.deps.store.approvals.insert(request);
    await this.audit(request, input.requestedBy, 'requested', {
      requiredApprovals: request.requiredApprovals,
      approverRoles: request.approverRoles,
    });
    return request;
  }

  /**
   * One approver says yes. With enough distinct approvals of the content they saw, the request
   * is approved and run — by exactly one caller, however many click at once.
   */
  async approve(
    id: string,
    approverId: string,
    seenHash?: string,
  ): Promise<ApprovalResult<ApproveOutcome>> {
    const checked = await this.checkDecider(id, approverId, 'approve');
    if (!checked.ok) return checked;
    const request = checked.value;
    if (seenHash !== undefined && seenHash !== request.contentHash) {
      return this.refuse(
        request,
        approverId,
        'CHANGED',
        'this request changed after you saw it; look at it again before approving',
      );
    }
    const now = this.deps.now();
    const added = await this.deps.store.approvals.addVote({
      requestId: id,
      userId: approverId,
      contentHash: request.contentHash,
      at: now,
    });
    if (added) await this.audit(request, approverId, 'approval recorded');
    const votes = (await this.deps.store.approvals.votes(id)).filter(
      (v) => v.contentHash === request.contentHash,
    );
    if (votes.length < request.requiredApprovals) {
      return {
        ok: true,
        value: {
          status: 'PENDING',
          request,
          approvals: votes.length,
          required: request.requiredApprovals,
        },
      };
    }
    const allowed = await this.deps.requesterStillAllowed(request);
    if (!allowed.ok) {
      await this.deps.store.approvals.transition(id, ['PENDING'], 'REJECTED', {
        decidedBy: 'system',
        reason: allowed.reason,
        at: now,
      });
      return this.refuse(
        request,
        approverId,
        'REQUESTER_NOT_ALLOWED',
        `${allowed.reason}; the request was closed without running`,
      );
    }
    const won = await this.deps.store.approvals.transition(id, ['PENDING'], 'APPROVED', {
      decidedBy: approverId,
      at: now,
    });
    if (!won) {
      const latest = await this.deps.store.approvals.get(id);
      return this.refuse(
        request,
        approverId,
        'ALREADY_DECIDED',
        `request ${id} is ${statusWords[latest?.status ?? 'APPROVED']}`,
      );
    }
    await this.audit(request, approverId, 'approved', { approvers: votes.map((v) => v.userId) });
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.deps.execute(request);
    } catch (error) {
      outcome = {
        ok: false,
        summary: `running it failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const status = outcome.ok ? 'EXECUTED' : 'FAILED';
    await this.deps.store.approvals.transition(id, ['APPROVED'], status, {
      outcome: JSON.stringify({ summary: outcome.summary, details: outcome.details }),
      at: this.deps.now(),
    });
    await this.audit(request, 'system', outcome.ok ? 'executed' : 'failed', {
      summary: outcome.summary,
    });
    const final = (await this.deps.store.approvals.get(id)) ?? request;
    return { ok: true, value: { status, request: final, outcome } };
  }

  async reject(
    id: string,
    approverId: string,
    reason: string | undefined,
  ): Promise<ApprovalResult<ApprovalRequest>> {
    const checked = await this.checkDecider(id, approverId, 'reject');
    if (!checked.ok) return checked;
    const request = checked.value;
    const text = reason?.trim() || 'no reason given';
    const won = await this.deps.store.approvals.transition(id, ['PENDING'], 'REJECTED', {
      decidedBy: approverId,
      reason: text,
      at: this.deps.now(),
    });
    if (!won)
      return this.refuse(
        request,
        approverId,
        'ALREADY_DECIDED',
        `request ${id} was decided a moment ago`,
      );
    await this.audit(request, approverId, 'rejected', { reason: text });
    return { ok: true, value: (await this.deps.store.approvals.get(id)) ?? request };
  }

  /** The requester withdraws a pending request. */
  async cancel(id: string, userId: string): Promise<ApprovalResult<ApprovalRequest>> {
    const request = await this.deps.store.approvals.get(id);
    if (!request) return this.unknown(id, userId);
    if (request.requestedBy !== userId)
      return this.refuse(
        request,
        userId,
        'NOT_REQUESTER',
        `only ${request.requestedBy}, who asked, can cancel request ${id}`,
      );
    const won = await this.deps.store.approvals.transition(id, ['PENDING'], 'CANCELLED', {
      decidedBy: userId,
      at: this.deps.now(),
    });
    if (!won)
      return this.refuse(
        request,
        userId,
        'ALREADY_DECIDED',
        `request ${id} is ${statusWords[request.status]}`,
      );
    await this.audit(request, userId, 'cancelled');
    return { ok: true, value: (await this.deps.store.approvals.get(id)) ?? request };
  }

  /** Closes every pending request whose time is up. */
  async sweep(): Promise<string[]> {
    const expired = await this.deps.store.approvals.expire(this.deps.now());
    for (const id of expired) {
      const request = await this.deps.store.approvals.get(id);
      if (request) await this.audit(request, 'system', 'expired');
    }
    return expired;
  }

  /** Requests waiting for a decision, oldest first, with the approvals they have. */
  async pending(): Promise<Array<{ request: ApprovalRequest; approvals: number }>> {
    const now = this.deps.now().getTime();
    const requests = (
      await this.deps.store.approvals.list({ status: 'PENDING', limit: 200 })
    ).filter((r) => r.expiresAt.getTime() > now);
    const out: Array<{ request: ApprovalRequest; approvals: number }> = [];
    for (const request of requests.reverse()) {
      const votes = await this.deps.store.approvals.votes(request.id);
      out.push({
        request,
        approvals: votes.filter((v) => v.contentHash === request.contentHash).length,
      });
    }
    return out;
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.deps.store.approvals.get(id);
  }

  /** The checks every decision makes: the request exists, is open, and this person may decide it. */
  private async checkDecider(
    id: string,
    userId: string,
    verb: 'approve' | 'reject',
  ): Promise<ApprovalResult<ApprovalRequest>> {
    const request = await this.deps.store.approvals.get(id);
    if (!request) return this.unknown(id, userId);
    if (request.status === 'PENDING' && request.expiresAt.getTime() <= this.deps.now().getTime()) {
      await this.deps.store.approvals.transition(id, ['PENDING'], 'EXPIRED', {
        at: this.deps.now(),
      });
      await this.audit(request, 'system', 'expired');
      return this.refuse(
        request,
        userId,
        'EXPIRED',
        `request ${id} expired at ${request.expiresAt.toISOString()}; ask for it again`,
      );
    }
    if (request.status !== 'PENDING') {
      return this.refuse(
        request,
        userId,
        request.status === 'EXPIRED' ? 'EXPIRED' : 'ALREADY_DECIDED',
        `request ${id} is ${statusWords[request.status]}`,
      );
    }
    if (request.requestedBy === userId) {
      return this.refuse(
        request,
        userId,
        'SELF_APPROVAL',
        `you asked for request ${id}, so someone else must ${verb} it`,
      );
    }
    if (!(await this.deps.canApprove(userId, request.approverRoles))) {
      return this.refuse(
        request,
        userId,
        'NOT_APPROVER',
        `only members of ${request.approverRoles.join(' or ')} can ${verb} request ${id}`,
      );
    }
    return { ok: true, value: request };
  }

  private async unknown(id: string, userId: string): Promise<{ ok: false; error: ApprovalError }> {
    const message = `there is no request ${id.slice(0, 100)}`;
    await this.deps.store.audit.append({
      at: this.deps.now(),
      actor: userId,
      event: 'denied',
      pipelineNames: [],
      requestId: id.slice(0, 100),
      details: JSON.stringify({ code: 'NOT_FOUND', reason: message }),
    });
    return { ok: false, error: { code: 'NOT_FOUND', message } };
  }

  private async refuse(
    request: ApprovalRequest,
    userId: string,
    code: ApprovalErrorCode,
    message: string,
  ): Promise<{ ok: false; error: ApprovalError }> {
    await this.audit(request, userId, 'denied', { code, reason: message });
    return { ok: false, error: { code, message } };
  }

  private async audit(
    request: ApprovalRequest,
    actor: string,
    event: string,
    details?: unknown,
  ): Promise<void> {
    if (event !== 'approval recorded') metrics.approvals.inc({ outcome: event });
    const entry: AuditEntry = {
      at: this.deps.now(),
      actor,
      event,
      action: request.action,
      pipelineNames: request.pipelineNames,
      ...(request.triggerName ? { triggerName: request.triggerName } : {}),
      requestId: request.id,
      ...(details !== undefined ? { details: JSON.stringify(details) } : {}),
    };
    await this.deps.store.audit.append(entry);
  }
}
