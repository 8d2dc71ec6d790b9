/**
 * The KPI warehouse path against the in-memory engine: random KPI contracts (every measure, filter,
 * period, comparison and interval; the one-KPI shorthand too) over random event logs with ties,
 * events on period edges, missing values, a DST zone and Asia/Shanghai, computed by `computeKpis`
 * and by `runContract` in DuckDB. The KPI view model of the returned (given) contract must equal
 * the raw contract's, every figure bit for bit. Plus injection attempts and refusals. The cases
 * are kpi-cases.ts's, which ClickHouse runs too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeKpis } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { InlineContract, KpiContract } from '../../src/analytics/contract.js';
import { compileSql, runContract } from '../../src/warehouse/index.js';
import { BASE, bigSums, COLUMNS, DAY, kpiDifferential, N, randomLog, rowOrderSum, type Row } from './kpi-cases.js';
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

test(`${N} random KPI contracts: DuckDB gives the in-memory KPI view model`, async () => {
  await kpiDifferential(
    {
      load: (table, rows) => loadTable(con, table, COLUMNS, rows),
      run: (contract, table) => runContract(contract, con, { table }),
      drop: async (table) => void (await con.run(`DROP TABLE ${table}`)),
    },
    'duckdb',
  );
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
  const { rows, contract } = bigSums();
  await loadTable(con, 'big_sums', COLUMNS, rows);
  const expected = computeKpis(contract);
  const aggregated = await runContract(contract, con, { table: 'big_sums' });
  assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), expected);
  // The sum in row order differs in the last bits: the test would see a sum taken in another order.
  assert.notEqual(rowOrderSum(rows, expected.kpis[0].range!.from), expected.kpis[0].value);
});
