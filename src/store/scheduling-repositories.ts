import type { ExecutionOriginRepository } from '../scheduling/execution-origins.js';
import type { LocalStateRepository } from '../scheduling/local/local-state.js';
import type { DeadLetterRepository } from '../scheduling/ports.js';
import type { TickRepository } from '../scheduling/ticks.js';
import type { TriggerRecordRepository } from '../scheduling/trigger-records.js';
import {
  type DeadLetterRow,
  deadLetterTable,
  type ExecutionOriginRow,
  executionOriginTable,
  fromDeadLetterRow,
  fromExecutionOriginRow,
  fromLocalRowData,
  fromTickRow,
  fromTriggerRow,
  holdsName,
  LOCAL_COLUMNS,
  type LocalRowData,
  localTable,
  type TickRow,
  type TriggerRow,
  tickTable,
  toDeadLetterRow,
  toExecutionOriginRow,
  toLocalRowData,
  toTickRow,
  toTriggerRow,
  triggerTable,
} from './rows.js';
import { insertNew, type SqlDriver, type SqlValue, upsert } from './sql.js';

/** The scheduling module's repositories, on either database. */
export function triggerRecords(db: SqlDriver): TriggerRecordRepository {
  return {
    async put(record) {
      await db.run(...upsert(triggerTable, toTriggerRow(record)));
    },
    async get(kind, key) {
      const [row] = await db.all<TriggerRow>(
        'SELECT * FROM trigger_records WHERE kind = ? AND key = ?',
        [kind, key],
      );
      return row ? fromTriggerRow(row) : undefined;
    },
    async delete(kind, key) {
      await db.run('DELETE FROM trigger_records WHERE kind = ? AND key = ?', [kind, key]);
    },
    async channelsFor(pipelineName) {
      const found = await db.all<{ channel_id: string }>(
        `SELECT DISTINCT ${db.bytewise('channel_id')} AS channel_id FROM trigger_records
         WHERE channel_id IS NOT NULL AND lower(pipeline_names) ${db.likeVerbatim} ORDER BY 1`,
        [holdsName(pipelineName)],
      );
      return found.map((r) => r.channel_id);
    },
    async forRequest(requestId) {
      const found = await db.all<TriggerRow>(
        `SELECT * FROM trigger_records WHERE request_id = ?
         ORDER BY ${db.bytewise('kind')}, ${db.bytewise('key')}`,
        [requestId],
      );
      return found.map(fromTriggerRow);
    },
    async runningOnceBetween(from, to) {
      const found = await db.all<TriggerRow>(
        `SELECT * FROM trigger_records
         WHERE runs_once_at IS NOT NULL AND runs_once_at > ? AND runs_once_at <= ?
         ORDER BY runs_once_at, ${db.bytewise('key')}`,
        [from.getTime(), to.getTime()],
      );
      return found.map(fromTriggerRow);
    },
  };
}

export function executionOrigins(db: SqlDriver): ExecutionOriginRepository {
  return {
    async put(origin) {
      await db.run(...insertNew(executionOriginTable, toExecutionOriginRow(origin)));
    },
    async get(executionArn) {
      const [row] = await db.all<ExecutionOriginRow>(
        'SELECT * FROM execution_origins WHERE execution_arn = ?',
        [executionArn],
      );
      return row ? fromExecutionOriginRow(row) : undefined;
    },
  };
}

export function deadLetters(db: SqlDriver): DeadLetterRepository {
  return {
    async insert(letter) {
      return (await db.run(...insertNew(deadLetterTable, toDeadLetterRow(letter)))) === 1;
    },
    async find(scheduleArn, from, to) {
      const [row] = await db.all<DeadLetterRow>(
        `SELECT * FROM dead_letters WHERE schedule_arn = ? AND scheduled_time BETWEEN ? AND ?
         ORDER BY scheduled_time LIMIT 1`,
        [scheduleArn, from.getTime(), to.getTime()],
      );
      return row ? fromDeadLetterRow(row) : undefined;
    },
  };
}

