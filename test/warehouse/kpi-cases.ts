/**
 * The KPI differential cases both warehouse dialects run (kpi-duckdb.test.ts, kpi-clickhouse.test.ts):
 * random event logs (ties, events on period edges in every zone, a year of history, missing
 * values), random KPI contracts (every measure, filter, period, comparison and interval, the
 * one-KPI shorthand, given KPIs), and the comparison of a warehouse run with the in-memory engine.
 */
import assert from 'node:assert/strict';
import { computeKpis } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { InlineContract, KpiContract, KpiFilter, KpiMeasureSpec, KpiSpec } from '../../src/analytics/contract.js';
import { prng, type ColumnType, pick, type Row } from './support.js';

export const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['amount', 'DOUBLE'],
  ['qty', 'DOUBLE'],
];
export type { Row } from './support.js';
export { pick } from './support.js';

export const DAY = 86_400_000;
export const HOUR_MS = 3_600_000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/Berlin', 'Asia/Kolkata', 'America/Santiago'];
/** Instants near period edges: midnights in each zone around DST changes and month and year ends, ±1 ms. */
const EDGES = [
  '2025-03-09T05:00:00Z', '2025-03-09T07:00:00Z', '2025-11-02T04:00:00Z', '2025-11-02T05:00:00Z',
  '2026-03-08T05:00:00Z', '2026-03-08T07:00:00Z', '2026-03-29T00:00:00Z', '2026-03-28T16:00:00Z',
  '2026-02-28T16:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T05:00:00Z', '2026-03-31T16:00:00Z',
  '2025-12-31T16:00:00Z', '2026-01-01T00:00:00Z', '2026-03-16T04:00:00Z', '2026-03-15T23:00:00Z',
].flatMap((iso) => [Date.parse(iso) - 1, Date.parse(iso), Date.parse(iso) + 1]);
export const BASE = Date.parse('2026-03-20T00:00:00Z');

/** A small log: few distinct times (ties), many on period edges, a year of history, missing values. */
export function randomLog(r: () => number): Row[] {
  const rows: Row[] = [];
  const count = Math.floor(r() * 70);
  const users = 1 + Math.floor(r() * 8);
  const times = Array.from({ length: 1 + Math.floor(r() * 25) }, () => {
    const roll = r();
    if (roll < 0.4) return pick(r, EDGES);
    if (roll < 0.55) return BASE - 365 * DAY + Math.floor(r() * 40) * DAY + pick(r, [0, 1, -1, 3_600_000]);
    return BASE - Math.floor(r() * 60 * DAY);
  });
  for (let i = 0; i < count; i++) {
    const roll = r();
    rows.push({
      user: roll < 0.04 ? null : roll < 0.07 ? '' : `u${Math.floor(r() * users)}`,
      ts: pick(r, times),
      event: pick(r, ['a', 'b', 'c', 'd', 'a', 'b']),
      plan: pick(r, ['free', 'pro', null, '']),
      // Decimals with very different magnitudes: summing in another order changes the last bits.
      amount: pick(r, [0.1, 0.2, 0.3, 1e-7, 12.34, 1e9 + 0.5, 99.99, -3.3, null, null]),
      qty: pick(r, [1, 2, 3, 7, 0, null]),
    });
  }
  return rows;
}

function randomFilter(r: () => number): KpiFilter | undefined {
  const roll = r();
  if (roll < 0.3) return undefined;
  const filter: KpiFilter = {};
  if (r() < 0.7) filter.event = r() < 0.6 ? pick(r, ['a', 'b', 'c', 'zz']) : [pick(r, ['a', 'b']), pick(r, ['c', 'd', 'a'])];
  if (r() < 0.4) {
    const w = r();
    filter.where = w < 0.3 ? { plan: pick(r, ['free', 'pro', null, '']) } : w < 0.6 ? { plan: ['pro', pick(r, [null, 'free', ''])] } : { qty: pick(r, [{ min: 1, max: 3 }, { min: 2 }, { max: 1 }, {}]) };
  }
  return filter;
}

