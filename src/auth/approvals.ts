import { createHash, randomUUID } from 'node:crypto';
import { ApprovalAttempts, ATTEMPT_LEASE_MS } from './approval-attempts.js';
import { ApprovalJournal, statusWords } from './approval-journal.js';
import { type ApprovalMetrics, noApprovalMetrics } from './approval-metrics.js';
import { ApprovalRecovery } from './approval-recovery.js';
import { ApprovalRules } from './approval-rules.js';
import { processRunner, type Runner } from './approval-runner.js';
import type { ApprovalRequest, ApprovalStorage } from './approval-store.js';

/**
 * The approval workflow. A request is stored PENDING with the whole change it asks for;
 * approvers decide under the approval rule in force at the moment of each decision;
 * PENDING → APPROVED → EXECUTING → EXECUTED or FAILED, PENDING → REJECTED, EXPIRED or
 * CANCELLED. Every move is a compare-and-set in the store, so double clicks, two approvers at
 * once or two replicas yield exactly one execution; running is a recorded step, so a request
 * a crash left APPROVED or EXECUTING is finished by `recover()`, under the same idempotency
 * token.
 */

export type ApprovalErrorCode =
  | 'NOT_FOUND'
  | 'SELF_APPROVAL'
  | 'NOT_APPROVER'
  | 'ALREADY_DECIDED'
  | 'EXPIRED'
  | 'CHANGED'
  | 'REQUESTER_NOT_ALLOWED'
  | 'POLICY_CHANGED'
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

/** What the policy in force now says about a request, asked afresh at every decision. */
export type RuleNow =
  | {
      outcome: 'approval';
      /** Policy roles whose holders may approve now. */
      from: string[];
      count: number;
      /** Set when nobody could ever give enough approvals (no one but the requester holds `from`). */
      impossible?: string;
    }
  /** The rule no longer asks for approval: the request is run on the first valid approval. */
  | { outcome: 'allow' }
  /** The requester may no longer ask for this at all. */
  | { outcome: 'deny'; reason: string };

export interface ApprovalDeps {
  store: ApprovalStorage;
  now: () => Date;
  /** Does this person hold one of these policy roles right now? */
  canApprove(userId: string, approverRoles: string[]): Promise<boolean>;
  /** The approval rule the current policy gives this request (its requester, its change). */
  ruleNow(request: ApprovalRequest): Promise<RuleNow>;
  /**
   * Runs the approved change, idempotently: `token` (the request id) is its client token, so a
   * resumed attempt makes the change once.
   */
  execute(
    request: ApprovalRequest,
    attempt: { token: string; resumed: boolean },
  ): Promise<ExecutionOutcome>;
  /** This process as a runner; `processRunner()` unless a test stands in for another process. */
  runner?: Runner;
  /** How long recovery leaves an attempt alone whose runner may be alive elsewhere. */
  attemptLeaseMs?: number;
  /** Where workflow events are counted; nowhere when unset. */
  metrics?: ApprovalMetrics;
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

/** A request recovery finished or closed, with what to tell its channel. */
export interface RecoveredRequest {
  request: ApprovalRequest;
  outcome: ExecutionOutcome;
}

export interface RecoveryReport {
  /** Requests that reached a final state during this recovery. */
  finished: RecoveredRequest[];
  /** What could not be recovered this time (the next recovery tries again). */
  errors: Array<{ requestId: string; error: unknown }>;
}

export function contentHash(payload: string): string {
  return createHash('sha256').update(payload).digest('hex');
}

/** How an approval came: the recorded click it answers, when, and whether recovery replays it. */
export interface DecideOptions {
  clickId?: string;
  /** When the click was received: a recorded click is judged against expiry at that time. */
  clickedAt?: Date;
  /** Set when recovery processes a click the process died before processing. */
  replayed?: boolean;
}

export class ApprovalWorkflow {
  private readonly runner: Runner;
  private readonly journal: ApprovalJournal;
  private readonly rules: ApprovalRules;
  private readonly attempts: ApprovalAttempts;
  private readonly recovery: ApprovalRecovery;
  private recovering: Promise<RecoveryReport> | undefined;

  constructor(private readonly deps: ApprovalDeps) {
    const { store, now } = deps;
    this.runner = deps.runner ?? processRunner();
    const leaseMs = deps.attemptLeaseMs ?? ATTEMPT_LEASE_MS;
    const journal = new ApprovalJournal(store, now, deps.metrics ?? noApprovalMetrics);
    this.journal = journal;
    this.rules = new ApprovalRules({
      store,
      now,
      canApprove: deps.canApprove,
      ruleNow: deps.ruleNow,
      journal,
    });
    const context = { store, now, runner: this.runner, leaseMs, journal };
    this.attempts = new ApprovalAttempts({ ...context, execute: deps.execute });
    this.recovery = new ApprovalRecovery({
      ...context,
      attempts: this.attempts,
      rules: this.rules,
      approve: (id, approverId, seenHash, options) =>
        this.approveAs(id, approverId, seenHash, options),
    });
  }

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
    await this.journal.audit(request, input.requestedBy, 'requested', {
      requiredApprovals: request.requiredApprovals,
      approverRoles: request.approverRoles,
    });
    return request;
  }

