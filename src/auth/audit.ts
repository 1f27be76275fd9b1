/**
 * The append-only audit log: every decision of the policy gate and the approval workflow, for
 * an operator to read back. `src/store` implements it.
 */

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

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first; `pipeline` matches any of an entry's pipelines, ignoring case. */
  list(query?: { limit?: number; pipeline?: string }): Promise<StoredAuditEntry[]>;
}
