/**
 * FunnelKit's warehouse path (Node only, never in the browser bundle): a contract computed inside
 * DuckDB, returned as the pre-aggregated contract the widgets already draw. Funnels first.
 *
 * The events table: one row per event, with the contract's `fields.entity`, `fields.event` (text)
 * and `fields.time` columns. The time column is epoch milliseconds (DOUBLE or BIGINT, UTC) or a
 * TIMESTAMP / TIMESTAMPTZ; {@link runContract} reads which from the table. Ties at equal
 * timestamps are broken by row order: DuckDB's `rowid` for a base table (insertion order), or the
 * column named by `rowOrder`.
 * @module
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Contract, FunnelAggregateStep, FunnelContract } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { planFunnel, type EventFunnelPlan } from '../analytics/funnel/plan.js';
import { topGroups } from '../analytics/groups.js';
import { validateContract } from '../analytics/validate-contract.js';
import { BAD_TIME, checkSupported, funnelSql, type FunnelSqlOptions, type TimeStorage } from './funnel-sql.js';
import { quoteTable } from './quote.js';

export { quoteIdent, quoteTable } from './quote.js';
export type { TimeStorage } from './funnel-sql.js';

export interface CompileOptions extends FunnelSqlOptions {
  dialect: 'duckdb';
}

export interface RunOptions {
  /** Table or view holding the events (quoted; a list for `schema.table`). */
  table: string | readonly string[];
  /** Column that orders rows at equal timestamps; default DuckDB's `rowid`. */
  rowOrder?: string;
}

/**
 * The SQL computing a funnel contract from raw events, and its parameters (every value from the
 * contract is a parameter; every name is quoted). Throws {@link ContractError} at the JSON path of
 * a bad contract, or of a feature the warehouse path does not compute yet.
 */
export function compileSql(contract: Contract, options: CompileOptions): { sql: string; params: unknown[] } {
  if (options.dialect !== 'duckdb') throw new TypeError(`unsupported dialect ${JSON.stringify(options.dialect)}; only "duckdb"`);
  const { plan, funnel } = eventPlan(contract);
  checkSupported(plan, funnel.funnel);
  return funnelSql(plan, options);
}

/**
 * The contract checked and planned with the in-memory engine's planner, so errors carry the same
 * JSON paths. `data` is not read here (the events are in the table): it may be left out.
 */
function eventPlan(contract: Contract): { plan: EventFunnelPlan; funnel: FunnelContract } {
  if ((contract as { kind?: unknown }).kind !== 'funnel') {
    throw new ContractError('/kind', `the warehouse path computes "funnel" contracts so far, got ${JSON.stringify((contract as { kind?: unknown }).kind)}`);
  }
  const funnel = validateContract({ ...contract, data: contract.data ?? { rows: [] }, fields: contract.fields ?? {} }) as FunnelContract;
  const plan = planFunnel(funnel);
  if (plan.aggregated) throw new ContractError('/funnel/steps', 'the steps are already counts: there is nothing to compute in the warehouse');
  return { plan, funnel };
}

/**
 * The funnel computed inside DuckDB, as a pre-aggregated contract of the same kind: `funnel.steps`
 * carry counts, and with a breakdown `funnel.groups` carries the ranked groups (top `limit` by
 * step-1 count, the rest merged into "Other", as in memory). Only those counts leave the database.
 */
