import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** A process that runs approved requests, and whether one that left work behind is gone. */
export interface Runner {
  /** Stored with each attempt and each click this process records. */
  id: string;
  /** True when that runner is known to have stopped; false when alive or not knowable here. */
  isGone(runnerId: string): boolean;
}

const thisHost = hostname();
/** Runner ids of this process: a runner id with our pid but not in here was a process before us. */
const liveRunners = new Set<string>();

/** A runner id for this process: `<host>/<pid>/<uuid>`. */
export function processRunner(): Runner {
  const id = `${thisHost}/${process.pid}/${randomUUID()}`;
  liveRunners.add(id);
  return { id, isGone: runnerIsGone };
}

/**
 * Whether the process behind a runner id has stopped. Only a process on this host can be
 * checked (SQLite is always on this host); elsewhere it is not knowable here, and only the
 * lease tells. Our own pid under another id was an earlier process (a container restarts with
 * the same pid); a pid reused by an unrelated process reads as alive, which only delays
 * recovery until the lease runs out.
 */
export function runnerIsGone(runnerId: string): boolean {
  const [host, pidText] = runnerId.split('/');
  if (host !== thisHost) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !liveRunners.has(runnerId);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
