/**
 * FunnelKit's warehouse path (Node only, never in the browser bundle): a contract computed inside
 * the team's database — DuckDB (embedded) or ClickHouse (one server or a sharded cluster) — and
 * returned as the pre-aggregated contract the widgets already draw.
 *
 * The events table: one row per event, with the contract's `fields` columns. The time column is
 * epoch milliseconds (any numeric type, UTC) or a TIMESTAMP / DateTime; {@link runContract} reads
 * which from the table. Ties at equal timestamps are broken by row order: DuckDB's `rowid` for a
 * base table (insertion order), or the column named by `rowOrder`.
 *
 * Each kind compiles a checked contract into a {@link WarehouseJob} (its columns, its SQL for a
 * dialect, and how the rows become the pre-aggregated contract): funnel-sql.ts, and one file per
 * kind beside it. clickhouse.ts holds ClickHouse's quoting, literals and sharding check.
 * @module
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CohortContract, Contract, FunnelContract, WarehouseData } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { PLAUSIBLE_MS } from '../analytics/time.js';
import { validateContract } from '../analytics/validate-contract.js';
import { cohortEntitiesJob, cohortJob, type CohortEntitiesRequest } from './cohort-sql.js';
import { anomalyJob } from './anomaly-sql.js';
import { checkSharding, clickHouseNumber, describeClickHouse, duckTypeOf, isClickHouseClient, queryClickHouse, quoteClickHouseIdent, quoteClickHouseTable } from './clickhouse.js';
import { funnelEntitiesJob, funnelJob, type FunnelEntitiesRequest } from './funnel-sql.js';
import { kpiJob } from './kpi-sql.js';
import { quoteIdent, quoteLiteral, quoteTable } from './quote.js';
import { BAD_TIME, type Dialect, type NeededColumn, type SqlOptions, type TimeStorage, type WarehouseJob } from './sql.js';

export { quoteIdent, quoteLiteral, quoteTable } from './quote.js';
export { clickHouseNumber, clickHouseString, quoteClickHouseIdent, quoteClickHouseTable } from './clickhouse.js';
export type { Dialect, SqlOptions, TimeStorage, WarehouseJob } from './sql.js';
export type { FunnelEntitiesRequest } from './funnel-sql.js';
export type { CohortEntitiesRequest } from './cohort-sql.js';

/** Where a contract runs: a DuckDB connection (`@duckdb/node-api`) or a ClickHouse client (`@clickhouse/client`). */
export type WarehouseConnection = DuckDBConnection | ClickHouseClient;

export interface CompileOptions extends SqlOptions {
  dialect: Dialect;
}

