/**
 * What every kind's SQL shares: how the time column is read, how a contract value is compared with
 * a column (the in-memory engine's strict equality), the check that fails a query on a time the
 * in-memory engine rejects, and the {@link WarehouseJob} each kind compiles a contract into.
 * Names are quoted by quote.ts; every value from a contract is bound through {@link SqlParams}.
 * @module
 */
import type { Cell, Contract, WhereClause } from '../analytics/contract.js';
import { PLAUSIBLE_MS } from '../analytics/time.js';
import { quoteIdent, SqlParams } from './quote.js';

/** How the time column is stored: epoch milliseconds (any numeric type) or a TIMESTAMP (UTC). */
export type TimeStorage = 'epoch-ms' | 'timestamp';

/** The databases the warehouse path writes SQL for. */
export type Dialect = 'duckdb' | 'clickhouse';

export interface SqlOptions {
  /** Default `duckdb`. */
  dialect?: Dialect;
  /** Table or view holding the events (quoted; a list for `schema.table`). */
  table: string | readonly string[];
  /**
   * The table's columns and their types as the database names them (`Nullable(String)`,
   * `Float64`, …): ClickHouse checks types when a query is analysed, so its SQL is written for
   * the column types (a string compared with a Float64 column is false, not an error).
   */
  columnTypes?: ReadonlyMap<string, string>;
  /** Default `epoch-ms`: DOUBLE or BIGINT milliseconds since 1970 UTC. */
  time?: TimeStorage;
  /**
   * Column giving the events' row order, which decides ties at equal timestamps exactly as the
   * order of rows does in memory. Default DuckDB's `rowid` (insertion order of a base table); a
   * view has none, so name a column. ClickHouse keeps no insertion order: without this column,
   * events at the same instant are taken in an order ClickHouse picks.
   */
  rowOrder?: string;
}

/** Marker in the error DuckDB raises for a time the in-memory engine would reject. */
export const BAD_TIME = 'funnelkit-bad-time';

/**
 * SQL true when a column equals one contract value with the in-memory engine's strict equality
 * (`Set.has`): a string matches only a text column, a number only a numeric one, a boolean only a
 * boolean one, and null matches a NULL (a table has no "missing" distinct from NULL).
 */
export function equalsValue(column: string, value: Cell, params: SqlParams): string {
  if (value === null) return `(${column} IS NULL)`;
  if (typeof value === 'string') return `(typeof(${column}) = 'VARCHAR' AND CAST(${column} AS VARCHAR) = ${params.bind(value, 'VARCHAR')})`;
  if (typeof value === 'number') {
    return `(${NUMERIC_TYPE(column)} AND TRY_CAST(${column} AS DOUBLE) = ${params.bind(value, 'DOUBLE')})`;
  }
  return `(typeof(${column}) = 'BOOLEAN' AND TRY_CAST(${column} AS BOOLEAN) = ${params.bind(value, 'BOOLEAN')})`;
}

/** SQL true when the column holds numbers (the in-memory engine meets them as JS numbers). */
const NUMERIC_TYPE = (column: string) =>
  `(typeof(${column}) IN ('TINYINT','SMALLINT','INTEGER','BIGINT','HUGEINT','UTINYINT','USMALLINT','UINTEGER','UBIGINT','FLOAT','DOUBLE') OR typeof(${column}) LIKE 'DECIMAL%')`;

/** A step's condition: its event name, and every `where` field equal to its value (or one of its list). */
export function stepCondition(eventColumn: string, step: { event: string; where?: WhereClause }, params: SqlParams): string {
  const parts = [equalsValue(eventColumn, step.event, params)];
  for (const [field, expected] of Object.entries(step.where ?? {})) {
    const values = Array.isArray(expected) ? expected : [expected];
    parts.push(values.length ? `(${values.map((v) => equalsValue(quoteIdent(field), v, params)).join(' OR ')})` : 'FALSE');
  }
  return parts.join(' AND ');
}

/** The event time as epoch ms DOUBLE (NULL stays NULL). */
export function timeExpression(column: string, storage: TimeStorage): string {
  return storage === 'timestamp' ? `CAST(epoch_ms(${column}) AS DOUBLE)` : `CAST(${column} AS DOUBLE)`;
}

/**
 * A CTE that fails the query, naming the value, when any row's time is one the in-memory engine
 * rejects (missing, not a number, beyond 10,000 years of 1970). It reads every row, as the engine
 * parses every row, and the final query joins it, so DuckDB cannot skip it.
 */
export function timeCheckCte(params: SqlParams): string {
  const lo = params.bind(-PLAUSIBLE_MS, 'DOUBLE');
  const hi = params.bind(PLAUSIBLE_MS, 'DOUBLE');
  return `time_check AS (
  SELECT coalesce(max(CASE WHEN t >= ${lo} AND t <= ${hi} THEN 0 ELSE error(concat('${BAD_TIME}: ', coalesce(CAST(t AS VARCHAR), 'null'))) END), 0) AS bad FROM src
)`;
}


/** A column a contract reads, with the JSON path blamed when the table lacks it. */
export interface NeededColumn {
  name: string;
  path: string;
  /** Breakdown and split columns become group names: text, integer or boolean only. */
  groups?: boolean;
}

/**
 * A checked contract of one kind, ready to run: the columns it reads, its one SQL statement for a
 * table, and how that statement's rows become the pre-aggregated contract the widgets draw.
 */
export interface WarehouseJob<C extends Contract = Contract> {
  columns: NeededColumn[];
  /** The dialects {@link WarehouseJob.sql} writes; default DuckDB's only. */
  dialects?: readonly Dialect[];
  /**
   * A first, small query for a job whose SQL depends on the data, not only on the contract: the
   * latest event time that stands for "now" when `asOf` is not given, the largest groups before
   * the rest merge into "Other". Its rows are handed to {@link WarehouseJob.sql}. Absent, or
   * null for this contract: `sql` needs nothing, and `compileSql` can give the one statement.
   */
  prepare?(options: SqlOptions): { sql: string; params: unknown[] } | null;
  /**
   * The statement; `prepared` holds the rows of {@link WarehouseJob.prepare}'s query when there is
   * one. A job with {@link WarehouseJob.inexact} writes, with `exact`, the slower statement that is
   * exact for any data, and otherwise a faster one exact for most.
   */
  sql(options: SqlOptions, prepared?: Array<Record<string, unknown>>, exact?: boolean): { sql: string; params: unknown[] };
  /**
   * Whether the faster statement's rows may differ from the in-memory engine's numbers for these
   * data (a funnel's mean times: fractional milliseconds, or totals too large to add up exactly in
   * any order); then the exact statement runs instead.
   */
  inexact?(rows: Array<Record<string, unknown>>): boolean;
  /** The rows as `getRowObjectsJS()` gives them (BIGINT as bigint, lists as arrays). */
  finish(rows: Array<Record<string, unknown>>): C;
}
