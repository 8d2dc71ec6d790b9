/**
 * A contract that names its own events (issue 15): `data.table`, `data.files` (Parquet or CSV) or
 * `data.sql`, in the schema; runContract reads each and gives the in-memory engine's counts; SQL
 * in a contract runs only when the operator allows it; temporary tables are dropped; a widget
 * given such a contract says where to compute it; the CLI takes `--allow-sql`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeFunnel, computeView } from '../../src/analytics/compute.js';
import type { Contract, FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { validateContract } from '../../src/analytics/validate-contract.js';
import { main } from '../../src/warehouse/cli.js';
import { quoteLiteral, runContract } from '../../src/warehouse/index.js';
import { loadTable, prng, type ColumnType, type Row } from './support.js';

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['channel', 'VARCHAR'],
];

/** 300 events of 30 users over a week, ties at equal hours included. */
function events(): Row[] {
  const r = prng(41);
  const names = ['visit', 'signup', 'pay', 'visit'];
  return Array.from({ length: 300 }, () => ({
    user: `u${Math.floor(r() * 30)}`,
    ts: Date.UTC(2026, 2, 1) + Math.floor(r() * 7 * 24) * 3_600_000,
    event: names[Math.floor(r() * names.length)],
    channel: ['ads', 'seo', null][Math.floor(r() * 3)],
  }));
}

const FUNNEL = {
  version: 1 as const,
  kind: 'funnel' as const,
  fields: { entity: 'user', time: 'ts', event: 'event' },
  funnel: { steps: [{ event: 'visit' }, { event: 'signup' }, { event: 'pay' }], window: '2d', breakdown: { field: 'channel' } },
};
const withData = (data: unknown) => ({ ...FUNNEL, data }) as unknown as FunnelContract;

let dir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
let rows: Row[];
let expected: { steps: number[]; groups: Array<[string, number[]]> };

const counts = (c: FunnelContract) => ({
  steps: c.funnel.steps.map((s) => (s as { count: number }).count),
  groups: (c.funnel.groups ?? []).map((g) => [g.value, g.steps.map((s) => s.count)] as [string, number[]]),
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "funnelkit-sources-it's-"));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  rows = events();
  await loadTable(connection, 'events', COLUMNS, rows);
  // The same rows as Parquet (in a folder whose name has a quote) and as CSV.
  await connection.run(`COPY events TO ${quoteLiteral(join(dir, 'events.parquet'))} (FORMAT PARQUET)`);
  await connection.run(`COPY events TO ${quoteLiteral(join(dir, 'events.csv'))} (FORMAT CSV, HEADER)`);
  const vm = computeFunnel({ ...FUNNEL, data: { rows } } as InlineContract<FunnelContract>);
  expected = { steps: vm.steps.map((s) => s.count), groups: (vm.breakdown ?? []).map((g) => [g.value, g.steps.map((s) => s.count)]) };
  assert.ok(expected.steps[2] > 0, 'the fixture converts some users');
});

