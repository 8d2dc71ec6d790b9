import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFunnel } from '../../src/analytics/index.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { FunnelContract, FunnelSection, InlineContract } from '../../src/analytics/contract.js';

const H = 3_600_000;
const D = 24 * H;
type Row = { id: string; e: string; t: string; region?: string };
const funnel = (rows: Row[], section: Partial<FunnelSection> = {}, extra: Partial<FunnelContract> = {}) =>
  computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows },
    fields: { entity: 'id', time: 't', event: 'e' },
    funnel: { steps: [{ event: 'lead' }, { event: 'poc' }, { event: 'won' }], window: '30d', ...section },
    ...extra,
  } as InlineContract<FunnelContract>);

// Four leads: a wins after 2 days, b after 5, c stops at poc, d never gets past lead.
const deals: Row[] = [
  { id: 'a', e: 'lead', t: '2026-01-01T00:00:00Z' },
  { id: 'a', e: 'poc', t: '2026-01-02T00:00:00Z' },
  { id: 'a', e: 'won', t: '2026-01-03T00:00:00Z' },
  { id: 'b', e: 'lead', t: '2026-01-01T12:00:00Z' },
  { id: 'b', e: 'poc', t: '2026-01-03T12:00:00Z' },
  { id: 'b', e: 'won', t: '2026-01-06T12:00:00Z' },
  { id: 'c', e: 'lead', t: '2026-01-02T00:00:00Z' },
  { id: 'c', e: 'poc', t: '2026-01-04T00:00:00Z' },
  { id: 'd', e: 'lead', t: '2026-01-08T00:00:00Z' },
];

test('drill-down lists who reached and who dropped at each step, capped by entityLimit', () => {
  const vm = funnel(deals);
  assert.deepEqual(vm.steps.map((s) => s.count), [4, 3, 2]);
  assert.deepEqual(vm.steps.map((s) => s.convertedIds), [['a', 'b', 'c', 'd'], ['a', 'b', 'c'], ['a', 'b']]);
  // d did lead but not poc; c did poc but not won.
  assert.deepEqual(vm.steps.map((s) => s.droppedIds), [[], ['d'], ['c']]);
  const capped = funnel(deals, { entityLimit: 1 });
  assert.deepEqual(capped.steps.map((s) => s.convertedIds), [['a'], ['a'], ['a']]);
  assert.deepEqual(capped.steps.map((s) => s.count), [4, 3, 2], 'the cap limits the lists, never the counts');
});

test('time to convert: median, mean and bins between the chosen steps', () => {
  const vm = funnel(deals);
  // lead → won: a 2 days, b 5 days. Median and mean of two values: 3.5 days.
  assert.equal(vm.timeToConvert!.count, 2);
  assert.equal(vm.timeToConvert!.medianMs, 3.5 * D);
  assert.equal(vm.timeToConvert!.meanMs, 3.5 * D);
  // Two values → Sturges gives 2 bins over a 3-day spread: 2 days wide is the first readable width ≥ 1.5 days.
  assert.deepEqual(vm.timeToConvert!.bins, [
    { startMs: 2 * D, endMs: 4 * D, count: 1 },
    { startMs: 4 * D, endMs: 6 * D, count: 1 },
  ]);
  // lead → poc over three entities (1 d, 2 d, 2 d), in exactly 2 equal bins from 1 d to 2 d.
  const firstLeg = funnel(deals, { timeToConvert: { from: 0, to: 1, bins: 2 } }).timeToConvert!;
  assert.equal(firstLeg.medianMs, 2 * D);
  assert.equal(firstLeg.meanMs, (5 * D) / 3);
  assert.deepEqual(firstLeg.bins.map((b) => [b.startMs / D, b.endMs / D, b.count]), [[1, 1.5, 1], [1.5, 2, 2]]);
});