export async function runContract(contract: Contract, connection: DuckDBConnection, options: RunOptions): Promise<FunnelContract> {
  const { plan, funnel } = eventPlan(contract);
  checkSupported(plan, funnel.funnel);
  const columns = await describe(connection, options.table);
  requireColumns(plan, columns, options.rowOrder);
  const time = timeStorage(columns.get(plan.fields.time)!);
  if (plan.breakdown) checkBreakdownType(columns.get(plan.breakdown.field)!);
  const { sql, params } = funnelSql(plan, { table: options.table, time, rowOrder: options.rowOrder });
  const rows = await query(connection, sql, params, plan.fields.time);
  return aggregatedContract(funnel, plan, rows);
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

/** Every column the plan reads must exist, reported at the same path as the in-memory engine. */
function requireColumns(plan: EventFunnelPlan, columns: Map<string, string>, rowOrder: string | undefined): void {
  const need = (name: string, path: string) => {
    if (!columns.has(name)) throw new ContractError(path, `the events table has no column ${JSON.stringify(name)}`);
  };
  need(plan.fields.entity, '/fields/entity');
  need(plan.fields.time, '/fields/time');
  need(plan.fields.event, '/fields/event');
  plan.steps.forEach((s, i) => Object.keys(s.where ?? {}).forEach((c) => need(c, `/funnel/steps/${i}/where/${c}`)));
  plan.exclusions.forEach((x, i) => Object.keys(x.where ?? {}).forEach((c) => need(c, `/funnel/exclusions/${i}/where/${c}`)));
  if (plan.breakdown) need(plan.breakdown.field, '/funnel/breakdown/field');
  if (rowOrder !== undefined && !columns.has(rowOrder)) throw new TypeError(`rowOrder: the events table has no column ${JSON.stringify(rowOrder)}`);
}

/** Epoch ms for numeric time columns, TIMESTAMP arithmetic for timestamp ones; anything else is an error. */
function timeStorage(type: string): TimeStorage {
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(type)) return 'epoch-ms';
  throw new ContractError('/fields/time', `the warehouse path reads epoch milliseconds (a numeric column) or a TIMESTAMP, got a ${type} column`);
}

/**
 * Breakdown values become group names as JavaScript's `String(value)` makes them; DuckDB writes
 * text, integers and booleans the same way, but not fractional numbers, so those are refused.
 */
function checkBreakdownType(type: string): void {
  if (/^(FLOAT|DOUBLE|DECIMAL|REAL)/.test(type)) {
    throw new ContractError('/funnel/breakdown/field', `the warehouse path breaks down by text, integer or boolean columns, got a ${type} column`);
  }
}

interface CountRow {
  fam: number;
  key: string | null;
  counts: number[];
}

/** Runs the compiled query with its parameters bound; a rejected time becomes a contract error. */
async function query(connection: DuckDBConnection, sql: string, params: unknown[], timeField: string): Promise<CountRow[]> {
  try {
    const prepared = await connection.prepare(sql);
    prepared.bind(params as Parameters<typeof prepared.bind>[0]);
    const reader = await prepared.runAndReadAll();
    return reader.getRowObjects().map((r) => {
      const counts: number[] = [];
      for (let k = 1; `c${k}` in r; k++) counts.push(Number(r[`c${k}`]));
      return { fam: Number(r.fam), key: r.key === null ? null : String(r.key), counts };
    });
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

/** The pre-aggregated contract: the same options, the steps as counts, groups ranked and merged. */
function aggregatedContract(contract: FunnelContract, plan: EventFunnelPlan, rows: CountRow[]): FunnelContract {
  const steps = (counts: number[]): FunnelAggregateStep[] => plan.steps.map((s, k) => ({ name: s.name, count: counts[k] ?? 0 }));
  const overall = rows.find((r) => r.fam === 0)?.counts ?? [];
  const funnel: FunnelContract['funnel'] = { ...contract.funnel, steps: steps(overall) };
  if (plan.breakdown) {
    const groups = new Map(rows.filter((r) => r.fam === 1).map((r) => [r.key ?? '', r.counts]));
    const add = (into: number[] | undefined, from: number[]) => from.map((c, k) => c + (into?.[k] ?? 0));
    funnel.groups = topGroups(groups, (c) => c[0], plan.breakdown.limit, add).map(([value, counts]) => ({ value, steps: steps(counts) }));
  }
  const { data: _data, ...rest } = contract;
  return { ...rest, data: { rows: [] }, funnel };
}