after(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

test('the schema takes data.table, data.files with a format, and data.sql, one at a time', () => {
  for (const data of [{ table: 'events' }, { table: ['main', 'events'], rowOrder: 'ts' }, { files: 'a/*.parquet', format: 'parquet' }, { files: ['a.csv', 'b.csv'], format: 'csv' }, { sql: 'SELECT 1' }]) {
    assert.doesNotThrow(() => validateContract(withData(data)), JSON.stringify(data));
  }
  for (const [data, path] of [
    [{ files: 'a.parquet' }, '/data'],
    [{ files: 'a.json', format: 'json' }, '/data'],
    [{ table: 'events', sql: 'SELECT 1' }, '/data'],
    [{ table: ['a', 'b', 'c', 'd'] }, '/data'],
    [{ table: '' }, '/data'],
  ] as const) {
    assert.throws(() => validateContract(withData(data)), (e: unknown) => e instanceof ContractError && e.path.startsWith(path), JSON.stringify(data));
  }
});

test('data.table, data.files (Parquet, CSV) and an allowed data.sql give the in-memory counts', async () => {
  const sources: Array<[string, unknown, { allowSql?: boolean }]> = [
    ['table', { table: 'events' }, {}],
    ['schema.table', { table: ['main', 'events'] }, {}],
    ['parquet', { files: join(dir, '*.parquet'), format: 'parquet' }, {}],
    ['csv', { files: [join(dir, 'events.csv')], format: 'csv' }, {}],
    ['sql', { sql: `SELECT * FROM events WHERE event <> 'nothing'` }, { allowSql: true }],
  ];
  for (const [name, data, options] of sources) {
    const result = await runContract(withData(data), connection, options);
    assert.deepEqual(counts(result), expected, name);
    assert.deepEqual(result.data, { rows: [] }, `${name}: the returned contract carries counts, not the source`);
  }
  // The options' table still wins over the contract's source.
  assert.deepEqual(counts(await runContract(withData({ table: 'nope' }), connection, { table: 'events' })), expected);
  // Every temporary table or view was dropped.
  const left = (await connection.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'funnelkit_events_%'`)).getRowObjects()[0].n;
  const views = (await connection.runAndReadAll(`SELECT count(*) AS n FROM duckdb_views() WHERE view_name LIKE 'funnelkit_events_%'`)).getRowObjects()[0].n;
  assert.equal(Number(left) + Number(views), 0);
});

test('data.sql runs only when allowed; a bad source is an error at its path; a quote in a file name is a name', async () => {
  const sql = withData({ sql: 'SELECT * FROM events' });
  await assert.rejects(runContract(sql, connection), (e: unknown) => e instanceof ContractError && e.path === '/data/sql' && /allow/.test(e.message));
  await assert.rejects(runContract(withData({ sql: 'SELECT * FROM no_such_table' }), connection, { allowSql: true }), (e: unknown) => e instanceof ContractError && e.path === '/data/sql');
  // A path that tries to close the literal and add SQL is one (missing) file name.
  const hostile = withData({ files: `x'); DROP TABLE events; --.parquet`, format: 'parquet' });
  await assert.rejects(runContract(hostile, connection), (e: unknown) => e instanceof ContractError && e.path === '/data/files');
  assert.equal(Number((await connection.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjects()[0].n), rows.length, 'the table is still there');
  await assert.rejects(runContract(withData({ table: 'no_such_table' }), connection), (e: unknown) => e instanceof ContractError && e.path === '/data');
});

test('a breakdown by a date, timestamp or fractional column is refused: its group names would differ from the browser\'s', async () => {
  await connection.run('CREATE TABLE dated AS SELECT *, to_timestamp(ts / 1000) AS at, ts / 7 AS frac FROM events');
  for (const field of ['at', 'frac']) {
    const contract = { ...withData({ table: 'dated' }), funnel: { ...FUNNEL.funnel, breakdown: { field } } } as FunnelContract;
    await assert.rejects(runContract(contract, connection), (e: unknown) => e instanceof ContractError && e.path === '/funnel/breakdown/field' && /text, integer or boolean/.test(e.message), field);
  }
});

test('a widget given a warehouse contract says, at /data, where it is computed', async () => {
  await assert.rejects(computeView('funnel', withData({ table: 'events' })), (e: unknown) => e instanceof ContractError && e.path === '/data' && /funnelkit\/warehouse/.test(e.message));
});

test('funnelkit compute reads a contract\u2019s data.files and data.sql (with --allow-sql)', async () => {
  const db = join(dir, 'events.duckdb');
  const file = await DuckDBInstance.create(db);
  const c = await file.connect();
  await loadTable(c, 'events', COLUMNS, rows);
  c.closeSync();
  file.closeSync();
  const run = async (contract: Contract, ...flags: string[]) => {
    const path = join(dir, 'contract.json');
    writeFileSync(path, JSON.stringify(contract));
    let out = '';
    let err = '';
    const code = await main(['compute', path, '--duckdb', db, ...flags], { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };
  const parquet = await run(withData({ files: join(dir, 'events.parquet'), format: 'parquet' }));
  assert.equal(parquet.code, 0, parquet.err);
  assert.deepEqual(counts(JSON.parse(parquet.out)), expected);
  const refused = await run(withData({ sql: 'SELECT * FROM events' }));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /\/data\/sql: .*allow/);
  const allowed = await run(withData({ sql: 'SELECT * FROM events' }), '--allow-sql');
  assert.equal(allowed.code, 0, allowed.err);
  assert.deepEqual(counts(JSON.parse(allowed.out)), expected);
});
