import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.js';
import type { LocalRow, LocalTable, Store, TriggerRecord } from './store.js';

interface TriggerRow {
  kind: TriggerRecord['kind'];
  key: string;
  pipeline_names: string;
  spec: string;
  created_by: string | null;
  approved_by: string | null;
  request_id: string | null;
  created_at: number;
  updated_at: number;
}

interface LocalRowData {
  key: string;
  ref: string | null;
  json: string;
  updated_at: number;
}

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
      INSERT INTO trigger_records (kind, key, pipeline_names, spec, created_by, approved_by, request_id, created_at, updated_at)
      VALUES (@kind, @key, @pipeline_names, @spec, @created_by, @approved_by, @request_id, @created_at, @updated_at)
      ON CONFLICT (kind, key) DO UPDATE SET pipeline_names = excluded.pipeline_names, spec = excluded.spec,
        created_by = excluded.created_by, approved_by = excluded.approved_by, request_id = excluded.request_id,
        created_at = excluded.created_at, updated_at = excluded.updated_at`),
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
      db.exec(migration.sql);
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
