/**
 * The warehouse path's edges: quoting, SQL-injection attempts in every name and value, refused
 * features at their JSON paths, bad times, TIMESTAMP columns, and the pre-aggregated round trip.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { compileSql, quoteIdent, quoteTable, runContract } from '../../src/warehouse/index.js';
import { loadTable, type ColumnType } from './support.js';

let instance: DuckDBInstance;
let con: DuckDBConnection;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
  await con.run('CREATE TABLE keep (x INTEGER)');
  await con.run('INSERT INTO keep VALUES (1)');
});
after(() => {
  con.closeSync();
  instance.closeSync();
});

/** The canary table is still there with its one row: no injected statement ran. */
async function assertKeepIntact(): Promise<void> {
  const rows = (await con.runAndReadAll('SELECT count(*) AS n FROM keep')).getRowObjects();
  assert.equal(Number(rows[0].n), 1);
}

const HOSTILE = [`"; DROP TABLE keep; --`, `'; DROP TABLE keep; --`, `a"b`, `semi;colon`, `--dash`, `x' OR '1'='1`, `"`, `'`, `back\\slash`];

test('quoteIdent doubles inner quotes and refuses NUL and empty names', () => {
  assert.equal(quoteIdent('events'), '"events"');
  assert.equal(quoteIdent('a"b'), '"a""b"');
  assert.equal(quoteIdent(`"; DROP TABLE keep; --`), `"""; DROP TABLE keep; --"`);
  assert.equal(quoteTable(['main', 'ev"x']), '"main"."ev""x"');
  assert.equal(quoteTable('a.b'), '"a.b"');
  assert.throws(() => quoteIdent('a\u0000b'), /NUL/);
  assert.throws(() => quoteIdent(''), /non-empty/);
});

/** A contract and its log whose every name and value is `hostile`. */
function hostileCase(hostile: string, i: number) {
  const names = { entity: `u${hostile}`, time: `t${hostile}`, event: `e${hostile}`, prop: `p${hostile}`, seg: `s${hostile}` };
  const columns: Array<[string, ColumnType]> = [
    [names.entity, 'VARCHAR'],
    [names.time, 'DOUBLE'],
    [names.event, 'VARCHAR'],
    [names.prop, 'VARCHAR'],
    [names.seg, 'VARCHAR'],
  ];
  const rows = [
    { [names.entity]: hostile, [names.time]: 1000, [names.event]: hostile, [names.prop]: hostile, [names.seg]: hostile },
    { [names.entity]: hostile, [names.time]: 2000, [names.event]: 'b', [names.prop]: hostile, [names.seg]: 'x' },
    { [names.entity]: 'other', [names.time]: 1000, [names.event]: hostile, [names.prop]: 'no', [names.seg]: null },
    { [names.entity]: 'other', [names.time]: 1500, [names.event]: 'b', [names.prop]: 'no', [names.seg]: 'x' },
  ];
  const contract: InlineContract<FunnelContract> = {
    version: 1,
    kind: 'funnel',
    data: { columns: Object.fromEntries(columns.map(([n]) => [n, rows.map((r) => r[n] ?? null)])) },
    fields: { entity: names.entity, time: names.time, event: names.event },
    funnel: {
      steps: [{ event: hostile, where: { [names.prop]: [hostile, 'no'] } }, { event: 'b', where: { [names.prop]: hostile } }],
      breakdown: { field: names.seg, attribution: 'first-touch' },
      exclusions: [{ event: `never${hostile}`, from: 0, to: 1, where: { [names.prop]: hostile } }],
    },
  };
  return { table: `events${hostile}${i}`, columns, rows, contract };
}

test('hostile table names, column names, event names and where values are literal names and values', async () => {
  for (const [i, hostile] of HOSTILE.entries()) {
    const { table, columns, rows, contract } = hostileCase(hostile, i);
    await loadTable(con, table, columns, rows);
    const { sql, params } = compileSql(contract, { dialect: 'duckdb', table });
    assert.ok(params.includes(hostile), 'values are parameters');
    const out = await runContract(contract, con, { table });
    const expected = computeFunnel(contract);
    assert.deepEqual(out.funnel.steps.map((s) => ('count' in s ? s.count : -1)), expected.steps.map((s) => s.count), hostile);
    assert.deepEqual(out.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]), expected.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]), hostile);
    assert.deepEqual(out.funnel.steps.map((s) => ('count' in s ? s.count : -1)), [2, 1], `${hostile}: ${sql.length}`);
    await assertKeepIntact();
  }
});

