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

function replayKeys(db: SqlDriver): ReplayKeys {
  // Every request claims a key before its ack: one write each, and the sweep of expired keys
  // only every REPLAY_SWEEP_EVERY claims, for as many keys as that many sweeps would have taken.
  let claims = 0;
  return {
    async claim(key, expiresAt, now = new Date()) {
      if (claims++ % REPLAY_SWEEP_EVERY === 0)
        await db.run(
          `DELETE FROM replay_keys WHERE key IN
             (SELECT key FROM replay_keys WHERE expires_at <= ? LIMIT ${REPLAY_SWEEP_BATCH * REPLAY_SWEEP_EVERY})`,
          [now.getTime()],
        );
      // An expired claim the sweep left (the batch was full) is taken over, not refused.
      // Concurrent claimants of one new key: the insert of one waits for the other's commit,
      // then finds its unexpired row and updates nothing, so exactly one sees a row change.
      return (
        (await db.run(
          `INSERT INTO replay_keys (key, expires_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
           WHERE replay_keys.expires_at <= ?`,
          [key, expiresAt.getTime(), now.getTime()],
        )) === 1
      );
    },
  };
}
