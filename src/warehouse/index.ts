/**
 * FunnelKit's warehouse path (Node only, never in the browser bundle): a contract computed inside
 * DuckDB, returned as the pre-aggregated contract the widgets already draw.
 *
 * The events table: one row per event, with the contract's `fields` columns. The time column is
 * epoch milliseconds (DOUBLE or BIGINT, UTC) or a TIMESTAMP / TIMESTAMPTZ; {@link runContract}
 * reads which from the table. Ties at equal timestamps are broken by row order: DuckDB's `rowid`
 * for a base table (insertion order), or the column named by `rowOrder`.
 *
 * Each kind compiles a checked contract into a {@link WarehouseJob} (its columns, its SQL, and how
 * the rows become the pre-aggregated contract): funnel-sql.ts, and one file per kind beside it.
 * @module
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CohortContract, Contract, FunnelContract, WarehouseData } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { validateContract } from '../analytics/validate-contract.js';
import { cohortEntitiesJob, cohortJob, type CohortEntitiesRequest } from './cohort-sql.js';
import { anomalyJob } from './anomaly-sql.js';
import { funnelEntitiesJob, funnelJob, type FunnelEntitiesRequest } from './funnel-sql.js';
import { kpiJob } from './kpi-sql.js';
import { quoteIdent, quoteLiteral, quoteTable } from './quote.js';
import { BAD_TIME, type NeededColumn, type SqlOptions, type TimeStorage, type WarehouseJob } from './sql.js';

export { quoteIdent, quoteLiteral, quoteTable } from './quote.js';
export type { SqlOptions, TimeStorage, WarehouseJob } from './sql.js';
export type { FunnelEntitiesRequest } from './funnel-sql.js';
export type { CohortEntitiesRequest } from './cohort-sql.js';

export interface CompileOptions extends SqlOptions {
  dialect: 'duckdb';
}

export interface RunOptions {
  /**
   * Table or view holding the events (quoted; a list for `schema.table`). Default: the contract's
   * own warehouse source (`data.table`, `data.files`, `data.sql`).
   */
  table?: string | readonly string[];
  /** Column that orders rows at equal timestamps; default the contract's `data.rowOrder`, else DuckDB's `rowid`. */
  rowOrder?: string;
  /**
   * Whether a contract's `data.sql` may run. Off by default: SQL in a contract runs with the
   * connection's rights, so only an operator who wrote (or vetted) the contracts turns it on.
   */
  allowSql?: boolean;
}

/** Each kind's compiler: a checked contract of that kind to its warehouse job. */
const JOBS: Partial<Record<Contract['kind'], (contract: never) => WarehouseJob>> = {
  funnel: funnelJob,
  cohort: cohortJob,
  kpi: kpiJob,
  anomaly: anomalyJob,
};

/**
 * The SQL computing a contract from raw events, and its parameters (every value from the contract
 * is a parameter; every name is quoted). Throws {@link ContractError} at the JSON path of a bad
 * contract, or of a feature the warehouse path does not compute yet. A contract whose SQL depends
 * on the data (a KPI's "now" defaulting to the latest event, an anomaly split's largest groups)
 * has no single statement before that is read: a TypeError says so; {@link runContract} runs it.
 */
export function compileSql(contract: Contract, options: CompileOptions): { sql: string; params: unknown[] } {
  if (options.dialect !== 'duckdb') throw new TypeError(`unsupported dialect ${JSON.stringify(options.dialect)}; only "duckdb"`);
  const compiled = job(contract);
  if (compiled.prepare?.(options)) {
    throw new TypeError(`this ${contract.kind} contract depends on the data before its SQL can be written (the latest event as "now", or the largest split groups): run it with runContract, or give "asOf" and whole ranges`);
  }
  return compiled.sql(options);
}

/**
 * The contract checked by the same validator as in the browser (so errors carry the same JSON
 * paths) and compiled by its kind. `data` is not read (the events are in the table): it may be
 * left out.
 */
function job(contract: Contract): WarehouseJob {
  const kind = (contract as { kind?: unknown }).kind;
  const compile = typeof kind === 'string' ? JOBS[kind as Contract['kind']] : undefined;
  if (!compile) {
    const kinds = Object.keys(JOBS).map((k) => JSON.stringify(k)).join(', ');
    throw new ContractError('/kind', `the warehouse path computes ${kinds} contracts, got ${JSON.stringify(kind)}`);
  }
  const checked = validateContract({ ...contract, data: contract.data ?? { rows: [] }, fields: contract.fields ?? {} } as Contract);
  return compile(checked as never);
}

