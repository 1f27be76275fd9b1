import { z } from 'zod';

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

const details = z
  .object({
    reason: z.string().optional(),
    summary: z.string().optional(),
    madeElsewhere: z.string().optional(),
  })
  .loose();

/**
 * The sentence an entry's details give (the reason of a refusal, the summary of an outcome),
 * and who made the trigger when it was not the bot.
 */
export function auditSummary(entry: Pick<AuditEntry, 'details'>): string {
  if (!entry.details) return '';
  try {
    const parsed = details.safeParse(JSON.parse(entry.details));
    if (!parsed.success) return '';
    const sentence = parsed.data.reason ?? parsed.data.summary ?? '';
    const maker = parsed.data.madeElsewhere;
    // A refusal over a trigger made elsewhere already says whose it was.
    return maker && !sentence.includes(maker) ? `${sentence} (${maker})` : sentence;
  } catch {
    return '';
  }
}

/** What an entry is about: the action, the trigger and the pipelines, as one phrase. */
export function auditSubject(
  entry: Pick<AuditEntry, 'action' | 'triggerName' | 'pipelineNames'>,
): string {
  return [
    entry.action,
    entry.triggerName,
    entry.pipelineNames.length ? `(${entry.pipelineNames.join(', ')})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
