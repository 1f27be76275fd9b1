import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/auth/approval-store.js';
import { migrations } from '../../src/store/migrations.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, dropTestDatabases } from '../support/postgres-databases.js';
import { storeContract } from './store-contract.js';

const freshDatabase = () => createTestDatabase('store_test');

afterAll(dropTestDatabases);

let shared: Promise<string> | undefined;

/**
 * This file's database, migrated, with every table emptied: a third of the cost of a new
 * database per test; tests within a file run one at a time.
 */
async function emptyDatabase(): Promise<string> {
  shared ??= freshDatabase().then(async (url) => {
    await (await openPostgresStore(url)).close();
    return url;
  });
  const url = await shared;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ name: string }>(
      "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'",
    );
    await db.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY`);
  } finally {
    await db.end();
  }
  return url;
}

storeContract('PostgreSQL', async () => openPostgresStore(await emptyDatabase()));

describe('the PostgreSQL store, shared by replicas', () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** Two stores on their own pools, as two replicas have, with their connections opened. */
  async function twoReplicas(): Promise<[Store, Store]> {
    const url = await emptyDatabase();
    const a = await openPostgresStore(url, { poolSize: 10 });
    open.push(a);
    const b = await openPostgresStore(url, { poolSize: 10 });
    open.push(b);
    // Open every connection first, so the racing calls below overlap instead of queueing.
    await Promise.all([a, b].flatMap((s) => Array.from({ length: 10 }, () => s.ping())));
    return [a, b];
  }

  const request = (id: string): ApprovalRequest => ({
    id,
    payload: '{}',
    contentHash: 'h1',
    action: 'create',
    pipelineNames: ['prod-churn'],
    requestedBy: 'U0ALICE',
    status: 'PENDING',
    requiredApprovals: 1,
    approverRoles: ['approvers'],
    createdAt: new Date('2026-11-29T08:00:00Z'),
    expiresAt: new Date('2026-11-30T08:00:00Z'),
    updatedAt: new Date('2026-11-29T08:00:00Z'),
  });
  const at = new Date('2026-11-29T09:00:00Z');
  const fifty = Array.from({ length: 50 }, (_, i) => i);

  it('lets one replica lead at a time, and another take over once it lets go', async () => {
    const [a, b] = await twoReplicas();
    const releaseA = await a.lead('engine');
    expect(releaseA).toBeTypeOf('function');
    expect(await b.lead('engine')).toBeUndefined();
    const notifier = await b.lead('notifier');
    expect(notifier).toBeTypeOf('function');
    await notifier?.();
    await releaseA?.();
    const releaseB = await b.lead('engine');
    expect(releaseB).toBeTypeOf('function');
    await releaseB?.();
  });

  it('lets exactly one of 50 concurrent approvals through', async () => {
    const [a, b] = await twoReplicas();
    await a.approvals.insert(request('r1'));
    const results = await Promise.all(
      fifty.map((i) =>
        (i % 2 ? a : b).approvals.transition('r1', ['PENDING'], 'APPROVED', {
          decidedBy: `U${i}`,
          at,
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await b.approvals.get('r1')).toMatchObject({
      status: 'APPROVED',
      decidedBy: `U${winner}`,
    });
  });

  it('counts one of 50 concurrent votes by the same person', async () => {
    const [a, b] = await twoReplicas();
    await a.approvals.insert(request('r1'));
    const results = await Promise.all(
      fifty.map((i) =>
        (i % 2 ? a : b).approvals.addVote({ requestId: 'r1', userId: 'U1', contentHash: 'h1', at }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.approvals.votes('r1')).toEqual([
      { requestId: 'r1', userId: 'U1', contentHash: 'h1', at },
    ]);
  });

  it('gives a token to one of 50 concurrent claimants, and all of them agree who', async () => {
    const [a, b] = await twoReplicas();
    const owners = await Promise.all(
      fifty.map((i) =>
        (i % 2 ? a : b).local.claimToken('fire', 'sched-1@2026-11-29T09:00', `o${i}`),
      ),
    );
    expect(new Set(owners).size).toBe(1);
    expect(fifty.map((i) => `o${i}`)).toContain(owners[0]);
    expect(await a.local.claimToken('fire', 'sched-1@2026-11-29T09:00', 'late')).toBe(owners[0]);
  });

  it('migrates once when two replicas start at the same time', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    open.push(...stores);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual(migrations.map((m) => ({ version: m.version })));
    } finally {
      await db.end();
    }
    // And a later start finds nothing to do.
    open.push(await openPostgresStore(url));
    await stores[1]?.audit.append({ at, actor: 'U1', event: 'requested', pipelineNames: ['p'] });
    expect(await stores[0]?.audit.list()).toHaveLength(1);
  });

  it("orders keys in SQLite's byte order, whatever the server's collation", async () => {
    const postgres = await openPostgresStore(await emptyDatabase());
    open.push(postgres);
    const sqlite = openSqliteStore('sqlite::memory:');
    open.push(sqlite);
    const keys = ['g/a-b', 'g/aB', 'g/a_b', 'g/A', 'g/ab', 'g/é', 'g/Z', 'g/a b', 'g/10', 'g/9'];
    for (const store of [postgres, sqlite]) {
      for (const key of keys) {
        await store.local.put('schedules', { key, json: '{}', updatedAt: at });
      }
      await store.local.put('schedules', { key: 'h/a', json: '{}', updatedAt: at });
    }
    const queries = [
      {},
      { keyPrefix: 'g/a' },
      { keyPrefix: 'g/', after: 'g/Z', limit: 3 },
      { after: 'g/a_b' },
    ];
    for (const query of queries) {
      const expected = (await sqlite.local.list('schedules', query)).map((r) => r.key);
      expect((await postgres.local.list('schedules', query)).map((r) => r.key)).toEqual(expected);
    }
    expect((await postgres.local.list('schedules')).map((r) => r.key)).toEqual(
      [...keys, 'h/a'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
  });
});