/**
 * The contract computed inside DuckDB, as a pre-aggregated contract of the same kind, which the
 * widgets draw unchanged. Only aggregates leave the database.
 */
export async function runContract<C extends Contract>(contract: C, connection: DuckDBConnection, options: RunOptions = {}): Promise<C> {
  const compiled = job(contract);
  return withEvents(contract, connection, options, async (table, rowOrder) => {
    const columns = await describe(connection, table);
    requireColumns(compiled.columns, columns, rowOrder);
    const timeColumn = compiled.columns.find((c) => c.path === '/fields/time');
    const time = timeColumn ? timeStorage(columns.get(timeColumn.name)!) : undefined;
    const sqlOptions: SqlOptions = { table, time, rowOrder };
    const first = compiled.prepare?.(sqlOptions);
    const prepared = first ? await query(connection, first.sql, first.params, timeColumn?.name ?? '') : undefined;
    const { sql, params } = compiled.sql(sqlOptions, prepared);
    const rows = await query(connection, sql, params, timeColumn?.name ?? '');
    return compiled.finish(rows) as C;
  });
}

/**
 * One drill-down list, by a second query: the ids the in-memory view model lists, same order,
 * capped at `entityLimit`. The pre-aggregated contract of {@link runContract} carries counts only;
 * this reads one list when a user drills down.
 *
 * - A funnel ({@link FunnelEntitiesRequest}): a step's `convertedIds` or `droppedIds` (the whole
 *   funnel's, or a breakdown group's), current period.
 * - A cohort ({@link CohortEntitiesRequest}): a cell's `entityIds`, `cohorts[row].cells[period]`
 *   of the row labelled `cohort` (the whole matrix's, or a breakdown group's).
 *
 * A bad request (a step or period out of range, a label naming no cohort, a group without a
 * breakdown) is a RangeError or TypeError; a bad contract a {@link ContractError} at its path.
 */
export async function runEntities(contract: FunnelContract, connection: DuckDBConnection, request: FunnelEntitiesRequest, options?: RunOptions): Promise<{ ids: string[] }>;
export async function runEntities(contract: CohortContract, connection: DuckDBConnection, request: CohortEntitiesRequest, options?: RunOptions): Promise<{ ids: string[] }>;
export async function runEntities(
  contract: FunnelContract | CohortContract,
  connection: DuckDBConnection,
  request: FunnelEntitiesRequest | CohortEntitiesRequest,
  options: RunOptions = {},
): Promise<{ ids: string[] }> {
  const kind = (contract as { kind?: unknown }).kind;
  if (kind !== 'funnel' && kind !== 'cohort') throw new ContractError('/kind', `drill-down lists are read for "funnel" and "cohort" contracts, got ${JSON.stringify(kind)}`);
  const checked = validateContract({ ...contract, data: contract.data ?? { rows: [] }, fields: contract.fields ?? {} } as Contract);
  const compiled =
    kind === 'funnel' ? funnelEntitiesJob(checked as FunnelContract, request as FunnelEntitiesRequest) : cohortEntitiesJob(checked as CohortContract, request as CohortEntitiesRequest);
  return withEvents(contract, connection, options, async (table, rowOrder) => {
    const columns = await describe(connection, table);
    requireColumns(compiled.columns, columns, rowOrder);
    const timeColumn = compiled.columns.find((c) => c.path === '/fields/time')!;
    const { sql, params } = compiled.sql({ table, time: timeStorage(columns.get(timeColumn.name)!), rowOrder });
    return compiled.finish(await query(connection, sql, params, timeColumn.name));
  });
}

let temporaries = 0;

/**
 * Runs `work` over the events: `options.table`, else the contract's `data.table`; for `data.files`
 * and `data.sql`, a temporary table (in row order: DuckDB keeps the files' and the query's order)
 * or, with a `rowOrder` column, a temporary view, dropped afterwards. File paths go through
 * {@link quoteLiteral}, the one place a value cannot be bound; `data.sql` runs only with
 * `allowSql`.
 */
