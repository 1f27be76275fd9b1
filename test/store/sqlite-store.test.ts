import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const fresh = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'store-')), 'nested', 'bot.db')}`;

describe('the SQLite store', () => {
  it('creates its file and folder, applies every migration once, and keeps data across reopen', async () => {
    const url = fresh();
    const store = openSqliteStore(url);
    await store.triggerRecords.put({
      kind: 'schedule',
      key: 'sagemaker-pipelines/churn',
      pipelineNames: ['churn-train'],
      spec: '{}',
      createdBy: 'U1',
      approvedBy: ['U2'],
      createdAt: new Date('2026-11-29T08:00:00Z'),
      updatedAt: new Date('2026-11-29T08:00:00Z'),
    });
    await store.close();
    const again = openSqliteStore(url);
    expect(await again.triggerRecords.get('schedule', 'sagemaker-pipelines/churn')).toMatchObject({
      createdBy: 'U1',
      approvedBy: ['U2'],
    });
    await again.close();
    const db = new Database(url.slice('sqlite:'.length));
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual(
      migrations.map((m) => ({ version: m.version })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('inserts only when absent, and hands an idempotency token to its first claimant', async () => {
    const store = openSqliteStore(fresh());
    const row = { key: 'k', json: '{"a":1}', updatedAt: new Date() };
    expect(await store.local.insert('schedules', row)).toBe(true);
    expect(await store.local.insert('schedules', { ...row, json: '{"a":2}' })).toBe(false);
    expect((await store.local.get('schedules', 'k'))?.json).toBe('{"a":1}');
    expect(await store.local.claimToken('s', 'tok', 'first')).toBe('first');
    expect(await store.local.claimToken('s', 'tok', 'second')).toBe('first');
    await store.close();
  });

  it('lists rows in key order, by prefix and page', async () => {
    const store = openSqliteStore(fresh());
    for (const key of ['g/b', 'g/a', 'h/a', 'g/c'])
      await store.local.put('schedules', { key, json: '{}', updatedAt: new Date() });
    expect((await store.local.list('schedules', { keyPrefix: 'g/' })).map((r) => r.key)).toEqual([
      'g/a',
      'g/b',
      'g/c',
    ]);
    expect(
      (await store.local.list('schedules', { keyPrefix: 'g/', after: 'g/a', limit: 1 })).map(
        (r) => r.key,
      ),
    ).toEqual(['g/b']);
    await store.close();
  });
});
