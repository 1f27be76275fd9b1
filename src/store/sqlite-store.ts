import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type MigrationStep, migrationSteps } from './migrations.js';
import { openRepositories } from './repositories.js';
import { insertSql, type SqlDriver, type SqlValue } from './sql.js';
import { acquireSqliteLead } from './sqlite-lead.js';
import type { Store } from './store.js';

/**
 * Prepared statements kept for reuse. The repositories write a few hundred distinct statements
 * at most (IN lists vary in length), so starting afresh when it is full is rare and cheap.
 */
const STATEMENT_CACHE = 1000;

/** `sqlite:./data/bot.db` → `./data/bot.db`; `sqlite::memory:` → an in-memory database. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

/**
 * The default store: one SQLite file in WAL mode. better-sqlite3 is synchronous, which suits a
 * single process: each call is one short transaction. Opening is synchronous too, migrations
 * included, so a store is ready as soon as it is returned.
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
  return {
    kind: 'sqlite',
    ...openRepositories(sqliteDriver(db)),
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

/** SQLite speaks the repositories' SQL as written and reads INTEGER columns as numbers. */
function sqliteDriver(db: Database.Database): SqlDriver {
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= STATEMENT_CACHE) cache.clear();
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  const run = (sql: string, params: readonly SqlValue[]) => prepared(sql).run(...params).changes;
  return {
    async all<R>(sql: string, params: readonly SqlValue[] = []) {
      return prepared(sql).all(...params) as R[];
    },
    async run(sql, params = []) {
      return run(sql, params);
    },
    async runThen([sql, params], then) {
      return db.transaction(() => {
        const changed = run(sql, params);
        if (changed > 0 && then) run(insertSql(then), then.values);
        return changed;
      })();
    },
    bytewise: (expr) => expr,
    likeVerbatim: 'LIKE ?',
  };
}

/**
 * IMMEDIATE: the write lock first, so a second process opening the file meanwhile waits
 * (busy_timeout), then finds the migrations applied.
 */
function migrate(db: Database.Database): void {
  const step = (s: MigrationStep): Array<{ version: number }> => {
    if ('script' in s) {
      db.exec(s.script);
      return [];
    }
    const statement = db.prepare(s.statement);
    if (statement.reader) return statement.all(...s.params) as Array<{ version: number }>;
    statement.run(...s.params);
    return [];
  };
  db.transaction(() => {
    const steps = migrationSteps('sqlite');
    for (let next = steps.next(); !next.done; ) next = steps.next(step(next.value));
  }).immediate();
}
