import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations.js';
import { REPLAY_SWEEP_EVERY } from '../../src/store/repositories.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { storeContract } from './store-contract.js';

const fresh = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'store-')), 'nested', 'bot.db')}`;

storeContract('SQLite', async () => openSqliteStore(fresh()));

describe('the SQLite store', () => {
  it('creates its file and folder, applies every migration once, and keeps data across reopen', async () => {
    const url = fresh();
    const store = openSqliteStore(url);
    await store.audit.append({
      at: new Date(),
      actor: 'U1',
      event: 'requested',
      pipelineNames: ['p'],
    });
    await store.close();
    const again = openSqliteStore(url);
    expect(await again.audit.list()).toHaveLength(1);
    await again.close();
    const db = new Database(url.slice('sqlite:'.length));
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(
      migrations.map((m) => ({ version: m.version })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('deletes expired replay keys every so many claims, not on each one', async () => {
    const url = fresh();
    const store = openSqliteStore(url);
    const t = (s: number) => new Date(Date.parse('2026-11-29T09:00:00Z') + s * 1000);
    // Claims 0…149, none expired when the sweeping ones (0, 50, 100) ran.
    for (let i = 0; i < 150; i++) await store.replays.claim(`old-${i}`, t(10), t(0));
    const db = new Database(url.slice('sqlite:'.length));
    const count = () =>
      (db.prepare('SELECT count(*) AS n FROM replay_keys').get() as { n: number }).n;
    expect(count()).toBe(150);
    // Claim 150 sweeps: every expired key goes (up to a batch per claim since the last sweep).
    await store.replays.claim('new-0', t(400), t(100));
    expect(count()).toBe(1);
    // The claims between two sweeps write one row each and delete nothing.
    for (let i = 1; i < REPLAY_SWEEP_EVERY; i++)
      await store.replays.claim(`mid-${i}`, t(150), t(100));
    expect(count()).toBe(REPLAY_SWEEP_EVERY);
    await store.replays.claim('new-1', t(400), t(200));
    expect(count()).toBe(2);
    db.close();
    await store.close();
  });

  it('refuses a row whose list column holds something else, naming the column', async () => {
    const url = fresh();
    const store = openSqliteStore(url);
    const db = new Database(url.slice('sqlite:'.length));
    const write = (pipelineNames: string) =>
      db
        .prepare(
          `INSERT INTO trigger_records (kind, key, pipeline_names, spec, created_at, updated_at)
           VALUES ('schedule', 'g/a', ?, '{}', 0, 0)
           ON CONFLICT (kind, key) DO UPDATE SET pipeline_names = excluded.pipeline_names`,
        )
        .run(pipelineNames);
    write('{"p":1}');
    await expect(store.triggerRecords.get('schedule', 'g/a')).rejects.toThrow(
      /^trigger_records\.pipeline_names holds no list of names/,
    );
    write('not json');
    await expect(store.triggerRecords.get('schedule', 'g/a')).rejects.toThrow(
      'trigger_records.pipeline_names holds no JSON: not json',
    );
    db.close();
    await store.close();
  });

  it('lets a second store on the same file find every migration applied', async () => {
    const url = fresh();
    const first = openSqliteStore(url);
    const second = openSqliteStore(url);
    await first.audit.append({
      at: new Date(),
      actor: 'U1',
      event: 'requested',
      pipelineNames: [],
    });
    expect(await second.audit.list()).toHaveLength(1);
    await Promise.all([first.close(), second.close()]);
    const db = new Database(url.slice('sqlite:'.length));
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({
      n: migrations.length,
    });
    db.close();
  });
});
