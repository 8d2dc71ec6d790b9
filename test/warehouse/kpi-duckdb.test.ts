/**
 * The KPI warehouse path against the in-memory engine: random KPI contracts (every measure, filter,
 * period, comparison and interval; the one-KPI shorthand too) over random event logs with ties,
 * events on period edges, missing values, a DST zone and Asia/Shanghai, computed by `computeKpis`
 * and by `runContract` in DuckDB. The KPI view model of the returned (given) contract must equal
 * the raw contract's, every figure bit for bit. Plus injection attempts and refusals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeKpis } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { InlineContract, KpiContract, KpiFilter, KpiMeasureSpec, KpiSpec } from '../../src/analytics/contract.js';
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
  ['amount', 'DOUBLE'],
  ['qty', 'DOUBLE'],
];
type Row = Record<string, string | number | null>;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const DAY = 86_400_000;
const HOUR_MS = 3_600_000;
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'Europe/Berlin', 'Asia/Kolkata', 'America/Santiago'];
/** Instants near period edges: midnights in each zone around DST changes and month and year ends, ±1 ms. */
const EDGES = [
  '2025-03-09T05:00:00Z', '2025-03-09T07:00:00Z', '2025-11-02T04:00:00Z', '2025-11-02T05:00:00Z',
  '2026-03-08T05:00:00Z', '2026-03-08T07:00:00Z', '2026-03-29T00:00:00Z', '2026-03-28T16:00:00Z',
  '2026-02-28T16:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T05:00:00Z', '2026-03-31T16:00:00Z',
  '2025-12-31T16:00:00Z', '2026-01-01T00:00:00Z', '2026-03-16T04:00:00Z', '2026-03-15T23:00:00Z',
].flatMap((iso) => [Date.parse(iso) - 1, Date.parse(iso), Date.parse(iso) + 1]);
const BASE = Date.parse('2026-03-20T00:00:00Z');

/** A small log: few distinct times (ties), many on period edges, a year of history, missing values. */
function randomLog(r: () => number): Row[] {
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

function randomContract(r: () => number, rows: Row[]): InlineContract<KpiContract> {
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

const N = 320;

test(`${N} random KPI contracts: DuckDB gives the in-memory KPI view model`, async () => {
  let compared = 0;
  for (let seed = 1; seed <= N; seed++) {
    const r = prng(seed * 7919);
    const rows = randomLog(r);
    const table = `kpi_events_${seed}`;
    await loadTable(con, table, COLUMNS, rows);
    const contract = randomContract(r, rows);
    let expected;
    try {
      expected = computeKpis(contract);
    } catch (error) {
      // The in-memory engine refuses it: so must the warehouse, at the same path (a bad cell, which
      // memory names by its row, at the measure's field).
      assert.ok(error instanceof ContractError, `seed ${seed}: ${error}`);
      await assert.rejects(runContract(contract, con, { table }), (e: unknown) => e instanceof ContractError && (e.path === error.path || error.path.startsWith('/data/')), `seed ${seed}: ${error.path}`);
      await con.run(`DROP TABLE ${table}`);
      continue;
    }
    const aggregated = await runContract(contract, con, { table });
    assert.deepEqual(aggregated.data, { rows: [] }, `seed ${seed}: only aggregates leave the database`);
    assert.ok(aggregated.kpi.kpis!.every((k) => k.measure === undefined), `seed ${seed}: every KPI is given`);
    const actual = computeKpis(aggregated as InlineContract<KpiContract>);
    assert.deepStrictEqual(actual, expected, `seed ${seed}: ${JSON.stringify(contract.kpi)}`);
    await con.run(`DROP TABLE ${table}`);
    compared++;
  }
  assert.ok(compared > N * 0.9, `compared ${compared} of ${N}`);
});

test('names and values from the contract are quoted and bound: injection attempts are just names and values', async () => {
  const evil = {
    entity: 'u"; DROP TABLE victims; --',
    time: "t' OR 1=1 --",
    event: 'ev"ent',
    value: 'amount); DELETE FROM victims; --',
    where: 'p"lan',
  };
  await con.run('CREATE TABLE victims (x INTEGER)');
  await con.run('INSERT INTO victims VALUES (1)');
  const cols: Array<[string, ColumnType]> = [[evil.entity, 'VARCHAR'], [evil.time, 'DOUBLE'], [evil.event, 'VARCHAR'], [evil.value, 'DOUBLE'], [evil.where, 'VARCHAR']];
  const names = ["'; DROP TABLE victims; --", 'a"b', 'plain'];
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
    [evil.entity]: `u${i % 4}`,
    [evil.time]: BASE - (i % 9) * DAY,
    [evil.event]: names[i % 3],
    [evil.value]: (i % 5) * 1.1,
    [evil.where]: i % 2 ? "x' OR '1'='1" : 'y',
  }));
  const table = 'evil"; DROP TABLE victims; --';
  await loadTable(con, table, cols, rows);
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    data: { rows },
    fields: { entity: evil.entity, time: evil.time, event: evil.event, value: evil.value },
    kpi: {
      kpis: [
        { id: 'a', label: 'a', measure: { op: 'sum', filter: { event: names[0], where: { [evil.where]: "x' OR '1'='1" } } } },
        { id: 'b', label: 'b', measure: { op: 'distinct', filter: { event: [names[1], names[2]] } }, period: { last: 7, unit: 'day' } },
        { id: 'c', label: 'c', measure: { op: 'duration', from: { event: names[0] }, to: { event: names[1] } } },
      ],
    },
  };
  const aggregated = await runContract(contract, con, { table });
  assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), computeKpis(contract));
  assert.ok(computeKpis(contract).kpis[0].value! > 0, 'the filter matched rows');
  const still = await con.runAndReadAll('SELECT count(*) AS n FROM victims');
  assert.equal(Number(still.getRowObjects()[0].n), 1);
  const { sql, params } = compileSql({ ...contract, kpi: { ...contract.kpi, asOf: BASE } }, { dialect: 'duckdb', table });
  assert.ok(!sql.includes('DROP TABLE victims; --\''), 'values are not in the SQL');
  assert.ok(params.includes("x' OR '1'='1"), 'values are parameters');
});

