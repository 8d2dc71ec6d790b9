/**
 * The anomaly differential cases both warehouse dialects run (anomaly-duckdb.test.ts,
 * anomaly-clickhouse.test.ts): random event logs over about two months (ties, events on period
 * edges and DST nights, missing values, several split values), random anomaly contracts (every
 * measure, filters, grains, open and closed ranges, splits with limits and "Other", alert rules of
 * every type), and the comparison of a warehouse run with the in-memory engine.
 */
import assert from 'node:assert/strict';
import { computeAnomalies } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { AnomalyContract, AnomalyRule, KpiFilter, MeasureSpec, TimeRange } from '../../src/analytics/contract.js';
import type { AnomalyViewModel } from '../../src/analytics/anomaly/view-model.js';
import { prng, type ColumnType, pick, type Row } from './support.js';

export const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['channel', 'VARCHAR'],
  ['amount', 'DOUBLE'],
  ['qty', 'DOUBLE'],
];
export type { Row } from './support.js';
export { pick } from './support.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/Berlin', 'Asia/Kolkata', 'America/Santiago'];
/** Instants on period edges (midnights around DST changes, month starts, in each zone), ±1 ms. */
const EDGES = [
  '2026-03-08T05:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T06:00:00Z', '2026-03-29T00:00:00Z', '2026-03-28T16:00:00Z',
  '2026-02-28T16:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T05:00:00Z', '2026-03-31T16:00:00Z', '2026-03-16T04:00:00Z',
  '2026-03-15T23:00:00Z', '2026-03-09T04:00:00Z', '2026-02-01T05:00:00Z', '2026-01-31T16:00:00Z', '2026-03-14T18:30:00Z',
  '2026-02-28T18:30:00Z',
].flatMap((iso) => [Date.parse(iso) - 1, Date.parse(iso), Date.parse(iso) + 1]);
export const BASE = Date.parse('2026-03-20T00:00:00Z');

/** A small log over about two months: ties, edges, DST nights, missing values, several split values. */
export function randomLog(r: () => number): Row[] {
  const rows: Row[] = [];
  const count = Math.floor(r() * 80);
  const users = 1 + Math.floor(r() * 8);
  const times = Array.from({ length: 1 + Math.floor(r() * 30) }, () => {
    const roll = r();
    if (roll < 0.4) return pick(r, EDGES);
    if (roll < 0.6) return BASE - 12 * DAY + Math.floor(r() * 72) * HOUR;
    return BASE - Math.floor(r() * 60 * DAY);
  });
  for (let i = 0; i < count; i++) {
    const roll = r();
    rows.push({
      user: roll < 0.04 ? null : roll < 0.07 ? '' : `u${Math.floor(r() * users)}`,
      ts: pick(r, times),
      event: pick(r, ['a', 'b', 'c', 'd', 'a', 'b']),
      plan: pick(r, ['free', 'pro', null, '', 'Other']),
      channel: pick(r, ['ads', 'seo', 'mail', 'x', 'y', 'z', null]),
      amount: pick(r, [0.1, 0.2, 0.3, 1e-7, 12.34, 1e9 + 0.5, 99.99, -3.3, null, null]),
      qty: pick(r, [1, 2, 3, 7, 0, null]),
    });
  }
  return rows;
}

function randomFilter(r: () => number): KpiFilter | undefined {
  if (r() < 0.3) return undefined;
  const filter: KpiFilter = {};
  if (r() < 0.7) filter.event = r() < 0.6 ? pick(r, ['a', 'b', 'c', 'zz']) : [pick(r, ['a', 'b']), pick(r, ['c', 'd', 'a'])];
  if (r() < 0.4) {
    const w = r();
    filter.where = w < 0.3 ? { plan: pick(r, ['free', 'pro', null, '']) } : w < 0.6 ? { channel: ['ads', pick(r, [null, 'seo', 'x'])] } : { qty: pick(r, [{ min: 1, max: 3 }, { min: 2 }, { max: 1 }, {}]) };
  }
  return filter;
}

function randomMeasure(r: () => number, depth = 0): MeasureSpec | undefined {
  const op = pick(r, ['count', 'distinct', 'sum', 'mean', 'median', 'min', 'max', 'last', 'ratio', 'duration', 'sum', 'default'] as const);
  if (op === 'default') return undefined;
  if (op === 'ratio' && depth === 0) return { op: 'ratio', numerator: randomMeasure(r, 1) ?? { op: 'count' }, denominator: randomMeasure(r, 1) ?? { op: 'count' } };
  if (op === 'duration') {
    return { op: 'duration', from: randomFilter(r) ?? { event: 'a' }, to: randomFilter(r) ?? { event: 'b' }, ...(r() < 0.5 ? { summary: pick(r, ['median', 'mean'] as const) } : {}), ...(r() < 0.5 ? { unit: pick(r, ['days', 'hours'] as const) } : {}) };
  }
  if (op === 'ratio' || op === 'count') return { op: 'count', filter: randomFilter(r) };
  const field = op === 'distinct' ? pick(r, [undefined, 'plan', 'user']) : pick(r, [undefined, 'amount', 'qty']);
  return { op, ...(field ? { field } : {}), filter: randomFilter(r) };
}

