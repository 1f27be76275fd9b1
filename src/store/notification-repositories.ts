import type {
  ExecutionMessageRepository,
  PostedMessageRepository,
  StoredEventRepository,
  SubscriptionRepository,
} from '../notifications/notification-store.js';
import {
  type EventRow,
  type ExecutionMessageRow,
  eventTable,
  executionMessageTable,
  fromEventRow,
  fromExecutionMessageRow,
  fromPostedMessageRow,
  fromSubscriptionRow,
  type PostedMessageRow,
  postedMessageTable,
  type SubscriptionRow,
  subscriptionTable,
  toEventRow,
  toExecutionMessageRow,
  toPostedMessageRow,
  toSubscriptionRow,
} from './rows.js';
import { insertNew, placeholders, type SqlDriver, upsert } from './sql.js';

/** Ids marked processed per statement: far below either database's limit on parameters. */
const MARK_BATCH = 500;

/** The notifications module's repositories, on either database. */
export function storedEvents(db: SqlDriver): StoredEventRepository {
  return {
    async insert(event) {
      return (await db.run(...insertNew(eventTable, toEventRow(event)))) === 1;
    },
    async pending(limit) {
      const found = await db.all<EventRow>(
        `SELECT id, received_at, via, body FROM events WHERE processed_at IS NULL
         ORDER BY received_at, ${db.bytewise('id')} LIMIT ?`,
        [limit],
      );
      return found.map(fromEventRow);
    },
    async markProcessed(ids, at) {
      for (let i = 0; i < ids.length; i += MARK_BATCH) {
        const batch = ids.slice(i, i + MARK_BATCH);
        await db.run(
          `UPDATE events SET processed_at = ? WHERE id IN (${placeholders(batch.length)})`,
          [at.getTime(), ...batch],
        );
      }
    },
    async pendingCount() {
      const [row] = await db.all<{ n: number }>(
        'SELECT count(*) AS n FROM events WHERE processed_at IS NULL',
      );
      return row?.n ?? 0;
    },
  };
}

export function executionMessages(db: SqlDriver): ExecutionMessageRepository {
  return {
    async get(executionArn, channel) {
      const [row] = await db.all<ExecutionMessageRow>(
        'SELECT * FROM execution_messages WHERE execution_arn = ? AND channel = ?',
        [executionArn, channel],
      );
      return row ? fromExecutionMessageRow(row) : undefined;
    },
    async put(message) {
      await db.run(...upsert(executionMessageTable, toExecutionMessageRow(message)));
    },
    async listFor(executionArn) {
      const found = await db.all<ExecutionMessageRow>(
        `SELECT * FROM execution_messages WHERE execution_arn = ? ORDER BY ${db.bytewise('channel')}`,
        [executionArn],
      );
      return found.map(fromExecutionMessageRow);
    },
  };
}

export function subscriptions(db: SqlDriver): SubscriptionRepository {
  return {
    async put(subscription) {
      await db.run(...upsert(subscriptionTable, toSubscriptionRow(subscription)));
    },
    async delete(pipeline, channel) {
      return (
        (await db.run('DELETE FROM subscriptions WHERE pipeline = ? AND channel = ?', [
          pipeline.toLowerCase(),
          channel,
        ])) === 1
      );
    },
    async list(pipeline) {
      const found = pipeline
        ? await db.all<SubscriptionRow>(
            `SELECT * FROM subscriptions WHERE pipeline = ? ORDER BY ${db.bytewise('channel')}`,
            [pipeline.toLowerCase()],
          )
        : await db.all<SubscriptionRow>(
            `SELECT * FROM subscriptions
             ORDER BY ${db.bytewise('pipeline')}, ${db.bytewise('channel')}`,
          );
      return found.map(fromSubscriptionRow);
    },
  };
}

export function postedMessages(db: SqlDriver): PostedMessageRepository {
  return {
    async put(key, location) {
      await db.run(...upsert(postedMessageTable, toPostedMessageRow(key, location, new Date())));
    },
    async get(key) {
      const [row] = await db.all<PostedMessageRow>(
        'SELECT channel, ts FROM posted_messages WHERE key = ?',
        [key],
      );
      return row ? fromPostedMessageRow(row) : undefined;
    },
  };
}
