import type { ApprovalJournal } from './approval-journal.js';
import type { Runner } from './approval-runner.js';
import type { ApprovalRequest, ApprovalStorage } from './approval-store.js';
import type { ApprovalDeps, ApproveOutcome, ExecutionOutcome } from './approvals.js';

/** Recovery leaves an attempt this long to a runner that may still be alive (another replica). */
export const ATTEMPT_LEASE_MS = 2 * 60_000;

/** Why an attempt runs: a first run, a click processed late, or an attempt taken over. */
export type RunKind = 'first' | 'replayed click' | 'taken over';

/** The state a request was seen in, which claiming an attempt compares against. */
export type SeenAttempt = {
  status: 'APPROVED' | 'EXECUTING';
  attemptBy?: string;
  attemptAt?: Date;
};

/** What running and recovering attempts share: the store, the clock, this runner, the lease. */
export interface AttemptContext {
  store: ApprovalStorage;
  now: () => Date;
  runner: Runner;
  leaseMs: number;
  journal: ApprovalJournal;
}

/**
 * Runs approved requests, one attempt at a time per request: the attempt is a recorded step
 * (claimed by compare-and-set, renewed while it runs, finished with its outcome), so a crash
 * mid-run leaves a request recovery can take over under the same idempotency token.
 */
export class ApprovalAttempts {
  /** Requests this process is running now: never recovered from under itself. */
  private readonly running = new Set<string>();

  constructor(private readonly deps: AttemptContext & { execute: ApprovalDeps['execute'] }) {}

  /** Is this process running that request now? */
  isRunning(requestId: string): boolean {
    return this.running.has(requestId);
  }

  /**
   * One attempt at running an approved request: claims it (compare-and-set on the state it was
   * seen in), keeps the claim fresh while it runs, and records the outcome. Undefined when
   * another runner claimed it first.
   */
  async run(
    request: ApprovalRequest,
    seen: SeenAttempt,
    kind: RunKind,
  ): Promise<Extract<ApproveOutcome, { status: 'EXECUTED' | 'FAILED' }> | undefined> {
    const { runner, journal } = this.deps;
    const resumed = kind !== 'first';
    const store = this.deps.store.approvals;
    const token = request.executionToken ?? request.id;
    const claimed = await store.startAttempt(request.id, seen, {
      by: runner.id,
      at: this.deps.now(),
      token,
    });
    if (!claimed) return undefined;
    this.running.add(request.id);
    // A live runner renews its claim, so a slow AWS call is not taken for a dead runner's.
    const renew = setInterval(() => {
      // Best effort: a missed renewal only lets another replica run it again, idempotently.
      store.renewAttempt(request.id, runner.id, this.deps.now()).catch(() => {});
    }, this.deps.leaseMs / 4);
    renew.unref();
    let outcome: ExecutionOutcome;
    try {
      // A replayed click has its own "resumed after restart" line, by the person who clicked.
      if (kind === 'taken over')
        await journal.audit(request, 'system', 'resumed after restart', {
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
      await journal.move(
        request,
        ['EXECUTING'],
        outcome.ok ? 'EXECUTED' : 'FAILED',
        {
          outcome: JSON.stringify({ summary: outcome.summary, details: outcome.details }),
          at: this.deps.now(),
        },
        journal.entry(request, 'system', outcome.ok ? 'executed' : 'failed', {
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
