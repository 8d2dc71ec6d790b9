/**
 * `funnelkit compute` and `funnelkit serve` end to end: a DuckDB file and Parquet files of the same
 * events, contracts in a folder, the counts compared with the in-memory engine, and the endpoint
 * fetched with the real `fetch` (ETag/304, range parameters, CORS, errors, path traversal, hostile
 * table names).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { main, quoteLiteral, startServer, type RunningServer } from '../../src/warehouse/cli.js';
import { loadTable, prng, type ColumnType, type Row } from './support.js';

const COLUMNS: Array<[string, ColumnType]> = [
  ['seq', 'DOUBLE'],
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['channel', 'VARCHAR'],
];

const START = Date.UTC(2026, 0, 1);

/** 400 events of 40 users over 10 days of January 2026, with ties at equal times. */
function events(): Row[] {
  const r = prng(15);
  const names = ['visit', 'signup', 'pay', 'visit', 'signup'];
  return Array.from({ length: 400 }, (_, i) => ({
    seq: i,
    user: `u${Math.floor(r() * 40)}`,
    ts: START + Math.floor(r() * 10 * 24) * 3_600_000,
    event: names[Math.floor(r() * names.length)],
    channel: ['ads', 'seo', 'mail', null][Math.floor(r() * 4)],
  }));
}

const GOOD = {
  version: 1,
  kind: 'funnel',
  data: { table: 'events' },
  fields: { entity: 'user', time: 'ts', event: 'event' },
  funnel: { steps: [{ event: 'visit' }, { event: 'signup' }, { event: 'pay' }], window: '3d', breakdown: { field: 'channel', limit: 2 } },
} as const;
const BAD = { ...GOOD, funnel: { steps: [{ event: 'visit' }, { evnt: 'signup' }] } };

let dir: string;
let db: string;
let contracts: string;
let parquetGlob: string;
let rows: Row[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'funnelkit-cli-'));
  db = join(dir, 'events.duckdb');
  contracts = join(dir, 'contracts');
  mkdirSync(contracts);
  // A quote in the folder name: the glob goes through quoteLiteral into CREATE TABLE/VIEW.
  const parquetDir = join(dir, "it's parquet");
  mkdirSync(parquetDir);
  parquetGlob = join(parquetDir, '*.parquet');
  rows = events();
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  await loadTable(connection, 'events', COLUMNS, rows);
  await connection.run(`COPY events TO ${quoteLiteral(join(parquetDir, 'part-0.parquet'))} (FORMAT PARQUET)`);
  connection.closeSync();
  instance.closeSync();
  writeFileSync(join(contracts, 'good.json'), JSON.stringify(GOOD));
  writeFileSync(join(contracts, 'bad.json'), JSON.stringify(BAD));
  writeFileSync(join(dir, 'secret.json'), JSON.stringify(GOOD));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `main` with stdout and stderr captured. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** The in-memory engine's step counts and groups for GOOD (with an optional range) over the rows. */
function expected(range?: { from: string; to: string }) {
  const contract: InlineContract<FunnelContract> = {
    ...(GOOD as unknown as FunnelContract),
    data: { rows },
    funnel: { ...(GOOD.funnel as unknown as FunnelContract['funnel']), ...(range ? { range } : {}) },
  };
  const v = computeFunnel(contract);
  return { steps: v.steps.map((s) => s.count), groups: v.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null };
}

/** The same figures read from a pre-aggregated contract. */
function figures(aggregated: FunnelContract) {
  return {
    steps: aggregated.funnel.steps.map((s) => ('count' in s ? s.count : NaN)),
    groups: aggregated.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null,
  };
}

test('quoteLiteral doubles quotes and refuses NUL', () => {
  assert.equal(quoteLiteral('a.parquet'), "'a.parquet'");
  assert.equal(quoteLiteral("it's/*.parquet"), "'it''s/*.parquet'");
  assert.equal(quoteLiteral(`x'); DROP TABLE events; --`), `'x''); DROP TABLE events; --'`);
  assert.equal(quoteLiteral('back\\slash'), "'back\\slash'");
  assert.throws(() => quoteLiteral('a\u0000b'), /NUL/);
});

test('compute --duckdb prints the pre-aggregated contract with the in-memory counts', async () => {
  const { code, out, err } = await run(['compute', join(contracts, 'good.json'), '--duckdb', db]);
  assert.equal(code, 0, err);
  const aggregated = JSON.parse(out) as FunnelContract;
  assert.equal(aggregated.kind, 'funnel');
  assert.deepEqual(aggregated.data, { rows: [] });
  const want = expected();
  assert.ok(want.steps[0] > 0 && want.steps[2] > 0, 'the sample log converts');
  assert.deepEqual(figures(aggregated), want);
  // The widgets draw it unchanged.
  assert.deepEqual(expected(), { steps: computeFunnel({ ...aggregated, data: { rows: [] } }).steps.map((s) => s.count), groups: want.groups });
});

