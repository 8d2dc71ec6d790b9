/**
 * The KPI warehouse path in ClickHouse against the in-memory engine: kpi-cases.ts's random
 * contracts over a two-shard cluster's Distributed table (sharded by the entity, so the other
 * columns' values — a distinct plan, an amount — sit on both shards), every figure bit for bit;
 * the same statement over one shard's plain MergeTree table; sums in time order over 60,000 rows;
 * a DateTime time column; injection attempts in names and values; refusals at their JSON paths.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { computeKpis } from '../../src/analytics/compute.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { InlineContract, KpiContract, KpiMeasureSpec } from '../../src/analytics/contract.js';
import { queryClickHouse } from '../../src/warehouse/clickhouse.js';
import { clickHouseString, compileSql, runContract } from '../../src/warehouse/index.js';
import { clickHouseWindowsOf, type ClickHouseWindow } from '../../src/warehouse/measure-clickhouse.js';
import { BASE, bigSums, COLUMNS, DAY, kpiDifferential, N, pick, randomContract, randomLog, rowOrderSum, spreadEntities, type Row } from './kpi-cases.js';
import { prng, ROW_ORDER, startTestCluster, type ColumnType, type TestCluster } from './support.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

const run = (contract: InlineContract<KpiContract>, table: string) => runContract(contract, cluster.client, { table, rowOrder: ROW_ORDER });

test(`${N} random KPI contracts: ClickHouse (Distributed over two shards) gives the in-memory KPI view model`, async () => {
  await kpiDifferential(
    {
      load: (table, rows) => cluster.load(table, COLUMNS, rows, 'user'),
      run,
      drop: (table) => cluster.drop(table),
    },
    'clickhouse',
  );
});

test(`${N / 4} random KPI contracts over many entities: values on both shards are united (distinct), ordered (sums) and added (sizes)`, async () => {
  let both = 0;
  const compared = await kpiDifferential(
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

test("one shard's plain MergeTree table: the same SQL gives memory's figures over that shard's rows", async () => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = prng(seed * 31);
    const rows = randomLog(r);
    await cluster.load('kpi_local', COLUMNS, rows, 'user');
    // The rows the first shard holds, in their original order (memory sees them in that order).
    const mine = await cluster.firstShardRows('kpi_local', rows);
    const contract = { ...randomContract(r, mine), data: { rows: mine } };
    let expected;
    try {
      expected = computeKpis(contract);
    } catch {
      await cluster.drop('kpi_local');
      continue;
    }
    const aggregated = await runContract(contract, cluster.shardClients[0], { table: 'kpi_local_local', rowOrder: ROW_ORDER });
    assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), expected, `seed ${seed}: ${JSON.stringify(contract.kpi)}`);
    await cluster.drop('kpi_local');
    compared++;
  }
  assert.ok(compared > 30, `compared ${compared}`);
});

test('sums and means over large periods add in time order across shards, bit for bit', async () => {
  const { rows, contract } = bigSums();
  await cluster.load('big_sums', COLUMNS, rows, 'user');
  const expected = computeKpis(contract);
  const aggregated = await run(contract, 'big_sums');
  assert.deepStrictEqual(computeKpis(aggregated as InlineContract<KpiContract>), expected);
  assert.notEqual(rowOrderSum(rows, expected.kpis[0].range!.from), expected.kpis[0].value);
  await cluster.drop('big_sums');
});

test('long sparklines: six daily KPIs over 4 years (a statement past 256 KiB) agree, each window found by the bucketed lookup', async () => {
  const r = prng(303);
  const rows = spreadEntities(randomLog(r));
  await cluster.load('kpi_long', COLUMNS, rows, 'user');
  const measures: KpiMeasureSpec[] = [
    { op: 'ratio', numerator: { op: 'sum' }, denominator: { op: 'duration', from: { event: 'a' }, to: { event: 'b' }, summary: 'mean' } },
    { op: 'median', field: 'qty' },
    { op: 'distinct', field: 'plan' },
    { op: 'last' },
    { op: 'mean', filter: { event: ['a', 'c'] } },
    { op: 'ratio', numerator: { op: 'max' }, denominator: { op: 'count', filter: { where: { plan: 'pro' } } } },
  ];
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    timeZone: 'Europe/Berlin',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    kpi: { kpis: measures.map((measure, i) => ({ id: `k${i}`, label: `k${i}`, measure, period: { last: 48, unit: 'month' }, interval: 'day', compare: { previous: true, yearAgo: true } })) },
  };
  const expected = computeKpis(contract);
  assert.ok(expected.kpis.every((k) => k.sparkline.length > 1400) && expected.kpis.some((k) => k.sparkline.filter((p) => p.value).length >= 5), 'long series with values');
  const started = Date.now();
  assert.deepStrictEqual(computeKpis((await run(contract, 'kpi_long')) as InlineContract<KpiContract>), expected);
  assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  const types = new Map<string, string>(COLUMNS.map(([n, t]) => [n, t === 'VARCHAR' ? 'Nullable(String)' : 'Nullable(Float64)']));
  const { sql } = compileSql({ ...contract, kpi: { ...contract.kpi, asOf: BASE } }, { dialect: 'clickhouse', table: 'kpi_long', columnTypes: types });
  assert.ok(sql.length > 262_144, `the statement is ${sql.length} characters`);
  await cluster.drop('kpi_long');
});

test('window placement: random families (gaps, tiny and fractional windows, times before 1970) place every time as JavaScript does', async () => {
  const r = prng(808);
  for (let round = 0; round < 40; round++) {
    const windows: ClickHouseWindow[] = [];
    const times: number[] = [];
    // Fractional edges are written as exact Float64 expressions, which ClickHouse analyses slowly: some rounds only.
    const fractional = round % 3 === 0;
    for (let fam = 0; fam < 1 + Math.floor(r() * 3); fam++) {
      let at = Math.floor((r() - 0.5) * 4e12);
      const count = Math.floor(r() * (r() < 0.5 ? 12 : 120));
      for (let i = 0; i < count; i++) {
        if (r() < 0.2) at += Math.floor(r() * 1e8); // a gap
        const length = pick(r, [1, 2, 3_600_000, 86_400_000, 82_800_000, 90_000_000, 2_678_400_000, Math.floor(r() * 1e7), ...(fractional ? [0.5] : [])]);
        const from = fractional && r() < 0.1 ? at + 0.25 : at;
        windows.push({ wi: windows.length, from, to: at + length, fam });
        times.push(from, from - 1, from - 0.5, at + length, at + length - 0.001, at + length - 1, at + length / 2, from + r() * length);
        at += length;
      }
    }
    times.push(-1e13, 1e13, 0, -0);
    const expected = times.map((t) => windows.filter((w) => t >= w.from && t < w.to).map((w) => w.wi).sort((a, b) => a - b));
    // The times exactly, from their bytes (a list of numeric expressions is slow to analyse).
    const hex = times.map((t) => `'${Buffer.from(new Float64Array([t]).buffer).toString('hex')}'`).join(', ');
    const sql = `SELECT t, arraySort(${clickHouseWindowsOf('t', windows, {})}) AS ws FROM (SELECT arrayJoin(arrayMap(h -> reinterpretAsFloat64(unhex(h)), [${hex}])) AS t)`;
    const rows = await queryClickHouse(cluster.client, sql);
    assert.equal(rows.length, times.length);
    rows.forEach((row, i) => assert.ok(Object.is(row.t, times[i]) || row.t === times[i]));
    rows.forEach((row, i) => assert.deepEqual(row.ws, expected[i], `round ${round}: t ${times[i]} (${rows.length} times, ${windows.length} windows)`));
  }
});

test('a DateTime time column (whole seconds, UTC) gives the figures of its epoch milliseconds', async () => {
  const r = prng(42);
  // DateTime holds seconds: memory gets the same instants.
  const rows = randomLog(r).map((row) => ({ ...row, ts: Math.floor((row.ts as number) / 1000) * 1000 }));
  const types: Array<[string, string]> = [
    ['user', 'Nullable(String)'],
    ['ts', "DateTime('UTC')"],
    ['event', 'Nullable(String)'],
    ['plan', 'Nullable(String)'],
    ['amount', 'Nullable(Float64)'],
    ['qty', 'Nullable(Float64)'],
    [ROW_ORDER, 'UInt32'],
  ];
  await cluster.cluster.createEventsTable('kpi_datetime', types, 'user');
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  await cluster.client.insert({
    table: 'kpi_datetime',
    values: rows.map((row, i) => ({ ...row, ts: iso(row.ts as number), [ROW_ORDER]: i })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_distributed_sync: 1 } as never,
  });
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    timeZone: 'Asia/Shanghai',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' },
    kpi: {
      kpis: [
        { id: 'm', label: 'm', measure: { op: 'mean' }, period: { last: 2, unit: 'month' }, compare: { yearAgo: true } },
        { id: 'l', label: 'l', measure: { op: 'last' }, interval: 'week' },
        { id: 'd', label: 'd', measure: { op: 'duration', from: { event: 'a' }, to: { event: 'b' }, summary: 'mean', unit: 'hours' }, period: { last: 30, unit: 'day' } },
      ],
    },
  };
  const expected = computeKpis(contract);
  assert.ok(expected.kpis.some((k) => k.value !== null), 'some figures');
  assert.deepStrictEqual(computeKpis((await run(contract, 'kpi_datetime')) as InlineContract<KpiContract>), expected);
  await cluster.drop('kpi_datetime');
});

test('names and values from the contract are escaped: injection attempts are just names and values', async () => {
  const evil = {
    entity: 'u`; DROP TABLE victims; --',
    time: "t\\' OR 1=1 --",
    event: 'ev"ent\\`',
    value: "amount'); DELETE FROM victims; --",
    where: 'p\nlan\\',
  };
  await cluster.cluster.sql('CREATE TABLE victims (x UInt8) ENGINE = Memory');
  await cluster.cluster.sql('INSERT INTO victims VALUES (1)');
  const cols: Array<[string, ColumnType]> = [[evil.entity, 'VARCHAR'], [evil.time, 'DOUBLE'], [evil.event, 'VARCHAR'], [evil.value, 'DOUBLE'], [evil.where, 'VARCHAR']];
  const names = ["\\'; DROP TABLE victims; --", "a\\\\'b", "x'); DROP TABLE victims; --\n"];
  const plans = ["x\\' OR \\'1\\'=\\'1", 'y`', "\\\\'); DROP TABLE victims; --"];
  const rows: Row[] = Array.from({ length: 30 }, (_, i) => ({
    [evil.entity]: `u${i % 4}\\'`,
    [evil.time]: BASE - (i % 9) * DAY,
    [evil.event]: names[i % 3],
    [evil.value]: (i % 5) * 1.1,
    [evil.where]: plans[i % 3],
  }));
  const table = 'evil`; DROP TABLE victims; --\\';
  await cluster.load(table, cols, rows, evil.entity);
  const contract: InlineContract<KpiContract> = {
    version: 1,
    kind: 'kpi',
    data: { rows },
    fields: { entity: evil.entity, time: evil.time, event: evil.event, value: evil.value },
    kpi: {
      kpis: [
        { id: 'a', label: 'a', measure: { op: 'sum', filter: { event: names[0], where: { [evil.where]: plans[0] } } } },
        { id: 'b', label: 'b', measure: { op: 'distinct', filter: { event: [names[1], names[2]] } }, period: { last: 7, unit: 'day' } },
        { id: 'c', label: 'c', measure: { op: 'duration', from: { event: names[0] }, to: { event: names[1] } } },
        { id: 'd', label: 'd', measure: { op: 'distinct', field: evil.where, filter: { where: { [evil.where]: [plans[1], plans[2]] } } } },
      ],
    },
  };
  const expected = computeKpis(contract);
  assert.deepStrictEqual(computeKpis((await run(contract, table)) as InlineContract<KpiContract>), expected);
  assert.ok(expected.kpis[0].value! > 0 && expected.kpis[1].value! > 0 && expected.kpis[3].value === 2, 'the filters matched rows');
  assert.equal((await cluster.cluster.sql('SELECT count() FROM victims')).trim(), '1');
  const { sql, params } = compileSql({ ...contract, kpi: { ...contract.kpi, asOf: BASE } }, {
    dialect: 'clickhouse',
    table,
    columnTypes: new Map(cols.map(([n, t]) => [n, t === 'VARCHAR' ? 'Nullable(String)' : 'Nullable(Float64)'])),
  });
  assert.deepEqual(params, [], 'ClickHouse 18.16 binds nothing: values are escaped literals');
  assert.ok(sql.includes(clickHouseString(names[0])) && sql.includes(clickHouseString(plans[0])), 'values are written by the one escaper');
  await cluster.drop(table);
  await cluster.cluster.sql('DROP TABLE victims');
});

test('refused, each at its JSON path: nothing to compute, a text cell summed, a missing column, a table not sharded by the entity', async () => {
  const rows: Row[] = [
    { user: 'u1', ts: BASE, event: 'a', plan: 'pro', amount: 1, qty: 1 },
    { user: 'u2', ts: BASE - DAY, event: 'b', plan: null, amount: null, qty: 2 },
  ];
  await cluster.load('refusals', COLUMNS, rows, 'user');
  const base = { version: 1 as const, kind: 'kpi' as const, data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event', value: 'amount' } };
  const given: KpiContract = { ...base, kpi: { kpis: [{ id: 'g', label: 'g', value: 1 }] } };
  await assert.rejects(run(given as InlineContract<KpiContract>, 'refusals'), (e: unknown) => e instanceof ContractError && e.path === '/kpi');
  const text: InlineContract<KpiContract> = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum', field: 'plan' } }] } };
  assert.throws(() => computeKpis(text), ContractError);
  await assert.rejects(run(text, 'refusals'), (e: unknown) => e instanceof ContractError && e.path === '/kpi/kpis/0/measure/field' && /pro/.test(e.message));
  // …but not when the filter keeps only rows where it is empty, as in memory.
  const empty: InlineContract<KpiContract> = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'sum', field: 'plan', filter: { event: 'b' } } }] } };
  assert.deepStrictEqual(computeKpis((await run(empty, 'refusals')) as InlineContract<KpiContract>), computeKpis(empty));
  const missing = { ...base, kpi: { kpis: [{ id: 's', label: 's', measure: { op: 'count', filter: { where: { nope: 1 } } } }] } } as InlineContract<KpiContract>;
  await assert.rejects(run(missing, 'refusals'), (e: unknown) => e instanceof ContractError && e.path === '/kpi/kpis/0/measure/filter/where/nope');
  await cluster.load('by_plan', COLUMNS, rows, 'plan');
  const distinct: InlineContract<KpiContract> = { ...base, kpi: { kpis: [{ id: 'd', label: 'd', measure: { op: 'duration', from: { event: 'a' }, to: { event: 'b' } } }] } };
  await assert.rejects(run(distinct, 'by_plan'), (e: unknown) => e instanceof ContractError && e.path === '/fields/entity');
  await cluster.drop('refusals');
  await cluster.drop('by_plan');
});