test('a missing table or column named with SQL is a contract error, and nothing runs', async () => {
  const { table, columns, rows, contract } = hostileCase('"; DROP TABLE keep; --', 99);
  await loadTable(con, table, columns, rows);
  const attempt = async (change: (c: InlineContract<FunnelContract>) => void, on: string, path: string) => {
    const c = structuredClone(contract);
    change(c);
    await assert.rejects(runContract(c, con, { table: on }), (e: unknown) => e instanceof ContractError && e.path === path);
    await assertKeepIntact();
  };
  await attempt(() => {}, `nope"; DROP TABLE keep; --`, '/data');
  await attempt((c) => (c.fields.entity = `x"; DROP TABLE keep; --`), table, '/fields/entity');
  await attempt((c) => (c.fields.time = `x'); DROP TABLE keep; --`), table, '/fields/time');
  await attempt((c) => (c.fields.event = `--`), table, '/fields/event');
  await attempt((c) => (c.funnel.breakdown = { field: `";--` }), table, '/funnel/breakdown/field');
  await attempt((c) => (c.funnel.exclusions = [{ event: 'x', from: 0, to: 1, where: { [`'--`]: 1 } }]), table, `/funnel/exclusions/0/where/'--`);
  await attempt((c) => (c.funnel.steps[1] = { event: 'b', where: { [`"; DROP TABLE keep; --`]: 1 } }), table, `/funnel/steps/1/where/"; DROP TABLE keep; --`);
  assert.throws(() => compileSql(contract, { dialect: 'duckdb', table: 'a\u0000b' }), /NUL/);
});

test('every funnel feature compiles; contract errors keep the planner\'s JSON paths', () => {
  const base: FunnelContract = { version: 1, kind: 'funnel', data: { rows: [] }, fields: { entity: 'u', time: 't', event: 'e' }, funnel: { steps: [{ event: 'a' }, { event: 'b' }] } };
  const compiles = (funnel: Partial<FunnelContract['funnel']>) => compileSql({ ...base, funnel: { ...base.funnel, ...funnel } }, { dialect: 'duckdb', table: 'ev' });
  compiles({ compare: 'previous-period', range: { from: 0, to: 10 } });
  compiles({ trends: { interval: 'day' } });
  compiles({ timeToConvert: { bins: 4 } });
  compiles({ steps: [{ event: 'a' }, { event: 'b', maxDwell: '1d' }], asOf: '2026-01-01' });
  // A comparison needs a closed range, in the warehouse as in the browser.
  assert.throws(() => compiles({ compare: 'previous-period' }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/range');
  // Contract errors keep the planner's paths.
  assert.throws(
    () => compileSql({ ...base, funnel: { ...base.funnel, breakdown: { field: 'c', attribution: { step: 5 } } } }, { dialect: 'duckdb', table: 'ev' }),
    (e: unknown) => e instanceof ContractError && e.path === '/funnel/breakdown/attribution/step',
  );
  assert.throws(() => compileSql({ ...base, fields: { entity: 'u', time: 't' } }, { dialect: 'duckdb', table: 'ev' }), (e: unknown) => e instanceof ContractError && e.path === '/fields/event');
  assert.throws(() => compileSql({ ...base, kind: 'chart' } as never, { dialect: 'duckdb', table: 'ev' }), (e: unknown) => e instanceof ContractError && e.path === '/kind');
});

test('a time the in-memory engine rejects is a contract error at /fields/time', async () => {
  const columns: Array<[string, ColumnType]> = [['u', 'VARCHAR'], ['t', 'DOUBLE'], ['e', 'VARCHAR']];
  await loadTable(con, 'bad_times', columns, [{ u: 'a', t: 1000, e: 'a' }, { u: 'a', t: null, e: 'zzz' }]);
  const contract: FunnelContract = { version: 1, kind: 'funnel', data: { rows: [] }, fields: { entity: 'u', time: 't', event: 'e' }, funnel: { steps: [{ event: 'a' }] } };
  await assert.rejects(runContract(contract, con, { table: 'bad_times' }), (e: unknown) => e instanceof ContractError && e.path === '/fields/time' && /null/.test(e.message));
  assert.throws(() => computeFunnel({ ...contract, data: { columns: { u: ['a', 'a'], t: [1000, null], e: ['a', 'zzz'] } } }), ContractError);
});

test('TIMESTAMP time columns count like epoch milliseconds', async () => {
  await con.run(`CREATE TABLE ts_events AS SELECT * FROM (VALUES
    ('a', TIMESTAMP '2026-01-01 00:00:00', 'v'), ('a', TIMESTAMP '2026-01-01 00:00:05', 's'),
    ('b', TIMESTAMP '2026-01-01 00:00:00', 'v'), ('b', TIMESTAMP '2026-01-01 00:00:06', 's')) AS t(u, t, e)`);
  const contract: FunnelContract = { version: 1, kind: 'funnel', data: { rows: [] }, fields: { entity: 'u', time: 't', event: 'e' }, funnel: { steps: [{ event: 'v' }, { event: 's' }], window: '5s' } };
  const out = await runContract(contract, con, { table: 'ts_events' });
  assert.deepEqual(out.funnel.steps.map((s) => ('count' in s ? s.count : -1)), [2, 1]);
});

test('breakdown by a fractional number column is refused (JS and DuckDB print numbers differently)', async () => {
  await loadTable(con, 'num_seg', [['u', 'VARCHAR'], ['t', 'DOUBLE'], ['e', 'VARCHAR'], ['c', 'DOUBLE']], [{ u: 'a', t: 1, e: 'v', c: 1.5 }]);
  const contract: FunnelContract = { version: 1, kind: 'funnel', data: { rows: [] }, fields: { entity: 'u', time: 't', event: 'e' }, funnel: { steps: [{ event: 'v' }], breakdown: { field: 'c' } } };
  await assert.rejects(runContract(contract, con, { table: 'num_seg' }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/breakdown/field');
});

test('the pre-aggregated contract, given to computeFunnel, draws the raw contract\'s counts (top-N + Other)', async () => {
  const rows: Array<Record<string, string | number | null>> = [];
  const channels = ['ads', 'seo', 'mail', 'social', 'Other', null];
  for (let i = 0; i < 60; i++) {
    rows.push({ u: `u${i}`, t: 1000 + i, e: 'visit', c: channels[i % channels.length] });
    if (i % 2 === 0) rows.push({ u: `u${i}`, t: 2000 + i, e: 'signup', c: channels[(i + 1) % channels.length] });
    if (i % 3 === 0) rows.push({ u: `u${i}`, t: 3000 + i, e: 'pay', c: null });
  }
  await loadTable(con, 'roundtrip', [['u', 'VARCHAR'], ['t', 'DOUBLE'], ['e', 'VARCHAR'], ['c', 'VARCHAR']], rows);
  for (const attribution of ['first-touch', 'last-touch', 'all-events', { step: 1 }] as const) {
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      title: 'Signup',
      data: { columns: Object.fromEntries(['u', 't', 'e', 'c'].map((n) => [n, rows.map((r) => r[n])])) },
      fields: { entity: 'u', time: 't', event: 'e' },
      funnel: { steps: [{ event: 'visit', label: 'Visit' }, { event: 'signup' }, { event: 'pay' }], breakdown: { field: 'c', attribution, limit: 2 } },
    };
    const aggregated = await runContract(contract, con, { table: 'roundtrip' });
    assert.equal(aggregated.title, 'Signup');
    assert.deepEqual(aggregated.funnel.breakdown, contract.funnel.breakdown);
    assert.ok(aggregated.funnel.steps.every((s) => 'count' in s && !('event' in s)));
    const raw = computeFunnel(contract);
    const drawn = computeFunnel({ ...aggregated, data: { rows: [] } });
    assert.equal(drawn.aggregated, true);
    assert.deepEqual(drawn.steps.map((s) => [s.name, s.count]), raw.steps.map((s) => [s.name, s.count]));
    assert.deepEqual(drawn.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]), raw.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]));
    assert.ok(drawn.breakdown?.some((g) => g.value === 'Other'));
  }
});