test('compute --parquet (TABLE, and VIEW with --row-order) gives the same counts; a quote in the path is a name', async () => {
  const want = expected();
  for (const extra of [[], ['--row-order', 'seq']]) {
    const { code, out, err } = await run(['compute', join(contracts, 'good.json'), '--parquet', parquetGlob, ...extra]);
    assert.equal(code, 0, err);
    assert.deepEqual(figures(JSON.parse(out)), want, `--parquet ${extra.join(' ')}`);
  }
  const missing = await run(['compute', join(contracts, 'good.json'), '--parquet', join(dir, "no'; DROP TABLE x; --*.parquet")]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^funnelkit: cannot read the Parquet files/);
  assert.equal(missing.err.trim().split('\n').length, 1);
});

test('compute: a contract error prints "path: message" on one line and exits 1', async () => {
  const { code, out, err } = await run(['compute', join(contracts, 'bad.json'), '--duckdb', db]);
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /^funnelkit: \/funnel\/steps\/1\S*: /);
  assert.equal(err.trim().split('\n').length, 1);
});

test('compute: a data.table that is not a name is a contract error at /data/table', async () => {
  const file = join(dir, 'numeric-table.json');
  writeFileSync(file, JSON.stringify({ ...GOOD, data: { table: 42 } }));
  const { code, err } = await run(['compute', file, '--duckdb', db]);
  assert.equal(code, 1);
  assert.match(err, /^funnelkit: \/data\/table: expected a string, got 42/);
  // A contract's data.table names the table when --table is not given.
  writeFileSync(file, JSON.stringify({ ...GOOD, data: { table: 'elsewhere' } }));
  const other = await run(['compute', file, '--duckdb', db]);
  assert.match(other.err, /^funnelkit: \/data: cannot read the events table "elsewhere"/);
  const overridden = await run(['compute', file, '--duckdb', db, '--table', 'events']);
  assert.equal(overridden.code, 0, overridden.err);
});

test('compute: bad arguments exit 1 with one line', async () => {
  for (const argv of [
    [],
    ['compute'],
    ['compute', join(contracts, 'good.json')],
    ['compute', join(contracts, 'good.json'), '--duckdb', db, '--parquet', parquetGlob],
    ['compute', join(contracts, 'good.json'), '--duckdb', join(dir, 'nope.duckdb')],
    ['compute', join(dir, 'nope.json'), '--duckdb', db],
    ['compute', join(contracts, 'good.json'), '--duckdb', db, '--port', '1'],
    ['compute', join(contracts, 'good.json'), '--duckdb', db, '--unknown'],
    ['serve', '--duckdb', db],
    ['frobnicate'],
  ]) {
    const { code, out, err } = await run(argv);
    assert.equal(code, 1, argv.join(' '));
    assert.equal(out, '');
    assert.equal(err.trim().split('\n').length, 1, err);
  }
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /funnelkit compute <contract\.json>/);
});

/** The rows of the events table now, read-only: a hostile name must not have changed them. */
async function eventCount(): Promise<number> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const n = (await connection.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjects()[0].n;
  connection.closeSync();
  instance.closeSync();
  return Number(n);
}

test('a hostile --table is a missing table, never SQL; the events table is intact', async () => {
  for (const table of [`events"; DROP TABLE events; --`, `events'; DROP TABLE events; --`, `x; DELETE FROM events`]) {
    const { code, err } = await run(['compute', join(contracts, 'good.json'), '--duckdb', db, '--table', table]);
    assert.equal(code, 1);
    assert.match(err, /^funnelkit: \/data: cannot read the events table/);
  }
  assert.equal(await eventCount(), rows.length);
});

