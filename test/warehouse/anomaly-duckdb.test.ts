/**
 * The anomaly warehouse path against the in-memory engine: random anomaly contracts (every
 * measure, filters, grains, open and closed ranges, splits with limits and "Other", alert rules of
 * every type) over random event logs with ties, events on period edges, missing values, DST zones,
 * Asia/Shanghai and a half-hour zone (Asia/Kolkata), computed by `computeAnomalies` and by
 * `runContract` in DuckDB. The anomaly view model of the returned contract (given points) must
 * equal the raw contract's — every point's value bit for bit, every rule's verdict and state,
 * every alert, every row count. Plus injection attempts and refusals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeAnomalies } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { AnomalyContract, AnomalyRule, KpiFilter, MeasureSpec, TimeRange } from '../../src/analytics/contract.js';
import type { AnomalyViewModel } from '../../src/analytics/anomaly/view-model.js';
import { compileSql, runContract } from '../../src/warehouse/index.js';
import { loadTable, prng, type ColumnType } from './support.js';

let instance: DuckDBInstance;
let con: DuckDBConnection;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
});
after(() => {
  con.closeSync();
  instance.closeSync();
});

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['channel', 'VARCHAR'],
  ['amount', 'DOUBLE'],
  ['qty', 'DOUBLE'],
];
type Row = Record<string, string | number | null>;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/Berlin', 'Asia/Kolkata', 'America/Santiago'];
/** Instants on period edges (midnights around DST changes, month starts, in each zone), ±1 ms. */
const EDGES = [
  '2026-03-08T05:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T06:00:00Z', '2026-03-29T00:00:00Z', '2026-03-28T16:00:00Z',
  '2026-02-28T16:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T05:00:00Z', '2026-03-31T16:00:00Z', '2026-03-16T04:00:00Z',
  '2026-03-15T23:00:00Z', '2026-03-09T04:00:00Z', '2026-02-01T05:00:00Z', '2026-01-31T16:00:00Z', '2026-03-14T18:30:00Z',
  '2026-02-28T18:30:00Z',
].flatMap((iso) => [Date.parse(iso) - 1, Date.parse(iso), Date.parse(iso) + 1]);
const BASE = Date.parse('2026-03-20T00:00:00Z');

