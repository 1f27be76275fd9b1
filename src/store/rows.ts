import { z } from 'zod';
import type {
  ApprovalClick,
  ApprovalRequest,
  ApprovalVote,
  RequestStatus,
} from '../auth/approval-store.js';
import type { AuditEntry, StoredAuditEntry } from '../auth/audit.js';
import type {
  ExecutionMessage,
  MessageLocation,
  StoredEvent,
  Subscription,
} from '../notifications/notification-store.js';
import type { ExecutionOrigin } from '../scheduling/execution-origins.js';
import type { LocalRow, LocalTable } from '../scheduling/local/local-state.js';
import type { ReceivedDeadLetter } from '../scheduling/ports.js';
import type { Tick, TickOutcome } from '../scheduling/ticks.js';
import type { TriggerRecord } from '../scheduling/trigger-records.js';
import type { Table } from './sql.js';

/**
 * Every table's row and its mapping to and from the modules' types, for both drivers: times
 * are epoch milliseconds (BIGINT, a number once the driver has read it), absent values NULL,
 * lists JSON text. JSON documents the modules own (a request's payload and outcome, a
 * trigger's spec, an execution's state, audit details, a local row) are kept as text, exactly
 * as written; the lists the store itself encodes are checked when read back.
 */

const names = z.array(z.string());

