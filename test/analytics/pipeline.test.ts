// The registry's pipelines: plans are plain JSON that another executor can run, and computeView
// (the function the elements, and later a Worker, call) gives what the synchronous API gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeInline, computeView, contractColumns, ContractError, PIPELINES } from '../../src/analytics/index.js';
import { pipelineOf } from '../../src/analytics/registry.js';
import type { Contract, ContractKind, InlineContract } from '../../src/analytics/contract.js';

const events = [
  { id: 'a', e: 'signup', t: '2026-03-02T09:00:00Z', v: 3 },
  { id: 'a', e: 'order', t: '2026-03-03T10:00:00Z', v: 12 },
  { id: 'b', e: 'signup', t: '2026-03-02T11:00:00Z', v: 4 },
  { id: 'b', e: 'order', t: '2026-03-10T10:00:00Z', v: 20 },
  { id: 'c', e: 'signup', t: '2026-03-09T08:00:00Z', v: 1 },
];
const base = { version: 1 as const, timeZone: 'Asia/Shanghai', data: { rows: events }, fields: { entity: 'id', time: 't', event: 'e', value: 'v' } };
const contracts: { [K in ContractKind]: InlineContract } = {
  funnel: { ...base, kind: 'funnel', funnel: { steps: [{ event: 'signup' }, { event: 'order' }], window: '14d', breakdown: { field: 'e' }, range: { from: '2026-03-02', to: '2026-03-15' }, compare: 'previous-period' } },
  cohort: { ...base, kind: 'cohort', cohort: { start: { event: 'signup' }, return: { event: 'order' }, period: 'week', periods: 3 } },
  anomaly: { ...base, kind: 'anomaly', anomaly: { measure: { op: 'sum' }, rules: [{ type: 'threshold', bound: { op: '>', value: 15 } }] } },
  kpi: { ...base, kind: 'kpi', kpi: { metric: 'sum', event: 'order', range: { from: '2026-03-01', to: '2026-03-31' }, target: 40 } },
};

for (const kind of Object.keys(PIPELINES) as ContractKind[]) {
  test(`${kind}: the plan survives JSON and runs to the same view model`, () => {
    const contract = contracts[kind];
    const pipeline = pipelineOf(kind);
    const plan = pipeline.plan(contract as never);
    const copy = JSON.parse(JSON.stringify(plan));
    assert.deepEqual(copy, plan, 'the plan is plain JSON: no Infinity, Date, function or Map');
    assert.equal(JSON.stringify(plan).includes('"rows"'), false, 'the plan holds no data');
    const direct = computeInline(kind, contract as never);
    const viaCopy = pipeline.shape(copy, pipeline.execute(copy, contractColumns(contract)));
    assert.deepEqual(viaCopy, direct);
  });
}

test('the figures through the registry are the hand-worked ones', () => {
  const funnel = computeInline('funnel', contracts.funnel as never);
  assert.deepEqual(funnel.steps.map((s) => s.count), [3, 2]);
  const kpi = computeInline('kpi', contracts.kpi as never);
  assert.equal(kpi.kpis[0].value, 32);
  assert.equal(kpi.kpis[0].attainment, 80);
  const anomaly = computeInline('anomaly', contracts.anomaly as never);
  // Sums per Shanghai day: 2 March 7, 3 March 12, 9 March 1, 10 March 20 (above 15).
  assert.deepEqual(anomaly.alerts.map((a) => a.start), ['2026-03-10']);
});

test('computeView fetches URL data itself and equals the synchronous path', async () => {
  const contract = { ...contracts.kpi, data: { url: 'https://example.test/events.json', format: 'json' } } as Contract;
  const fetched: string[] = [];
  const fakeFetch = (async (url: URL) => {
    fetched.push(String(url));
    return new Response(JSON.stringify(events));
  }) as unknown as typeof fetch;
  const vm = await computeView('kpi', contract as never, { fetch: fakeFetch });
  assert.deepEqual(fetched, ['https://example.test/events.json']);
  assert.deepEqual(vm, computeInline('kpi', contracts.kpi as never));
});

test('computeView reports a plan error before fetching any data', async () => {
  const contract = { ...contracts.funnel, funnel: { steps: [{ event: 'a' }, { event: 'b' }], window: 'soon' }, data: { url: 'https://example.test/big.csv', format: 'csv' } } as Contract;
  let fetched = false;
  const fakeFetch = (async () => {
    fetched = true;
    return new Response('');
  }) as unknown as typeof fetch;
  await assert.rejects(computeView('funnel', contract as never, { fetch: fakeFetch }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/window');
  assert.equal(fetched, false);
  await assert.rejects(computeView('kpi', contracts.funnel as never), (e: unknown) => e instanceof ContractError && e.path === '/kind');
});
