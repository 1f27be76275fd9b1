import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrationSql, migrations } from './migrations.js';
import { acquireSqliteLead } from './sqlite-lead.js';
import type {
  ApprovalClick,
  ApprovalRequest,
  AuditEntry,
  ExecutionMessage,
  LocalRow,
  LocalTable,
  RequestStatus,
  Store,
  StoredAuditEntry,
  Subscription,
  TriggerRecord,
} from './store.js';

interface TriggerRow {
  kind: TriggerRecord['kind'];
  key: string;
  pipeline_names: string;
  spec: string;
  created_by: string | null;
  approved_by: string | null;
  request_id: string | null;
  channel_id: string | null;
  created_at: number;
  updated_at: number;
}

interface LocalRowData {
  key: string;
  ref: string | null;
  json: string;
  updated_at: number;
}

/** Expired replay keys deleted per claim: enough to keep up with any claim rate, bounded. */
export const REPLAY_SWEEP_BATCH = 100;

/** `sqlite:./data/bot.db` → `./data/bot.db`; `sqlite::memory:` → an in-memory database. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

/**
 * The default store: one SQLite file in WAL mode. better-sqlite3 is synchronous, which suits a
 * single process: each call is one short transaction.
 */
export function openSqliteStore(databaseUrl: string): Store {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const statements = {
    putTrigger: db.prepare(`
      INSERT INTO trigger_records (kind, key, pipeline_names, spec, created_by, approved_by, request_id, channel_id, created_at, updated_at)
      VALUES (@kind, @key, @pipeline_names, @spec, @created_by, @approved_by, @request_id, @channel_id, @created_at, @updated_at)
      ON CONFLICT (kind, key) DO UPDATE SET pipeline_names = excluded.pipeline_names, spec = excluded.spec,
        created_by = excluded.created_by, approved_by = excluded.approved_by, request_id = excluded.request_id,
        channel_id = excluded.channel_id, created_at = excluded.created_at, updated_at = excluded.updated_at`),
    getTrigger: db.prepare<[string, string], TriggerRow>(
      'SELECT * FROM trigger_records WHERE kind = ? AND key = ?',
    ),
    deleteTrigger: db.prepare('DELETE FROM trigger_records WHERE kind = ? AND key = ?'),
    getLocal: db.prepare<[string, string], LocalRowData>(
      'SELECT key, ref, json, updated_at FROM local_rows WHERE tbl = ? AND key = ?',
    ),
    insertLocal: db.prepare(
      'INSERT INTO local_rows (tbl, key, ref, json, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tbl, key) DO NOTHING',
    ),
    putLocal: db.prepare(`
      INSERT INTO local_rows (tbl, key, ref, json, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (tbl, key) DO UPDATE SET ref = excluded.ref, json = excluded.json, updated_at = excluded.updated_at`),
    deleteLocal: db.prepare('DELETE FROM local_rows WHERE tbl = ? AND key = ?'),
    claimToken: db.prepare(
      'INSERT INTO idempotency_tokens (scope, token, owner, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, token) DO NOTHING',
    ),
    tokenOwner: db.prepare<[string, string], { owner: string }>(
      'SELECT owner FROM idempotency_tokens WHERE scope = ? AND token = ?',
    ),
  };

  const appendAudit = (entry: AuditEntry) => {
    db.prepare(
      'INSERT INTO audit_log (at, actor, event, action, pipeline_names, trigger_name, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(...auditValues(entry));
  };

  return {
    kind: 'sqlite',
    triggerRecords: {
      async put(record) {
        statements.putTrigger.run({
          kind: record.kind,
          key: record.key,
          pipeline_names: JSON.stringify(record.pipelineNames),
          spec: record.spec,
          created_by: record.createdBy ?? null,
          approved_by: record.approvedBy ? JSON.stringify(record.approvedBy) : null,
          request_id: record.requestId ?? null,
          channel_id: record.channelId ?? null,
          created_at: record.createdAt.getTime(),
          updated_at: record.updatedAt.getTime(),
        });
      },
      async get(kind, key) {
        const row = statements.getTrigger.get(kind, key);
        return row ? toTriggerRecord(row) : undefined;
      },
      async delete(kind, key) {
        statements.deleteTrigger.run(kind, key);
      },
      async channelsFor(pipelineName) {
        const rows = db
          .prepare<[string], { channel_id: string }>(
            'SELECT DISTINCT channel_id FROM trigger_records WHERE channel_id IS NOT NULL AND lower(pipeline_names) LIKE ? ORDER BY channel_id',
          )
          .all(`%${JSON.stringify(pipelineName.toLowerCase())}%`);
        return rows.map((r) => r.channel_id);
      },
      async forRequest(requestId) {
        return db
          .prepare<[string], TriggerRow>(
            'SELECT * FROM trigger_records WHERE request_id = ? ORDER BY kind, key',
          )
          .all(requestId)
          .map(toTriggerRecord);
      },
    },
    local: {
      async get(table, key) {
        const row = statements.getLocal.get(table, key);
        return row ? toLocalRow(row) : undefined;
      },
      async insert(table, row) {
        return (
          statements.insertLocal.run(
            table,
            row.key,
            row.ref ?? null,
            row.json,
            row.updatedAt.getTime(),
          ).changes === 1
        );
      },
      async put(table, row) {
        statements.putLocal.run(table, row.key, row.ref ?? null, row.json, row.updatedAt.getTime());
      },
      async delete(table, key) {
        return statements.deleteLocal.run(table, key).changes === 1;
      },
      async list(table: LocalTable, query = {}) {
        const clauses = ['tbl = ?'];
        const params: unknown[] = [table];
        if (query.ref !== undefined) {
          clauses.push('ref = ?');
          params.push(query.ref);
        }
        if (query.keyPrefix !== undefined) {
          clauses.push('key >= ? AND key < ?');
          params.push(query.keyPrefix, `${query.keyPrefix}\uffff`);
        }
        if (query.updatedSince !== undefined) {
          clauses.push('updated_at >= ?');
          params.push(query.updatedSince.getTime());
        }
        if (query.after !== undefined) {
          clauses.push('key > ?');
          params.push(query.after);
        }
        const limit =
          query.limit !== undefined ? ` LIMIT ${Math.max(1, Math.floor(query.limit))}` : '';
        const rows = db
          .prepare<unknown[], LocalRowData>(
            `SELECT key, ref, json, updated_at FROM local_rows WHERE ${clauses.join(' AND ')} ORDER BY key${limit}`,
          )
          .all(...params);
        return rows.map(toLocalRow);
      },
      async claimToken(scope, token, owner) {
        statements.claimToken.run(scope, token, owner, Date.now());
        return statements.tokenOwner.get(scope, token)?.owner ?? owner;
      },
    },
    approvals: {
      async insert(request) {
        db.prepare(`
          INSERT INTO approval_requests (id, payload, content_hash, action, pipeline_names, trigger_name, requested_by,
            channel_id, status, required_approvals, approver_roles, decided_by, reason, outcome, created_at, expires_at, updated_at,
            attempt_by, attempt_at, attempts, execution_token)
          VALUES (@id, @payload, @content_hash, @action, @pipeline_names, @trigger_name, @requested_by, @channel_id, @status,
            @required_approvals, @approver_roles, @decided_by, @reason, @outcome, @created_at, @expires_at, @updated_at,
            @attempt_by, @attempt_at, @attempts, @execution_token)`).run(toRequestRow(request));
      },
      async get(id) {
        const row = db
          .prepare<[string], RequestRow>('SELECT * FROM approval_requests WHERE id = ?')
          .get(id);
        return row ? fromRequestRow(row) : undefined;
      },
      async list(query = {}) {
        const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
        const rows = query.status
          ? db
              .prepare<[string, number], RequestRow>(
                'SELECT * FROM approval_requests WHERE status = ? ORDER BY created_at DESC LIMIT ?',
              )
              .all(query.status, limit)
          : db
              .prepare<[number], RequestRow>(
                'SELECT * FROM approval_requests ORDER BY created_at DESC LIMIT ?',
              )
              .all(limit);
        return rows.map(fromRequestRow);
      },
      async addVote(vote, audit) {
        return db.transaction(() => {
          const added =
            db
              .prepare(
                'INSERT INTO approval_votes (request_id, user_id, content_hash, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
              )
              .run(vote.requestId, vote.userId, vote.contentHash, vote.at.getTime()).changes === 1;
          if (added && audit) appendAudit(audit);
          return added;
        })();
      },
      async votes(requestId) {
        return db
          .prepare<
            [string],
            { request_id: string; user_id: string; content_hash: string; at: number }
          >('SELECT * FROM approval_votes WHERE request_id = ? ORDER BY at, user_id')
          .all(requestId)
          .map((v) => ({
            requestId: v.request_id,
            userId: v.user_id,
            contentHash: v.content_hash,
            at: new Date(v.at),
          }));
      },
      async transition(id, from, to, fields, audit) {
        const placeholders = from.map(() => '?').join(', ');
        const attemptBy = fields.attemptBy ?? null;
        const move = () =>
          db
            .prepare(
              `UPDATE approval_requests SET status = ?, decided_by = COALESCE(?, decided_by), reason = COALESCE(?, reason),
               outcome = COALESCE(?, outcome), updated_at = ?, attempt_by = COALESCE(?, attempt_by),
               attempt_at = CASE WHEN ? IS NULL THEN attempt_at ELSE ? END
             WHERE id = ? AND status IN (${placeholders})`,
            )
            .run(
              to,
              fields.decidedBy ?? null,
              fields.reason ?? null,
              fields.outcome ?? null,
              fields.at.getTime(),
              attemptBy,
              attemptBy,
              fields.at.getTime(),
              id,
              ...from,
            ).changes === 1;
        return db.transaction(() => {
          const moved = move();
          if (moved && audit) appendAudit(audit);
          return moved;
        })();
      },
      async startAttempt(id, seen, next) {
        // IS, not =: a request approved before attempts were recorded has no runner yet.
        const result = db
          .prepare(
            `UPDATE approval_requests SET status = 'EXECUTING', attempt_by = ?, attempt_at = ?, attempts = attempts + 1,
               execution_token = COALESCE(execution_token, ?), updated_at = ?
             WHERE id = ? AND status = ? AND attempt_by IS ? AND attempt_at IS ?`,
          )
          .run(
            next.by,
            next.at.getTime(),
            next.token,
            next.at.getTime(),
            id,
            seen.status,
            seen.attemptBy ?? null,
            seen.attemptAt?.getTime() ?? null,
          );
        return result.changes === 1;
      },
      async renewAttempt(id, by, at) {
        return (
          db
            .prepare(
              "UPDATE approval_requests SET attempt_at = ? WHERE id = ? AND status = 'EXECUTING' AND attempt_by = ?",
            )
            .run(at.getTime(), id, by).changes === 1
        );
      },
      async expire(now) {
        const rows = db
          .prepare<[number, number], { id: string }>(
            "UPDATE approval_requests SET status = 'EXPIRED', updated_at = ? WHERE status = 'PENDING' AND expires_at <= ? RETURNING id",
          )
          .all(now.getTime(), now.getTime());
        return rows.map((r) => r.id);
      },
    },
    clicks: {
      async insert(click) {
        db.prepare(
          `INSERT INTO approval_clicks (id, request_id, user_id, content_hash, team_id, recorded_by, at, processed_at, result)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          click.id,
          click.requestId,
          click.userId,
          click.contentHash ?? null,
          click.teamId ?? null,
          click.recordedBy ?? null,
          click.at.getTime(),
          click.processedAt?.getTime() ?? null,
          click.result ?? null,
        );
      },
      async markProcessed(id, at, result) {
        return (
          db
            .prepare(
              'UPDATE approval_clicks SET processed_at = ?, result = ? WHERE id = ? AND processed_at IS NULL',
            )
            .run(at.getTime(), result, id).changes === 1
        );
      },
      async unprocessed(limit) {
        return db
          .prepare<[number], ClickRow>(
            'SELECT * FROM approval_clicks WHERE processed_at IS NULL ORDER BY at, id LIMIT ?',
          )
          .all(Math.max(1, Math.floor(limit)))
          .map(fromClickRow);
      },
      async forRequest(requestId) {
        return db
          .prepare<[string], ClickRow>(
            'SELECT * FROM approval_clicks WHERE request_id = ? ORDER BY at, id',
          )
          .all(requestId)
          .map(fromClickRow);
      },
    },
    replays: {
      async claim(key, expiresAt, now = new Date()) {
        return db.transaction(() => {
          db.prepare(
            `DELETE FROM replay_keys WHERE key IN
               (SELECT key FROM replay_keys WHERE expires_at <= ? LIMIT ${REPLAY_SWEEP_BATCH})`,
          ).run(now.getTime());
          // An expired claim the sweep left (the batch was full) is taken over, not refused.
          return (
            db
              .prepare(
                `INSERT INTO replay_keys (key, expires_at) VALUES (?, ?)
                 ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_keys.expires_at <= ?`,
              )
              .run(key, expiresAt.getTime(), now.getTime()).changes === 1
          );
        })();
      },
    },
    audit: {
      async append(entry) {
        appendAudit(entry);
      },
      async list(query = {}) {
        const limit = Math.max(1, Math.min(query.limit ?? 20, 1000));
        const rows = query.pipeline
          ? db
              .prepare<[string, number], AuditRow>(
                'SELECT * FROM audit_log WHERE lower(pipeline_names) LIKE ? ORDER BY id DESC LIMIT ?',
              )
              .all(`%${JSON.stringify(query.pipeline.toLowerCase())}%`, limit)
          : db
              .prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?')
              .all(limit);
        return rows.map(fromAuditRow);
      },
    },
    events: {
      async insert(event) {
        return (
          db
            .prepare(
              'INSERT INTO events (id, received_at, via, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
            )
            .run(event.id, event.receivedAt.getTime(), event.via, event.body).changes === 1
        );
      },
      async pending(limit) {
        return db
          .prepare<[number], { id: string; received_at: number; via: string; body: string }>(
            'SELECT id, received_at, via, body FROM events WHERE processed_at IS NULL ORDER BY received_at, id LIMIT ?',
          )
          .all(limit)
          .map((r) => ({
            id: r.id,
            receivedAt: new Date(r.received_at),
            via: r.via,
            body: r.body,
          }));
      },
      async markProcessed(ids, at) {
        const update = db.prepare('UPDATE events SET processed_at = ? WHERE id = ?');
        db.transaction(() => {
          for (const id of ids) update.run(at.getTime(), id);
        })();
      },
      async pendingCount() {
        return (
          db
            .prepare<[], { n: number }>(
              'SELECT count(*) AS n FROM events WHERE processed_at IS NULL',
            )
            .get()?.n ?? 0
        );
      },
    },
    executionMessages: {
      async get(executionArn, channel) {
        const row = db
          .prepare<[string, string], ExecutionMessageRow>(
            'SELECT * FROM execution_messages WHERE execution_arn = ? AND channel = ?',
          )
          .get(executionArn, channel);
        return row ? fromExecutionMessageRow(row) : undefined;
      },
      async put(m) {
        db.prepare(
          `INSERT INTO execution_messages (execution_arn, channel, ts, state, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (execution_arn, channel) DO UPDATE SET ts = excluded.ts, state = excluded.state, updated_at = excluded.updated_at`,
        ).run(m.executionArn, m.channel, m.ts ?? null, m.state, m.updatedAt.getTime());
      },
      async listFor(executionArn) {
        return db
          .prepare<[string], ExecutionMessageRow>(
            'SELECT * FROM execution_messages WHERE execution_arn = ? ORDER BY channel',
          )
          .all(executionArn)
          .map(fromExecutionMessageRow);
      },
    },
    subscriptions: {
      async put(sub) {
        db.prepare(
          `INSERT INTO subscriptions (pipeline, channel, filter, created_by, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (pipeline, channel) DO UPDATE SET filter = excluded.filter, created_by = excluded.created_by, created_at = excluded.created_at`,
        ).run(
          sub.pipeline.toLowerCase(),
          sub.channel,
          sub.filter,
          sub.createdBy ?? null,
          sub.createdAt.getTime(),
        );
      },
      async delete(pipeline, channel) {
        return (
          db
            .prepare('DELETE FROM subscriptions WHERE pipeline = ? AND channel = ?')
            .run(pipeline.toLowerCase(), channel).changes === 1
        );
      },
      async list(pipeline) {
        const rows = pipeline
          ? db
              .prepare<[string], SubscriptionRow>(
                'SELECT * FROM subscriptions WHERE pipeline = ? ORDER BY channel',
              )
              .all(pipeline.toLowerCase())
          : db
              .prepare<[], SubscriptionRow>(
                'SELECT * FROM subscriptions ORDER BY pipeline, channel',
              )
              .all();
        return rows.map(fromSubscriptionRow);
      },
    },
    messages: {
      async put(key, location) {
        db.prepare(
          'INSERT INTO posted_messages (key, channel, ts, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, ts = excluded.ts, updated_at = excluded.updated_at',
        ).run(key, location.channel, location.ts, Date.now());
      },
      async get(key) {
        const row = db
          .prepare<[string], { channel: string; ts: string }>(
            'SELECT channel, ts FROM posted_messages WHERE key = ?',
          )
          .get(key);
        return row ? { channel: row.channel, ts: row.ts } : undefined;
      },
    },
    /** One process per file: a second leader is refused with SqliteLeadTaken, naming the first. */
    async lead() {
      if (path === ':memory:') return async () => {};
      return acquireSqliteLead(path);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  );
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migrationSql(migration, 'sqlite'));
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    })();
  }
}

function toTriggerRecord(row: TriggerRow): TriggerRecord {
  return {
    kind: row.kind,
    key: row.key,
    pipelineNames: JSON.parse(row.pipeline_names) as string[],
    spec: row.spec,
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    ...(row.approved_by ? { approvedBy: JSON.parse(row.approved_by) as string[] } : {}),
    ...(row.request_id ? { requestId: row.request_id } : {}),
    ...(row.channel_id ? { channelId: row.channel_id } : {}),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toLocalRow(row: LocalRowData): LocalRow {
  return {
    key: row.key,
    ...(row.ref !== null ? { ref: row.ref } : {}),
    json: row.json,
    updatedAt: new Date(row.updated_at),
  };
}

/** approval_requests as a row; shared with the PostgreSQL store. */
export interface RequestRow {
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
  created_at: number | string;
  expires_at: number | string;
  updated_at: number | string;
  attempt_by: string | null;
  attempt_at: number | string | null;
  attempts: number | string;
  execution_token: string | null;
}

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
    created_at: r.createdAt.getTime(),
    expires_at: r.expiresAt.getTime(),
    updated_at: r.updatedAt.getTime(),
    attempt_by: r.attemptBy ?? null,
    attempt_at: r.attemptAt?.getTime() ?? null,
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
    pipelineNames: JSON.parse(row.pipeline_names) as string[],
    ...(row.trigger_name ? { triggerName: row.trigger_name } : {}),
    requestedBy: row.requested_by,
    ...(row.channel_id ? { channelId: row.channel_id } : {}),
    status: row.status,
    requiredApprovals: Number(row.required_approvals),
    approverRoles: JSON.parse(row.approver_roles) as string[],
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.outcome ? { outcome: row.outcome } : {}),
    ...(row.attempt_by ? { attemptBy: row.attempt_by } : {}),
    ...(row.attempt_at !== null ? { attemptAt: new Date(Number(row.attempt_at)) } : {}),
    ...(Number(row.attempts) > 0 ? { attempts: Number(row.attempts) } : {}),
    ...(row.execution_token ? { executionToken: row.execution_token } : {}),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** approval_clicks as a row; shared with the PostgreSQL store. */
export interface ClickRow {
  id: string;
  request_id: string;
  user_id: string;
  content_hash: string | null;
  team_id: string | null;
  recorded_by: string | null;
  at: number | string;
  processed_at: number | string | null;
  result: string | null;
}

export function fromClickRow(row: ClickRow): ApprovalClick {
  return {
    id: row.id,
    requestId: row.request_id,
    userId: row.user_id,
    ...(row.content_hash ? { contentHash: row.content_hash } : {}),
    ...(row.team_id ? { teamId: row.team_id } : {}),
    ...(row.recorded_by ? { recordedBy: row.recorded_by } : {}),
    at: new Date(Number(row.at)),
    ...(row.processed_at !== null ? { processedAt: new Date(Number(row.processed_at)) } : {}),
    ...(row.result ? { result: row.result } : {}),
  };
}

/** An audit entry's column values, in the order both stores insert them. */
export function auditValues(entry: AuditEntry): Array<string | number | null> {
  return [
    entry.at.getTime(),
    entry.actor,
    entry.event,
    entry.action ?? null,
    JSON.stringify(entry.pipelineNames),
    entry.triggerName ?? null,
    entry.requestId ?? null,
    entry.details ?? null,
  ];
}

/** audit_log as a row; shared with the PostgreSQL store. */
export interface AuditRow {
  id: number | string;
  at: number | string;
  actor: string;
  event: string;
  action: string | null;
  pipeline_names: string;
  trigger_name: string | null;
  request_id: string | null;
  details: string | null;
}

export function fromAuditRow(row: AuditRow): StoredAuditEntry {
  return {
    id: Number(row.id),
    at: new Date(Number(row.at)),
    actor: row.actor,
    event: row.event,
    ...(row.action ? { action: row.action } : {}),
    pipelineNames: JSON.parse(row.pipeline_names) as string[],
    ...(row.trigger_name ? { triggerName: row.trigger_name } : {}),
    ...(row.request_id ? { requestId: row.request_id } : {}),
    ...(row.details ? { details: row.details } : {}),
  };
}

/** execution_messages as a row; shared with the PostgreSQL store. */
export interface ExecutionMessageRow {
  execution_arn: string;
  channel: string;
  ts: string | null;
  state: string;
  updated_at: number | string;
}

export function fromExecutionMessageRow(row: ExecutionMessageRow): ExecutionMessage {
  return {
    executionArn: row.execution_arn,
    channel: row.channel,
    ...(row.ts ? { ts: row.ts } : {}),
    state: row.state,
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** subscriptions as a row; shared with the PostgreSQL store. */
export interface SubscriptionRow {
  pipeline: string;
  channel: string;
  filter: string;
  created_by: string | null;
  created_at: number | string;
}

export function fromSubscriptionRow(row: SubscriptionRow): Subscription {
  return {
    pipeline: row.pipeline,
    channel: row.channel,
    filter: row.filter === 'failures' ? 'failures' : 'all',
    ...(row.created_by ? { createdBy: row.created_by } : {}),
    createdAt: new Date(Number(row.created_at)),
  };
}