test('time to convert rejects steps out of order, naming the path', () => {
  assert.throws(() => funnel(deals, { timeToConvert: { from: 2, to: 1 } }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/timeToConvert/from');
  assert.throws(() => funnel(deals, { timeToConvert: { to: 3 } }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/timeToConvert/to');
});

test('trends count each entity in the period it entered, and flag periods whose window is still open', () => {
  const vm = funnel(deals, { window: '3d', trends: { interval: 'day' } });
  // With a 3-day window b (won after 5 days) stops at poc. Entries: 1 Jan a, b; 2 Jan c; 8 Jan d.
  const points = vm.trends!.points.map((p) => [p.period, p.entered, p.converted, p.rate, p.incomplete]);
  // asOf defaults to the last event, 8 Jan 00:00: a day's window closes 3 days after it ends,
  // so 5 Jan (closing 9 Jan) and later are still open.
  assert.deepEqual(points, [
    ['2026-01-01', 2, 1, 0.5, false],
    ['2026-01-02', 1, 0, 0, false],
    ['2026-01-03', 0, 0, null, false],
    ['2026-01-04', 0, 0, null, false],
    ['2026-01-05', 0, 0, null, true],
    ['2026-01-06', 0, 0, null, true],
    ['2026-01-07', 0, 0, null, true],
    ['2026-01-08', 1, 0, 0, true],
  ]);
});

test('trend periods are cut in the contract time zone', () => {
  // 2026-01-01T20:00Z is 2 January in Shanghai.
  const vm = funnel([{ id: 'a', e: 'lead', t: '2026-01-01T20:00:00Z' }], { trends: { interval: 'week' } }, { timeZone: 'Asia/Shanghai' });
  assert.deepEqual(vm.trends!.points.map((p) => p.period), ['2025-12-29']);
});

test('dwell limits list entities stuck at a step as of asOf, longest first', () => {
  const vm = funnel(deals, { steps: [{ event: 'lead' }, { event: 'poc', maxDwell: '3d' }, { event: 'won' }], asOf: '2026-01-10' });
  // At poc and no further: only c, there since 4 Jan → 6 days by 10 Jan, over the 3-day limit.
  assert.deepEqual(vm.steps[1].stuck, { maxDwellMs: 3 * D, count: 1, entities: [{ id: 'c', dwellMs: 6 * D }] });
  assert.equal(vm.steps[0].stuck, undefined);
  // As of 6 Jan, c has been at poc only 2 days.
  assert.equal(funnel(deals, { steps: [{ event: 'lead' }, { event: 'poc', maxDwell: '3d' }, { event: 'won' }], asOf: '2026-01-06' }).steps[1].stuck!.count, 0);
  // Default asOf: the last event (8 Jan) → c stuck 4 days. d waits at lead 0 days.
  const byDefault = funnel(deals, { steps: [{ event: 'lead', maxDwell: '1d' }, { event: 'poc', maxDwell: '3d' }, { event: 'won' }] });
  assert.deepEqual(byDefault.steps[1].stuck!.entities, [{ id: 'c', dwellMs: 4 * D }]);
  assert.equal(byDefault.steps[0].stuck!.count, 0);
});

test('compare to the previous period of equal length, step by step', () => {
  const rows: Row[] = [
    // previous period (1–7 Jan): three leads, one wins
    { id: 'p1', e: 'lead', t: '2026-01-02T00:00:00Z' },
    { id: 'p1', e: 'poc', t: '2026-01-03T00:00:00Z' },
    { id: 'p1', e: 'won', t: '2026-01-04T00:00:00Z' },
    { id: 'p2', e: 'lead', t: '2026-01-03T00:00:00Z' },
    { id: 'p2', e: 'poc', t: '2026-01-05T00:00:00Z' },
    { id: 'p3', e: 'lead', t: '2026-01-07T23:00:00Z' },
    // current period (8–14 Jan): four leads, two win; p3's poc now falls here but its lead does not
    { id: 'p3', e: 'poc', t: '2026-01-08T01:00:00Z' },
    { id: 'c1', e: 'lead', t: '2026-01-08T00:00:00Z' },
    { id: 'c1', e: 'poc', t: '2026-01-09T00:00:00Z' },
    { id: 'c1', e: 'won', t: '2026-01-10T00:00:00Z' },
    { id: 'c2', e: 'lead', t: '2026-01-09T00:00:00Z' },
    { id: 'c2', e: 'poc', t: '2026-01-09T05:00:00Z' },
    { id: 'c2', e: 'won', t: '2026-01-12T00:00:00Z' },
    { id: 'c3', e: 'lead', t: '2026-01-11T00:00:00Z' },
    { id: 'c4', e: 'lead', t: '2026-01-14T23:59:00Z' },
  ];
  const vm = funnel(rows, { range: { from: '2026-01-08', to: '2026-01-14' }, compare: 'previous-period' });
  assert.deepEqual(vm.steps.map((s) => s.count), [4, 2, 2]);
  const cmp = vm.comparison!;
  assert.equal(cmp.from, Date.UTC(2026, 0, 1));
  assert.equal(cmp.to, Date.UTC(2026, 0, 8));
  // previous: p1, p2, p3 did lead; p1, p2 poc (p3's poc is outside the range); p1 won.
  assert.deepEqual(cmp.steps.map((s) => s.count), [3, 2, 1]);
  // won / lead: 2/4 now vs 1/3 before
  assert.deepEqual(cmp.steps.map((s) => s.conversionFromFirst), [1, 2 / 3, 1 / 3]);
  assert.equal(vm.steps[2].conversionFromFirst, 0.5);
});

test('compare needs a bounded range', () => {
  assert.throws(() => funnel(deals, { compare: 'previous-period', range: { from: '2026-01-01' } }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/range');
});
