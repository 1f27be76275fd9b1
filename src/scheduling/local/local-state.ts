/**
 * Where the embedded local back end keeps the state that stands in for AWS (schedules, groups,
 * rules, executions, dead letters): opaque JSON documents with the few fields its queries need.
 * `src/store` implements the repository, so the state survives a restart and every process on
 * one database sees the same back end.
 */

export type LocalTable = 'schedules' | 'groups' | 'rules' | 'executions' | 'dead-letters';

/** A row of the local back end: an opaque JSON document with the few fields queries need. */
export interface LocalRow {
  key: string;
  /** Secondary key used by lookups (e.g. the pipeline of an execution). */
  ref?: string;
  json: string;
  updatedAt: Date;
}

/** Which rows `list` returns; always in byte order of their keys. */
export interface LocalQuery {
  ref?: string;
  keyPrefix?: string;
  /** Only keys after this one: the next page. */
  after?: string;
  /** Rows written at or after this instant (another process's changes). */
  updatedSince?: Date;
  limit?: number;
}

export interface LocalStateRepository {
  get(table: LocalTable, key: string): Promise<LocalRow | undefined>;
  /** Inserts; false when the key exists (a compare-and-set on absence). */
  insert(table: LocalTable, row: LocalRow): Promise<boolean>;
  put(table: LocalTable, row: LocalRow): Promise<void>;
  delete(table: LocalTable, key: string): Promise<boolean>;
  list(table: LocalTable, query?: LocalQuery): Promise<LocalRow[]>;
  /**
   * Claims an idempotency token for `owner`. Returns the owner that holds it: `owner` when
   * this call claimed it, another when it was claimed before.
   */
  claimToken(scope: string, token: string, owner: string): Promise<string>;
}
