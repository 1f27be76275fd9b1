import {
  closeSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** How often the leader touches its lock file, and when another host's lock counts as stale. */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;

/** Another process leads this SQLite file: who, so the message can say so. */
export class SqliteLeadTaken extends Error {
  constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {
    super(
      `DATABASE_URL sqlite:${path} is in use by another pipeline-schedule-bot (pid ${holder.pid} on ${holder.host}, since ${holder.since}): SQLite serves one process. Stop that one, or use PostgreSQL (DATABASE_URL=postgres://…) to run several replicas`,
    );
  }
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/**
 * One leader per SQLite file: `<db>-lead.lock` holds the leader's pid and host. A lock whose
 * process is gone (same host: the pid no longer runs, or is this process after a container
 * restart) or whose heartbeat stopped (another host sharing the volume) is taken over; a live
 * one refuses with SqliteLeadTaken. SQLite has no session locks that die with the process, which
 * is what PostgreSQL's advisory lock gives the other store.
 */
export function acquireSqliteLead(databasePath: string): () => Promise<void> {
  const path = resolve(databasePath);
  const lockPath = `${path}-lead.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          utimesSync(lockPath, now, now);
        } catch {
          // The file was removed by hand; the next start will simply take the lead.
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return async () => {
        clearInterval(heartbeat);
        if (holderOf(lockPath)?.pid === me.pid && holderOf(lockPath)?.host === me.host)
          unlinkSync(lockPath);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(lockPath);
      if (holder && isAlive(holder, lockPath)) throw new SqliteLeadTaken(path, holder);
      unlinkSync(lockPath);
    }
  }
  throw new Error(`cannot take the lead of ${path}: ${lockPath} keeps coming back`);
}

function holderOf(lockPath: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder, lockPath: string): boolean {
  if (holder.host !== hostname()) {
    try {
      const { mtimeMs } = statSync(lockPath);
      return Date.now() - mtimeMs < STALE_MS;
    } catch {
      return false;
    }
  }
  // Our own pid in the lock is an earlier life of this container, not a rival.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