/** A small log over about two months: ties, edges, DST nights, missing values, several split values. */
function randomLog(r: () => number): Row[] {
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

function randomContract(r: () => number, rows: Row[]): AnomalyContract {
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

const N = 320;

test(`${N} random anomaly contracts: DuckDB gives the in-memory series, states and alerts`, async () => {
  let compared = 0;
  let alerting = 0;
  let others = 0;
  for (let seed = 1; seed <= N; seed++) {
    const r = prng(seed * 104_729);
    const rows = randomLog(r);
    const table = `anomaly_events_${seed}`;
    await loadTable(con, table, COLUMNS, rows);
    const contract = randomContract(r, rows);
    let expected: AnomalyViewModel;
    try {
      expected = computeAnomalies(contract);
    } catch (error) {
      assert.ok(error instanceof ContractError, `seed ${seed}: ${error}`);
      await assert.rejects(runContract(contract, con, { table }), (e: unknown) => e instanceof ContractError && (e.path === error.path || error.path.startsWith('/data/')), `seed ${seed}: ${error.path}`);
      await con.run(`DROP TABLE ${table}`);
      continue;
    }
    const aggregated = await runContract(contract, con, { table });
    assert.deepEqual(aggregated.data, { rows: [] }, `seed ${seed}: only aggregates leave the database`);
    assert.equal(aggregated.anomaly.measure, undefined);
    const actual = computeAnomalies(aggregated);
    assert.deepStrictEqual(actual, expected, `seed ${seed}: ${JSON.stringify(contract.anomaly)}`);
    await con.run(`DROP TABLE ${table}`);
    compared++;
    if (expected.alerts.length) alerting++;
    if (expected.series.some((s) => s.other)) others++;
  }
  assert.ok(compared > N * 0.9, `compared ${compared} of ${N}`);
  assert.ok(alerting > N / 10 && others > N / 20, `alerts in ${alerting}, "Other" in ${others}: the contracts exercise the rules and merging`);
});

test('names and values from the contract are quoted and bound: injection attempts are just names and values', async () => {
  const evil = { time: "t' OR 1=1 --", event: 'ev"ent', value: 'amount); DELETE FROM victims2; --', split: 's"; DROP TABLE victims2; --' };
  await con.run('CREATE TABLE victims2 (x INTEGER)');
  await con.run('INSERT INTO victims2 VALUES (1)');
  const cols: Array<[string, ColumnType]> = [[evil.time, 'DOUBLE'], [evil.event, 'VARCHAR'], [evil.value, 'DOUBLE'], [evil.split, 'VARCHAR']];
  const names = ["'; DROP TABLE victims2; --", 'a"b'];
  const splits = ["x' OR '1'='1", 'Other', 'CASE WHEN', "y'); DROP TABLE victims2; --"];
  const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({
    [evil.time]: BASE - (i % 11) * DAY,
    [evil.event]: names[i % 2],
    [evil.value]: (i % 5) * 1.1,
    [evil.split]: splits[i % 4],
  }));
  const table = 'evil2"; DROP TABLE victims2; --';
  await loadTable(con, table, cols, rows);
  const contract: AnomalyContract = {
    version: 1,
    kind: 'anomaly',
    data: { rows },
    fields: { time: evil.time, event: evil.event, value: evil.value },
    anomaly: { measure: { op: 'sum', filter: { event: names[0] } }, split: { field: evil.split, limit: 2 }, rules: [{ type: 'change', threshold: 10 }] },
  };
  const aggregated = await runContract(contract, con, { table });
  assert.deepStrictEqual(computeAnomalies(aggregated), computeAnomalies(contract));
  assert.ok(computeAnomalies(contract).series.some((s) => s.points.some((p) => p.value! > 0)), 'the filter matched rows');
  const still = await con.runAndReadAll('SELECT count(*) AS n FROM victims2');
  assert.equal(Number(still.getRowObjects()[0].n), 1);
  const closed = { ...contract, anomaly: { ...contract.anomaly, split: undefined, range: { from: '2026-03-01', to: '2026-03-20' } } };
  const { sql, params } = compileSql(closed, { dialect: 'duckdb', table });
  assert.ok(params.includes(names[0]) && !sql.includes(names[0]), 'values are parameters');
  assert.throws(() => compileSql(contract, { dialect: 'duckdb', table }), (e: unknown) => e instanceof TypeError && /runContract/.test(e.message));
});

test('refused at their JSON paths: given points, a measured cell that is not a number, a bad time outside the range, a fractional split column', async () => {
  const rows: Row[] = [
    { user: 'u1', ts: BASE, event: 'a', plan: 'pro', channel: 'x', amount: 1, qty: 1 },
    { user: 'u2', ts: BASE - DAY, event: 'b', plan: null, channel: null, amount: null, qty: 2 },
  ];
  await loadTable(con, 'anomaly_refusals', COLUMNS, rows);
  const base = { version: 1 as const, kind: 'anomaly' as const, data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' } };
  const given: AnomalyContract = { ...base, anomaly: { points: [{ t: BASE, value: 1 }] } };
  await assert.rejects(runContract(given, con, { table: 'anomaly_refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/points');
  const text: AnomalyContract = { ...base, anomaly: { measure: { op: 'max', field: 'plan' } } };
  assert.throws(() => computeAnomalies(text), ContractError);
  await assert.rejects(runContract(text, con, { table: 'anomaly_refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/measure/field');
  await assert.rejects(runContract({ ...base, anomaly: { split: { field: 'qty' } } }, con, { table: 'anomaly_refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/split/field');
  await con.run('CREATE TABLE anomaly_bad_time AS SELECT * FROM anomaly_refusals');
  await con.run('INSERT INTO anomaly_bad_time VALUES (\'u3\', NULL, \'a\', NULL, NULL, 1, 1)');
  const ranged: AnomalyContract = { ...base, anomaly: { range: { from: '2030-01-01', to: '2030-02-01' } } };
  await assert.rejects(runContract(ranged, con, { table: 'anomaly_bad_time' }), (e: unknown) => e instanceof ContractError && e.path === '/fields/time');
  await assert.rejects(runContract({ ...ranged, anomaly: {} }, con, { table: 'anomaly_bad_time' }), (e: unknown) => e instanceof ContractError && e.path === '/fields/time');
});

test('no event in range gives no series, as in memory', async () => {
  const rows: Row[] = [{ user: 'u1', ts: BASE, event: 'a', plan: 'pro', channel: 'x', amount: 1, qty: 1 }];
  await loadTable(con, 'anomaly_empty', COLUMNS, rows);
  for (const anomaly of [{ range: { from: '2030-01-01', to: '2030-02-01' } }, { range: { from: '2030-01-01' } }, { range: { from: '2030-01-01' }, split: { field: 'plan' } }]) {
    const contract: AnomalyContract = { version: 1, kind: 'anomaly', data: { rows }, fields: { time: 'ts' }, anomaly };
    const aggregated = await runContract(contract, con, { table: 'anomaly_empty' });
    assert.deepStrictEqual(computeAnomalies(aggregated).series, []);
    assert.deepStrictEqual(computeAnomalies(contract).series, []);
  }
});

test('a view ordered by a named column (here the reverse of insertion) orders ties as memory orders its rows', async () => {
  const r = prng(77);
  const rows = randomLog(r);
  await loadTable(con, 'ordered_src', COLUMNS, rows);
  await con.run('CREATE VIEW ordered_view AS SELECT *, -rowid AS seq FROM ordered_src');
  const contract: AnomalyContract = {
    version: 1,
    kind: 'anomaly',
    timeZone: 'Europe/Berlin',
    // Memory meets the rows in `seq` order.
    data: { rows: [...rows].reverse() },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    anomaly: {
      grain: 'week',
      measure: { op: 'ratio', numerator: { op: 'duration', from: { event: 'a' }, to: { event: ['a', 'b'] }, summary: 'mean', unit: 'hours' }, denominator: { op: 'last' } },
      split: { field: 'plan', limit: 2 },
      rules: [{ type: 'change', threshold: 5 }],
    },
  };
  const aggregated = await runContract(contract, con, { table: 'ordered_view', rowOrder: 'seq' });
  const expected = computeAnomalies(contract);
  assert.deepStrictEqual(computeAnomalies(aggregated), expected);
  assert.ok(expected.series.some((x) => x.points.some((p) => p.value !== null)), 'some values');
});
