import type { SqlValue } from './sql.js';

/**
 * Versioned schema changes, applied in order at start, each once, the missing ones in one
 * transaction. Plain SQL that SQLite and PostgreSQL both accept; append new versions, never
 * edit applied ones.
 * `{{AUTO_ID}}` is the one spelling that differs: an auto-incrementing primary key.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'trigger records and local back end state',
    sql: `
      CREATE TABLE trigger_records (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        pipeline_names TEXT NOT NULL,
        spec TEXT NOT NULL,
        created_by TEXT,
        approved_by TEXT,
        request_id TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (kind, key)
      );
      CREATE TABLE local_rows (
        tbl TEXT NOT NULL,
        key TEXT NOT NULL,
        ref TEXT,
        json TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (tbl, key)
      );
      CREATE INDEX local_rows_ref ON local_rows (tbl, ref);
      CREATE TABLE idempotency_tokens (
        scope TEXT NOT NULL,
        token TEXT NOT NULL,
        owner TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (scope, token)
      );
    `,
  },
  {
    version: 2,
    name: 'approval requests, votes and the audit log',
    sql: `
      CREATE TABLE approval_requests (
        id TEXT PRIMARY KEY,
        payload TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        action TEXT NOT NULL,
        pipeline_names TEXT NOT NULL,
        trigger_name TEXT,
        requested_by TEXT NOT NULL,
        channel_id TEXT,
        status TEXT NOT NULL,
        required_approvals INTEGER NOT NULL,
        approver_roles TEXT NOT NULL,
        decided_by TEXT,
        reason TEXT,
        outcome TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX approval_requests_status ON approval_requests (status, expires_at);
      CREATE TABLE approval_votes (
        request_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (request_id, user_id)
      );
      CREATE TABLE audit_log (
        id {{AUTO_ID}},
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        action TEXT,
        pipeline_names TEXT NOT NULL,
        trigger_name TEXT,
        request_id TEXT,
        details TEXT
      );
    `,
  },
  {
    version: 3,
    name: 'where the bot posted the messages it updates',
    sql: `
      CREATE TABLE posted_messages (
        key TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        ts TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'event inbox, execution messages and subscriptions',
    sql: `
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        received_at BIGINT NOT NULL,
        via TEXT NOT NULL,
        body TEXT NOT NULL,
        processed_at BIGINT
      );
      CREATE INDEX events_pending ON events (processed_at, received_at);
      CREATE TABLE execution_messages (
        execution_arn TEXT NOT NULL,
        channel TEXT NOT NULL,
        ts TEXT,
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (execution_arn, channel)
      );
      CREATE TABLE subscriptions (
        pipeline TEXT NOT NULL,
        channel TEXT NOT NULL,
        filter TEXT NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (pipeline, channel)
      );
    `,
  },
  {
    version: 5,
    name: 'the channel a trigger was created in',
    sql: `ALTER TABLE trigger_records ADD COLUMN channel_id TEXT;`,
  },
  {
    version: 6,
    name: 'execution attempts of approved requests, and approval clicks recorded before the ack',
    sql: `
      ALTER TABLE approval_requests ADD COLUMN attempt_by TEXT;
      ALTER TABLE approval_requests ADD COLUMN attempt_at BIGINT;
      ALTER TABLE approval_requests ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE approval_requests ADD COLUMN execution_token TEXT;
      CREATE TABLE approval_clicks (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        content_hash TEXT,
        team_id TEXT,
        recorded_by TEXT,
        at BIGINT NOT NULL,
        processed_at BIGINT,
        result TEXT
      );
      CREATE INDEX approval_clicks_unprocessed ON approval_clicks (processed_at, at);
      CREATE INDEX approval_clicks_request ON approval_clicks (request_id, at);
      CREATE INDEX trigger_records_request ON trigger_records (request_id);
    `,
  },
  {
    version: 7,
    name: 'replay protection keys',
    sql: `
      CREATE TABLE replay_keys (
        key TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX replay_keys_expiry ON replay_keys (expires_at);
    `,
  },
  {
    version: 8,
    name: 'who started the executions the bot started',
    sql: `
      CREATE TABLE execution_origins (
        execution_arn TEXT PRIMARY KEY,
        pipeline_name TEXT NOT NULL,
        started_by TEXT NOT NULL,
        at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'what became of each occurrence of a schedule (ticks)',
    sql: `
      CREATE TABLE trigger_ticks (
        trigger_key TEXT NOT NULL,
        occurrence BIGINT NOT NULL,
        ref TEXT NOT NULL,
        pipeline_name TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        outcome TEXT NOT NULL,
        execution_arn TEXT,
        reason TEXT,
        recorded_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (trigger_key, occurrence)
      );
      CREATE INDEX trigger_ticks_outcome ON trigger_ticks (outcome, occurrence);
    `,
  },
  {
    version: 10,
    name: 'which outcome of a tick the channels were told',
    sql: `
      ALTER TABLE trigger_ticks ADD COLUMN told TEXT;
      CREATE INDEX trigger_ticks_occurrence ON trigger_ticks (occurrence);
      CREATE INDEX trigger_ticks_untold ON trigger_ticks (recorded_at)
        WHERE outcome <> 'started' AND (told IS NULL OR told <> outcome);
    `,
  },
  {
    version: 11,
    name: "Scheduler's dead-letter events, as read from the queue",
    sql: `
      CREATE TABLE dead_letters (
        message_id TEXT PRIMARY KEY,
        schedule_arn TEXT,
        scheduled_time BIGINT,
        error_code TEXT,
        error_message TEXT NOT NULL,
        retry_attempts INTEGER,
        exhausted_retry_condition TEXT,
        target_arn TEXT,
        body TEXT NOT NULL,
        attributes TEXT NOT NULL,
        received_at BIGINT NOT NULL
      );
      CREATE INDEX dead_letters_schedule ON dead_letters (schedule_arn, scheduled_time);
    `,
  },
  {
    version: 12,
    name: "one-time schedules' run, so the watch can account for one that deleted itself",
    sql: `
      ALTER TABLE trigger_records ADD COLUMN arn TEXT;
      ALTER TABLE trigger_records ADD COLUMN runs_once_at BIGINT;
      CREATE INDEX trigger_records_runs_once ON trigger_records (runs_once_at)
        WHERE runs_once_at IS NOT NULL;
    `,
  },
  {
    version: 13,
    name: 'the wall time of a run daylight saving skipped',
    sql: `
      ALTER TABLE trigger_ticks ADD COLUMN wall_time TEXT;
    `,
  },
  {
    version: 14,
    name: 'the runs a paused schedule skipped, as one stretch',
    sql: `
      ALTER TABLE trigger_ticks ADD COLUMN through_occurrence BIGINT;
      ALTER TABLE trigger_ticks ADD COLUMN runs INTEGER;
    `,
  },
];

export type Dialect = 'sqlite' | 'postgres';

/** A migration's SQL for one database. */
export function migrationSql(migration: Migration, dialect: Dialect): string {
  return migration.sql.replaceAll(
    '{{AUTO_ID}}',
    dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGSERIAL PRIMARY KEY',
  );
}

/**
 * What a driver runs to migrate: a script (statements without parameters, nothing comes back)
 * or one statement with `?` parameters, whose rows come back.
 */
export type MigrationStep = { script: string } | { statement: string; params: SqlValue[] };

/**
 * Applying the missing migrations, as the steps a driver runs in order, inside the one
 * transaction it holds for them (and that keeps two processes from migrating at once): each
 * step's rows are the answer to `next`. A generator, so the one procedure serves SQLite's
 * synchronous driver and PostgreSQL's asynchronous one.
 */
export function* migrationSteps(
  dialect: Dialect,
): Generator<MigrationStep, void, Array<{ version: number }>> {
  yield {
    script:
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  };
  const applied = yield { statement: 'SELECT version FROM schema_migrations', params: [] };
  const versions = new Set(applied.map((r) => r.version));
  for (const migration of migrations) {
    if (versions.has(migration.version)) continue;
    yield { script: migrationSql(migration, dialect) };
    yield {
      statement: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      params: [migration.version, migration.name, Date.now()],
    };
  }
}
