/**
 * Everything the bot keeps, behind one interface: SQLite by default, PostgreSQL for several
 * replicas. AWS stays the source of truth for schedules and rules; the store keeps what AWS
 * cannot (who asked for a trigger and what we sent), and, for the embedded local back end, the
 * state that stands in for AWS.
 *
 * Every method is async so the PostgreSQL implementation fits the same shape.
 */

/** What the bot recorded when it created or changed a trigger: for drift and attribution. */
export interface TriggerRecord {
  kind: 'schedule' | 'event';
  /** `group/name` for schedules, the rule name for event triggers. */
  key: string;
  pipelineNames: string[];
  /** The trigger as the bot last wrote it (JSON of ScheduleTrigger or EventTrigger). */
  spec: string;
  createdBy?: string;
  approvedBy?: string[];
  requestId?: string;
  /** The Slack channel it was asked for in: its executions are posted there. */
  channelId?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of the local back end: an opaque JSON document with the few fields queries need. */
export interface LocalRow {
  key: string;
  /** Secondary key used by lookups (e.g. the pipeline of an execution). */
  ref?: string;
  json: string;
  updatedAt: Date;
}

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

/** One line of the append-only audit log. */
export interface AuditEntry {
  at: Date;
  /** Who did it: a Slack user id, `cli:<user>`, `system`. */
  actor: string;
  /** requested, allowed, denied, approved, rejected, cancelled, expired, executed, failed, … */
  event: string;
  action?: string;
  pipelineNames: string[];
  triggerName?: string;
  requestId?: string;
  /** Details for an operator (JSON): the reason, the outcome, the error. */
  details?: string;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export interface MessageLocation {
  channel: string;
  ts: string;
}

/** An EventBridge event as received, before and after it is processed. */
export interface StoredEvent {
  id: string;
  receivedAt: Date;
  via: string;
  /** The event JSON exactly as received. */
  body: string;
}

/** The message that shows one execution in one channel, and what it last showed. */
export interface ExecutionMessage {
  executionArn: string;
  channel: string;
  ts?: string;
  /** The execution's state as the bot knows it (JSON), the reducer's output. */
  state: string;
  updatedAt: Date;
}

export interface Subscription {
  pipeline: string;
  channel: string;
  filter: 'all' | 'failures';
  createdBy?: string;
  createdAt: Date;
}

export type LocalTable = 'schedules' | 'groups' | 'rules' | 'executions' | 'dead-letters';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  triggerRecords: {
    put(record: TriggerRecord): Promise<void>;
    get(kind: TriggerRecord['kind'], key: string): Promise<TriggerRecord | undefined>;
    delete(kind: TriggerRecord['kind'], key: string): Promise<void>;
    /** The channels triggers of this pipeline were created in. */
    channelsFor(pipelineName: string): Promise<string[]>;
    /** The triggers a request (its id is the request id of the change) created, by key. */
    forRequest(requestId: string): Promise<TriggerRecord[]>;
  };
  /** State of the embedded local back end. */
  local: {
    get(table: LocalTable, key: string): Promise<LocalRow | undefined>;
    /** Inserts; false when the key exists (a compare-and-set on absence). */
    insert(table: LocalTable, row: LocalRow): Promise<boolean>;
    put(table: LocalTable, row: LocalRow): Promise<void>;
    delete(table: LocalTable, key: string): Promise<boolean>;
    list(
      table: LocalTable,
      query?: {
        ref?: string;
        keyPrefix?: string;
        after?: string;
        /** Rows written at or after this instant (another process's changes). */
        updatedSince?: Date;
        limit?: number;
      },
    ): Promise<LocalRow[]>;
    /**
     * Claims an idempotency token for `owner`. Returns the owner that holds it: `owner` when
     * this call claimed it, another when it was claimed before.
     */
    claimToken(scope: string, token: string, owner: string): Promise<string>;
  };
  approvals: {
    insert(request: ApprovalRequest): Promise<void>;
    get(id: string): Promise<ApprovalRequest | undefined>;
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
      fields: {
        decidedBy?: string;
        reason?: string;
        outcome?: string;
        at: Date;
        /** Who will run it, on the move to APPROVED (recovery leaves it to a live runner). */
        attemptBy?: string;
      },
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
  };
  /** Approval clicks, recorded before they are acknowledged and marked once processed. */
  clicks: {
    insert(click: ApprovalClick): Promise<void>;
    /** Marks a click processed with its result; false when it was processed already. */
    markProcessed(id: string, at: Date, result: string): Promise<boolean>;
    /** Clicks never processed, oldest first. */
    unprocessed(limit: number): Promise<ApprovalClick[]>;
    /** A request's clicks, oldest first. */
    forRequest(requestId: string): Promise<ApprovalClick[]>;
  };
  /**
   * Replay protection: remembers keys (a signed request's signature, say) until they expire.
   */
  replays: {
    /**
     * True the first time `key` is claimed, or when its earlier claim has expired by `now`;
     * false while an earlier claim holds. Each call also deletes a bounded batch of expired
     * keys, so the table stays the size of one expiry window.
     */
    claim(key: string, expiresAt: Date, now?: Date): Promise<boolean>;
  };
  audit: {
    append(entry: AuditEntry): Promise<void>;
    /** Newest first. */
    list(query?: { limit?: number; pipeline?: string }): Promise<StoredAuditEntry[]>;
  };
  /** The inbox of EventBridge events: stored (deduplicated by id) before they are answered. */
  events: {
    /** False when an event with this id was stored before (a duplicate delivery). */
    insert(event: StoredEvent): Promise<boolean>;
    /** Unprocessed events, oldest first. */
    pending(limit: number): Promise<StoredEvent[]>;
    markProcessed(ids: string[], at: Date): Promise<void>;
    /** How many wait to be processed (the outbox depth). */
    pendingCount(): Promise<number>;
  };
  executionMessages: {
    get(executionArn: string, channel: string): Promise<ExecutionMessage | undefined>;
    put(message: ExecutionMessage): Promise<void>;
    listFor(executionArn: string): Promise<ExecutionMessage[]>;
  };
  subscriptions: {
    put(subscription: Subscription): Promise<void>;
    /** False when there was no such subscription. */
    delete(pipeline: string, channel: string): Promise<boolean>;
    list(pipeline?: string): Promise<Subscription[]>;
  };
  /** Where the bot posted a message it will update later (an approval request, a run). */
  messages: {
    put(key: string, location: MessageLocation): Promise<void>;
    get(key: string): Promise<MessageLocation | undefined>;
  };
  /**
   * Tries to become the one process that runs the work only one may do (the scheduler engine,
   * the notifier). PostgreSQL: a session advisory lock, released if the process dies; SQLite:
   * one process owns the file, so always granted. Resolves to a release function, or undefined
   * when another process leads.
   */
  lead(name: string): Promise<(() => Promise<void>) | undefined>;
  /** Checks the store answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
