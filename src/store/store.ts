import type { AccessStorage } from '../auth/approval-store.js';
import type {
  NotificationStorage,
  PostedMessageRepository,
} from '../notifications/notification-store.js';
import type { ExecutionOriginRepository } from '../scheduling/execution-origins.js';
import type { LocalStateRepository } from '../scheduling/local/local-state.js';
import type { DeadLetterRepository } from '../scheduling/ports.js';
import type { TickRepository } from '../scheduling/ticks.js';
import type { TriggerRecordRepository } from '../scheduling/trigger-records.js';

/**
 * Everything the bot keeps, behind one interface: SQLite by default, PostgreSQL for several
 * replicas. AWS stays the source of truth for schedules and rules; the store keeps what AWS
 * cannot (who asked for a trigger and what we sent), and, for the embedded local back end, the
 * state that stands in for AWS.
 *
 * Each module declares the repositories it needs, beside the code that relies on them (auth:
 * approvals, clicks, audit; scheduling: trigger records, the local back end's state;
 * notifications: the event inbox, execution messages, subscriptions, posted messages). A store
 * is all of them, plus what only the process as a whole needs: replay keys, leadership, the
 * connection. Every method is async so the PostgreSQL implementation fits the same shape.
 */
export interface Store extends AccessStorage, NotificationStorage {
  readonly kind: 'sqlite' | 'postgres';
  /** Modules read parts of it; the scheduling service writes it. */
  triggerRecords: TriggerRecordRepository;
  /** Who started the executions the bot started (attribution's certain part). */
  executionOrigins: ExecutionOriginRepository;
  /** What became of each occurrence of the schedules the bot watches. */
  ticks: TickRepository;
  /** Scheduler's dead-letter events, read from DEAD_LETTER_QUEUE_URL. */
  deadLetters: DeadLetterRepository;
  /** State of the embedded local back end. */
  local: LocalStateRepository;
  messages: PostedMessageRepository;
  replays: ReplayKeys;
  /**
   * Tries to become the one process that runs the work only one may do (the scheduler engine,
   * the notifier). PostgreSQL: a session advisory lock, released if the process dies; SQLite:
   * one process owns the file, so always granted. Resolves to a release function, or undefined
   * when another process leads.
   */
  lead(name: string): Promise<(() => Promise<void>) | undefined>;
  /** Checks the store answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Replay protection: remembers keys (a signed request's signature, say) until they expire. */
export interface ReplayKeys {
  /**
   * True the first time `key` is claimed, or when its earlier claim has expired by `now`;
   * false while an earlier claim holds. Every so many calls, one also deletes a bounded batch
   * of expired keys, so the table stays about the size of one expiry window.
   */
  claim(key: string, expiresAt: Date, now?: Date): Promise<boolean>;
}
