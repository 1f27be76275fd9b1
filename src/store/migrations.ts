/**
 * Versioned schema changes, applied in order at start, each once, inside a transaction. Plain
 * SQL that SQLite and PostgreSQL both accept; append new versions, never edit applied ones.
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
];
