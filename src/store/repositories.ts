import { approvals, auditLog, clicks } from './auth-repositories.js';
import {
  executionMessages,
  postedMessages,
  storedEvents,
  subscriptions,
} from './notification-repositories.js';
import {
  deadLetters,
  executionOrigins,
  localState,
  ticks,
  triggerRecords,
} from './scheduling-repositories.js';
import type { SqlDriver } from './sql.js';
import type { ReplayKeys, Store } from './store.js';

/** Expired replay keys deleted per claim: enough to keep up with any claim rate, bounded. */
export const REPLAY_SWEEP_BATCH = 100;
/** Claims between two sweeps of expired keys. */
export const REPLAY_SWEEP_EVERY = 50;

/** Everything a store holds, on the database `db` drives; the driver adds the rest. */
export type Repositories = Omit<Store, 'kind' | 'lead' | 'ping' | 'close'>;

export function openRepositories(db: SqlDriver): Repositories {
  return {
    triggerRecords: triggerRecords(db),
    executionOrigins: executionOrigins(db),
    ticks: ticks(db),
    deadLetters: deadLetters(db),
    local: localState(db),
    approvals: approvals(db),
    clicks: clicks(db),
    audit: auditLog(db),
    events: storedEvents(db),
    executionMessages: executionMessages(db),
    subscriptions: subscriptions(db),
    messages: postedMessages(db),
    replays: replayKeys(db),
  };
}

/** Replay keys written by one statement at most: a burst's claims take a few statements. */
export const REPLAY_CLAIMS_PER_STATEMENT = 100;

interface PendingClaim {
  expiresAt: number;
  /** The first claimant learns what the store says; any other claimant of the key, false. */
  answers: Array<{ resolve: (fresh: boolean) => void; reject: (error: unknown) => void }>;
}

function replayKeys(db: SqlDriver): ReplayKeys {
  // Every request claims a key before its ack. The claims that arrive in one turn of the event
  // loop (a burst's requests, read together) are written together, a statement per
  // REPLAY_CLAIMS_PER_STATEMENT keys, and answered from what it inserted; the sweep of expired
  // keys runs only every REPLAY_SWEEP_EVERY claims, for as many keys as that many sweeps would
  // have taken. Each claim is still answered only once its key is stored.
  let claims = 0;
  let sweepDue = false;
  /** Claims waiting for the next write, by the instant that decides expiry (undefined: the clock). */
  const waiting = new Map<number | undefined, Map<string, PendingClaim>>();

  const write = async (at: number | undefined, batch: Map<string, PendingClaim>) => {
    // In key order: two replicas writing the same keys lock them in one order, never deadlock.
    const entries = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let start = 0; start < entries.length; start += REPLAY_CLAIMS_PER_STATEMENT) {
      const chunk = entries.slice(start, start + REPLAY_CLAIMS_PER_STATEMENT);
      try {
        const now = at ?? Date.now();
        if (sweepDue) {
          sweepDue = false;
          await db.run(
            `DELETE FROM replay_keys WHERE key IN
               (SELECT key FROM replay_keys WHERE expires_at <= ? LIMIT ${REPLAY_SWEEP_BATCH * REPLAY_SWEEP_EVERY})`,
            [now],
          );
        }
        // An expired claim the sweep left (the batch was full) is taken over, not refused.
        // Concurrent writers of one new key: the insert of one waits for the other's commit,
        // then finds its unexpired row and changes nothing, so exactly one gets the key back.
        const inserted = await db.all<{ key: string }>(
          `INSERT INTO replay_keys (key, expires_at) VALUES ${chunk.map(() => '(?, ?)').join(', ')}
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
           WHERE replay_keys.expires_at <= ?
           RETURNING key`,
          [...chunk.flatMap(([key, claim]) => [key, claim.expiresAt]), now],
        );
        const fresh = new Set(inserted.map((row) => row.key));
        for (const [key, { answers }] of chunk)
          for (const [i, answer] of answers.entries()) answer.resolve(i === 0 && fresh.has(key));
      } catch (error) {
        for (const [, claim] of chunk) for (const answer of claim.answers) answer.reject(error);
      }
    }
  };

  return {
    claim(key, expiresAt, now) {
      if (claims++ % REPLAY_SWEEP_EVERY === 0) sweepDue = true;
      return new Promise<boolean>((resolve, reject) => {
        if (waiting.size === 0)
          setImmediate(() => {
            const batches = [...waiting];
            waiting.clear();
            for (const [at, batch] of batches) void write(at, batch);
          });
        const at = now?.getTime();
        const batch = waiting.get(at) ?? new Map<string, PendingClaim>();
        waiting.set(at, batch);
        const pending = batch.get(key);
        if (pending) pending.answers.push({ resolve, reject });
        else batch.set(key, { expiresAt: expiresAt.getTime(), answers: [{ resolve, reject }] });
      });
    },
  };
}
