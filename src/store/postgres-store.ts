import type { Pool, QueryResultRow } from 'pg';
import pg from 'pg';
import { migrationSql, migrations } from './migrations.js';
import {
  type AuditRow,
  auditValues,
  type ClickRow,
  type ExecutionMessageRow,
  fromAuditRow,
  fromClickRow,
  fromExecutionMessageRow,
  fromRequestRow,
  fromSubscriptionRow,
  REPLAY_SWEEP_BATCH,
  type RequestRow,
  type SubscriptionRow,
  toRequestRow,
} from './sqlite-store.js';
import type { AuditEntry, LocalRow, Store, TriggerRecord } from './store.js';

/** pg returns BIGINT as a string (it may not fit a double); our epoch-ms values always do. */
type Bigint = string | number;

interface TriggerRow {
  kind: TriggerRecord['kind'];
  key: string;
  pipeline_names: string;
  spec: string;
  created_by: string | null;
  approved_by: string | null;
  request_id: string | null;
  channel_id: string | null;
  created_at: Bigint;
  updated_at: Bigint;
}

interface LocalRowData {
  key: string;
  ref: string | null;
  json: string;
  updated_at: Bigint;
}

interface VoteRow {
  request_id: string;
  user_id: string;
  content_hash: string;
  at: Bigint;
}

const AUDIT_COLUMNS = 'at, actor, event, action, pipeline_names, trigger_name, request_id, details';

/**
 * `statement` (an UPDATE or INSERT … RETURNING, its parameters from $1) and, only for the row it
 * changed, an audit line: one statement, so both commit or neither does. Its row count is the
 * statement's.
 */
function withAudit(
  statement: string,
  params: unknown[],
  audit: AuditEntry | undefined,
): [string, unknown[]] {
  if (!audit) return [statement, params];
  const values = auditValues(audit);
  // Typed: in a SELECT list a bare parameter would be text, and `at` is a BIGINT.
  const placeholders = values
    .map((_, i) => `$${params.length + i + 1}::${i === 0 ? 'bigint' : 'text'}`)
    .join(', ');
  return [
    `WITH changed AS (${statement} RETURNING 1)
     INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT ${placeholders} FROM changed`,
    [...params, ...values],
  ];
}

/** Any constant works as long as every replica uses the same one: it serialises migrations. */
const MIGRATION_LOCK = 7_302_145_118_004_211;

/**
 * The store for several replicas: one PostgreSQL database behind a `pg.Pool`. Every method is a
 * single statement (or an idempotent pair) so it is atomic across replicas, like SQLite's.
 * Keys compare with `COLLATE "C"` so their order is SQLite's byte order whatever the server's
 * default collation.
 */
