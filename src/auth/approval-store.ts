import type { TriggerRecordRepository } from '../scheduling/trigger-records.js';
import type { AuditEntry, AuditLog } from './audit.js';

/**
 * What the approval workflow keeps: requests with their votes, and the clicks that lead to
 * votes. Declared here, beside the workflow that relies on each guarantee (compare-and-set
 * moves, one vote per person, the audit line committed with its change); `src/store`
 * implements it on SQLite and PostgreSQL.
 */

/**
 * PENDING → APPROVED (enough votes, the decision recorded) → EXECUTING (a runner claimed it and
 * is running it) → EXECUTED or FAILED; PENDING → REJECTED, EXPIRED or CANCELLED.
 */
export type RequestStatus =
  | 'PENDING'
  | 'APPROVED'
  | 'EXECUTING'
  | 'EXECUTED'
  | 'FAILED'
  | 'REJECTED'
  | 'EXPIRED'
  | 'CANCELLED';

/** A change someone asked for that waits for approval (or has been decided). */
export interface ApprovalRequest {
  id: string;
  /** The command as the requester gave it (JSON): what runs once approved. */
  payload: string;
  /** sha256 of the payload: an approval counts only for the exact content it saw. */
  contentHash: string;
  action: string;
  pipelineNames: string[];
  triggerName?: string;
  requestedBy: string;
  channelId?: string;
  status: RequestStatus;
  requiredApprovals: number;
  /** Policy roles whose members may approve. */
  approverRoles: string[];
  decidedBy?: string;
  reason?: string;
  /** What running it produced (JSON), once EXECUTED or FAILED. */
  outcome?: string;
  /**
   * The runner (process) that will run or is running it, set once APPROVED: recovery leaves a
   * request alone while that runner is alive and its attempt is fresh.
   */
  attemptBy?: string;
  /** When that runner claimed it or last said it is still working on it. */
  attemptAt?: Date;
  /** How many times a runner started running it (more than 1: resumed after a crash). */
  attempts?: number;
  /** The idempotency token every attempt runs under, so a resumed attempt changes AWS once. */
  executionToken?: string;
  createdAt: Date;
  expiresAt: Date;
  updatedAt: Date;
}

export interface ApprovalVote {
  requestId: string;
  userId: string;
  contentHash: string;
  at: Date;
}

/**
 * An approval click as received, stored before Slack is answered: a click that was acknowledged
 * is never lost, even when the process dies before it counts the vote.
 */
export interface ApprovalClick {
  id: string;
  requestId: string;
  userId: string;
  /** The content hash the button carried, when it carried one. */
  contentHash?: string;
  teamId?: string;
  /** The runner (process) that recorded it: recovery takes over clicks whose runner is gone. */
  recordedBy?: string;
  at: Date;
  processedAt?: Date;
  /** What processing it gave: PENDING, APPROVED, COUNTED or the refusal code. */
  result?: string;
}

/** What a status move records besides the status; unset fields keep their value. */
export interface TransitionFields {
  decidedBy?: string;
  reason?: string;
  outcome?: string;
  at: Date;
  /** Who will run it, on the move to APPROVED (recovery leaves it to a live runner). */
  attemptBy?: string;
}

export interface ApprovalRepository {
  insert(request: ApprovalRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /** Requests whose id starts with `prefix` (letters, digits and "-" only), newest first. */
  withIdPrefix(prefix: string, limit: number): Promise<ApprovalRequest[]>;
  /** Newest first. */
  list(query?: { status?: RequestStatus; limit?: number }): Promise<ApprovalRequest[]>;
  /**
   * Records one person's approval; false when they had already approved. `audit` is
   * appended in the same transaction, only when the vote is new.
   */
  addVote(vote: ApprovalVote, audit?: AuditEntry): Promise<boolean>;
  votes(requestId: string): Promise<ApprovalVote[]>;
  /**
   * Compare-and-set on the status: moves the request from one of `from` to `to` and returns
   * true, or changes nothing and returns false when another caller moved it first. `audit`
   * is appended in the same transaction, only when the move happens: a crash can never leave
   * a status change without its line in the audit log.
   */
  transition(
    id: string,
    from: RequestStatus[],
    to: RequestStatus,
    fields: TransitionFields,
    audit?: AuditEntry,
  ): Promise<boolean>;
  /**
   * Starts an execution attempt by compare-and-set: when the request is still exactly as
   * `seen` (status, runner, attempt time), moves it to EXECUTING under runner `next.by` at
   * `next.at`, keeps the first token it ran under, and counts the attempt. False when another
   * runner moved it first.
   */
  startAttempt(
    id: string,
    seen: { status: 'APPROVED' | 'EXECUTING'; attemptBy?: string; attemptAt?: Date },
    next: { by: string; at: Date; token: string },
  ): Promise<boolean>;
  /** The runner says it is still at work: refreshes the attempt time while it holds it. */
  renewAttempt(id: string, by: string, at: Date): Promise<boolean>;
  /** Moves every PENDING request whose time is up to EXPIRED; returns their ids. */
  expire(now: Date): Promise<string[]>;
}

/** Approval clicks, recorded before they are acknowledged and marked once processed. */
export interface ApprovalClickRepository {
  insert(click: ApprovalClick): Promise<void>;
  /** Marks a click processed with its result; false when it was processed already. */
  markProcessed(id: string, at: Date, result: string): Promise<boolean>;
  /** Clicks never processed, oldest first. */
  unprocessed(limit: number): Promise<ApprovalClick[]>;
  /** A request's clicks, oldest first. */
  forRequest(requestId: string): Promise<ApprovalClick[]>;
}

/** Everything the approval workflow reads and writes. */
export interface ApprovalStorage {
  approvals: ApprovalRepository;
  clicks: ApprovalClickRepository;
  audit: AuditLog;
}

/**
 * The workflow's storage, and the triggers each request made: a create resumed after a crash
 * answers "already exists", and the record carrying the request's token shows it was its own.
 */
export interface AccessStorage extends ApprovalStorage {
  triggerRecords: Pick<TriggerRecordRepository, 'forRequest'>;
}
