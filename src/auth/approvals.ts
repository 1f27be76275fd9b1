import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { metrics } from '../ops/metrics.js';
import type {
  ApprovalClick,
  ApprovalRequest,
  RequestStatus,
  ApprovalStorage as Store,
} from './approval-store.js';
import type { AuditEntry } from './audit.js';

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

/** A process that runs approved requests, and whether one that left work behind is gone. */
export interface Runner {
  /** Stored with each attempt and each click this process records. */
  id: string;
  /** True when that runner is known to have stopped; false when alive or not knowable here. */
  isGone(runnerId: string): boolean;
}

export interface ApprovalDeps {
  store: Store;
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

/** Recovery leaves an attempt this long to a runner that may still be alive (another replica). */
export const ATTEMPT_LEASE_MS = 2 * 60_000;
/** A click recorded by a live runner is that runner's to process for this long. */
export const CLICK_GRACE_MS = 30_000;
/** How many clicks or requests one recovery looks at; the next takes the rest. */
const RECOVERY_BATCH = 500;

const statusWords: Record<RequestStatus, string> = {
  PENDING: 'still waiting',
  APPROVED: 'already approved and about to run',
  EXECUTING: 'already approved and running',
  EXECUTED: 'already approved and done',
  FAILED: 'already approved (it failed when it ran)',
  REJECTED: 'already rejected',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled by its requester',
};

export function contentHash(payload: string): string {
  return createHash('sha256').update(payload).digest('hex');
}

const thisHost = hostname();
/** Runner ids of this process: a runner id with our pid but not in here was a process before us. */
const liveRunners = new Set<string>();

/** A runner id for this process: `<host>/<pid>/<uuid>`. */
export function processRunner(): Runner {
  const id = `${thisHost}/${process.pid}/${randomUUID()}`;
  liveRunners.add(id);
  return { id, isGone: runnerIsGone };
}

/**
 * Whether the process behind a runner id has stopped. Only a process on this host can be
 * checked (SQLite is always on this host); elsewhere it is not knowable here, and only the
 * lease tells. Our own pid under another id was an earlier process (a container restarts with
 * the same pid); a pid reused by an unrelated process reads as alive, which only delays
 * recovery until the lease runs out.
 */
export function runnerIsGone(runnerId: string): boolean {
  const [host, pidText] = runnerId.split('/');
  if (host !== thisHost) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !liveRunners.has(runnerId);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The rule a decision applies: who may approve, how many approvals, and what changed. */
type RuleInForce =
  | {
      ok: true;
      from: string[];
      count: number;
      /** For the audit: how this differs from the rule the request was made under. */
      note?: string;
    }
  | { ok: false; code: 'REQUESTER_NOT_ALLOWED' | 'POLICY_CHANGED'; reason: string };

interface DecideOptions {
  clickId?: string;
  /** When the click was received: a recorded click is judged against expiry at that time. */
  clickedAt?: Date;
  /** Set when recovery processes a click the process died before processing. */
  replayed?: boolean;
}

/** Why an attempt runs: a first run, a click processed late, or an attempt taken over. */
type RunKind = 'first' | 'replayed click' | 'taken over';

export class ApprovalWorkflow {
  private readonly runner: Runner;
  private readonly leaseMs: number;
  /** Requests this process is running now: never recovered from under itself. */
  private readonly running = new Set<string>();
  private recovering: Promise<RecoveryReport> | undefined;

  constructor(private readonly deps: ApprovalDeps) {
    this.runner = deps.runner ?? processRunner();
    this.leaseMs = deps.attemptLeaseMs ?? ATTEMPT_LEASE_MS;
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
    await this.audit(request, input.requestedBy, 'requested', {
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
    const checked = await this.checkDecider(id, approverId, 'reject', this.deps.now());
    if (!checked.ok) return checked;
    const { request } = checked.value;
    const text = reason?.trim() || 'no reason given';
    const won = await this.move(
      request,
      ['PENDING'],
      'REJECTED',
      { decidedBy: approverId, reason: text, at: this.deps.now() },
      this.entry(request, approverId, 'rejected', { reason: text }),
    );
    if (!won)
      return this.refuse(
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
    if (!request) return this.unknown(id, userId);
    if (request.requestedBy !== userId)
      return this.refuse(
        request,
        userId,
        'NOT_REQUESTER',
        `only ${request.requestedBy}, who asked, can cancel request ${id}`,
      );
    const won = await this.move(
      request,
      ['PENDING'],
      'CANCELLED',
      { decidedBy: userId, at: this.deps.now() },
      this.entry(request, userId, 'cancelled'),
    );
    if (!won)
      return this.refuse(
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
      if (request) await this.audit(request, 'system', 'expired');
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
    this.recovering ??= this.recoverOnce().finally(() => {
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
      const rule = await this.ruleInForce(request);
      const from = rule.ok ? rule.from : request.approverRoles;
      const approvals = (await this.countedVotes(request, from)).length;
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
    const ran = await this.runApproved(
      request,
      seen,
      options.replayed ? 'replayed click' : 'first',
    );
    if (ran) return { ok: true, value: ran };
    const latest = await this.deps.store.approvals.get(id);
    return this.refuse(
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
    const checked = await this.checkDecider(id, approverId, 'approve', clickedAt);
    if (!checked.ok) return checked;
    const { request, rule } = checked.value;
    if (seenHash !== undefined && seenHash !== request.contentHash) {
      return this.refuse(
        request,
        approverId,
        'CHANGED',
        'this request changed after you saw it; look at it again before approving',
      );
    }
    const now = this.deps.now();
    await this.deps.store.approvals.addVote(
      { requestId: id, userId: approverId, contentHash: request.contentHash, at: now },
      this.entry(request, approverId, 'approval recorded'),
    );
    const votes = await this.countedVotes(request, rule.from, approverId);
    if (votes.length < rule.count) {
      return {
        ok: true,
        value: { status: 'PENDING', request, approvals: votes.length, required: rule.count },
      };
    }
    const won = await this.move(
      request,
      ['PENDING'],
      'APPROVED',
      { decidedBy: approverId, at: now, attemptBy: this.runner.id },
      this.entry(request, approverId, 'approved', {
        approvers: votes,
        ...(rule.note ? { rule: rule.note } : {}),
      }),
    );
    if (!won) {
      const latest = await this.deps.store.approvals.get(id);
      return this.refuse(
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

  /**
   * One attempt at running an approved request: claims it (compare-and-set on the state it was
   * seen in), keeps the claim fresh while it runs, and records the outcome. Undefined when
   * another runner claimed it first.
   */
  private async runApproved(
    request: ApprovalRequest,
    seen: { status: 'APPROVED' | 'EXECUTING'; attemptBy?: string; attemptAt?: Date },
    kind: RunKind,
  ): Promise<Extract<ApproveOutcome, { status: 'EXECUTED' | 'FAILED' }> | undefined> {
    const resumed = kind !== 'first';
    const store = this.deps.store.approvals;
    const token = request.executionToken ?? request.id;
    const claimed = await store.startAttempt(request.id, seen, {
      by: this.runner.id,
      at: this.deps.now(),
      token,
    });
    if (!claimed) return undefined;
    this.running.add(request.id);
    // A live runner renews its claim, so a slow AWS call is not taken for a dead runner's.
    const renew = setInterval(() => {
      // Best effort: a missed renewal only lets another replica run it again, idempotently.
      store.renewAttempt(request.id, this.runner.id, this.deps.now()).catch(() => {});
    }, this.leaseMs / 4);
    renew.unref();
    let outcome: ExecutionOutcome;
    try {
      // A replayed click has its own "resumed after restart" line, by the person who clicked.
      if (kind === 'taken over')
        await this.audit(request, 'system', 'resumed after restart', {
          status: seen.status,
          ...(seen.attemptBy ? { previousRunner: seen.attemptBy } : {}),
          ...(seen.attemptAt ? { previousAttemptAt: seen.attemptAt.toISOString() } : {}),
        });
      try {
        outcome = await this.deps.execute(request, { token, resumed });
      } catch (error) {
        outcome = {
          ok: false,
          summary: `running it failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      if (resumed)
        outcome = { ...outcome, summary: `${outcome.summary} (resumed after a restart)` };
      await this.move(
        request,
        ['EXECUTING'],
        outcome.ok ? 'EXECUTED' : 'FAILED',
        {
          outcome: JSON.stringify({ summary: outcome.summary, details: outcome.details }),
          at: this.deps.now(),
        },
        this.entry(request, 'system', outcome.ok ? 'executed' : 'failed', {
          summary: outcome.summary,
          ...(resumed ? { resumed: true } : {}),
        }),
      );
    } finally {
      clearInterval(renew);
      this.running.delete(request.id);
    }
    const final = (await store.get(request.id)) ?? request;
    if (final.status === 'EXECUTED' || final.status === 'FAILED') {
      // Another runner that took over a silent attempt may have finished first: its word stands.
      const recorded = parseOutcome(final.outcome);
      return {
        status: final.status,
        request: final,
        outcome: recorded ? { ...recorded, ok: final.status === 'EXECUTED' } : outcome,
      };
    }
    return { status: outcome.ok ? 'EXECUTED' : 'FAILED', request: final, outcome };
  }

  private async recoverOnce(): Promise<RecoveryReport> {
    const report: RecoveryReport = { finished: [], errors: [] };
    const attempt = async (
      requestId: string,
      work: () => Promise<RecoveredRequest | undefined>,
    ) => {
      try {
        const done = await work();
        if (done) report.finished.push(done);
      } catch (error) {
        report.errors.push({ requestId, error });
      }
    };
    // Clicks first: an acknowledged click may be the approval that makes a request run.
    for (const click of await this.deps.store.clicks.unprocessed(RECOVERY_BATCH)) {
      if (!this.abandoned(click.recordedBy, click.at, CLICK_GRACE_MS)) continue;
      await attempt(click.requestId, () => this.replayClick(click));
    }
    const now = this.deps.now().getTime();
    for (const request of await this.deps.store.approvals.list({
      status: 'PENDING',
      limit: RECOVERY_BATCH,
    })) {
      if (request.expiresAt.getTime() <= now) continue; // the sweep's to close
      await attempt(request.id, () => this.closeIfRuleForbids(request));
    }
    for (const status of ['APPROVED', 'EXECUTING'] as const) {
      for (const request of await this.deps.store.approvals.list({
        status,
        limit: RECOVERY_BATCH,
      })) {
        if (this.running.has(request.id)) continue;
        if (!this.abandoned(request.attemptBy, request.attemptAt, this.leaseMs)) continue;
        await attempt(request.id, async () => {
          const seen = {
            status,
            ...(request.attemptBy ? { attemptBy: request.attemptBy } : {}),
            ...(request.attemptAt ? { attemptAt: request.attemptAt } : {}),
          };
          const ran = await this.runApproved(request, seen, 'taken over');
          return ran && { request: ran.request, outcome: ran.outcome };
        });
      }
    }
    return report;
  }

  /**
   * Is work left by this runner at this time nobody's? A row from before runners were recorded
   * is; so is one whose runner is gone, or silent for longer than `graceMs`.
   */
  private abandoned(runnerId: string | undefined, at: Date | undefined, graceMs: number): boolean {
    if (!runnerId || !at) return true;
    if (runnerId !== this.runner.id && this.runner.isGone(runnerId)) return true;
    return this.deps.now().getTime() - at.getTime() >= graceMs;
  }

  /** An acknowledged click that was never processed, processed as if it arrived again. */
  private async replayClick(click: ApprovalClick): Promise<RecoveredRequest | undefined> {
    const request = await this.deps.store.approvals.get(click.requestId);
    if (request && request.status !== 'PENDING') {
      const votes = await this.deps.store.approvals.votes(request.id);
      if (votes.some((v) => v.userId === click.userId && v.contentHash === request.contentHash)) {
        // Counted before the crash, which came before the click was marked.
        await this.deps.store.clicks.markProcessed(click.id, this.deps.now(), 'COUNTED');
        return undefined;
      }
    }
    if (request)
      await this.audit(request, click.userId, 'resumed after restart', {
        click: click.id,
        clickedAt: click.at.toISOString(),
      });
    const result = await this.approveAs(click.requestId, click.userId, click.contentHash, {
      clickId: click.id,
      clickedAt: click.at,
      replayed: true,
    });
    if (!result.ok || result.value.status === 'PENDING') return undefined;
    return { request: result.value.request, outcome: result.value.outcome };
  }

  /** A pending request the policy in force now denies, or makes impossible to approve. */
  private async closeIfRuleForbids(
    request: ApprovalRequest,
  ): Promise<RecoveredRequest | undefined> {
    const rule = await this.ruleInForce(request);
    if (rule.ok) return undefined;
    const closed = await this.closeForRule(request, rule);
    if (!closed) return undefined;
    return { request: closed, outcome: { ok: false, summary: closedSummary(rule.reason) } };
  }

  /**
   * The rule the current policy gives this request. It decides, not the one stored at submit:
   * who may approve, how many approvals; an approval no longer asked for is satisfied by the
   * first approval from the approvers the request was sent to.
   */
  private async ruleInForce(request: ApprovalRequest): Promise<RuleInForce> {
    const now = await this.deps.ruleNow(request);
    if (now.outcome === 'deny')
      return { ok: false, code: 'REQUESTER_NOT_ALLOWED', reason: now.reason };
    if (now.outcome === 'allow')
      return {
        ok: true,
        from: request.approverRoles,
        count: 1,
        note: 'the policy no longer asks for approval of this; the first approval runs it',
      };
    if (now.impossible) return { ok: false, code: 'POLICY_CHANGED', reason: now.impossible };
    const same =
      now.count === request.requiredApprovals &&
      now.from.length === request.approverRoles.length &&
      now.from.every((role) => request.approverRoles.includes(role));
    return {
      ok: true,
      from: now.from,
      count: now.count,
      ...(same
        ? {}
        : {
            note: `the policy changed since the request: it now needs ${approvalsFrom(now.count, now.from)} (was ${approvalsFrom(request.requiredApprovals, request.approverRoles)})`,
          }),
    };
  }

  /** Closes a pending request as the system, with the reason; the closed request, or undefined. */
  private async closeForRule(
    request: ApprovalRequest,
    rule: Extract<RuleInForce, { ok: false }>,
  ): Promise<ApprovalRequest | undefined> {
    const won = await this.move(
      request,
      ['PENDING'],
      'REJECTED',
      { decidedBy: 'system', reason: rule.reason, at: this.deps.now() },
      this.entry(request, 'system', 'rejected', { code: rule.code, reason: rule.reason }),
    );
    if (!won) return undefined;
    return (await this.deps.store.approvals.get(request.id)) ?? request;
  }

  /**
   * The approvals that count for a request: distinct people, for the content it holds, who
   * hold one of `from` now (a vote by someone who lost the role no longer counts).
   */
  private async countedVotes(
    request: ApprovalRequest,
    from: string[],
    knownApprover?: string,
  ): Promise<string[]> {
    const counted: string[] = [];
    for (const vote of await this.deps.store.approvals.votes(request.id)) {
      if (vote.contentHash !== request.contentHash || vote.userId === request.requestedBy) continue;
      if (vote.userId === knownApprover || (await this.deps.canApprove(vote.userId, from)))
        counted.push(vote.userId);
    }
    return counted;
  }

  /**
   * The checks every decision makes: the request exists, is open (judged at the time of the
   * click), the rule in force still allows it, and this person may decide it under that rule.
   */
  private async checkDecider(
    id: string,
    userId: string,
    verb: 'approve' | 'reject',
    decidedAt: Date | undefined,
  ): Promise<
    ApprovalResult<{ request: ApprovalRequest; rule: Extract<RuleInForce, { ok: true }> }>
  > {
    const request = await this.deps.store.approvals.get(id);
    if (!request) return this.unknown(id, userId);
    const at = decidedAt ?? this.deps.now();
    if (request.status === 'PENDING' && request.expiresAt.getTime() <= at.getTime()) {
      await this.move(
        request,
        ['PENDING'],
        'EXPIRED',
        { at: this.deps.now() },
        this.entry(request, 'system', 'expired'),
      );
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
    const rule = await this.ruleInForce(request);
    if (!rule.ok) {
      const closed = await this.closeForRule(request, rule);
      if (!closed) {
        const latest = await this.deps.store.approvals.get(id);
        return this.refuse(
          request,
          userId,
          'ALREADY_DECIDED',
          `request ${id} is ${statusWords[latest?.status ?? 'REJECTED']}`,
        );
      }
      return this.refuse(request, userId, rule.code, closedSummary(rule.reason));
    }
    if (!(await this.deps.canApprove(userId, rule.from))) {
      return this.refuse(
        request,
        userId,
        'NOT_APPROVER',
        `only members of ${rule.from.join(' or ') || 'no role'} can ${verb} request ${id}`,
      );
    }
    return { ok: true, value: { request, rule } };
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

  /** A status move and its audit line, committed together (or neither, when another won). */
  private async move(
    request: ApprovalRequest,
    from: RequestStatus[],
    to: RequestStatus,
    fields: Parameters<Store['approvals']['transition']>[3],
    entry: AuditEntry,
  ): Promise<boolean> {
    const moved = await this.deps.store.approvals.transition(request.id, from, to, fields, entry);
    if (moved) metrics.approvals.inc({ outcome: entry.event });
    return moved;
  }

  private async audit(
    request: ApprovalRequest,
    actor: string,
    event: string,
    details?: unknown,
  ): Promise<void> {
    metrics.approvals.inc({ outcome: event });
    await this.deps.store.audit.append(this.entry(request, actor, event, details));
  }

  private entry(
    request: ApprovalRequest,
    actor: string,
    event: string,
    details?: unknown,
  ): AuditEntry {
    return {
      at: this.deps.now(),
      actor,
      event,
      action: request.action,
      pipelineNames: request.pipelineNames,
      ...(request.triggerName ? { triggerName: request.triggerName } : {}),
      requestId: request.id,
      ...(details !== undefined ? { details: JSON.stringify(details) } : {}),
    };
  }
}

function closedSummary(reason: string): string {
  return `${reason}; the request was closed without running`;
}

/** `an approval from admins`, `2 approvals from admins or leads`. */
function approvalsFrom(count: number, from: string[]): string {
  return `${count === 1 ? 'an approval' : `${count} approvals`} from ${from.join(' or ') || 'no role'}`;
}

function parseOutcome(text: string | undefined): ExecutionOutcome | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { summary?: unknown; details?: unknown };
    if (typeof parsed.summary !== 'string') return undefined;
    return {
      ok: true,
      summary: parsed.summary,
      ...(parsed.details !== undefined ? { details: parsed.details } : {}),
    };
  } catch {
    return undefined;
  }
}
