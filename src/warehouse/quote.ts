/**
 * SQL identifiers from a contract (table and column names) made safe to place in a query. Values
 * never go through here: they are bound as parameters (see {@link SqlParams}).
 * @module
 */

/**
 * `name` as a double-quoted SQL identifier, inner quotes doubled, so any name (quotes, semicolons,
 * `--`, spaces, keywords) is read as one literal name and never as SQL. NUL is refused: DuckDB
 * would cut the name there, so the query could name a different column than the contract.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('an SQL identifier must be a non-empty string');
  if (name.includes('\u0000')) throw new TypeError('an SQL identifier may not contain NUL');
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A table name, optionally qualified (`schema.table`, `db.schema.table` given as a list), each part
 * quoted by {@link quoteIdent}. A single string is always ONE identifier: a dot in it is part of
 * the name, so a contract cannot reach another schema by writing one.
 */
export function quoteTable(table: string | readonly string[]): string {
  const parts = typeof table === 'string' ? [table] : table;
  if (parts.length === 0 || parts.length > 3) throw new TypeError('a table is 1 to 3 identifiers (database, schema, table)');
  return parts.map(quoteIdent).join('.');
}

/**
 * `value` as a single-quoted SQL string literal (inner quotes doubled), for the one place a value
 * cannot be bound: a file path or glob inside `CREATE VIEW`/`CREATE TABLE … AS` (a `data.files`
 * source, `--parquet`). DuckDB's plain '…' literals have no backslash escapes, so doubling `'` is
 * the whole escape; NUL is refused.
 */
export function quoteLiteral(value: string): string {
  if (typeof value !== 'string') throw new TypeError('an SQL literal must be a string');
  if (value.includes('\u0000')) throw new TypeError('an SQL literal may not contain NUL');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The SQL types a contract value is bound as. */
export type BindType = 'VARCHAR' | 'DOUBLE' | 'BOOLEAN' | 'BIGINT';

/**
 * Positional parameters collected while a query is written: each value once, as `$n` with a cast.
 * ClickHouse, which cannot bind, has a twin writing literals (`ClickHouseParams` in clickhouse.ts).
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** A placeholder for `value`, cast to `type` so DuckDB never guesses a value's type. */
  bind(value: string | number | boolean, type: BindType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}
