/**
 * Everything the bot keeps, behind one interface: SQLite by default, PostgreSQL for several
 * replicas. AWS stays the source of truth for schedules and rules; the store keeps what AWS
 * cannot (who asked for a trigger and what we sent), and, for the embedded local back end, the
 * state that stands in for AWS.
 *
 * Every method is async so the PostgreSQL implementation fits the same shape.
 */

/** What the bot recorded when it created or changed a trigger: for drift and attribution. */
export interface TriggerRecord {
  kind: 'schedule' | 'event';
  /** `group/name` for schedules, the rule name for event triggers. */
  key: string;
  pipelineNames: string[];
  /** The trigger as the bot last wrote it (JSON of ScheduleTrigger or EventTrigger). */
  spec: string;
  createdBy?: string;
  approvedBy?: string[];
  requestId?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of the local back end: an opaque JSON document with the few fields queries need. */
export interface LocalRow {
  key: string;
  /** Secondary key used by lookups (e.g. the pipeline of an execution). */
  ref?: string;
  json: string;
  updatedAt: Date;
}

export type LocalTable = 'schedules' | 'groups' | 'rules' | 'executions' | 'dead-letters';

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  triggerRecords: {
    put(record: TriggerRecord): Promise<void>;
    get(kind: TriggerRecord['kind'], key: string): Promise<TriggerRecord | undefined>;
    delete(kind: TriggerRecord['kind'], key: string): Promise<void>;
  };
  /** State of the embedded local back end. */
  local: {
    get(table: LocalTable, key: string): Promise<LocalRow | undefined>;
    /** Inserts; false when the key exists (a compare-and-set on absence). */
    insert(table: LocalTable, row: LocalRow): Promise<boolean>;
    put(table: LocalTable, row: LocalRow): Promise<void>;
    delete(table: LocalTable, key: string): Promise<boolean>;
    list(
      table: LocalTable,
      query?: {
        ref?: string;
        keyPrefix?: string;
        after?: string;
        /** Rows written at or after this instant (another process's changes). */
        updatedSince?: Date;
        limit?: number;
      },
    ): Promise<LocalRow[]>;
    /**
     * Claims an idempotency token for `owner`. Returns the owner that holds it: `owner` when
     * this call claimed it, another when it was claimed before.
     */
    claimToken(scope: string, token: string, owner: string): Promise<string>;
  };
  /** Checks the store answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