async function withEvents<T>(contract: Contract, connection: DuckDBConnection, options: RunOptions, work: (table: string | readonly string[], rowOrder: string | undefined) => Promise<T>): Promise<T> {
  const data = (contract.data ?? {}) as WarehouseData;
  const rowOrder = options.rowOrder ?? data.rowOrder;
  if (options.table !== undefined) return work(options.table, rowOrder);
  if (data.table !== undefined) return work(data.table, rowOrder);
  let select: string;
  if (data.files !== undefined) {
    const files = (Array.isArray(data.files) ? data.files : [data.files]).map(quoteLiteral);
    const reader = data.format === 'csv' ? 'read_csv' : 'read_parquet';
    select = `SELECT * FROM ${reader}([${files.join(', ')}])`;
  } else if (data.sql !== undefined) {
    if (!options.allowSql) {
      throw new ContractError('/data/sql', 'this contract carries SQL, which runs only where the operator allows it (runContract with allowSql, `funnelkit … --allow-sql`)');
    }
    select = `SELECT * FROM (${data.sql})`;
  } else {
    throw new ContractError('/data', 'name the events: data.table, data.files or data.sql in the contract, or the table option');
  }
  const name = `funnelkit_events_${++temporaries}`;
  const kind = rowOrder === undefined ? 'TABLE' : 'VIEW';
  try {
    await connection.run(`CREATE TEMPORARY ${kind} ${quoteIdent(name)} AS ${select}`);
  } catch (error) {
    const path = data.sql !== undefined ? '/data/sql' : '/data/files';
    throw new ContractError(path, `cannot read the events: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    return await work(['temp', name], rowOrder);
  } finally {
    await connection.run(`DROP ${kind} IF EXISTS temp.${quoteIdent(name)}`);
  }
}

/** The table's columns and their DuckDB types; a contract error at `/data` when there is no such table. */
async function describe(connection: DuckDBConnection, table: string | readonly string[]): Promise<Map<string, string>> {
  try {
    const reader = await connection.runAndReadAll(`DESCRIBE ${quoteTable(table)}`);
    return new Map(reader.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]));
  } catch (error) {
    throw new ContractError('/data', `cannot read the events table ${JSON.stringify(table)}: ${(error as Error).message}`);
  }
}

/**
 * Every column the contract reads must exist, reported at its JSON path. Group names are made as
 * JavaScript's `String(value)` makes them; DuckDB writes text, integers and booleans the same way,
 * but not fractional numbers, dates or timestamps, so those are refused as breakdown and split
 * columns.
 */
function requireColumns(needed: NeededColumn[], columns: Map<string, string>, rowOrder: string | undefined): void {
  for (const { name, path, groups } of needed) {
    const type = columns.get(name);
    if (type === undefined) throw new ContractError(path, `the events table has no column ${JSON.stringify(name)}`);
    if (groups && !/^(VARCHAR|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|BOOLEAN)$/.test(type)) {
      throw new ContractError(path, `the warehouse path groups by text, integer or boolean columns, got a ${type} column`);
    }
  }
  if (rowOrder !== undefined && !columns.has(rowOrder)) throw new TypeError(`rowOrder: the events table has no column ${JSON.stringify(rowOrder)}`);
}

/** Epoch ms for numeric time columns, TIMESTAMP arithmetic for timestamp ones; anything else is an error. */
function timeStorage(type: string): TimeStorage {
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(type)) return 'epoch-ms';
  throw new ContractError('/fields/time', `the warehouse path reads epoch milliseconds (a numeric column) or a TIMESTAMP, got a ${type} column`);
}

/** Runs the compiled query with its parameters bound; a rejected time becomes a contract error. */
async function query(connection: DuckDBConnection, sql: string, params: unknown[], timeField: string): Promise<Array<Record<string, unknown>>> {
  try {
    const prepared = await connection.prepare(sql);
    prepared.bind(params as Parameters<typeof prepared.bind>[0]);
    const reader = await prepared.runAndReadAll();
    return reader.getRowObjectsJS();
  } catch (error) {
    const message = (error as Error).message;
    const at = message.indexOf(BAD_TIME);
    if (at >= 0) {
      const value = message.slice(at + BAD_TIME.length + 2).split('\n')[0];
      throw new ContractError('/fields/time', `column "${timeField}" holds ${value}, not an event time within 10,000 years of 1970`);
    }
    throw error;
  }
}
