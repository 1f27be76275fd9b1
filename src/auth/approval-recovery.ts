import type { ApprovalAttempts, AttemptContext } from './approval-attempts.js';
import { type ApprovalRules, closedSummary } from './approval-rules.js';
import type { ApprovalClick, ApprovalRequest } from './approval-store.js';
import type {
  ApprovalResult,
  ApproveOutcome,
  DecideOptions,
  RecoveredRequest,
  RecoveryReport,
} from './approvals.js';

/** A click recorded by a live runner is that runner's to process for this long. */
export const CLICK_GRACE_MS = 30_000;
/** How many clicks or requests one recovery looks at; the next takes the rest. */
const RECOVERY_BATCH = 500;

/**
 * One recovery pass: finishes what a crash (or a replica that stopped) left in between.
 * Clicks acknowledged but never processed are processed again; pending requests the rule in
 * force forbids are closed; attempts whose runner is gone or silent are taken over.
 */
export class ApprovalRecovery {
  constructor(
    private readonly deps: AttemptContext & {
      attempts: ApprovalAttempts;
      rules: ApprovalRules;
      /** The workflow's approval, for a click processed late. */
      approve(
        id: string,
        approverId: string,
        seenHash: string | undefined,
        options: DecideOptions,
      ): Promise<ApprovalResult<ApproveOutcome>>;
    },
  ) {}

  async run(): Promise<RecoveryReport> {
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
        if (this.deps.attempts.isRunning(request.id)) continue;
        if (!this.abandoned(request.attemptBy, request.attemptAt, this.deps.leaseMs)) continue;
        await attempt(request.id, async () => {
          const seen = {
            status,
            ...(request.attemptBy ? { attemptBy: request.attemptBy } : {}),
            ...(request.attemptAt ? { attemptAt: request.attemptAt } : {}),
          };
          const ran = await this.deps.attempts.run(request, seen, 'taken over');
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
    if (runnerId !== this.deps.runner.id && this.deps.runner.isGone(runnerId)) return true;
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
      await this.deps.journal.audit(request, click.userId, 'resumed after restart', {
        click: click.id,
        clickedAt: click.at.toISOString(),
      });
    const result = await this.deps.approve(click.requestId, click.userId, click.contentHash, {
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
    const rule = await this.deps.rules.inForce(request);
    if (rule.ok) return undefined;
    const closed = await this.deps.rules.close(request, rule);
    if (!closed) return undefined;
    return { request: closed, outcome: { ok: false, summary: closedSummary(rule.reason) } };
  }
}