  /**
   * Stores an approval click as received, before Slack is answered: one insert, no policy or
   * identity lookups, so it fits in the three seconds. Pass the id to `approve`; a click
   * never processed (the process died) is processed by `recover()`.
   */
  async recordClick(click: {
    requestId: string;
    userId: string;
    contentHash?: string;
    teamId?: string;
    at?: Date;
  }): Promise<string> {
    const id = `click-${randomUUID()}`;
    // The button value is the clicker's to forge: keep what is stored bounded.
    await this.deps.store.clicks.insert({
      id,
      requestId: click.requestId.slice(0, 100),
      userId: click.userId.slice(0, 64),
      ...(click.contentHash ? { contentHash: click.contentHash.slice(0, 128) } : {}),
      ...(click.teamId ? { teamId: click.teamId.slice(0, 64) } : {}),
      recordedBy: this.runner.id,
      at: click.at ?? this.deps.now(),
    });
    return id;
  }

  /**
   * One approver says yes. With enough distinct approvals of the content they saw, from people
   * the rule in force now accepts, the request is approved and run — by exactly one caller,
   * however many click at once. With `clickId`, that recorded click is marked processed once
   * its vote is stored.
   */
  async approve(
    id: string,
    approverId: string,
    seenHash?: string,
    options: { clickId?: string } = {},
  ): Promise<ApprovalResult<ApproveOutcome>> {
    return this.approveAs(id, approverId, seenHash, options);
  }

  async reject(
    id: string,
    approverId: string,
    reason: string | undefined,
  ): Promise<ApprovalResult<ApprovalRequest>> {
    const checked = await this.rules.checkDecider(id, approverId, 'reject', this.deps.now());
    if (!checked.ok) return checked;
    const { request } = checked.value;
    const text = reason?.trim() || 'no reason given';
    const won = await this.journal.move(
      request,
      ['PENDING'],
      'REJECTED',
      { decidedBy: approverId, reason: text, at: this.deps.now() },
      this.journal.entry(request, approverId, 'rejected', { reason: text }),
    );
    if (!won)
      return this.journal.refuse(
        request,
        approverId,
        'ALREADY_DECIDED',
        `request ${id} was decided a moment ago`,
      );
    return { ok: true, value: (await this.deps.store.approvals.get(id)) ?? request };
  }

  /** The requester withdraws a pending request. */
  async cancel(id: string, userId: string): Promise<ApprovalResult<ApprovalRequest>> {
    const request = await this.deps.store.approvals.get(id);
    if (!request) return this.journal.unknown(id, userId);
    if (request.requestedBy !== userId)
      return this.journal.refuse(
        request,
        userId,
        'NOT_REQUESTER',
        `only ${request.requestedBy}, who asked, can cancel request ${id}`,
      );
    const won = await this.journal.move(
      request,
      ['PENDING'],
      'CANCELLED',
      { decidedBy: userId, at: this.deps.now() },
      this.journal.entry(request, userId, 'cancelled'),
    );
    if (!won)
      return this.journal.refuse(
        request,
        userId,
        'ALREADY_DECIDED',
        `request ${id} is ${statusWords[request.status]}`,
      );
    return { ok: true, value: (await this.deps.store.approvals.get(id)) ?? request };
  }

  /** Closes every pending request whose time is up. */
  async sweep(): Promise<string[]> {
    const expired = await this.deps.store.approvals.expire(this.deps.now());
    for (const id of expired) {
      const request = await this.deps.store.approvals.get(id);
      if (request) await this.journal.audit(request, 'system', 'expired');
    }
    return expired;
  }