function randomMeasure(r: () => number, depth = 0): KpiMeasureSpec {
  const op = pick(r, ['count', 'distinct', 'sum', 'mean', 'median', 'min', 'max', 'last', 'ratio', 'duration', 'sum', 'count'] as const);
  if (op === 'ratio' && depth === 0) return { op: 'ratio', numerator: randomMeasure(r, 1), denominator: randomMeasure(r, 1) };
  if (op === 'duration') {
    return { op: 'duration', from: randomFilter(r) ?? { event: 'a' }, to: randomFilter(r) ?? { event: 'b' }, ...(r() < 0.5 ? { summary: pick(r, ['median', 'mean'] as const) } : {}), ...(r() < 0.5 ? { unit: pick(r, ['days', 'hours'] as const) } : {}) };
  }
  if (op === 'ratio' || op === 'count') return { op: 'count', filter: randomFilter(r) };
  const field = op === 'distinct' ? pick(r, [undefined, 'plan', 'user']) : pick(r, [undefined, 'amount', 'qty']);
  return { op, ...(field ? { field } : {}), filter: randomFilter(r) };
}

function randomPeriod(r: () => number, zone: string): KpiSpec['period'] {
  const roll = r();
  if (roll < 0.2) return undefined;
  if (roll < 0.6) return { last: pick(r, [1, 2, 7, 30, 3]), unit: pick(r, ['day', 'week', 'month'] as const) };
  void zone;
  const from = pick(r, ['2026-02-01', '2026-03-08', '2026-03-01T12:00', BASE - 20 * DAY, undefined]);
  const to = pick(r, ['2026-03-10', '2026-03-31', BASE - 3 * DAY, undefined]);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

function randomKpi(r: () => number, i: number, zone: string): KpiSpec {
  const period = randomPeriod(r, zone);
  return {
    id: `k${i}`,
    label: `KPI ${i}`,
    measure: randomMeasure(r),
    ...(period ? { period } : {}),
    ...(r() < 0.5 ? { compare: { previous: r() < 0.7, yearAgo: r() < 0.5 } } : {}),
    ...(r() < 0.3 ? { target: pick(r, [5, 100, 0.5]) } : {}),
    ...(r() < 0.3 ? { thresholds: { ...(r() < 0.3 ? { mode: 'percent-of-target' as const } : {}), steps: [{ value: null, status: 'critical' as const }, { value: pick(r, [1, 3, 50]), status: 'good' as const }] } } : {}),
    ...(r() < 0.6 ? { interval: pick(r, ['day', 'week', 'month'] as const) } : {}),
    ...(r() < 0.2 ? { direction: 'lower-is-better' as const } : {}),
  };
}

export function randomContract(r: () => number, rows: Row[]): InlineContract<KpiContract> {
  const timeZone = pick(r, ZONES);
  const asOf = r() < 0.3 ? pick(r, ['2026-03-15', BASE, '2026-03-08T03:30']) : undefined;
  const base = {
    version: 1 as const,
    kind: 'kpi' as const,
    timeZone,
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
  };
  if (r() < 0.25) {
    return {
      ...base,
      title: 'Shorthand',
      kpi: {
        metric: pick(r, ['sum', 'count', 'mean', 'countDistinct', 'last'] as const),
        ...(r() < 0.5 ? { event: pick(r, ['a', 'b']) } : {}),
        ...(r() < 0.5 ? { range: { from: '2026-03-01', to: '2026-03-15' } } : {}),
        ...(r() < 0.3 ? { compare: 'none' as const } : {}),
        ...(r() < 0.5 ? { interval: pick(r, ['day', 'week', 'month'] as const) } : {}),
        ...(asOf !== undefined ? { asOf } : {}),
      },
    };
  }
  const kpis = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => randomKpi(r, i, timeZone));
  if (r() < 0.1) kpis.push({ id: 'given', label: 'Given', value: 3, previous: 2, series: [{ t: '2026-03-01', value: 1 }] });
  return { ...base, kpi: { kpis, ...(asOf !== undefined ? { asOf } : {}) } };
}

/** How many random contracts each dialect compares. */
export const N = 320;

export interface DifferentialOptions {
  /** How many contracts (default {@link N}). */
  n?: number;
  /** Logs of many entities ({@link spreadEntities}), other seeds: every shard of a cluster holds rows of every value. */
  spread?: boolean;
}