export function ticks(db: SqlDriver): TickRepository {
  return {
    async insert(tick) {
      return (await db.run(...insertNew(tickTable, toTickRow(tick)))) === 1;
    },
    async update(tick) {
      await db.run(...upsert(tickTable, toTickRow(tick)));
    },
    async get(triggerKey, occurrence) {
      const [row] = await db.all<TickRow>(
        'SELECT * FROM trigger_ticks WHERE trigger_key = ? AND occurrence = ?',
        [triggerKey, occurrence.getTime()],
      );
      return row ? fromTickRow(row) : undefined;
    },
    async recent(triggerKey, limit) {
      const found = await db.all<TickRow>(
        'SELECT * FROM trigger_ticks WHERE trigger_key = ? ORDER BY occurrence DESC LIMIT ?',
        [triggerKey, limit],
      );
      return found.map(fromTickRow);
    },
    async untold(limit) {
      const found = await db.all<TickRow>(
        `SELECT * FROM trigger_ticks WHERE outcome <> 'started' AND (told IS NULL OR told <> outcome)
         ORDER BY recorded_at LIMIT ?`,
        [limit],
      );
      return found.map(fromTickRow);
    },
    async markTold(tick) {
      await db.run(
        'UPDATE trigger_ticks SET told = ? WHERE trigger_key = ? AND occurrence = ? AND outcome = ?',
        [tick.outcome, tick.triggerKey, tick.occurrence.getTime(), tick.outcome],
      );
    },
    async pruneBefore(before) {
      // A stretch of skipped runs stays while its last one is recent.
      return db.run(
        'DELETE FROM trigger_ticks WHERE COALESCE(through_occurrence, occurrence) < ?',
        [before.getTime()],
      );
    },
    async missedSince(since) {
      const found = await db.all<TickRow>(
        `SELECT * FROM trigger_ticks WHERE outcome = 'missed' AND occurrence >= ?
         ORDER BY occurrence`,
        [since.getTime()],
      );
      return found.map(fromTickRow);
    },
  };
}

export function localState(db: SqlDriver): LocalStateRepository {
  return {
    async get(table, key) {
      const [row] = await db.all<LocalRowData>(
        `SELECT ${LOCAL_COLUMNS} FROM local_rows WHERE tbl = ? AND key = ?`,
        [table, key],
      );
      return row ? fromLocalRowData(row) : undefined;
    },
    async insert(table, row) {
      return (await db.run(...insertNew(localTable, toLocalRowData(table, row)))) === 1;
    },
    async put(table, row) {
      await db.run(...upsert(localTable, toLocalRowData(table, row)));
    },
    async delete(table, key) {
      return (await db.run('DELETE FROM local_rows WHERE tbl = ? AND key = ?', [table, key])) === 1;
    },
    async list(table, query = {}) {
      const clauses = ['tbl = ?'];
      const params: SqlValue[] = [table];
      if (query.ref !== undefined) {
        clauses.push('ref = ?');
        params.push(query.ref);
      }
      if (query.keyPrefix !== undefined) {
        // A half-open range, not LIKE: nothing in the prefix needs escaping.
        clauses.push(`key >= ${db.bytewise('?')} AND key < ${db.bytewise('?')}`);
        params.push(query.keyPrefix, `${query.keyPrefix}\uffff`);
      }
      if (query.updatedSince !== undefined) {
        clauses.push('updated_at >= ?');
        params.push(query.updatedSince.getTime());
      }
      if (query.after !== undefined) {
        clauses.push(`key > ${db.bytewise('?')}`);
        params.push(query.after);
      }
      let limit = '';
      if (query.limit !== undefined) {
        limit = ' LIMIT ?';
        params.push(Math.max(1, Math.floor(query.limit)));
      }
      const found = await db.all<LocalRowData>(
        `SELECT ${LOCAL_COLUMNS} FROM local_rows WHERE ${clauses.join(' AND ')}
         ORDER BY ${db.bytewise('key')}${limit}`,
        params,
      );
      return found.map(fromLocalRowData);
    },
    async claimToken(scope, token, owner) {
      // Two statements on purpose: on PostgreSQL, ON CONFLICT waits for a concurrent claimant
      // to commit, and only a new statement's snapshot sees that claimant's row.
      await db.run(
        `INSERT INTO idempotency_tokens (scope, token, owner, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, token) DO NOTHING`,
        [scope, token, owner, Date.now()],
      );
      const [row] = await db.all<{ owner: string }>(
        'SELECT owner FROM idempotency_tokens WHERE scope = ? AND token = ?',
        [scope, token],
      );
      return row?.owner ?? owner;
    },
  };
}