  /**
   * Finishes what a crash (or a replica that stopped) left in between, and is safe to call at
   * any time, from any replica: acknowledged clicks never processed are processed as if they
   * arrived again; pending requests the current policy denies or makes impossible are closed;
   * requests APPROVED or EXECUTING whose runner is gone (or silent for longer than the lease)
   * are run again under the same token, then finished. Concurrent calls share one pass.
   */
  recover(): Promise<RecoveryReport> {
    this.recovering ??= this.recovery.run().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  /**
   * Requests waiting for a decision, oldest first, with the approvals that count: shown with
   * the requirement of the rule in force now, which is what decides.
   */
  async pending(): Promise<Array<{ request: ApprovalRequest; approvals: number }>> {
    const now = this.deps.now().getTime();
    const requests = (
      await this.deps.store.approvals.list({ status: 'PENDING', limit: 200 })
    ).filter((r) => r.expiresAt.getTime() > now);
    const out: Array<{ request: ApprovalRequest; approvals: number }> = [];
    for (const request of requests.reverse()) {
      const rule = await this.rules.inForce(request);
      const from = rule.ok ? rule.from : request.approverRoles;
      const approvals = (await this.rules.countedVotes(request, from)).length;
      out.push({
        request: rule.ok
          ? { ...request, requiredApprovals: rule.count, approverRoles: rule.from }
          : request,
        approvals,
      });
    }
    return out;
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.deps.store.approvals.get(id);
  }

  /**
   * The request a typed id means: the whole id, or a unique start of it (`req-` may be left
   * out, as the docs abbreviate ids: `approve 3f2a9c`). At least four characters after `req-`.
   */
  async resolveId(
    typed: string,
  ): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
    if (await this.deps.store.approvals.get(typed)) return { ok: true, id: typed };
    const lower = typed.toLowerCase();
    const prefix = lower.startsWith('req-') ? lower : `req-${lower}`;
    if (!/^req-[0-9a-f-]{4,}$/.test(prefix))
      return {
        ok: false,
        message: `there is no request ${typed} (give its id, or at least its first 4 characters)`,
      };
    const found = await this.deps.store.approvals.withIdPrefix(prefix, 3);
    const [only, second] = found;
    if (only && !second) return { ok: true, id: only.id };
    if (second)
      return {
        ok: false,
        message: `${typed} is the start of more than one request (${found
          .slice(0, 2)
          .map((r) => r.id)
          .join(', ')}${found.length > 2 ? ', …' : ''}): type more of it`,
      };
    return { ok: false, message: `there is no request ${typed}` };
  }

  private async approveAs(
    id: string,
    approverId: string,
    seenHash: string | undefined,
    options: DecideOptions,
  ): Promise<ApprovalResult<ApproveOutcome>> {
    const decided = await this.decideApproval(id, approverId, seenHash, options.clickedAt);
    if (options.clickId) {
      // The vote (or the refusal) is stored: processing the click again would add nothing.
      const result = decided.ok ? decided.value.status : decided.error.code;
      await this.deps.store.clicks.markProcessed(options.clickId, this.deps.now(), result);
    }
    if (!decided.ok) return decided;
    if (decided.value.status === 'PENDING') return { ok: true, value: decided.value };
    const { request, seen } = decided.value;
    const ran = await this.attempts.run(
      request,
      seen,
      options.replayed ? 'replayed click' : 'first',
    );
    if (ran) return { ok: true, value: ran };
    const latest = await this.deps.store.approvals.get(id);
    return this.journal.refuse(
      request,
      approverId,
      'ALREADY_DECIDED',
      `request ${id} is ${statusWords[latest?.status ?? 'EXECUTING']}`,
    );
  }

  /** Counts this approval; moves the request to APPROVED when the rule in force is met. */
  private async decideApproval(
    id: string,
    approverId: string,
    seenHash: string | undefined,
    clickedAt: Date | undefined,
  ): Promise<
    ApprovalResult<
      | Extract<ApproveOutcome, { status: 'PENDING' }>
      | {
          status: 'APPROVED';
          request: ApprovalRequest;
          seen: { status: 'APPROVED'; attemptBy: string; attemptAt: Date };
        }
    >
  > {
    const checked = await this.rules.checkDecider(id, approverId, 'approve', clickedAt);
    if (!checked.ok) return checked;
    const { request, rule } = checked.value;
    if (seenHash !== undefined && seenHash !== request.contentHash) {
      return this.journal.refuse(
        request,
        approverId,
        'CHANGED',
        'this request changed after you saw it; look at it again before approving',
      );
    }
    const now = this.deps.now();
    await this.deps.store.approvals.addVote(
      { requestId: id, userId: approverId, contentHash: request.contentHash, at: now },
      this.journal.entry(request, approverId, 'approval recorded'),
    );
    const votes = await this.rules.countedVotes(request, rule.from, approverId);
    if (votes.length < rule.count) {
      return {
        ok: true,
        value: { status: 'PENDING', request, approvals: votes.length, required: rule.count },
      };
    }
    const won = await this.journal.move(
      request,
      ['PENDING'],
      'APPROVED',
      { decidedBy: approverId, at: now, attemptBy: this.runner.id },
      this.journal.entry(request, approverId, 'approved', {
        approvers: votes,
        ...(rule.note ? { rule: rule.note } : {}),
      }),
    );
    if (!won) {
      const latest = await this.deps.store.approvals.get(id);
      return this.journal.refuse(
        request,
        approverId,
        'ALREADY_DECIDED',
        `request ${id} is ${statusWords[latest?.status ?? 'APPROVED']}`,
      );
    }
    return {
      ok: true,
      value: {
        status: 'APPROVED',
        request: { ...request, status: 'APPROVED', decidedBy: approverId },
        seen: { status: 'APPROVED', attemptBy: this.runner.id, attemptAt: now },
      },
    };
  }
}
