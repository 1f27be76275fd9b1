import pg from 'pg';
import { migrationSteps } from './migrations.js';
import { openRepositories } from './repositories.js';
import type { SqlDriver, SqlValue } from './sql.js';
import type { Store } from './store.js';

/** Any constant works as long as every replica uses the same one: it serialises migrations. */
const MIGRATION_LOCK = 7_302_145_118_004_211;

/**
 * pg reads BIGINT as text, since it may not fit a double; every BIGINT here does (epoch
 * milliseconds, counts, audit ids), so the store's rows carry numbers as SQLite's do.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, Number);

/**
 * The store for several replicas: one PostgreSQL database behind a `pg.Pool`. Every method is a
 * single statement (or an idempotent pair) so it is atomic across replicas, like SQLite's.
 */
export async function openPostgresStore(
  databaseUrl: string,
  options: { poolSize?: number } = {},
): Promise<Store> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10, types });
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
  return {
    kind: 'postgres',
    ...openRepositories(postgresDriver(pool)),
    async lead(name) {
      // A session lock lives as long as its connection: hold one connection while leading.
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
          [name],
        );
        if (!rows[0]?.ok) {
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

/** `?` placeholders as PostgreSQL's `$1, $2, …`; no statement here has a `?` in a literal. */
function positional(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Keys compare with `COLLATE "C"`, so their order is SQLite's byte order whatever the server's
 * default collation.
 */
function postgresDriver(pool: pg.Pool): SqlDriver {
  const run = async (sql: string, params: readonly SqlValue[] = []) =>
    (await pool.query(positional(sql), [...params])).rowCount ?? 0;
  return {
    async all<R>(sql: string, params: readonly SqlValue[] = []) {
      return (await pool.query(positional(sql), [...params])).rows as R[];
    },
    run,
    async runThen([sql, params], then) {
      if (!then) return run(sql, params);
      // One statement, so both commit or neither does; its row count is the change's. Cast:
      // in a SELECT list a bare parameter would be text, and a NULL goes in as text (the audit
      // log, the one table written this way, has no nullable number).
      const values = then.values
        .map((v) => (typeof v === 'number' ? 'CAST(? AS BIGINT)' : 'CAST(? AS TEXT)'))
        .join(', ');
      return run(
        `WITH changed AS (${sql} RETURNING 1)
         INSERT INTO ${then.into} (${then.columns.join(', ')}) SELECT ${values} FROM changed`,
        [...params, ...then.values],
      );
    },
    bytewise: (expr) => `${expr} COLLATE "C"`,
    likeVerbatim: "LIKE ? ESCAPE ''",
  };
}

/**
 * Applies the missing migrations in one transaction that first takes a transaction-level
 * advisory lock: replicas starting together queue on it, and each one that gets it sees what
 * the previous one committed (READ COMMITTED takes a new snapshot per statement).
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const steps = migrationSteps('postgres');
    for (let next = steps.next(); !next.done; ) {
      const step = next.value;
      let rows: Array<{ version: number }> = [];
      if ('script' in step) await client.query(step.script);
      else ({ rows } = await client.query(positional(step.statement), step.params));
      next = steps.next(rows);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