test('the entry point runs as a program (--help, and exit 1 on a bad command)', () => {
  const cli = join(import.meta.dirname, '../../src/warehouse/cli.ts');
  const help = spawnSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage:/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('serve: 200 + CORS + ETag, 304, range parameters, 400, 404, edits recomputed', async () => {
  const server: RunningServer = await startServer({ duckdb: db, contracts, port: 0 });
  try {
    const url = `${server.url}/contracts/good.json`;
    const first = await fetch(url);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('access-control-allow-origin'), '*');
    assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.deepEqual(figures((await first.json()) as FunnelContract), expected());

    const again = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);

    const preflight = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);

    const range = { from: '2026-01-03', to: '2026-01-06' };
    const ranged = await fetch(`${url}?from=${range.from}&to=${range.to}`);
    assert.equal(ranged.status, 200);
    const want = expected(range);
    assert.notDeepEqual(want.steps, expected().steps, 'the range changes the counts');
    const rangedBody = (await ranged.json()) as FunnelContract;
    assert.deepEqual(figures(rangedBody), want);
    assert.deepEqual(rangedBody.funnel.range, range);
    assert.notEqual(ranged.headers.get('etag'), etag);

    // Concurrent requests for one answer share one computation and one ETag; HEAD has no body.
    const together = await Promise.all(Array.from({ length: 5 }, () => fetch(`${url}?from=2026-01-02`)));
    assert.deepEqual(together.map((r) => r.status), [200, 200, 200, 200, 200]);
    assert.equal(new Set(together.map((r) => r.headers.get('etag'))).size, 1);
    await Promise.all(together.map((r) => r.arrayBuffer()));
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);

    const badRange = await fetch(`${url}?from=yesterday`);
    assert.equal(badRange.status, 400);
    assert.match(((await badRange.json()) as { error: { path: string } }).error.path, /^\/funnel\/range/);

    const bad = await fetch(`${server.url}/contracts/bad.json`);
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(bad.headers.get('access-control-allow-origin'), '*');
    const error = ((await bad.json()) as { error: { message: string; path: string } }).error;
    assert.match(error.path, /^\/funnel\/steps\/1/);
    assert.equal(typeof error.message, 'string');
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');

    for (const path of ['/contracts/../secret.json', '/contracts/..%2Fsecret.json', '/contracts/%2e%2e%2fsecret.json', '/contracts/nope.json', '/contracts/.hidden.json', '/secret.json', '/']) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: { message: string } };
      assert.equal(typeof body.error.message, 'string');
    }

    // An edited contract is recomputed (new mtime), with a new ETag.
    writeFileSync(join(contracts, 'good.json'), JSON.stringify({ ...GOOD, funnel: { ...GOOD.funnel, steps: GOOD.funnel.steps.slice(0, 2) } }));
    utimesSync(join(contracts, 'good.json'), new Date(), new Date(Date.now() + 5000));
    const edited = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(edited.status, 200);
    assert.equal(((await edited.json()) as FunnelContract).funnel.steps.length, 2);
    assert.notEqual(edited.headers.get('etag'), etag);
  } finally {
    writeFileSync(join(contracts, 'good.json'), JSON.stringify(GOOD));
    await server.close();
  }
});

test('serve: a funnel names its drill-down, and /contracts/<name>/entities answers the in-memory ids', async () => {
  const server: RunningServer = await startServer({ duckdb: db, contracts, port: 0 });
  try {
    const served = (await (await fetch(`${server.url}/contracts/good.json?from=2026-01-02`)).json()) as FunnelContract;
    assert.equal(served.funnel.entitiesUrl, './good/entities?from=2026-01-02');
    const memory = computeFunnel({
      ...(GOOD as unknown as FunnelContract),
      data: { rows },
      funnel: { ...(GOOD.funnel as unknown as FunnelContract['funnel']), range: { from: '2026-01-02' } },
    });
    const base = new URL(served.funnel.entitiesUrl!, `${server.url}/contracts/good.json`);
    assert.equal(base.pathname, '/contracts/good/entities');
    let checked = 0;
    for (const group of [null, ...(memory.breakdown ?? []).map((g) => g.value)]) {
      const steps = group === null ? memory.steps : memory.breakdown!.find((g) => g.value === group)!.steps;
      for (const step of steps) {
        const url = new URL(base);
        url.searchParams.set('step', String(step.index));
        if (group !== null) url.searchParams.set('group', group);
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.deepEqual(await res.json(), { converted: step.convertedIds ?? [], dropped: step.droppedIds ?? [] }, `${group} step ${step.index}`);
        checked += (step.convertedIds?.length ?? 0) + (step.droppedIds?.length ?? 0);
      }
    }
    assert.ok(checked > 20, 'the lists are not all empty');
    const noStep = await fetch(`${server.url}/contracts/good/entities`);
    assert.equal(noStep.status, 400);
    assert.equal((await fetch(`${server.url}/contracts/nope/entities?step=0`)).status, 404);
  } finally {
    await server.close();
  }
});

test('serve: a hostile --table answers 400 at /data, and the events table is intact', async () => {
  const server = await startServer({ duckdb: db, contracts, port: 0, table: `events"; DROP TABLE events; --` });
  try {
    const res = await fetch(`${server.url}/contracts/good.json`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { path: string } }).error.path, '/data');
  } finally {
    await server.close();
  }
  assert.equal(await eventCount(), rows.length);
});

test('serve through main() over --parquet, then closed', async () => {
  const { code, err } = await run(['serve', '--parquet', parquetGlob, '--contracts', contracts, '--port', '0']);
  assert.equal(code, 0, err);
  const url = /at (http:\/\/\S+)\/contracts/.exec(err)?.[1];
  assert.ok(url, err);
  const { lastServer } = await import('../../src/warehouse/cli.js');
  try {
    const res = await fetch(`${url}/contracts/good.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(figures((await res.json()) as FunnelContract), expected());
  } finally {
    await lastServer?.close();
  }
});