/**
 * The log with each entity split into six (`u3` → `u3-0` … `u3-5`, by row), missing and empty ones
 * kept: a random log has at most 8 entities, which a cluster sharded by entity often puts on one
 * shard; spread, every shard holds rows of most plans, channels and amounts, so what is added
 * across shards (distinct values, ordered sums, split sizes, the latest event) is tested.
 */
export function spreadEntities(rows: Row[]): Row[] {
  return rows.map((row, i) => (typeof row.user === 'string' && row.user !== '' ? { ...row, user: `${row.user}-${i % 6}` } : row));
}

/** What a differential run needs of a warehouse: a table of the rows, the contract run on it, the table gone. */
export interface KpiWarehouse {
  load(table: string, rows: Row[]): Promise<void>;
  run(contract: InlineContract<KpiContract>, table: string): Promise<KpiContract>;
  drop(table: string): Promise<void>;
}

/**
 * N random contracts over N random logs: the KPI view model of the warehouse's (given) contract
 * must equal the in-memory one, every figure bit for bit; a contract memory refuses must be
 * refused at the same JSON path. Returns how many were compared.
 */
export async function kpiDifferential(warehouse: KpiWarehouse, label: string, { n = N, spread = false }: DifferentialOptions = {}): Promise<number> {
  let compared = 0;
  for (let seed = 1; seed <= n; seed++) {
    const r = prng(seed * 7919 + (spread ? 1 : 0));
    const rows = spread ? spreadEntities(randomLog(r)) : randomLog(r);
    const table = `kpi_events_${seed}`;
    await warehouse.load(table, rows);
    const contract = randomContract(r, rows);
    let expected;
    try {
      expected = computeKpis(contract);
    } catch (error) {
      // The in-memory engine refuses it: so must the warehouse, at the same path (a bad cell, which
      // memory names by its row, at the measure's field).
      assert.ok(error instanceof ContractError, `seed ${seed}: ${error}`);
      await assert.rejects(warehouse.run(contract, table), (e: unknown) => e instanceof ContractError && (e.path === error.path || error.path.startsWith('/data/')), `${label} seed ${seed}: ${error.path}`);
      await warehouse.drop(table);
      continue;
    }
    const aggregated = await warehouse.run(contract, table);
    assert.deepEqual(aggregated.data, { rows: [] }, `${label} seed ${seed}: only aggregates leave the database`);
    assert.ok(aggregated.kpi.kpis!.every((k) => k.measure === undefined), `${label} seed ${seed}: every KPI is given`);
    const actual = computeKpis(aggregated as InlineContract<KpiContract>);
    assert.deepStrictEqual(actual, expected, `${label} seed ${seed}: ${JSON.stringify(contract.kpi)}`);
    await warehouse.drop(table);
    compared++;
  }
  assert.ok(compared > n * 0.9, `compared ${compared} of ${n}`);
  return compared;
}

/**
 * 60,000 rows out of time order, many at one time, amounts of very different magnitudes: a sum
 * taken in any order but time order (ties by row) differs in the last bits. `rowOrderSum` is the
 * sum in row order over the first KPI's range, which the test requires to differ.
 */
export function bigSums(): { rows: Row[]; contract: InlineContract<KpiContract> } {
  const r = prng(2026);
  const rows: Row[] = Array.from({ length: 60_000 }, (_, i) => ({
    user: `u${i % 97}`,
    // Rows out of time order, many at the same time, so row order and time order differ.
    ts: BASE - Math.floor(r() * 400) * HOUR_MS,
    event: 'a',
    plan: null,
    amount: (r() - 0.3) * 10 ** Math.floor(r() * 18 - 6),
    qty: 1,
  }));
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    timeZone: 'America/New_York',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum' }, period: { last: 20, unit: 'day' } }, { id: 'm', label: 'm', measure: { op: 'mean' }, period: { last: 2, unit: 'week' }, interval: 'week' }] },
  };
  return { rows, contract };
}

/** The sum of the first KPI's rows in row order: it must differ from the time-ordered figure, or the test could not see a wrong order. */
export function rowOrderSum(rows: Row[], from: number): number {
  let sum = 0;
  for (const row of rows) if ((row.ts as number) >= from) sum += row.amount as number;
  return sum;
}