test('a view with a rowOrder column, and a schema-qualified table, give the table\'s counts', async () => {
  // Rows inserted out of order: `seq` says the order the in-memory engine would see them in.
  await con.run(`CREATE SCHEMA "my schema"`);
  await con.run(`CREATE TABLE "my schema".ordered (seq INTEGER, u VARCHAR, t DOUBLE, e VARCHAR, c VARCHAR)`);
  await con.run(`INSERT INTO "my schema".ordered VALUES (2, 'a', 1, 'v', 'late'), (1, 'a', 1, 'v', 'early'), (3, 'a', 2, 's', 'x')`);
  await con.run(`CREATE VIEW ordered_view AS SELECT * FROM "my schema".ordered`);
  const contract: FunnelContract = {
    version: 1,
    kind: 'funnel',
    data: { rows: [] },
    fields: { entity: 'u', time: 't', event: 'e' },
    funnel: { steps: [{ event: 'v' }, { event: 's' }], breakdown: { field: 'c', attribution: 'first-touch' } },
  };
  const viaView = await runContract(contract, con, { table: 'ordered_view', rowOrder: 'seq' });
  assert.deepEqual(viaView.funnel.groups?.map((g) => g.value), ['early']);
  const viaTable = await runContract(contract, con, { table: ['my schema', 'ordered'], rowOrder: 'seq' });
  assert.deepEqual(viaTable.funnel, viaView.funnel);
  await assert.rejects(runContract(contract, con, { table: 'ordered_view', rowOrder: 'nope' }), /rowOrder/);
});
