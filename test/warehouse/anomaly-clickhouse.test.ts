/**
 * The anomaly warehouse path in ClickHouse against the in-memory engine: anomaly-cases.ts's
 * random contracts over a two-shard cluster's Distributed table (sharded by the entity, so a split
 * value's rows sit on both shards and its size is added across them), every point, state and alert
 * equal; the same statements over one shard's plain MergeTree table; a row order named by another
 * column; a DateTime time column; injection attempts in names and values; refusals at their paths.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { computeAnomalies } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { AnomalyContract } from '../../src/analytics/contract.js';
import { clickHouseString, compileSql, runContract } from '../../src/warehouse/index.js';
import { anomalyDifferential, BASE, COLUMNS, DAY, N, randomContract, randomLog, type Row } from './anomaly-cases.js';
import { prng, ROW_ORDER, startTestCluster, type ColumnType, type TestCluster } from './support.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

const run = (contract: AnomalyContract, table: string) => runContract(contract, cluster.client, { table, rowOrder: ROW_ORDER });

test(`${N} random anomaly contracts: ClickHouse (Distributed over two shards) gives the in-memory series, states and alerts`, async () => {
  await anomalyDifferential(
    {
      load: (table, rows) => cluster.load(table, COLUMNS, rows, 'user'),
      run,
      drop: (table) => cluster.drop(table),
    },
    'clickhouse',
  );
});

test(`${N / 4} random anomaly contracts over many entities: values on both shards are united (distinct), ordered (sums) and added (sizes)`, async () => {
  let both = 0;
  const compared = await anomalyDifferential(
    {
      async load(table, rows) {
        await cluster.load(table, COLUMNS, rows, 'user');
        if ((await cluster.shardCounts(table)).every((n) => n > 0)) both++;
      },
      run,
      drop: (table) => cluster.drop(table),
    },
    'clickhouse spread',
    { n: N / 4, spread: true },
  );
  // One server (FUNNELKIT_CLICKHOUSE_SHARDS=1) has nothing to spread.
  if (cluster.shardClients.length > 1) assert.ok(both > compared * 0.8, `both shards held rows in ${both} of ${compared} logs`);
});

test("one shard's plain MergeTree table: the same SQL gives memory's series over that shard's rows", async () => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = prng(seed * 37);
    const rows = randomLog(r);
    await cluster.load('anomaly_local', COLUMNS, rows, 'user');
    const mine = await cluster.firstShardRows('anomaly_local', rows);
    const contract = { ...randomContract(r, mine), data: { rows: mine } };
    let expected;
    try {
      expected = computeAnomalies(contract);
    } catch {
      await cluster.drop('anomaly_local');
      continue;
    }
    const aggregated = await runContract(contract, cluster.shardClients[0], { table: 'anomaly_local_local', rowOrder: ROW_ORDER });
    assert.deepStrictEqual(computeAnomalies(aggregated), expected, `seed ${seed}: ${JSON.stringify(contract.anomaly)}`);
    await cluster.drop('anomaly_local');
    compared++;
  }
  assert.ok(compared > 30, `compared ${compared}`);
});

test('a row order named by another column (here the reverse of insertion) orders ties as memory orders its rows', async () => {
  const r = prng(77);
  const rows = randomLog(r).map((row, i, all) => ({ ...row, rev: all.length - i }));
  await cluster.load('anomaly_reversed', [...COLUMNS, ['rev', 'DOUBLE']], rows, 'user');
  const contract: AnomalyContract = {
    version: 1,
    kind: 'anomaly',
    timeZone: 'Europe/Berlin',
    // Memory meets the rows in `rev` order.
    data: { rows: [...rows].reverse() },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    anomaly: {
      grain: 'week',
      measure: { op: 'ratio', numerator: { op: 'duration', from: { event: 'a' }, to: { event: ['a', 'b'] }, summary: 'mean', unit: 'hours' }, denominator: { op: 'last' } },
      split: { field: 'plan', limit: 2 },
      rules: [{ type: 'change', threshold: 5 }],
    },
  };
  const aggregated = await runContract(contract, cluster.client, { table: 'anomaly_reversed', rowOrder: 'rev' });
  const expected = computeAnomalies(contract);
  assert.deepStrictEqual(computeAnomalies(aggregated), expected);
  assert.ok(expected.series.some((x) => x.points.some((p) => p.value !== null)), 'some values');
  await cluster.drop('anomaly_reversed');
});

test('a DateTime time column (whole seconds, UTC), hourly in a DST night, gives the series of its epoch milliseconds', async () => {
  const r = prng(99);
  const rows = randomLog(r).map((row) => ({ ...row, ts: Math.floor((row.ts as number) / 1000) * 1000 }));
  const types: Array<[string, string]> = [
    ['user', 'Nullable(String)'],
    ['ts', 'DateTime'],
    ['event', 'Nullable(String)'],
    ['plan', 'Nullable(String)'],
    ['channel', 'Nullable(String)'],
    ['amount', 'Nullable(Float64)'],
    ['qty', 'Nullable(Float64)'],
    [ROW_ORDER, 'UInt32'],
  ];
  await cluster.cluster.createEventsTable('anomaly_datetime', types, 'user');
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  await cluster.client.insert({
    table: 'anomaly_datetime',
    values: rows.map((row, i) => ({ ...row, ts: iso(row.ts as number), [ROW_ORDER]: i })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_distributed_sync: 1 } as never,
  });
  for (const anomaly of [
    { grain: 'day' as const, measure: { op: 'median' as const }, split: { field: 'channel', limit: 3 }, rules: [{ type: 'band' as const, window: 3, minWindow: 1 }] },
    { grain: 'hour' as const, range: { from: '2026-03-07', to: '2026-03-10T05:30' }, measure: { op: 'count' as const }, rules: [] },
  ]) {
    const contract: AnomalyContract = { version: 1, kind: 'anomaly', timeZone: 'America/New_York', data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' }, anomaly };
    const expected = computeAnomalies(contract);
    assert.ok(expected.series.some((x) => x.points.some((p) => p.value)), 'some values');
    assert.deepStrictEqual(computeAnomalies(await run(contract, 'anomaly_datetime')), expected);
  }
  await cluster.drop('anomaly_datetime');
});

test('names and values from the contract are escaped: injection attempts are just names and values', async () => {
  const evil = { time: "t\\' OR 1=1 --", event: 'ev`ent\\', value: "amount'); DELETE FROM victims2; --", split: 's`; DROP TABLE victims2; --\n', entity: 'fk_wi' };
  await cluster.cluster.sql('CREATE TABLE victims2 (x UInt8) ENGINE = Memory');
  await cluster.cluster.sql('INSERT INTO victims2 VALUES (1)');
  const cols: Array<[string, ColumnType]> = [[evil.time, 'DOUBLE'], [evil.event, 'VARCHAR'], [evil.value, 'DOUBLE'], [evil.split, 'VARCHAR'], [evil.entity, 'VARCHAR']];
  const names = ["\\'; DROP TABLE victims2; --", 'a\\\\`b\n'];
  const splits = ["x\\' OR \\'1\\'=\\'1", 'Other', "multiIf(1, 'a'", "y'); DROP TABLE victims2; --", '\\\\'];
  const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({
    [evil.time]: BASE - (i % 11) * DAY,
    [evil.event]: names[i % 2],
    [evil.value]: (i % 5) * 1.1,
    [evil.split]: splits[i % 5],
    // A column named like the query's own aliases: they take another prefix.
    [evil.entity]: `u${i % 3}`,
  }));
  const table = "evil2`; DROP TABLE victims2; --'";
  await cluster.load(table, cols, rows, evil.entity);
  const contract: AnomalyContract = {
    version: 1,
    kind: 'anomaly',
    data: { rows },
    fields: { time: evil.time, event: evil.event, value: evil.value, entity: evil.entity },
    anomaly: { measure: { op: 'sum', filter: { event: names[0] } }, split: { field: evil.split, limit: 3 }, rules: [{ type: 'change', threshold: 10 }] },
  };
  const expected = computeAnomalies(contract);
  assert.deepStrictEqual(computeAnomalies(await run(contract, table)), expected);
  assert.ok(expected.series.some((s) => s.points.some((p) => p.value! > 0)), 'the filter matched rows');
  assert.ok(expected.series.length >= 3, 'the split values are series');
  const durations: AnomalyContract = { ...contract, anomaly: { measure: { op: 'duration', from: { event: names[0] }, to: { event: names[1] } }, split: { field: evil.split, limit: 2 } } };
  assert.deepStrictEqual(computeAnomalies(await run(durations, table)), computeAnomalies(durations));
  assert.equal((await cluster.cluster.sql('SELECT count() FROM victims2')).trim(), '1');
  const closed = { ...contract, anomaly: { ...contract.anomaly, split: undefined, range: { from: '2026-03-01', to: '2026-03-20' } } };
  const { sql, params } = compileSql(closed, { dialect: 'clickhouse', table, columnTypes: new Map(cols.map(([n, t]) => [n, t === 'VARCHAR' ? 'Nullable(String)' : 'Nullable(Float64)'])) });
  assert.deepEqual(params, []);
  assert.ok(sql.includes(clickHouseString(names[0])), 'values are written by the one escaper');
  await cluster.drop(table);
  await cluster.cluster.sql('DROP TABLE victims2');
});

test('refused at their JSON paths: given points, a measured cell that is not a number, a fractional split column, a missing time', async () => {
  const rows: Row[] = [
    { user: 'u1', ts: BASE, event: 'a', plan: 'pro', channel: 'x', amount: 1, qty: 1 },
    { user: 'u2', ts: BASE - DAY, event: 'b', plan: null, channel: null, amount: null, qty: 2 },
  ];
  await cluster.load('anomaly_refusals', COLUMNS, rows, 'user');
  const base = { version: 1 as const, kind: 'anomaly' as const, data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' } };
  const given: AnomalyContract = { ...base, anomaly: { points: [{ t: BASE, value: 1 }] } };
  await assert.rejects(run(given, 'anomaly_refusals'), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/points');
  const text: AnomalyContract = { ...base, anomaly: { measure: { op: 'max', field: 'plan' } } };
  assert.throws(() => computeAnomalies(text), ContractError);
  await assert.rejects(run(text, 'anomaly_refusals'), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/measure/field' && /pro/.test(e.message));
  await assert.rejects(run({ ...base, anomaly: { split: { field: 'qty' } } }, 'anomaly_refusals'), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/split/field');
  await cluster.load('anomaly_no_time', COLUMNS, [...rows, { user: 'u3', ts: null, event: 'a', plan: null, channel: null, amount: 1, qty: 1 }], 'user');
  const ranged: AnomalyContract = { ...base, anomaly: { range: { from: '2030-01-01', to: '2030-02-01' } } };
  await assert.rejects(run(ranged, 'anomaly_no_time'), (e: unknown) => e instanceof ContractError && e.path === '/fields/time');
  await cluster.drop('anomaly_refusals');
  await cluster.drop('anomaly_no_time');
});

test('no event in range gives no series, as in memory', async () => {
  const rows: Row[] = [{ user: 'u1', ts: BASE, event: 'a', plan: 'pro', channel: 'x', amount: 1, qty: 1 }];
  await cluster.load('anomaly_empty', COLUMNS, rows, 'user');
  await cluster.load('anomaly_none', COLUMNS, [], 'user');
  for (const table of ['anomaly_empty', 'anomaly_none']) {
    for (const anomaly of [{ range: { from: '2030-01-01', to: '2030-02-01' } }, { range: { from: '2030-01-01' } }, { range: { from: '2030-01-01' }, split: { field: 'plan' } }, { split: { field: 'plan' } }]) {
      const contract: AnomalyContract = { version: 1, kind: 'anomaly', data: { rows: table === 'anomaly_empty' ? rows : [] }, fields: { time: 'ts' }, anomaly };
      assert.deepStrictEqual(computeAnomalies(await run(contract, table)), computeAnomalies(contract), `${table} ${JSON.stringify(anomaly)}`);
    }
  }
  await cluster.drop('anomaly_empty');
  await cluster.drop('anomaly_none');
});