/** A JSON list the store wrote, read back; a row that does not hold one names its column. */
function readNames(column: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${column} holds no JSON: ${text.slice(0, 80)}`);
  }
  const parsed = names.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${column} holds no list of names: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * A LIKE pattern matching a JSON list column (lower-cased) that holds `name`, whatever its
 * case: the quotes keep `churn` from matching `churn-train`.
 */
export function holdsName(name: string): string {
  return `%${JSON.stringify(name.toLowerCase())}%`;
}

const ms = (at: Date) => at.getTime();

export type TriggerRow = {
  kind: TriggerRecord['kind'];
  key: string;
  pipeline_names: string;
  spec: string;
  created_by: string | null;
  approved_by: string | null;
  request_id: string | null;
  channel_id: string | null;
  arn: string | null;
  runs_once_at: number | null;
  created_at: number;
  updated_at: number;
};

export const triggerTable: Table<TriggerRow> = {
  name: 'trigger_records',
  key: ['kind', 'key'],
};

export function toTriggerRow(r: TriggerRecord): TriggerRow {
  return {
    kind: r.kind,
    key: r.key,
    pipeline_names: JSON.stringify(r.pipelineNames),
    spec: r.spec,
    created_by: r.createdBy ?? null,
    approved_by: r.approvedBy ? JSON.stringify(r.approvedBy) : null,
    request_id: r.requestId ?? null,
    channel_id: r.channelId ?? null,
    arn: r.arn ?? null,
    runs_once_at: r.runsOnceAt ? ms(r.runsOnceAt) : null,
    created_at: ms(r.createdAt),
    updated_at: ms(r.updatedAt),
  };
}

export function fromTriggerRow(row: TriggerRow): TriggerRecord {
  return {
    kind: row.kind,
    key: row.key,
    pipelineNames: readNames('trigger_records.pipeline_names', row.pipeline_names),
    spec: row.spec,
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    ...(row.approved_by
      ? { approvedBy: readNames('trigger_records.approved_by', row.approved_by) }
      : {}),
    ...(row.request_id ? { requestId: row.request_id } : {}),
    ...(row.channel_id ? { channelId: row.channel_id } : {}),
    ...(row.arn ? { arn: row.arn } : {}),
    ...(row.runs_once_at !== null && row.runs_once_at !== undefined
      ? { runsOnceAt: new Date(Number(row.runs_once_at)) }
      : {}),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export type LocalRowData = {
  tbl: LocalTable;
  key: string;
  ref: string | null;
  json: string;
  updated_at: number;
};

export const localTable: Table<LocalRowData> = {
  name: 'local_rows',
  key: ['tbl', 'key'],
};

/** What reads of local rows select: the table is known already. */
export const LOCAL_COLUMNS = 'key, ref, json, updated_at';

export function toLocalRowData(table: LocalTable, row: LocalRow): LocalRowData {
  return {
    tbl: table,
    key: row.key,
    ref: row.ref ?? null,
    json: row.json,
    updated_at: ms(row.updatedAt),
  };
}

export function fromLocalRowData(row: Omit<LocalRowData, 'tbl'>): LocalRow {
  return {
    key: row.key,
    ...(row.ref !== null ? { ref: row.ref } : {}),
    json: row.json,
    updatedAt: new Date(row.updated_at),
  };
}

export type RequestRow = {
  id: string;
  payload: string;
  content_hash: string;
  action: string;
  pipeline_names: string;
  trigger_name: string | null;
  requested_by: string;
  channel_id: string | null;
  status: RequestStatus;
  required_approvals: number;
  approver_roles: string;
  decided_by: string | null;
  reason: string | null;
  outcome: string | null;
  created_at: number;
  expires_at: number;
  updated_at: number;
  attempt_by: string | null;
  attempt_at: number | null;
  attempts: number;
  execution_token: string | null;
};

export const requestTable: Table<RequestRow> = {
  name: 'approval_requests',
  key: ['id'],
};

export function toRequestRow(r: ApprovalRequest): RequestRow {
  return {
    id: r.id,
    payload: r.payload,
    content_hash: r.contentHash,
    action: r.action,
    pipeline_names: JSON.stringify(r.pipelineNames),
    trigger_name: r.triggerName ?? null,
    requested_by: r.requestedBy,
    channel_id: r.channelId ?? null,
    status: r.status,
    required_approvals: r.requiredApprovals,
    approver_roles: JSON.stringify(r.approverRoles),
    decided_by: r.decidedBy ?? null,
    reason: r.reason ?? null,
    outcome: r.outcome ?? null,
    created_at: ms(r.createdAt),
    expires_at: ms(r.expiresAt),
    updated_at: ms(r.updatedAt),
    attempt_by: r.attemptBy ?? null,
    attempt_at: r.attemptAt ? ms(r.attemptAt) : null,
    attempts: r.attempts ?? 0,
    execution_token: r.executionToken ?? null,
  };
}

export function fromRequestRow(row: RequestRow): ApprovalRequest {
  return {
    id: row.id,
    payload: row.payload,
    contentHash: row.content_hash,
    action: row.action,
    pipelineNames: readNames('approval_requests.pipeline_names', row.pipeline_names),
    ...(row.trigger_name ? { triggerName: row.trigger_name } : {}),
    requestedBy: row.requested_by,
    ...(row.channel_id ? { channelId: row.channel_id } : {}),
    status: row.status,
    requiredApprovals: row.required_approvals,
    approverRoles: readNames('approval_requests.approver_roles', row.approver_roles),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.outcome ? { outcome: row.outcome } : {}),
    ...(row.attempt_by ? { attemptBy: row.attempt_by } : {}),
    ...(row.attempt_at !== null ? { attemptAt: new Date(row.attempt_at) } : {}),
    ...(row.attempts > 0 ? { attempts: row.attempts } : {}),
    ...(row.execution_token ? { executionToken: row.execution_token } : {}),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    updatedAt: new Date(row.updated_at),
  };
}

export type VoteRow = { request_id: string; user_id: string; content_hash: string; at: number };

export const voteTable: Table<VoteRow> = {
  name: 'approval_votes',
  key: ['request_id', 'user_id'],
};

export function toVoteRow(v: ApprovalVote): VoteRow {
  return { request_id: v.requestId, user_id: v.userId, content_hash: v.contentHash, at: ms(v.at) };
}

export function fromVoteRow(row: VoteRow): ApprovalVote {
  return {
    requestId: row.request_id,
    userId: row.user_id,
    contentHash: row.content_hash,
    at: new Date(row.at),
  };
}

export type ClickRow = {
  id: string;
  request_id: string;
  user_id: string;
  content_hash: string | null;
  team_id: string | null;
  recorded_by: string | null;
  at: number;
  processed_at: number | null;
  result: string | null;
};

export const clickTable: Table<ClickRow> = {
  name: 'approval_clicks',
  key: ['id'],
};

export function toClickRow(c: ApprovalClick): ClickRow {
  return {
    id: c.id,
    request_id: c.requestId,
    user_id: c.userId,
    content_hash: c.contentHash ?? null,
    team_id: c.teamId ?? null,
    recorded_by: c.recordedBy ?? null,
    at: ms(c.at),
    processed_at: c.processedAt ? ms(c.processedAt) : null,
    result: c.result ?? null,
  };
}

export function fromClickRow(row: ClickRow): ApprovalClick {
  return {
    id: row.id,
    requestId: row.request_id,
    userId: row.user_id,
    ...(row.content_hash ? { contentHash: row.content_hash } : {}),
    ...(row.team_id ? { teamId: row.team_id } : {}),
    ...(row.recorded_by ? { recordedBy: row.recorded_by } : {}),
    at: new Date(row.at),
    ...(row.processed_at !== null ? { processedAt: new Date(row.processed_at) } : {}),
    ...(row.result ? { result: row.result } : {}),
  };
}

/** audit_log as written; `id` is the database's. */
export type AuditRow = {
  at: number;
  actor: string;
  event: string;
  action: string | null;
  pipeline_names: string;
  trigger_name: string | null;
  request_id: string | null;
  details: string | null;
};

export const auditTable: Table<AuditRow> = {
  name: 'audit_log',
  key: [],
};

export function toAuditRow(e: AuditEntry): AuditRow {
  return {
    at: ms(e.at),
    actor: e.actor,
    event: e.event,
    action: e.action ?? null,
    pipeline_names: JSON.stringify(e.pipelineNames),
    trigger_name: e.triggerName ?? null,
    request_id: e.requestId ?? null,
    details: e.details ?? null,
  };
}

export function fromAuditRow(row: AuditRow & { id: number }): StoredAuditEntry {
  return {
    id: row.id,
    at: new Date(row.at),
    actor: row.actor,
    event: row.event,
    ...(row.action ? { action: row.action } : {}),
    pipelineNames: readNames('audit_log.pipeline_names', row.pipeline_names),
    ...(row.trigger_name ? { triggerName: row.trigger_name } : {}),
    ...(row.request_id ? { requestId: row.request_id } : {}),
    ...(row.details ? { details: row.details } : {}),
  };
}

/** events as received; `processed_at` is set later, by its own statement. */
export type EventRow = { id: string; received_at: number; via: string; body: string };

export const eventTable: Table<EventRow> = {
  name: 'events',
  key: ['id'],
};

export function toEventRow(e: StoredEvent): EventRow {
  return { id: e.id, received_at: ms(e.receivedAt), via: e.via, body: e.body };
}

export function fromEventRow(row: EventRow): StoredEvent {
  return { id: row.id, receivedAt: new Date(row.received_at), via: row.via, body: row.body };
}

export type ExecutionMessageRow = {
  execution_arn: string;
  channel: string;
  ts: string | null;
  state: string;
  updated_at: number;
};

export const executionMessageTable: Table<ExecutionMessageRow> = {
  name: 'execution_messages',
  key: ['execution_arn', 'channel'],
};

export function toExecutionMessageRow(m: ExecutionMessage): ExecutionMessageRow {
  return {
    execution_arn: m.executionArn,
    channel: m.channel,
    ts: m.ts ?? null,
    state: m.state,
    updated_at: ms(m.updatedAt),
  };
}

export function fromExecutionMessageRow(row: ExecutionMessageRow): ExecutionMessage {
  return {
    executionArn: row.execution_arn,
    channel: row.channel,
    ...(row.ts ? { ts: row.ts } : {}),
    state: row.state,
    updatedAt: new Date(row.updated_at),
  };
}

export type SubscriptionRow = {
  pipeline: string;
  channel: string;
  filter: string;
  created_by: string | null;
  created_at: number;
};

export const subscriptionTable: Table<SubscriptionRow> = {
  name: 'subscriptions',
  key: ['pipeline', 'channel'],
};

/** Kept under the lower-case pipeline name: names compare without case. */
export function toSubscriptionRow(s: Subscription): SubscriptionRow {
  return {
    pipeline: s.pipeline.toLowerCase(),
    channel: s.channel,
    filter: s.filter,
    created_by: s.createdBy ?? null,
    created_at: ms(s.createdAt),
  };
}

export function fromSubscriptionRow(row: SubscriptionRow): Subscription {
  return {
    pipeline: row.pipeline,
    channel: row.channel,
    filter: row.filter === 'failures' ? 'failures' : 'all',
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    createdAt: new Date(row.created_at),
  };
}

export type PostedMessageRow = { key: string; channel: string; ts: string; updated_at: number };

export const postedMessageTable: Table<PostedMessageRow> = {
  name: 'posted_messages',
  key: ['key'],
};

export function toPostedMessageRow(key: string, at: MessageLocation, now: Date): PostedMessageRow {
  return { key, channel: at.channel, ts: at.ts, updated_at: ms(now) };
}

export function fromPostedMessageRow(
  row: Pick<PostedMessageRow, 'channel' | 'ts'>,
): MessageLocation {
  return { channel: row.channel, ts: row.ts };
}

export type ExecutionOriginRow = {
  execution_arn: string;
  pipeline_name: string;
  started_by: string;
  at: number;
};

export const executionOriginTable: Table<ExecutionOriginRow> = {
  name: 'execution_origins',
  key: ['execution_arn'],
};

export function toExecutionOriginRow(o: ExecutionOrigin): ExecutionOriginRow {
  return {
    execution_arn: o.executionArn,
    pipeline_name: o.pipelineName,
    started_by: JSON.stringify(o.startedBy),
    at: ms(o.at),
  };
}

/** Undefined for a row this code did not write: attribution then falls back to matching. */
export function fromExecutionOriginRow(row: ExecutionOriginRow): ExecutionOrigin | undefined {
  try {
    const startedBy = JSON.parse(row.started_by) as ExecutionOrigin['startedBy'];
    if (startedBy?.kind !== 'run' || typeof startedBy.requestId !== 'string') return undefined;
    return {
      executionArn: row.execution_arn,
      pipelineName: row.pipeline_name,
      startedBy,
      at: new Date(Number(row.at)),
    };
  } catch {
    return undefined;
  }
}

export type TickRow = {
  trigger_key: string;
  occurrence: number;
  ref: string;
  pipeline_name: string;
  time_zone: string;
  outcome: string;
  execution_arn: string | null;
  reason: string | null;
  recorded_at: number;
  updated_at: number;
  told: string | null;
  wall_time: string | null;
  through_occurrence: number | null;
  runs: number | null;
};

export const tickTable: Table<TickRow> = {
  name: 'trigger_ticks',
  key: ['trigger_key', 'occurrence'],
};

export function toTickRow(t: Tick): TickRow {
  return {
    trigger_key: t.triggerKey,
    occurrence: ms(t.occurrence),
    ref: t.ref,
    pipeline_name: t.pipelineName,
    time_zone: t.timeZone,
    outcome: t.outcome,
    execution_arn: t.executionArn ?? null,
    reason: t.reason ?? null,
    recorded_at: ms(t.recordedAt),
    updated_at: ms(t.updatedAt),
    told: t.told ?? null,
    wall_time: t.wallTime ?? null,
    through_occurrence: t.through ? ms(t.through) : null,
    runs: t.runs ?? null,
  };
}

const OUTCOMES: TickOutcome[] = ['started', 'late', 'missed', 'skipped'];

export function fromTickRow(row: TickRow): Tick {
  const told = OUTCOMES.find((o) => o === row.told);
  return {
    triggerKey: row.trigger_key,
    ref: row.ref,
    pipelineName: row.pipeline_name,
    occurrence: new Date(Number(row.occurrence)),
    timeZone: row.time_zone,
    // A value this code did not write reads as the one that asks for attention.
    outcome: OUTCOMES.find((o) => o === row.outcome) ?? 'missed',
    ...(row.execution_arn ? { executionArn: row.execution_arn } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    recordedAt: new Date(Number(row.recorded_at)),
    updatedAt: new Date(Number(row.updated_at)),
    ...(told ? { told } : {}),
    ...(row.wall_time ? { wallTime: row.wall_time } : {}),
    ...(row.through_occurrence ? { through: new Date(Number(row.through_occurrence)) } : {}),
    ...(row.runs ? { runs: Number(row.runs) } : {}),
  };
}

export type DeadLetterRow = {
  message_id: string;
  schedule_arn: string | null;
  scheduled_time: number | null;
  error_code: string | null;
  error_message: string;
  retry_attempts: number | null;
  exhausted_retry_condition: string | null;
  target_arn: string | null;
  body: string;
  attributes: string;
  received_at: number;
};

export const deadLetterTable: Table<DeadLetterRow> = { name: 'dead_letters', key: ['message_id'] };

export function toDeadLetterRow(l: ReceivedDeadLetter): DeadLetterRow {
  return {
    message_id: l.messageId,
    schedule_arn: l.scheduleArn ?? null,
    scheduled_time: l.scheduledTime ? ms(l.scheduledTime) : null,
    error_code: l.errorCode ?? null,
    error_message: l.errorMessage,
    retry_attempts: l.retryAttempts ?? null,
    exhausted_retry_condition: l.exhaustedRetryCondition ?? null,
    target_arn: l.targetArn ?? null,
    body: l.body,
    attributes: JSON.stringify(l.attributes),
    received_at: ms(l.receivedAt),
  };
}

export function fromDeadLetterRow(row: DeadLetterRow): ReceivedDeadLetter {
  let attributes: Record<string, string> = {};
  try {
    attributes = JSON.parse(row.attributes) as Record<string, string>;
  } catch {
    // Kept as stored; the columns say what the bot matched on.
  }
  return {
    messageId: row.message_id,
    ...(row.schedule_arn ? { scheduleArn: row.schedule_arn } : {}),
    ...(row.scheduled_time !== null ? { scheduledTime: new Date(Number(row.scheduled_time)) } : {}),
    ...(row.error_code ? { errorCode: row.error_code } : {}),
    errorMessage: row.error_message,
    ...(row.retry_attempts !== null ? { retryAttempts: Number(row.retry_attempts) } : {}),
    ...(row.exhausted_retry_condition
      ? { exhaustedRetryCondition: row.exhausted_retry_condition }
      : {}),
    ...(row.target_arn ? { targetArn: row.target_arn } : {}),
    body: row.body,
    attributes,
    receivedAt: new Date(Number(row.received_at)),
  };
}
