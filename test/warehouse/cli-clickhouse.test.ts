/**
 * `funnelkit compute --clickhouse` and `funnelkit serve --clickhouse` end to end against a
 * two-shard ClickHouse cluster (Debian's clickhouse-server, started by the test): the counts equal
 * the in-memory engine's, the endpoint is fetched with the real `fetch`, a hostile `--table` is a
 * missing table, and a Distributed table sharded by another column is refused at /fields/entity.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { main, startServer } from '../../src/warehouse/cli.js';
import { prng, ROW_ORDER, startTestCluster, type ColumnType, type TestCluster, type Row } from './support.js';

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['channel', 'VARCHAR'],
];
const START = Date.UTC(2026, 0, 1);

/** 400 events of 40 users over 10 days of January 2026, with ties at equal times. */
function events(): Row[] {
  const r = prng(16);
  const names = ['visit', 'signup', 'pay', 'visit', 'signup'];
  return Array.from({ length: 400 }, () => ({
    user: `u${Math.floor(r() * 40)}`,
    ts: START + Math.floor(r() * 10 * 24) * 3_600_000,
    event: names[Math.floor(r() * names.length)],
    channel: ['ads', 'seo', 'mail', null][Math.floor(r() * 4)],
  }));
}

const GOOD = {
  version: 1,
  kind: 'funnel',
  fields: { entity: 'user', time: 'ts', event: 'event' },
  funnel: { steps: [{ event: 'visit' }, { event: 'signup' }, { event: 'pay' }], window: '3d', breakdown: { field: 'channel', limit: 2 } },
} as const;

let cluster: TestCluster;
let dir: string;
let contracts: string;
let rows: Row[];

before(async () => {
  cluster = await startTestCluster();
  rows = events();
  await cluster.load('events', COLUMNS, rows, 'user');
  // The same rows sharded by the event name: an entity's events on two shards.
  await cluster.load('by_event', COLUMNS, rows, 'event');
  dir = mkdtempSync(join(tmpdir(), 'funnelkit-cli-ch-'));
  contracts = join(dir, 'contracts');
  mkdirSync(contracts);
  writeFileSync(join(contracts, 'good.json'), JSON.stringify(GOOD));
});
after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function expected() {
  const v = computeFunnel({ ...(GOOD as unknown as FunnelContract), data: { rows } } as InlineContract<FunnelContract>);
  return { steps: v.steps.map((s) => s.count), groups: v.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null };
}

function figures(aggregated: FunnelContract) {
  return {
    steps: aggregated.funnel.steps.map((s) => ('count' in s ? s.count : NaN)),
    groups: aggregated.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null,
  };
}

test('compute --clickhouse over the Distributed table prints the in-memory counts', async () => {
  const { code, out, err } = await run(['compute', join(contracts, 'good.json'), '--clickhouse', cluster.cluster.url, '--table', 'events', '--row-order', ROW_ORDER]);
  assert.equal(code, 0, err);
  const want = expected();
  assert.ok(want.steps[0] > 0 && want.steps[2] > 0, 'the sample log converts');
  assert.deepEqual(figures(JSON.parse(out)), want);
});

test('compute --clickhouse: a table sharded by another column is refused at /fields/entity; a hostile --table is a missing table', async () => {
  const sharded = await run(['compute', join(contracts, 'good.json'), '--clickhouse', cluster.cluster.url, '--table', 'by_event', '--row-order', ROW_ORDER]);
  assert.equal(sharded.code, 1);
  assert.match(sharded.err, /^funnelkit: \/fields\/entity: the Distributed table is sharded by .*event.*, not by the entity column "user"/);
  for (const table of ['events`; DROP TABLE events; --', "events'; DROP TABLE events; --", 'events\\` x']) {
    const { code, err } = await run(['compute', join(contracts, 'good.json'), '--clickhouse', cluster.cluster.url, '--table', table]);
    assert.equal(code, 1);
    assert.match(err, /^funnelkit: \/data: cannot read the events table/);
  }
  assert.equal((await cluster.cluster.sql('SELECT count() FROM events')).trim(), String(rows.length));
});

test('compute --clickhouse: a bad URL or no server is a one-line usage error', async () => {
  for (const url of ['localhost:8123', 'ftp://x', 'http://127.0.0.1:9']) {
    const { code, out, err } = await run(['compute', join(contracts, 'good.json'), '--clickhouse', url]);
    assert.equal(code, 1, url);
    assert.equal(out, '');
    assert.match(err, /^funnelkit: (--clickhouse expects an http\(s\) URL|cannot reach ClickHouse at)/, err);
    assert.equal(err.trim().split('\n').length, 1);
  }
  const both = await run(['compute', join(contracts, 'good.json'), '--clickhouse', cluster.cluster.url, '--duckdb', 'x.duckdb']);
  assert.match(both.err, /give one of --duckdb <file>, --parquet <glob> or --clickhouse <url>/);
});

test('serve --clickhouse answers /contracts/<name>.json with the in-memory counts, CORS and ETag', async () => {
  const server = await startServer({ clickhouse: cluster.cluster.url, table: 'events', rowOrder: ROW_ORDER, contracts, port: 0 });
  try {
    const response = await fetch(`${server.url}/contracts/good.json`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const body = (await response.json()) as FunnelContract;
    assert.deepEqual(figures(body), expected());
    assert.equal(body.funnel.entitiesUrl, './good/entities');
    const again = await fetch(`${server.url}/contracts/good.json`, { headers: { 'if-none-match': response.headers.get('etag')! } });
    assert.equal(again.status, 304);
  } finally {
    await server.close();
  }
});

test('a missing time is refused at /fields/time, in a DateTime column as in an epoch-ms one', async () => {
  const { runContract } = await import('../../src/warehouse/index.js');
  for (const [table, type, good] of [['dt_events', 'Nullable(DateTime)', "'2026-01-02 03:04:05'"], ['ms_events', 'Nullable(Float64)', '1767225600000']] as const) {
    await cluster.cluster.createEventsTable(table, [['user', 'String'], ['ts', type], ['event', 'String']], 'user');
    await cluster.cluster.sql(`INSERT INTO ${table} VALUES ('a', ${good}, 'visit')`);
    await cluster.client.command({ query: `INSERT INTO ${table} VALUES ('b', NULL, 'visit')`, clickhouse_settings: { insert_distributed_sync: 1 } as never });
    await assert.rejects(
      runContract({ ...(GOOD as unknown as FunnelContract), funnel: { steps: GOOD.funnel.steps }, data: { table } } as unknown as FunnelContract, cluster.client),
      (error: Error & { path?: string }) => (error.path === '/fields/time' && /column "ts" holds null/.test(error.message)) || assert.fail(String(error)),
      type,
    );
  }
});
