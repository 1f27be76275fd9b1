import type { ApprovalMetrics } from './approval-metrics.js';
import type {
  ApprovalRequest,
  ApprovalStorage,
  RequestStatus,
  TransitionFields,
} from './approval-store.js';
import type { ApprovalError, ApprovalErrorCode } from './approvals.js';
import type { AuditEntry } from './audit.js';

/** How a request's status reads in a refusal: "request … is already rejected". */
export const statusWords: Record<RequestStatus, string> = {
  PENDING: 'still waiting',
  APPROVED: 'already approved and about to run',
  EXECUTING: 'already approved and running',
  EXECUTED: 'already approved and done',
  FAILED: 'already approved (it failed when it ran)',
  REJECTED: 'already rejected',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled by its requester',
};

/**
 * What the approval workflow writes down: each status move with its audit line (committed
 * together), each other audit line, and each refusal; every one counted as an approval event.
 */
export class ApprovalJournal {
  constructor(
    private readonly store: ApprovalStorage,
    private readonly now: () => Date,
    private readonly metrics: ApprovalMetrics,
  ) {}

  /** A status move and its audit line, committed together (or neither, when another won). */
  async move(
    request: ApprovalRequest,
    from: RequestStatus[],
    to: RequestStatus,
    fields: TransitionFields,
    entry: AuditEntry,
  ): Promise<boolean> {
    const moved = await this.store.approvals.transition(request.id, from, to, fields, entry);
    if (moved) this.metrics.approvalEvent(entry.event);
    return moved;
  }

  async audit(
    request: ApprovalRequest,
    actor: string,
    event: string,
    details?: unknown,
  ): Promise<void> {
    this.metrics.approvalEvent(event);
    await this.store.audit.append(this.entry(request, actor, event, details));
  }

  entry(request: ApprovalRequest, actor: string, event: string, details?: unknown): AuditEntry {
    return {
      at: this.now(),
      actor,
      event,
      action: request.action,
      pipelineNames: request.pipelineNames,
      ...(request.triggerName ? { triggerName: request.triggerName } : {}),
      requestId: request.id,
      ...(details !== undefined ? { details: JSON.stringify(details) } : {}),
    };
  }

  async refuse(
    request: ApprovalRequest,
    userId: string,
    code: ApprovalErrorCode,
    message: string,
  ): Promise<{ ok: false; error: ApprovalError }> {
    await this.audit(request, userId, 'denied', { code, reason: message });
    return { ok: false, error: { code, message } };
  }

  /** A decision on a request that does not exist: denied, and audited without a request. */
  async unknown(id: string, userId: string): Promise<{ ok: false; error: ApprovalError }> {
    const message = `there is no request ${id.slice(0, 100)}`;
    await this.store.audit.append({
      at: this.now(),
      actor: userId,
      event: 'denied',
      pipelineNames: [],
      requestId: id.slice(0, 100),
      details: JSON.stringify({ code: 'NOT_FOUND', reason: message }),
    });
    return { ok: false, error: { code: 'NOT_FOUND', message } };
  }
}