function randomRules(r: () => number): AnomalyRule[] {
  const rules: AnomalyRule[] = [];
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const common = { ...(r() < 0.4 ? { for: pick(r, [1, 2, '2d']) } : {}), ...(r() < 0.3 ? { keepFiringFor: 1 } : {}), ...(r() < 0.4 ? { noData: pick(r, ['nodata', 'alerting', 'ok', 'keep-last'] as const) } : {}) };
    const t = r();
    if (t < 0.3) rules.push({ type: 'threshold', ...common, steps: [{ value: null }, { value: pick(r, [1, 2, 5, 50]), severity: 'warning' }, { value: pick(r, [3, 10, 1e9]), severity: 'critical' }] });
    else if (t < 0.5) rules.push({ type: 'threshold', ...common, bound: pick(r, [{ op: '>' as const, value: 2 }, { op: 'within' as const, low: 0.5, high: 4 }]) });
    else if (t < 0.75) rules.push({ type: 'change', ...common, threshold: pick(r, [10, 50, 1]), ...(r() < 0.5 ? { unit: 'absolute' as const } : {}), ...(r() < 0.3 ? { direction: 'drop' as const } : {}) });
    else rules.push({ type: 'band', ...common, window: pick(r, [3, 7]), minWindow: pick(r, [1, 2, 3]), ...(r() < 0.5 ? { method: 'median-mad' as const } : {}), k: pick(r, [1, 2, 3]) });
  }
  return rules;
}

export function randomContract(r: () => number, rows: Row[]): AnomalyContract {
  const timeZone = pick(r, ZONES);
  const grain = pick(r, ['day', 'day', 'week', 'month', 'hour', 'minute', undefined] as const);
  let range: TimeRange | undefined;
  const roll = r();
  if (grain === 'minute') range = { from: '2026-03-08T01:30', to: pick(r, ['2026-03-08T04:00', '2026-03-08T03:10']) };
  else if (grain === 'hour') range = { from: '2026-03-07', to: pick(r, ['2026-03-09', '2026-03-10T05:30']) };
  else if (roll < 0.3) range = { from: pick(r, ['2026-03-01', '2026-03-08T12:00', BASE - 20 * DAY]), to: pick(r, ['2026-03-15', BASE - 2 * DAY, '2026-03-31']) };
  else if (roll < 0.45) range = { from: pick(r, ['2026-03-01', BASE - 9 * DAY]) };
  else if (roll < 0.6) range = { to: pick(r, ['2026-03-10', BASE - 5 * DAY]) };
  const measure = randomMeasure(r);
  const split = r() < 0.5 ? { field: pick(r, ['plan', 'channel', 'user']), ...(r() < 0.7 ? { limit: 1 + Math.floor(r() * 4) } : {}) } : undefined;
  return {
    version: 1,
    kind: 'anomaly',
    timeZone,
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    anomaly: {
      ...(grain ? { grain } : {}),
      ...(measure ? { measure } : {}),
      ...(split ? { split } : {}),
      ...(range ? { range } : {}),
      rules: randomRules(r),
    },
  };
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
export interface AnomalyWarehouse {
  load(table: string, rows: Row[]): Promise<void>;
  run(contract: AnomalyContract, table: string): Promise<AnomalyContract>;
  drop(table: string): Promise<void>;
}

/**
 * N random contracts over N random logs: the anomaly view model of the warehouse's contract (given
 * points) must equal the in-memory one — every point's value bit for bit, every rule's verdict and
 * state, every alert, every row count; a contract memory refuses must be refused at the same JSON
 * path. The contracts must exercise alerts and "Other".
 */
export async function anomalyDifferential(warehouse: AnomalyWarehouse, label: string, { n = N, spread = false }: DifferentialOptions = {}): Promise<number> {
  let compared = 0;
  let alerting = 0;
  let others = 0;
  for (let seed = 1; seed <= n; seed++) {
    const r = prng(seed * 104_729 + (spread ? 1 : 0));
    const rows = spread ? spreadEntities(randomLog(r)) : randomLog(r);
    const table = `anomaly_events_${seed}`;
    await warehouse.load(table, rows);
    const contract = randomContract(r, rows);
    let expected: AnomalyViewModel;
    try {
      expected = computeAnomalies(contract);
    } catch (error) {
      assert.ok(error instanceof ContractError, `seed ${seed}: ${error}`);
      await assert.rejects(warehouse.run(contract, table), (e: unknown) => e instanceof ContractError && (e.path === error.path || error.path.startsWith('/data/')), `${label} seed ${seed}: ${error.path}`);
      await warehouse.drop(table);
      continue;
    }
    const aggregated = await warehouse.run(contract, table);
    assert.deepEqual(aggregated.data, { rows: [] }, `${label} seed ${seed}: only aggregates leave the database`);
    assert.equal(aggregated.anomaly.measure, undefined);
    const actual = computeAnomalies(aggregated);
    assert.deepStrictEqual(actual, expected, `${label} seed ${seed}: ${JSON.stringify(contract.anomaly)}`);
    await warehouse.drop(table);
    compared++;
    if (expected.alerts.length) alerting++;
    if (expected.series.some((s) => s.other)) others++;
  }
  assert.ok(compared > n * 0.9, `compared ${compared} of ${n}`);
  assert.ok(alerting > n / 10 && others > n / 20, `alerts in ${alerting}, "Other" in ${others}: the contracts exercise the rules and merging`);
  return compared;
}