export interface RunOptions {
  /**
   * Table or view holding the events (quoted; a list for `schema.table`). Default: the contract's
   * own warehouse source (`data.table`, `data.files`, `data.sql`).
   */
  table?: string | readonly string[];
  /**
   * Column that orders rows at equal timestamps; default the contract's `data.rowOrder`, else
   * DuckDB's `rowid`. ClickHouse keeps no insertion order: name a column to make ties exact.
   */
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
 * The statement is the one exact for any data (runContract may first try a faster one).
 */
export function compileSql(contract: Contract, options: CompileOptions): { sql: string; params: unknown[] } {
  if (options.dialect !== 'duckdb' && options.dialect !== 'clickhouse') throw new TypeError(`unsupported dialect ${JSON.stringify(options.dialect)}; "duckdb" or "clickhouse"`);
  if (options.dialect === 'clickhouse' && !options.columnTypes) throw new TypeError('ClickHouse SQL is written for the column types: give columnTypes (DESCRIBE TABLE), or use runContract');
  const compiled = job(contract);
  supports(compiled, options.dialect, contract.kind);
  if (compiled.prepare?.(options)) {
    throw new TypeError(`this ${contract.kind} contract depends on the data before its SQL can be written (the latest event as "now", or the largest split groups): run it with runContract, or give "asOf" and whole ranges`);
  }
  return compiled.sql(options, undefined, true);
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
 * The contract computed inside the database, as a pre-aggregated contract of the same kind, which
 * the widgets draw unchanged. Only aggregates leave the database.
 *
 * `connection` is a DuckDB connection or a ClickHouse client; over a ClickHouse `Distributed`
 * table the events must be sharded by the entity column (each shard computes its own entities).
 */
export async function runContract<C extends Contract>(contract: C, connection: WarehouseConnection, options: RunOptions = {}): Promise<C> {
  const compiled = job(contract);
  const engine = engineFor(connection);
  return engine.withEvents(contract, options, async (table, rowOrder) => {
    const { sqlOptions, timeField } = await engine.prepare(compiled, table, rowOrder);
    supports(compiled, sqlOptions.dialect!, contract.kind);
    const first = compiled.prepare?.(sqlOptions);
    const prepared = first ? await engine.query(first.sql, first.params, timeField) : undefined;
    const { sql, params } = compiled.sql(sqlOptions, prepared);
    let rows = await engine.query(sql, params, timeField);
    if (compiled.inexact?.(rows)) {
      const exact = compiled.sql(sqlOptions, prepared, true);
      rows = await engine.query(exact.sql, exact.params, timeField);
    }
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
export async function runEntities(contract: FunnelContract, connection: WarehouseConnection, request: FunnelEntitiesRequest, options?: RunOptions): Promise<{ ids: string[] }>;
export async function runEntities(contract: CohortContract, connection: WarehouseConnection, request: CohortEntitiesRequest, options?: RunOptions): Promise<{ ids: string[] }>;
export async function runEntities(
  contract: FunnelContract | CohortContract,
  connection: WarehouseConnection,
  request: FunnelEntitiesRequest | CohortEntitiesRequest,
  options: RunOptions = {},
): Promise<{ ids: string[] }> {
  const kind = (contract as { kind?: unknown }).kind;
  if (kind !== 'funnel' && kind !== 'cohort') throw new ContractError('/kind', `drill-down lists are read for "funnel" and "cohort" contracts, got ${JSON.stringify(kind)}`);
  const checked = validateContract({ ...contract, data: contract.data ?? { rows: [] }, fields: contract.fields ?? {} } as Contract);
  const compiled =
    kind === 'funnel' ? funnelEntitiesJob(checked as FunnelContract, request as FunnelEntitiesRequest) : cohortEntitiesJob(checked as CohortContract, request as CohortEntitiesRequest);
  const engine = engineFor(connection);
  return engine.withEvents(contract, options, async (table, rowOrder) => {
    const { sqlOptions, timeField } = await engine.prepare(compiled, table, rowOrder);
    supports(compiled, sqlOptions.dialect!, kind);
    const { sql, params } = compiled.sql(sqlOptions);
    return compiled.finish(await engine.query(sql, params, timeField));
  });
}

type Table = string | readonly string[];

/** A contract error at `/kind` when the job has no SQL for the dialect. */
function supports(compiled: Pick<WarehouseJob, 'dialects'>, dialect: Dialect, kind: string): void {
  if (!(compiled.dialects ?? ['duckdb']).includes(dialect)) {
    throw new ContractError('/kind', `the ${dialect} warehouse path does not compute this ${JSON.stringify(kind)} contract`);
  }
}

/** What runContract needs of a database: its events source, its columns, and running a query. */
interface Engine {
  withEvents<T>(contract: Contract, options: RunOptions, work: (table: Table, rowOrder: string | undefined) => Promise<T>): Promise<T>;
  /** Checks the job's columns against the table and gives the options its SQL is written with. */
  prepare(compiled: Pick<WarehouseJob, 'columns'>, table: Table, rowOrder: string | undefined): Promise<{ sqlOptions: SqlOptions; timeField: string }>;
  query(sql: string, params: unknown[], timeField: string): Promise<Array<Record<string, unknown>>>;
}

function engineFor(connection: WarehouseConnection): Engine {
  return isClickHouseClient(connection) ? clickHouseEngine(connection) : duckDBEngine(connection);
}

function duckDBEngine(connection: DuckDBConnection): Engine {
  return {
    withEvents: (contract, options, work) => withEvents(contract, connection, options, work),
    async prepare(compiled, table, rowOrder) {
      const columns = await describe(connection, table);
      requireColumns(compiled.columns, columns, rowOrder);
      const timeColumn = compiled.columns.find((c) => c.path === '/fields/time');
      const time = timeColumn ? timeStorage(columns.get(timeColumn.name)!) : undefined;
      return { sqlOptions: { dialect: 'duckdb', table, time, rowOrder, columnTypes: columns }, timeField: timeColumn?.name ?? '' };
    },
    query: (sql, params, timeField) => query(connection, sql, params, timeField),
  };
}

/**
 * ClickHouse reads tables only (`data.table`, or the table option): files and SQL sources are
 * DuckDB's. Before the job's query, one small query fails on a time the in-memory engine would
 * reject (ClickHouse 18.16 cannot raise an error with a message from inside a query).
 */
function clickHouseEngine(client: ClickHouseClient): Engine {
  return {
    async withEvents(contract, options, work) {
      const data = (contract.data ?? {}) as WarehouseData;
      const rowOrder = options.rowOrder ?? data.rowOrder;
      if (options.table !== undefined) return work(options.table, rowOrder);
      if (data.table !== undefined) return work(data.table, rowOrder);
      const path = data.files !== undefined ? '/data/files' : data.sql !== undefined ? '/data/sql' : '/data';
      throw new ContractError(path, 'ClickHouse reads the events from a table: give data.table in the contract, or the table option (files and SQL sources are read by DuckDB)');
    },
    async prepare(compiled, table, rowOrder) {
      const { columns: types, engine } = await describeClickHouse(client, table);
      const columns = new Map([...types].map(([name, type]) => [name, duckTypeOf(type)]));
      requireColumns(compiled.columns, columns, rowOrder);
      checkSharding(engine, compiled.columns.find((c) => c.path === '/fields/entity')?.name);
      const timeColumn = compiled.columns.find((c) => c.path === '/fields/time');
      const time = timeColumn ? timeStorage(columns.get(timeColumn.name)!) : undefined;
      if (timeColumn) await checkClickHouseTimes(client, table, timeColumn.name, time!);
      return { sqlOptions: { dialect: 'clickhouse', table, time, rowOrder, columnTypes: types }, timeField: timeColumn?.name ?? '' };
    },
    query: (sql) => queryClickHouse(client, sql),
  };
}

/**
 * A contract error at `/fields/time` when any row's time is missing (NULL), or, for epoch ms,
 * beyond 10,000 years of 1970 (a DateTime cannot be).
 */
async function checkClickHouseTimes(client: ClickHouseClient, table: Table, timeField: string, storage: TimeStorage): Promise<void> {
  const column = quoteClickHouseIdent(timeField);
  const t = `toFloat64(${column})`;
  const outside = storage === 'epoch-ms' ? ` OR NOT (${t} >= ${clickHouseNumber(-PLAUSIBLE_MS)} AND ${t} <= ${clickHouseNumber(PLAUSIBLE_MS)})` : '';
  const rows = await queryClickHouse(client, `SELECT toString(${column}) AS bad FROM ${quoteClickHouseTable(table)} WHERE isNull(${column})${outside} LIMIT 1`);
  if (rows.length) {
    throw new ContractError('/fields/time', `column "${timeField}" holds ${rows[0].bad ?? 'null'}, not an event time within 10,000 years of 1970`);
  }
}

let temporaries = 0;

/**
 * Runs `work` over the events: `options.table`, else the contract's `data.table`; for `data.files`
 * and `data.sql`, a temporary table (in row order: DuckDB keeps the files' and the query's order)
 * or, with a `rowOrder` column, a temporary view, dropped afterwards. File paths go through
 * {@link quoteLiteral}, the one place a value cannot be bound; `data.sql` runs only with
 * `allowSql`.
 */
async function withEvents<T>(contract: Contract, connection: DuckDBConnection, options: RunOptions, work: (table: Table, rowOrder: string | undefined) => Promise<T>): Promise<T> {
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
