import type { ApprovalJournal } from './approval-journal.js';
import { statusWords } from './approval-journal.js';
import type { ApprovalRequest, ApprovalStorage } from './approval-store.js';
import type { ApprovalDeps, ApprovalResult } from './approvals.js';

/** The rule a decision applies: who may approve, how many approvals, and what changed. */
export type RuleInForce =
  | {
      ok: true;
      from: string[];
      count: number;
      /** For the audit: how this differs from the rule the request was made under. */
      note?: string;
    }
  | { ok: false; code: 'REQUESTER_NOT_ALLOWED' | 'POLICY_CHANGED'; reason: string };

/**
 * The approval rule at the moment of each decision: what the policy in force now asks of a
 * request, whose votes count under it, and whether this person may decide it.
 */
export class ApprovalRules {
  constructor(
    private readonly deps: {
      store: ApprovalStorage;
      now: () => Date;
      canApprove: ApprovalDeps['canApprove'];
      ruleNow: ApprovalDeps['ruleNow'];
      journal: ApprovalJournal;
    },
  ) {}

  /**
   * The rule the current policy gives this request. It decides, not the one stored at submit:
   * who may approve, how many approvals; an approval no longer asked for is satisfied by the
   * first approval from the approvers the request was sent to.
   */
  async inForce(request: ApprovalRequest): Promise<RuleInForce> {
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
  async close(
    request: ApprovalRequest,
    rule: Extract<RuleInForce, { ok: false }>,
  ): Promise<ApprovalRequest | undefined> {
    const journal = this.deps.journal;
    const won = await journal.move(
      request,
      ['PENDING'],
      'REJECTED',
      { decidedBy: 'system', reason: rule.reason, at: this.deps.now() },
      journal.entry(request, 'system', 'rejected', { code: rule.code, reason: rule.reason }),
    );
    if (!won) return undefined;
    return (await this.deps.store.approvals.get(request.id)) ?? request;
  }

  /**
   * The approvals that count for a request: distinct people, for the content it holds, who
   * hold one of `from` now (a vote by someone who lost the role no longer counts).
   */
  async countedVotes(
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
  async checkDecider(
    id: string,
    userId: string,
    verb: 'approve' | 'reject',
    decidedAt: Date | undefined,
  ): Promise<
    ApprovalResult<{ request: ApprovalRequest; rule: Extract<RuleInForce, { ok: true }> }>
  > {
    const journal = this.deps.journal;
    const request = await this.deps.store.approvals.get(id);
    if (!request) return journal.unknown(id, userId);
    const at = decidedAt ?? this.deps.now();
    if (request.status === 'PENDING' && request.expiresAt.getTime() <= at.getTime()) {
      await journal.move(
        request,
        ['PENDING'],
        'EXPIRED',
        { at: this.deps.now() },
        journal.entry(request, 'system', 'expired'),
      );
      return journal.refuse(
        request,
        userId,
        'EXPIRED',
        `request ${id} expired at ${request.expiresAt.toISOString()}; ask for it again`,
      );
    }
    if (request.status !== 'PENDING') {
      return journal.refuse(
        request,
        userId,
        request.status === 'EXPIRED' ? 'EXPIRED' : 'ALREADY_DECIDED',
        `request ${id} is ${statusWords[request.status]}`,
      );
    }
    if (request.requestedBy === userId) {
      return journal.refuse(
        request,
        userId,
        'SELF_APPROVAL',
        `you asked for request ${id}, so someone else must ${verb} it`,
      );
    }
    const rule = await this.inForce(request);
    if (!rule.ok) {
      const closed = await this.close(request, rule);
      if (!closed) {
        const latest = await this.deps.store.approvals.get(id);
        return journal.refuse(
          request,
          userId,
          'ALREADY_DECIDED',
          `request ${id} is ${statusWords[latest?.status ?? 'REJECTED']}`,
        );
      }
      return journal.refuse(request, userId, rule.code, closedSummary(rule.reason));
    }
    if (!(await this.deps.canApprove(userId, rule.from))) {
      return journal.refuse(
        request,
        userId,
        'NOT_APPROVER',
        `only members of ${rule.from.join(' or ') || 'no role'} can ${verb} request ${id}`,
      );
    }
    return { ok: true, value: { request, rule } };
  }
}

/** What a request closed by the rule in force says about itself. */
export function closedSummary(reason: string): string {
  return `${reason}; the request was closed without running`;
}

/** `an approval from admins`, `2 approvals from admins or leads`. */
function approvalsFrom(count: number, from: string[]): string {
  return `${count === 1 ? 'an approval' : `${count} approvals`} from ${from.join(' or ') || 'no role'}`;
}
