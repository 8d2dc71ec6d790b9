/**
 * The anomaly warehouse path against the in-memory engine: random anomaly contracts (every
 * measure, filters, grains, open and closed ranges, splits with limits and "Other", alert rules of
 * every type) over random event logs with ties, events on period edges, missing values, DST zones,
 * Asia/Shanghai and a half-hour zone (Asia/Kolkata), computed by `computeAnomalies` and by
 * `runContract` in DuckDB. The anomaly view model of the returned contract (given points) must
 * equal the raw contract's — every point's value bit for bit, every rule's verdict and state,
 * every alert, every row count. Plus injection attempts and refusals. The cases are
 * anomaly-cases.ts's, which ClickHouse runs too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeAnomalies } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { AnomalyContract } from '../../src/analytics/contract.js';
import { compileSql, runContract } from '../../src/warehouse/index.js';
import { anomalyDifferential, BASE, COLUMNS, DAY, N, randomLog, type Row } from './anomaly-cases.js';
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

test(`${N} random anomaly contracts: DuckDB gives the in-memory series, states and alerts`, async () => {
  await anomalyDifferential(
    {
      load: (table, rows) => loadTable(con, table, COLUMNS, rows),
      run: (contract, table) => runContract(contract, con, { table }),
      drop: async (table) => void (await con.run(`DROP TABLE ${table}`)),
    },
    'duckdb',
  );
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
