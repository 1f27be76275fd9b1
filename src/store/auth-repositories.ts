import type { ApprovalClickRepository, ApprovalRepository } from '../auth/approval-store.js';
import type { AuditEntry, AuditLog } from '../auth/audit.js';
import {
  type AuditRow,
  auditTable,
  type ClickRow,
  clickTable,
  fromAuditRow,
  fromClickRow,
  fromRequestRow,
  fromVoteRow,
  holdsName,
  type RequestRow,
  requestTable,
  toAuditRow,
  toClickRow,
  toRequestRow,
  toVoteRow,
  type VoteRow,
  voteTable,
} from './rows.js';
import { insert, insertNew, insertOf, placeholders, type SqlDriver } from './sql.js';

/**
 * The auth module's repositories, on either database. Every change is one guarded statement:
 * under concurrency (two approvers, two replicas) exactly one caller sees its row change, the
 * others re-check the guard after the winner commits and match nothing.
 */
export function approvals(db: SqlDriver): ApprovalRepository {
  const audit = (entry: AuditEntry | undefined) => entry && insertOf(auditTable, toAuditRow(entry));
  return {
    async insert(request) {
      await db.run(...insert(requestTable, toRequestRow(request)));
    },
    async get(id) {
      const [row] = await db.all<RequestRow>('SELECT * FROM approval_requests WHERE id = ?', [id]);
      return row ? fromRequestRow(row) : undefined;
    },
    async withIdPrefix(prefix, limit) {
      if (!/^[A-Za-z0-9-]+$/.test(prefix)) return [];
      // Compared exactly, not with LIKE: the same (case-sensitive) answer on both databases.
      const found = await db.all<RequestRow>(
        `SELECT * FROM approval_requests WHERE substr(id, 1, ?) = ?
         ORDER BY created_at DESC LIMIT ?`,
        [prefix.length, prefix, limit],
      );
      return found.map(fromRequestRow);
    },
    async list(query = {}) {
      const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
      const found = query.status
        ? await db.all<RequestRow>(
            'SELECT * FROM approval_requests WHERE status = ? ORDER BY created_at DESC LIMIT ?',
            [query.status, limit],
          )
        : await db.all<RequestRow>(
            'SELECT * FROM approval_requests ORDER BY created_at DESC LIMIT ?',
            [limit],
          );
      return found.map(fromRequestRow);
    },
    async addVote(vote, entry) {
      return (await db.runThen(insertNew(voteTable, toVoteRow(vote)), audit(entry))) === 1;
    },
    async votes(requestId) {
      const found = await db.all<VoteRow>(
        // Ties on `at` break by user id, byte by byte on both databases.
        `SELECT * FROM approval_votes WHERE request_id = ? ORDER BY at, ${db.bytewise('user_id')}`,
        [requestId],
      );
      return found.map(fromVoteRow);
    },
    async transition(id, from, to, fields, entry) {
      if (from.length === 0) return false;
      const attemptBy = fields.attemptBy ?? null;
      const at = fields.at.getTime();
      // CAST: PostgreSQL cannot tell the type of a parameter that is only tested for NULL.
      const move = `UPDATE approval_requests SET status = ?, decided_by = COALESCE(?, decided_by),
          reason = COALESCE(?, reason), outcome = COALESCE(?, outcome), updated_at = ?,
          attempt_by = COALESCE(CAST(? AS TEXT), attempt_by),
          attempt_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN attempt_at ELSE ? END
        WHERE id = ? AND status IN (${placeholders(from.length)})`;
      const params = [
        to,
        fields.decidedBy ?? null,
        fields.reason ?? null,
        fields.outcome ?? null,
        at,
        attemptBy,
        attemptBy,
        at,
        id,
        ...from,
      ];
      return (await db.runThen([move, params], audit(entry))) === 1;
    },
    async startAttempt(id, seen, next) {
      // IS NOT DISTINCT FROM: a request approved before attempts were recorded has no runner.
      const at = next.at.getTime();
      return (
        (await db.run(
          `UPDATE approval_requests SET status = 'EXECUTING', attempt_by = ?, attempt_at = ?,
             attempts = attempts + 1, execution_token = COALESCE(execution_token, ?), updated_at = ?
           WHERE id = ? AND status = ? AND attempt_by IS NOT DISTINCT FROM CAST(? AS TEXT)
             AND attempt_at IS NOT DISTINCT FROM CAST(? AS BIGINT)`,
          [
            next.by,
            at,
            next.token,
            at,
            id,
            seen.status,
            seen.attemptBy ?? null,
            seen.attemptAt?.getTime() ?? null,
          ],
        )) === 1
      );
    },
    async renewAttempt(id, by, at) {
      return (
        (await db.run(
          `UPDATE approval_requests SET attempt_at = ?
           WHERE id = ? AND status = 'EXECUTING' AND attempt_by = ?`,
          [at.getTime(), id, by],
        )) === 1
      );
    },
    async expire(now) {
      const found = await db.all<{ id: string }>(
        `UPDATE approval_requests SET status = 'EXPIRED', updated_at = ?
         WHERE status = 'PENDING' AND expires_at <= ? RETURNING id`,
        [now.getTime(), now.getTime()],
      );
      return found.map((r) => r.id);
    },
  };
}

export function clicks(db: SqlDriver): ApprovalClickRepository {
  const oldestFirst = `ORDER BY at, ${db.bytewise('id')}`;
  return {
    async insert(click) {
      await db.run(...insert(clickTable, toClickRow(click)));
    },
    async markProcessed(id, at, result) {
      return (
        (await db.run(
          'UPDATE approval_clicks SET processed_at = ?, result = ? WHERE id = ? AND processed_at IS NULL',
          [at.getTime(), result, id],
        )) === 1
      );
    },
    async unprocessed(limit) {
      const found = await db.all<ClickRow>(
        `SELECT * FROM approval_clicks WHERE processed_at IS NULL ${oldestFirst} LIMIT ?`,
        [Math.max(1, Math.floor(limit))],
      );
      return found.map(fromClickRow);
    },
    async forRequest(requestId) {
      const found = await db.all<ClickRow>(
        `SELECT * FROM approval_clicks WHERE request_id = ? ${oldestFirst}`,
        [requestId],
      );
      return found.map(fromClickRow);
    },
  };
}

export function auditLog(db: SqlDriver): AuditLog {
  return {
    async append(entry) {
      await db.run(...insert(auditTable, toAuditRow(entry)));
    },
    async list(query = {}) {
      const limit = Math.max(1, Math.min(query.limit ?? 20, 1000));
      const found = query.pipeline
        ? await db.all<AuditRow & { id: number }>(
            `SELECT * FROM audit_log WHERE lower(pipeline_names) ${db.likeVerbatim}
             ORDER BY id DESC LIMIT ?`,
            [holdsName(query.pipeline), limit],
          )
        : await db.all<AuditRow & { id: number }>(
            'SELECT * FROM audit_log ORDER BY id DESC LIMIT ?',
            [limit],
          );
      return found.map(fromAuditRow);
    },
  };
}
