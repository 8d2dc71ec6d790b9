/**
 * `funnelkit serve` and cohort drill-down: a served cohort contract names its drill-down
 * (`cohort.entitiesUrl`), and `/contracts/<name>/entities?cohort=&period=&group=` answers every
 * cell's ids exactly as the in-memory view model lists them; bad requests are 400s.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { computeInline } from '../../src/analytics/compute.js';
import type { CohortContract, InlineContract } from '../../src/analytics/contract.js';
import { startServer, type RunningServer } from '../../src/warehouse/cli.js';
import { loadTable, prng, type ColumnType, type Row } from './support.js';

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['channel', 'VARCHAR'],
];

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

/** 600 events of 60 users over 3 weeks of January 2026: signups, visits, and channels (some missing). */
function events(): Row[] {
  const r = prng(21);
  const names = ['signup', 'visit', 'visit', 'visit'];
  return Array.from({ length: 600 }, () => ({
    user: `u${Math.floor(r() * 60)}`,
    ts: START + Math.floor(r() * 21 * 24) * HOUR,
    event: names[Math.floor(r() * names.length)],
    channel: ['ads', 'seo', 'mail', 'social', null][Math.floor(r() * 5)],
  }));
}

/** Weekly cohorts of signups coming back to visit, by channel (two kept, the rest in "Other"), lists cut at 6. */
const WEEKLY = {
  version: 1,
  kind: 'cohort',
  data: { table: 'events' },
  fields: { entity: 'user', time: 'ts', event: 'event' },
  cohort: { start: { event: 'signup' }, return: { event: 'visit' }, period: 'week', periods: 3, mode: 'on-or-after', breakdown: { field: 'channel', limit: 2 }, entityLimit: 6 },
} as const;
/** Daily cohorts without a breakdown. */
const DAILY = {
  version: 1,
  kind: 'cohort',
  data: { table: 'events' },
  fields: { entity: 'user', time: 'ts', event: 'event' },
  cohort: { start: { event: 'signup' }, periods: 4 },
} as const;
const FUNNEL = {
  version: 1,
  kind: 'funnel',
  data: { table: 'events' },
  fields: { entity: 'user', time: 'ts', event: 'event' },
  funnel: { steps: [{ event: 'signup' }, { event: 'visit' }] },
} as const;

let dir: string;
let db: string;
let contracts: string;
let rows: Row[];
let server: RunningServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'funnelkit-serve-cohort-'));
  db = join(dir, 'events.duckdb');
  contracts = join(dir, 'contracts');
  mkdirSync(contracts);
  rows = events();
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  await loadTable(connection, 'events', COLUMNS, rows);
  connection.closeSync();
  instance.closeSync();
  writeFileSync(join(contracts, 'weekly.json'), JSON.stringify(WEEKLY));
  writeFileSync(join(contracts, 'daily.json'), JSON.stringify(DAILY));
  writeFileSync(join(contracts, 'funnel.json'), JSON.stringify(FUNNEL));
  server = await startServer({ duckdb: db, contracts, port: 0 });
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The in-memory view model of a served contract over the same rows, with the range the query string gives. */
function memory(contract: typeof WEEKLY | typeof DAILY, range?: { from: string }) {
  const cohort = { ...(contract.cohort as unknown as CohortContract['cohort']), ...(range ? { range } : {}) };
  return computeInline('cohort', { ...(contract as unknown as CohortContract), data: { rows }, cohort } as InlineContract<CohortContract>);
}

/** Fetches a URL's JSON and status. */
async function get(url: URL | string): Promise<{ status: number; body: unknown; cors: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), cors: res.headers.get('access-control-allow-origin') };
}

test('serve: a cohort names its drill-down, and /contracts/<name>/entities answers every cell\'s in-memory ids', async () => {
  for (const [name, contract, range] of [
    ['weekly', WEEKLY, { from: '2026-01-12' }],
    ['weekly', WEEKLY, undefined],
    ['daily', DAILY, undefined],
  ] as const) {
    const query = range ? `?from=${range.from}` : '';
    const served = (await get(`${server.url}/contracts/${name}.json${query}`)).body as CohortContract;
    assert.equal(served.cohort.entitiesUrl, `./${name}/entities${query}`);
    const base = new URL(served.cohort.entitiesUrl!, `${server.url}/contracts/${name}.json`);
    assert.equal(base.pathname, `/contracts/${name}/entities`);
    const view = memory(contract, range);
    let listed = 0;
    let cut = 0;
    for (const group of [null, ...(view.breakdown ?? []).map((g) => g.value)]) {
      const cohorts = group === null ? view.cohorts : view.breakdown!.find((g) => g.value === group)!.cohorts;
      for (const row of cohorts) {
        for (const cell of row.cells) {
          const url = new URL(base);
          url.searchParams.set('cohort', row.cohort);
          url.searchParams.set('period', String(cell.period));
          if (group !== null) url.searchParams.set('group', group);
          const { status, body, cors } = await get(url);
          assert.equal(status, 200, JSON.stringify(body));
          assert.equal(cors, '*');
          assert.deepEqual(body, { ids: cell.entityIds ?? [] }, `${name}${query} ${group} ${row.cohort} period ${cell.period}`);
          listed += cell.entityIds?.length ?? 0;
          if (cell.count > (cell.entityIds?.length ?? 0)) cut++;
        }
      }
    }
    assert.ok(listed > 20, `${name}: the lists are not all empty`);
    if (contract === WEEKLY) {
      assert.ok(cut > 0, 'some lists are cut at entityLimit');
      assert.ok(view.breakdown?.some((g) => g.value === 'Other'), 'a merged group is listed');
    }
  }
});

test('serve: a bad cohort drill-down request is a 400 naming what is wrong; a funnel still reads its step', async () => {
  const entities = (name: string, query: string) => get(`${server.url}/contracts/${name}/entities${query}`);
  for (const query of ['', '?cohort=2026-01-05', '?period=0', '?cohort=&period=0', '?cohort=2026-01-05&period=x', '?step=0']) {
    const { status, body } = await entities('weekly', query);
    assert.equal(status, 400, query);
    assert.match((body as { error: { message: string } }).error.message, /cohort=.*period=/, query);
  }
  // A period past the contract's, a label that is not a cohort's first day, a group without a breakdown.
  for (const [name, query, said] of [
    ['weekly', '?cohort=2026-01-05&period=3', /^period: /],
    ['weekly', '?cohort=2026-01-06&period=0', /^cohort: /],
    ['weekly', '?cohort=soon&period=0', /^cohort: /],
    ['daily', '?cohort=2026-01-05&period=0&group=ads', /^group: /],
  ] as const) {
    const { status, body } = await entities(name, query);
    assert.equal(status, 400, query);
    assert.match((body as { error: { message: string } }).error.message, said, query);
  }
  // A group the view does not show lists no one.
  assert.deepEqual((await entities('weekly', '?cohort=2026-01-05&period=0&group=nobody')).body, { ids: [] });
  assert.equal((await entities('nope', '?cohort=2026-01-05&period=0')).status, 404);
  // Funnels keep ?step=: missing, it is a 400; past the last step, too.
  assert.equal((await entities('funnel', '?cohort=2026-01-05&period=0')).status, 400);
  assert.equal((await entities('funnel', '?step=2')).status, 400);
  const step = await entities('funnel', '?step=1');
  assert.equal(step.status, 200);
  assert.deepEqual(Object.keys(step.body as object), ['converted', 'dropped']);
});
