// Hostile and careless input (issue 8, items 3–5): each case a contract error naming a path in
// the contract, where each used to crash with a raw JavaScript error or name a path not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFunnel, computeKpi, computeView, ContractError } from '../../src/analytics/index.js';
import type { Contract, FunnelContract, InlineContract, KpiContract } from '../../src/analytics/contract.js';

const at = (path: string, detail?: RegExp) => (e: unknown) => e instanceof ContractError && e.path === path && (!detail || detail.test(e.detail));
const kpi = (extra: Record<string, unknown>) =>
  ({ version: 1, kind: 'kpi', data: { rows: [] }, fields: { time: 't', value: 'v', event: 'e' }, kpi: {}, ...extra }) as unknown as InlineContract<KpiContract>;

test('the public compute functions validate what they are given', () => {
  assert.throws(() => computeFunnel({} as never), at('/version'));
  assert.throws(() => computeFunnel({ version: 1, kind: 'funnel', data: { rows: 'x' }, fields: {}, funnel: { steps: [] } } as never), (e: unknown) => e instanceof ContractError);
  // Kinds do not mix: a KPI contract is not a funnel.
  assert.throws(() => computeFunnel(kpi({}) as never), at('/kind'));
});

test('values JSON cannot hold, set from JavaScript, are described rather than crash', () => {
  assert.throws(() => computeKpi(kpi({ title: 10n })), at('/title', /got 10n/));
  assert.throws(() => computeKpi(kpi({ title: Symbol('t') })), at('/title', /got a symbol/));
  const bad = kpi({ data: { rows: [{ t: '2026-03-01', v: 10n }] }, kpi: { range: { from: '2026-03-01', to: '2026-03-01' } } });
  assert.throws(() => computeKpi(bad), at('/data/rows/0/v', /expected a number, got 10n/));
});

test('a value nested 100,000 deep is described, not stringified', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(() => computeKpi(kpi({ title: deep })), at('/title', /got an array/));
  assert.throws(() => computeKpi(kpi({ data: { rows: [{ t: '2026-03-01', v: deep }] }, kpi: { range: { from: '2026-03-01', to: '2026-03-01' } } })), at('/data/rows/0/v', /got a list/));
});

test('a KPI that filters on an event over an empty table is simply empty', () => {
  const vm = computeKpi(kpi({ kpi: { event: 'won', range: { from: '2026-03-01', to: '2026-03-31' } } }));
  assert.equal(vm.kpis[0].rows, 0);
  assert.equal(vm.kpis[0].value, 0);
});

test('a data column named __proto__ is a column like any other', () => {
  const rows = JSON.parse('[{"t":"2026-03-01","__proto__":5},{"t":"2026-03-02","__proto__":7}]');
  const vm = computeKpi(kpi({ data: { rows }, fields: { time: 't', value: '__proto__' }, kpi: { range: { from: '2026-03-01', to: '2026-03-02' } } }));
  assert.equal(vm.kpis[0].value, 12);
  assert.equal(({} as Record<string, unknown>).t, undefined, 'no prototype pollution');
});

test('a data.url that is not a URL is a contract error at /data/url', async () => {
  const contract = { ...kpi({}), data: { url: 'http://[::1', format: 'json' } } as Contract;
  await assert.rejects(computeView('kpi', contract as never), at('/data/url', /expected a URL/));
});

test('an error in fetched data names the row and column of the file, at /data/url', async () => {
  const csv = 't,v\n2026-03-01,1\nnot a time,2\n';
  const contract = { ...kpi({}), data: { url: 'https://example.test/leads.csv', format: 'csv' } } as Contract;
  const fetchCsv = (async () => new Response(csv)) as unknown as typeof fetch;
  await assert.rejects(
    computeView('kpi', contract as never, { fetch: fetchCsv }),
    at('/data/url', /^row 2, column "t" of https:\/\/example.test\/leads.csv: expected an ISO 8601 timestamp/),
  );
});

test('breakdown values named like Object members are groups like any other', () => {
  const rows = ['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((seg, i) => ({ id: `p${i}`, e: 'lead', t: '2026-03-01', seg }));
  const vm = computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows },
    fields: { entity: 'id', time: 't', event: 'e' },
    funnel: { steps: [{ event: 'lead' }], breakdown: { field: 'seg' } },
  } as InlineContract<FunnelContract>);
  assert.deepEqual(vm.breakdown!.map((g) => [g.value, g.steps[0].count]), [['__proto__', 1], ['constructor', 1], ['hasOwnProperty', 1], ['toString', 1]]);
});

test('a fetched column named __proto__ is read as a column, not a prototype', async () => {
  const json = '[{"t":"2026-03-01","__proto__":5},{"t":"2026-03-02","__proto__":7}]';
  const contract = { ...kpi({}), fields: { time: 't', value: '__proto__' }, kpi: { range: { from: '2026-03-01', to: '2026-03-02' } }, data: { url: 'https://example.test/x.json', format: 'json' } } as Contract;
  const vm = await computeView('kpi', contract as never, { fetch: (async () => new Response(json)) as unknown as typeof fetch });
  assert.equal(vm.kpis[0].value, 12);
  // Arquero's CSV reader cannot hold such a column: a contract error, not a crash.
  const csv = { ...contract, data: { url: 'https://example.test/x.csv', format: 'csv' } } as Contract;
  await assert.rejects(computeView('kpi', csv as never, { fetch: (async () => new Response('t,__proto__\n2026-03-01,5\n')) as unknown as typeof fetch }), at('/data/format'));
});
