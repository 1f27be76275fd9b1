/**
 * The seam between the repositories, written once in SQL both databases accept, and the two
 * drivers. A driver runs that SQL (`?` placeholders), hands BIGINT columns back as numbers,
 * and supplies the two spellings that differ: byte-order comparison and a LIKE without escapes.
 */

/** A value bound to a `?`: the stores keep text and integers (epoch milliseconds, counts). */
export type SqlValue = string | number | null;

/** A row as written: column name to value. */
export type Row = Record<string, SqlValue>;

export type Statement = [sql: string, params: SqlValue[]];

/** An INSERT kept as its parts, so a driver can attach it to another statement. */
export interface Insert {
  into: string;
  columns: readonly string[];
  values: SqlValue[];
}

export interface SqlDriver {
  /** Rows of a query, BIGINT columns as numbers. */
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs a change; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `change` and, only for a row it changed, `then`, atomically: a status move and its
   * audit line commit together or not at all. Resolves to the number of rows `change` changed.
   */
  runThen(change: Statement, then: Insert | undefined): Promise<number>;
  /**
   * `expr` compared and ordered byte by byte: SQLite's default, and what keeps keys in the
   * same order on PostgreSQL whatever the server's collation.
   */
  bytewise(expr: string): string;
  /** `LIKE ?` where only `%` and `_` are special: a backslash in JSON is an ordinary character. */
  readonly likeVerbatim: string;
}

/**
 * A table as the repositories write it: its name and primary key. Its columns are the keys of
 * the rows its mapper makes (`toRequestRow`, …), every one present, NULL or not.
 */
export interface Table<R extends Row> {
  name: string;
  key: readonly (keyof R & string)[];
}

/** `?, ?, ?` for `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

export function insertOf<R extends Row>(table: Table<R>, row: R): Insert {
  return { into: table.name, columns: Object.keys(row), values: Object.values(row) };
}

export function insertSql({ into, columns }: Pick<Insert, 'into' | 'columns'>): string {
  return `INSERT INTO ${into} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})`;
}

/** What an INSERT does about an existing key, given the table's columns. */
const onConflict = {
  insert: () => '',
  insertNew: (table: { key: readonly string[] }) =>
    ` ON CONFLICT (${table.key.join(', ')}) DO NOTHING`,
  upsert: (table: { key: readonly string[] }, columns: string[]) =>
    ` ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${columns
      .filter((c) => !table.key.includes(c))
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`,
};

/** Built once per table and kind: a table's rows all have the same columns. */
const built = new Map<string, string>();

function insertText<R extends Row>(kind: keyof typeof onConflict, table: Table<R>, row: R): string {
  const id = `${kind} ${table.name}`;
  let sql = built.get(id);
  if (sql === undefined) {
    const columns = Object.keys(row);
    sql = insertSql({ into: table.name, columns }) + onConflict[kind](table, columns);
    built.set(id, sql);
  }
  return sql;
}

/** INSERT that fails on an existing key. */
export function insert<R extends Row>(table: Table<R>, row: R): Statement {
  return [insertText('insert', table, row), Object.values(row)];
}

/** INSERT that changes nothing (0 rows) when the key exists. */
export function insertNew<R extends Row>(table: Table<R>, row: R): Statement {
  return [insertText('insertNew', table, row), Object.values(row)];
}

/** INSERT that replaces every other column of an existing row. */
export function upsert<R extends Row>(table: Table<R>, row: R): Statement {
  return [insertText('upsert', table, row), Object.values(row)];
}