test('compileSql gives one statement when asOf is given, and says when the latest event is needed first', () => {
  const contract: KpiContract = { version: 1, kind: 'kpi', data: { rows: [] }, fields: { time: 'ts', value: 'amount' }, kpi: { kpis: [{ id: 'a', label: 'a', measure: { op: 'sum' } }] } };
  assert.throws(() => compileSql(contract, { dialect: 'duckdb', table: 'ev' }), (e: unknown) => e instanceof TypeError && /runContract/.test(e.message));
  const { sql } = compileSql({ ...contract, kpi: { ...contract.kpi, asOf: '2026-03-01' } }, { dialect: 'duckdb', table: 'ev' });
  assert.match(sql, /^WITH /);
});

test('refused, each at its JSON path: nothing to compute, a measured cell that is not a number, a missing column', async () => {
  const rows: Row[] = [
    { user: 'u1', ts: BASE, event: 'a', plan: 'pro', amount: 1, qty: 1 },
    { user: 'u2', ts: BASE - DAY, event: 'b', plan: null, amount: null, qty: 2 },
  ];
  await loadTable(con, 'refusals', COLUMNS, rows);
  const base = { version: 1 as const, kind: 'kpi' as const, data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' } };
  const given: KpiContract = { ...base, kpi: { kpis: [{ id: 'g', label: 'g', value: 1 }] } };
  await assert.rejects(runContract(given, con, { table: 'refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/kpi');
  // `plan` holds text: memory refuses summing it (at the cell); the warehouse at the measure's field.
  const text: InlineContract<KpiContract> = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum', field: 'plan' } }] } };
  assert.throws(() => computeKpis(text), ContractError);
  await assert.rejects(runContract(text, con, { table: 'refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/kpi/kpis/0/measure/field' && /pro/.test(e.message));
  // …but not when the filter keeps only rows where it is empty, as in memory.
  const empty: InlineContract<KpiContract> = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum', field: 'plan', filter: { event: 'b' } } }] } };
  assert.deepStrictEqual(computeKpis((await runContract(empty, con, { table: 'refusals' })) as InlineContract<KpiContract>), computeKpis(empty));
  const missing: KpiContract = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'count', filter: { where: { nope: 1 } } } }] } };
  await assert.rejects(runContract(missing, con, { table: 'refusals' }), (e: unknown) => e instanceof ContractError && e.path === '/kpi/kpis/0/measure/filter/where/nope');
});

test('a TIMESTAMP time column and a named row order give the same figures', async () => {
  const r = prng(42);
  const rows = randomLog(r).filter((row) => row.ts !== null);
  await loadTable(con, 'ts_src', COLUMNS, rows);
  await con.run(`CREATE VIEW ts_view AS SELECT "user", make_timestamp(CAST(ts AS BIGINT) * 1000) AS ts, event, plan, amount, qty, rowid AS seq FROM ts_src`);
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    timeZone: 'Asia/Shanghai',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    kpi: { kpis: [{ id: 'm', label: 'm', measure: { op: 'mean' }, period: { last: 2, unit: 'month' }, compare: { yearAgo: true } }, { id: 'l', label: 'l', measure: { op: 'last' }, interval: 'week' }] },
  };
  const aggregated = await runContract(contract, con, { table: 'ts_view', rowOrder: 'seq' });
  assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), computeKpis(contract));
});

test('sums and means over large periods add in time order, bit for bit (an ordered sum, not a parallel one)', async () => {
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
  await loadTable(con, 'big_sums', COLUMNS, rows);
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    timeZone: 'America/New_York',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum' }, period: { last: 20, unit: 'day' } }, { id: 'm', label: 'm', measure: { op: 'mean' }, period: { last: 2, unit: 'week' }, interval: 'week' }] },
  };
  const expected = computeKpis(contract);
  const aggregated = await runContract(contract, con, { table: 'big_sums' });
  assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), expected);
  // The sum in row order differs in the last bits: the test would see a sum taken in another order.
  let rowOrder = 0;
  for (const row of rows) if ((row.ts as number) >= expected.kpis[0].range!.from) rowOrder += row.amount as number;
  assert.notEqual(rowOrder, expected.kpis[0].value);
});