export async function openPostgresStore(
  databaseUrl: string,
  options: { poolSize?: number } = {},
): Promise<Store> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // Without a listener, a server dropping an idle connection would crash the process; the pool
  // discards that client and opens a new one when next needed.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }

  const leases = new Set<() => Promise<void>>();
  const rows = async <R extends QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await pool.query<R>(sql, params)).rows;
  const changed = async (sql: string, params: unknown[]) =>
    (await pool.query(sql, params)).rowCount ?? 0;

  return {
    kind: 'postgres',
    triggerRecords: {
      async put(record) {
        await pool.query(
          `INSERT INTO trigger_records (kind, key, pipeline_names, spec, created_by, approved_by, request_id, created_at, updated_at, channel_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (kind, key) DO UPDATE SET pipeline_names = excluded.pipeline_names, spec = excluded.spec,
             created_by = excluded.created_by, approved_by = excluded.approved_by, request_id = excluded.request_id,
             channel_id = excluded.channel_id, created_at = excluded.created_at, updated_at = excluded.updated_at`,
          [
            record.kind,
            record.key,
            JSON.stringify(record.pipelineNames),
            record.spec,
            record.createdBy ?? null,
            record.approvedBy ? JSON.stringify(record.approvedBy) : null,
            record.requestId ?? null,
            record.createdAt.getTime(),
            record.updatedAt.getTime(),
            record.channelId ?? null,
          ],
        );
      },
      async get(kind, key) {
        const [row] = await rows<TriggerRow>(
          'SELECT * FROM trigger_records WHERE kind = $1 AND key = $2',
          [kind, key],
        );
        return row ? toTriggerRecord(row) : undefined;
      },
      async delete(kind, key) {
        await pool.query('DELETE FROM trigger_records WHERE kind = $1 AND key = $2', [kind, key]);
      },
      async channelsFor(pipelineName) {
        const found = await rows<{ channel_id: string }>(
          'SELECT DISTINCT channel_id COLLATE "C" AS channel_id FROM trigger_records WHERE channel_id IS NOT NULL AND lower(pipeline_names) LIKE $1 ESCAPE \'\' ORDER BY 1',
          [`%${JSON.stringify(pipelineName.toLowerCase())}%`],
        );
        return found.map((r) => r.channel_id);
      },
      async forRequest(requestId) {
        const found = await rows<TriggerRow>(
          'SELECT * FROM trigger_records WHERE request_id = $1 ORDER BY kind COLLATE "C", key COLLATE "C"',
          [requestId],
        );
        return found.map(toTriggerRecord);
      },
    },
    local: {
      async get(table, key) {
        const [row] = await rows<LocalRowData>(
          'SELECT key, ref, json, updated_at FROM local_rows WHERE tbl = $1 AND key = $2',
          [table, key],
        );
        return row ? toLocalRow(row) : undefined;
      },
      async insert(table, row) {
        return (
          (await changed(
            `INSERT INTO local_rows (tbl, key, ref, json, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tbl, key) DO NOTHING`,
            [table, row.key, row.ref ?? null, row.json, row.updatedAt.getTime()],
          )) === 1
        );
      },
      async put(table, row) {
        await pool.query(
          `INSERT INTO local_rows (tbl, key, ref, json, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tbl, key) DO UPDATE SET ref = excluded.ref, json = excluded.json, updated_at = excluded.updated_at`,
          [table, row.key, row.ref ?? null, row.json, row.updatedAt.getTime()],
        );
      },
      async delete(table, key) {
        return (
          (await changed('DELETE FROM local_rows WHERE tbl = $1 AND key = $2', [table, key])) === 1
        );
      },
      async list(table, query = {}) {
        const params: unknown[] = [table];
        const clauses = ['tbl = $1'];
        const param = (value: unknown) => `$${params.push(value)}`;
        if (query.ref !== undefined) clauses.push(`ref = ${param(query.ref)}`);
        if (query.keyPrefix !== undefined) {
          // The same half-open range as SQLite's, in the same (byte) order.
          clauses.push(
            `key >= ${param(query.keyPrefix)} COLLATE "C" AND key < ${param(`${query.keyPrefix}\uffff`)} COLLATE "C"`,
          );
        }
        if (query.updatedSince !== undefined) {
          clauses.push(`updated_at >= ${param(query.updatedSince.getTime())}`);
        }
        if (query.after !== undefined) clauses.push(`key > ${param(query.after)} COLLATE "C"`);
        const limit =
          query.limit !== undefined ? ` LIMIT ${Math.max(1, Math.floor(query.limit))}` : '';
        const found = await rows<LocalRowData>(
          `SELECT key, ref, json, updated_at FROM local_rows WHERE ${clauses.join(' AND ')}
           ORDER BY key COLLATE "C"${limit}`,
          params,
        );
        return found.map(toLocalRow);
      },
      async claimToken(scope, token, owner) {
        // Two statements on purpose: ON CONFLICT waits for a concurrent claimant to commit, and
        // only a new statement's snapshot sees that claimant's row.
        await pool.query(
          `INSERT INTO idempotency_tokens (scope, token, owner, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (scope, token) DO NOTHING`,
          [scope, token, owner, Date.now()],
        );
        const [row] = await rows<{ owner: string }>(
          'SELECT owner FROM idempotency_tokens WHERE scope = $1 AND token = $2',
          [scope, token],
        );
        return row?.owner ?? owner;
      },
    },
    approvals: {
      async insert(request) {
        const r = toRequestRow(request);
        await pool.query(
          `INSERT INTO approval_requests (id, payload, content_hash, action, pipeline_names, trigger_name, requested_by,
             channel_id, status, required_approvals, approver_roles, decided_by, reason, outcome, created_at, expires_at, updated_at,
             attempt_by, attempt_at, attempts, execution_token)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
          [
            r.id,
            r.payload,
            r.content_hash,
            r.action,
            r.pipeline_names,
            r.trigger_name,
            r.requested_by,
            r.channel_id,
            r.status,
            r.required_approvals,
            r.approver_roles,
            r.decided_by,
            r.reason,
            r.outcome,
            r.created_at,
            r.expires_at,
            r.updated_at,
            r.attempt_by,
            r.attempt_at,
            r.attempts,
            r.execution_token,
          ],
        );
      },
      async get(id) {
        const [row] = await rows<RequestRow>('SELECT * FROM approval_requests WHERE id = $1', [id]);
        return row ? fromRequestRow(row) : undefined;
      },
      async list(query = {}) {
        const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
        const found = query.status
          ? await rows<RequestRow>(
              'SELECT * FROM approval_requests WHERE status = $1 ORDER BY created_at DESC LIMIT $2',
              [query.status, limit],
            )
          : await rows<RequestRow>(
              'SELECT * FROM approval_requests ORDER BY created_at DESC LIMIT $1',
              [limit],
            );
        return found.map(fromRequestRow);
      },
      async addVote(vote, audit) {
        return (
          (await changed(
            ...withAudit(
              `INSERT INTO approval_votes (request_id, user_id, content_hash, at) VALUES ($1, $2, $3, $4)
               ON CONFLICT DO NOTHING`,
              [vote.requestId, vote.userId, vote.contentHash, vote.at.getTime()],
              audit,
            ),
          )) === 1
        );
      },
      async votes(requestId) {
        const found = await rows<VoteRow>(
          // COLLATE "C": ties on `at` break by user id in SQLite's order.
          'SELECT * FROM approval_votes WHERE request_id = $1 ORDER BY at, user_id COLLATE "C"',
          [requestId],
        );
        return found.map((v) => ({
          requestId: v.request_id,
          userId: v.user_id,
          contentHash: v.content_hash,
          at: new Date(Number(v.at)),
        }));
      },
      async transition(id, from, to, fields, audit) {
        // One UPDATE guarded by the current status: under concurrency exactly one caller sees
        // its row change; the others re-check the status after the winner commits and match none.
        return (
          (await changed(
            ...withAudit(
              `UPDATE approval_requests SET status = $1, decided_by = COALESCE($2, decided_by),
               reason = COALESCE($3, reason), outcome = COALESCE($4, outcome), updated_at = $5,
               attempt_by = COALESCE($8::text, attempt_by),
               attempt_at = CASE WHEN $8::text IS NULL THEN attempt_at ELSE $5 END
             WHERE id = $6 AND status = ANY($7::text[])`,
              [
                to,
                fields.decidedBy ?? null,
                fields.reason ?? null,
                fields.outcome ?? null,
                fields.at.getTime(),
                id,
                from,
                fields.attemptBy ?? null,
              ],
              audit,
            ),
          )) === 1
        );
      },
      async startAttempt(id, seen, next) {
        // IS NOT DISTINCT FROM: a request approved before attempts were recorded has no runner.
        return (
          (await changed(
            `UPDATE approval_requests SET status = 'EXECUTING', attempt_by = $1, attempt_at = $2,
               attempts = attempts + 1, execution_token = COALESCE(execution_token, $3), updated_at = $2
             WHERE id = $4 AND status = $5 AND attempt_by IS NOT DISTINCT FROM $6::text
               AND attempt_at IS NOT DISTINCT FROM $7::bigint`,
            [
              next.by,
              next.at.getTime(),
              next.token,
              id,
              seen.status,
              seen.attemptBy ?? null,
              seen.attemptAt?.getTime() ?? null,
            ],
          )) === 1
        );
      },
      async renewAttempt(id, by, at) {
        return (
          (await changed(
            `UPDATE approval_requests SET attempt_at = $1
             WHERE id = $2 AND status = 'EXECUTING' AND attempt_by = $3`,
            [at.getTime(), id, by],
          )) === 1
        );
      },
      async expire(now) {
        const found = await rows<{ id: string }>(
          `UPDATE approval_requests SET status = 'EXPIRED', updated_at = $1
           WHERE status = 'PENDING' AND expires_at <= $1 RETURNING id`,
          [now.getTime()],
        );
        return found.map((r) => r.id);
      },
    },
    clicks: {
      async insert(click) {
        await pool.query(
          `INSERT INTO approval_clicks (id, request_id, user_id, content_hash, team_id, recorded_by, at, processed_at, result)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            click.id,
            click.requestId,
            click.userId,
            click.contentHash ?? null,
            click.teamId ?? null,
            click.recordedBy ?? null,
            click.at.getTime(),
            click.processedAt?.getTime() ?? null,
            click.result ?? null,
          ],
        );
      },
      async markProcessed(id, at, result) {
        return (
          (await changed(
            'UPDATE approval_clicks SET processed_at = $1, result = $2 WHERE id = $3 AND processed_at IS NULL',
            [at.getTime(), result, id],
          )) === 1
        );
      },
      async unprocessed(limit) {
        const found = await rows<ClickRow>(
          'SELECT * FROM approval_clicks WHERE processed_at IS NULL ORDER BY at, id COLLATE "C" LIMIT $1',
          [Math.max(1, Math.floor(limit))],
        );
        return found.map(fromClickRow);
      },
      async forRequest(requestId) {
        const found = await rows<ClickRow>(
          'SELECT * FROM approval_clicks WHERE request_id = $1 ORDER BY at, id COLLATE "C"',
          [requestId],
        );
        return found.map(fromClickRow);
      },
    },
    replays: {
      async claim(key, expiresAt, now = new Date()) {
        await pool.query(
          `DELETE FROM replay_keys WHERE key IN
             (SELECT key FROM replay_keys WHERE expires_at <= $1 LIMIT ${REPLAY_SWEEP_BATCH})`,
          [now.getTime()],
        );
        // Concurrent claimants of one new key: the insert of one waits for the other's commit,
        // then finds its unexpired row and updates nothing, so exactly one sees a row change.
        return (
          (await changed(
            `INSERT INTO replay_keys (key, expires_at) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
             WHERE replay_keys.expires_at <= $3`,
            [key, expiresAt.getTime(), now.getTime()],
          )) === 1
        );
      },
    },
    audit: {
      async append(entry) {
        await pool.query(
          `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          auditValues(entry),
        );
      },
      async list(query = {}) {
        const limit = Math.max(1, Math.min(query.limit ?? 20, 1000));
        const found = query.pipeline
          ? await rows<AuditRow>(
              // ESCAPE '': like SQLite's LIKE, a backslash in the JSON is an ordinary character.
              `SELECT * FROM audit_log WHERE lower(pipeline_names) LIKE $1 ESCAPE ''
               ORDER BY id DESC LIMIT $2`,
              [`%${JSON.stringify(query.pipeline.toLowerCase())}%`, limit],
            )
          : await rows<AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
        return found.map(fromAuditRow);
      },
    },
    events: {
      async insert(event) {
        return (
          (await changed(
            'INSERT INTO events (id, received_at, via, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
            [event.id, event.receivedAt.getTime(), event.via, event.body],
          )) === 1
        );
      },
      async pending(limit) {
        const found = await rows<{ id: string; received_at: Bigint; via: string; body: string }>(
          'SELECT id, received_at, via, body FROM events WHERE processed_at IS NULL ORDER BY received_at, id COLLATE "C" LIMIT $1',
          [limit],
        );
        return found.map((r) => ({
          id: r.id,
          receivedAt: new Date(Number(r.received_at)),
          via: r.via,
          body: r.body,
        }));
      },
      async markProcessed(ids, at) {
        if (ids.length === 0) return;
        await pool.query('UPDATE events SET processed_at = $1 WHERE id = ANY($2)', [
          at.getTime(),
          ids,
        ]);
      },
      async pendingCount() {
        const [row] = await rows<{ n: Bigint }>(
          'SELECT count(*) AS n FROM events WHERE processed_at IS NULL',
        );
        return Number(row?.n ?? 0);
      },
    },
    executionMessages: {
      async get(executionArn, channel) {
        const [row] = await rows<ExecutionMessageRow & QueryResultRow>(
          'SELECT * FROM execution_messages WHERE execution_arn = $1 AND channel = $2',
          [executionArn, channel],
        );
        return row ? fromExecutionMessageRow(row) : undefined;
      },
      async put(m) {
        await pool.query(
          `INSERT INTO execution_messages (execution_arn, channel, ts, state, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (execution_arn, channel) DO UPDATE SET ts = EXCLUDED.ts, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
          [m.executionArn, m.channel, m.ts ?? null, m.state, m.updatedAt.getTime()],
        );
      },
      async listFor(executionArn) {
        return (
          await rows<ExecutionMessageRow & QueryResultRow>(
            'SELECT * FROM execution_messages WHERE execution_arn = $1 ORDER BY channel COLLATE "C"',
            [executionArn],
          )
        ).map(fromExecutionMessageRow);
      },
    },
    subscriptions: {
      async put(sub) {
        await pool.query(
          `INSERT INTO subscriptions (pipeline, channel, filter, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (pipeline, channel) DO UPDATE SET filter = EXCLUDED.filter, created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at`,
          [
            sub.pipeline.toLowerCase(),
            sub.channel,
            sub.filter,
            sub.createdBy ?? null,
            sub.createdAt.getTime(),
          ],
        );
      },
      async delete(pipeline, channel) {
        return (
          (await changed('DELETE FROM subscriptions WHERE pipeline = $1 AND channel = $2', [
            pipeline.toLowerCase(),
            channel,
          ])) === 1
        );
      },
      async list(pipeline) {
        const found = pipeline
          ? await rows<SubscriptionRow & QueryResultRow>(
              'SELECT * FROM subscriptions WHERE pipeline = $1 ORDER BY channel COLLATE "C"',
              [pipeline.toLowerCase()],
            )
          : await rows<SubscriptionRow & QueryResultRow>(
              'SELECT * FROM subscriptions ORDER BY pipeline COLLATE "C", channel COLLATE "C"',
            );
        return found.map(fromSubscriptionRow);
      },
    },
    messages: {
      async put(key, location) {
        await pool.query(
          `INSERT INTO posted_messages (key, channel, ts, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET channel = EXCLUDED.channel, ts = EXCLUDED.ts, updated_at = EXCLUDED.updated_at`,
          [key, location.channel, location.ts, Date.now()],
        );
      },
      async get(key) {
        const { rows } = await pool.query<{ channel: string; ts: string }>(
          'SELECT channel, ts FROM posted_messages WHERE key = $1',
          [key],
        );
        const row = rows[0];
        return row ? { channel: row.channel, ts: row.ts } : undefined;
      },
    },
    async lead(name) {
      // A session lock lives as long as its connection: hold one connection while leading.
      const client = await pool.connect();
      try {
        const { rows: found } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
          [name],
        );
        if (!found[0]?.ok) {
          client.release();
          return undefined;
        }
      } catch (error) {
        client.release();
        throw error;
      }
      const release = async () => {
        if (!leases.delete(release)) return;
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
        client.release();
      };
      leases.add(release);
      return release;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      // A held lease keeps its connection checked out: let go, or pool.end() would wait forever.
      await Promise.all([...leases].map((release) => release()));
      if (!pool.ended) await pool.end();
    },
  };
}

/**
 * Applies the missing migrations in one transaction that first takes a transaction-level
 * advisory lock: replicas starting together queue on it, and each one that gets it sees what
 * the previous one committed (READ COMMITTED takes a new snapshot per statement).
 */
async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migrationSql(migration, 'postgres'));
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.name, Date.now()],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
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
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toLocalRow(row: LocalRowData): LocalRow {
  return {
    key: row.key,
    ...(row.ref !== null ? { ref: row.ref } : {}),
    json: row.json,
    updatedAt: new Date(Number(row.updated_at)),
  };
}
