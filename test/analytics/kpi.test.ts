// KPIs: every measure, period arithmetic, and the comparison semantics of Grafana's Stat panel
// and Tremor's delta badge, with each expected figure worked out by hand next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeKpis, ContractError, formatKpiFigures, type KpiResult } from '../../src/analytics/index.js';
import type { Cell, InlineContract, KpiContract, KpiSpec } from '../../src/analytics/contract.js';

type Row = Record<string, Cell>;
const rows: Row[] = [
  { id: 'd4', e: 'lead', t: '2026-02-01' },
  { id: 'd4', e: 'won', t: '2026-02-20', amount: 500 },
  { id: 'd4', e: 'signed', t: '2026-02-21' },
  { id: 'd1', e: 'lead', t: '2026-03-02' },
  { id: 'd2', e: 'lead', t: '2026-03-03' },
  { id: 'd1', e: 'opportunity', t: '2026-03-04' },
  { id: 'd3', e: 'lead', t: '2026-03-05' },
  { id: 'd2', e: 'opportunity', t: '2026-03-06' },
  { id: 'd1', e: 'won', t: '2026-03-10', amount: 1000 },
  { id: 'd2', e: 'lost', t: '2026-03-12' },
  { id: 'd1', e: 'signed', t: '2026-03-12', amount: 1000 },
  { id: 'd5', e: 'invoice', t: '2026-03-15', amount: 800 },
  { id: 'd5', e: 'collected', t: '2026-03-20', amount: 600 },
  { id: 'd6', e: 'won', t: '2026-03-25', amount: 3000 },
];
const march = { from: '2026-03-01', to: '2026-03-31' };
const kpis = (list: Array<Partial<KpiSpec> & { measure?: KpiSpec['measure'] }>, extra: Partial<KpiContract> = {}, data: Row[] = rows) =>
  computeKpis({
    version: 1,
    kind: 'kpi',
    data: { rows: data },
    fields: { entity: 'id', time: 't', event: 'e', value: 'amount' },
    kpi: { kpis: list.map((k, i) => ({ id: `k${i}`, label: `KPI ${i}`, period: march, ...k })) },
    ...extra,
  } as InlineContract<KpiContract>).kpis;
const one = (k: Partial<KpiSpec>, extra?: Partial<KpiContract>, data?: Row[]) => kpis([k], extra, data)[0];
const values = (list: KpiResult[]) => list.map((k) => k.value);

test('measures: count, distinct, sum, mean, median, min, max, last of a value field', () => {
  const won = { event: 'won' };
  const list = kpis([
    { measure: { op: 'count', filter: { event: 'lead' } } }, // d1, d2, d3
    { measure: { op: 'distinct' } }, // entities active in March: d1, d2, d3, d5, d6
    { measure: { op: 'sum', filter: won } }, // 1000 + 3000
    { measure: { op: 'mean', filter: won } },
    { measure: { op: 'median', filter: won } },
    { measure: { op: 'min', filter: won } },
    { measure: { op: 'max', filter: won } },
    { measure: { op: 'last', filter: won } }, // 25 March's deal
  ]);
  assert.deepEqual(values(list), [3, 5, 4000, 2000, 2000, 1000, 3000, 3000]);
});

test('filters: event lists, field equals, in, and ranges', () => {
  const list = kpis([
    { measure: { op: 'count', filter: { event: ['won', 'lost'] } } }, // d1 won, d2 lost, d6 won
    { measure: { op: 'count', filter: { where: { e: 'won', amount: { min: 1000, max: 2000 } } } } }, // d1 only (inclusive)
    { measure: { op: 'count', filter: { where: { id: ['d1', 'd2'] } } } }, // d1: 4 rows, d2: 3
  ]);
  assert.deepEqual(values(list), [3, 1, 7]);
});

test('ratios: win rate, collection ratio, lead conversion; an empty denominator is "no value", not an error', () => {
  const list = kpis([
    { measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'won' } }, denominator: { op: 'count', filter: { event: ['won', 'lost'] } } } },
    { measure: { op: 'ratio', numerator: { op: 'sum', filter: { event: 'collected' } }, denominator: { op: 'sum', filter: { event: 'invoice' } } } },
    { measure: { op: 'ratio', numerator: { op: 'distinct', filter: { event: 'opportunity' } }, denominator: { op: 'distinct', filter: { event: 'lead' } } } },
    { measure: { op: 'ratio', numerator: { op: 'count' }, denominator: { op: 'count', filter: { event: 'refund' } } } },
  ]);
  // 2 / 3; 600 / 800; 2 opportunities of 3 leads; nothing to divide by.
  assert.deepEqual(values(list), [2 / 3, 0.75, 2 / 3, null]);
  assert.equal(list[3].note, 'empty-denominator');
  assert.equal(list[3].formatted.value, '—');
  assert.equal(list[0].format.style, 'percent');
  // February: 1 lead, no opportunity: 0 / 1, a real zero.
  assert.equal(list[2].previous, 0);
});

test('durations: first lead to signed, per entity, in the period it closed; median or mean', () => {
  const cycle = (summary: 'median' | 'mean') => one({ measure: { op: 'duration', from: { event: 'lead' }, to: { event: 'signed' }, summary }, direction: 'lower-is-better' });
  // d1: 2 → 12 March, 10 days. Previous 31 days (29 Jan – 28 Feb): d4, 1 → 21 February, 20 days.
  const median = cycle('median');
  assert.equal(median.value, 10);
  assert.equal(median.previous, 20);
  assert.equal(median.format.style, 'duration');
  // 10 − 20 = −10 days, −50%: a strong decrease, arrow down, and good news for a lower-is-better KPI.
  assert.deepEqual([median.delta, median.deltaPct, median.deltaClass, median.arrow, median.tone], [-10, -50, 'strong-decrease', 'down', 'good']);
  assert.equal(cycle('mean').value, 10);
});

test('periods: an explicit range and the one of equal length before it', () => {
  const k = one({ measure: { op: 'count', filter: { event: 'lead' } } });
  assert.deepEqual(k.range, { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) });
  assert.deepEqual(k.previousRange, { from: Date.UTC(2026, 0, 29), to: Date.UTC(2026, 2, 1) });
  assert.deepEqual([k.value, k.previous, k.delta, k.deltaPct, k.deltaClass], [3, 1, 2, 200, 'strong-increase']);
  assert.equal(k.sparkline.length, 31);
  assert.deepEqual(k.sparkline.slice(1, 3).map((p) => [p.period, p.value]), [['2026-03-02', 1], ['2026-03-03', 1]]);
});

test('periods: the last N months to asOf, across a leap day and month ends', () => {
  const at = (asOf: string, last: number) =>
    computeKpis({
      version: 1,
      kind: 'kpi',
      data: { rows },
      fields: { time: 't' },
      kpi: { asOf, kpis: [{ id: 'n', label: 'n', measure: { op: 'count' }, period: { last, unit: 'month' } }] },
    } as InlineContract<KpiContract>).kpis[0];
  // 29 Feb 2024: February whole (a leap month) and January before it.
  assert.deepEqual(at('2024-02-29T10:00:00Z', 1).range, { from: Date.UTC(2024, 1, 1), to: Date.UTC(2024, 2, 1) });
  assert.deepEqual(at('2024-02-29T10:00:00Z', 1).previousRange, { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 1, 1) });
  // 31 May: March to May, and December to February before.
  assert.deepEqual(at('2026-05-31T23:00:00Z', 3).range, { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 5, 1) });
  assert.deepEqual(at('2026-05-31T23:00:00Z', 3).previousRange, { from: Date.UTC(2025, 11, 1), to: Date.UTC(2026, 2, 1) });
});

test('periods: the last 7 days in a DST zone are 7 calendar days, one hour short', () => {
  const k = computeKpis({
    version: 1,
    kind: 'kpi',
    timeZone: 'America/New_York',
    data: { rows },
    fields: { time: 't' },
    kpi: { asOf: '2026-03-10T12:00:00-04:00', kpis: [{ id: 'n', label: 'n', measure: { op: 'count' }, period: { last: 7, unit: 'day' } }] },
  } as InlineContract<KpiContract>).kpis[0];
  // 4 March 00:00 EST (05:00Z) to 11 March 00:00 EDT (04:00Z); the week before from 25 February 00:00 EST.
  assert.deepEqual(k.range, { from: Date.parse('2026-03-04T05:00:00Z'), to: Date.parse('2026-03-11T04:00:00Z') });
  assert.deepEqual(k.previousRange, { from: Date.parse('2026-02-25T05:00:00Z'), to: Date.parse('2026-03-04T05:00:00Z') });
});

test('the same period a year earlier, when asked', () => {
  const data: Row[] = [...rows, { id: 'y', e: 'lead', t: '2025-03-15' }, { id: 'z', e: 'lead', t: '2025-03-31T23:00:00Z' }];
  assert.equal(one({ measure: { op: 'count', filter: { event: 'lead' } }, compare: { yearAgo: true } }, {}, data).yearAgo, 2);
});

const givenKpi = (value: number | null, previous: number | null, extra: Partial<KpiSpec> = {}) => one({ period: undefined, value, previous, ...extra });

test('delta and percent change; no percent change when previous is missing or 0', () => {
  assert.deepEqual(pick(givenKpi(120, 100)), [20, 20, 'strong-increase', 'up', 'good']);
  // Previous 0: the delta exists, the percent change does not ("no comparison").
  assert.deepEqual(pick(givenKpi(5, 0)), [5, null, null, 'up', 'good']);
  assert.deepEqual(pick(givenKpi(5, null)), [null, null, null, null, 'neutral']);
  assert.deepEqual(pick(givenKpi(-50, -100)), [50, 50, 'strong-increase', 'up', 'good']); // |previous|
});

function pick(k: KpiResult) {
  return [k.delta, k.deltaPct, k.deltaClass, k.arrow, k.tone];
}

test('delta classes: unchanged, increase, strong at their bounds (inclusive), configurable', () => {
  const cls = (value: number, bounds?: KpiSpec['deltaClasses']) => givenKpi(value, 100, bounds ? { deltaClasses: bounds } : {}).deltaClass;
  assert.deepEqual([110, 109, 100, 95, 90, 80].map((v) => cls(v)), ['strong-increase', 'increase', 'unchanged', 'decrease', 'strong-decrease', 'strong-decrease']);
  assert.deepEqual([101, 102, 102.5, 98, 120, 125].map((v) => cls(v, { unchanged: 2, strong: 25 })), ['unchanged', 'unchanged', 'increase', 'unchanged', 'increase', 'strong-increase']);
});

test('direction flips the tone only; unchanged and neutral KPIs are neutral', () => {
  const lower = givenKpi(110, 100, { direction: 'lower-is-better' });
  assert.deepEqual([lower.arrow, lower.deltaClass, lower.tone], ['up', 'strong-increase', 'bad']);
  assert.equal(givenKpi(90, 100, { direction: 'lower-is-better' }).tone, 'good');
  assert.equal(givenKpi(110, 100, { direction: 'neutral' }).tone, 'neutral');
  const flat = givenKpi(101, 100, { deltaClasses: { unchanged: 5 } });
  assert.deepEqual([flat.arrow, flat.deltaClass, flat.tone], ['up', 'unchanged', 'neutral']);
  assert.equal(givenKpi(100, 100).arrow, null);
});

test('attainment and threshold status: the last step reached (≥), the lowest step the base', () => {
  const steps: NonNullable<KpiSpec['thresholds']>['steps'] = [
    { value: 100, status: 'good' },
    { value: null, status: 'critical' },
    { value: 80, status: 'warning', color: '#e8a317' },
  ];
  const status = (value: number) => givenKpi(value, null, { target: 200, thresholds: { mode: 'percent-of-target', steps } });
  // 160 / 200 = 80% of target: exactly the warning step.
  assert.deepEqual([status(160).attainment, status(160).status, status(160).statusColor], [80, 'warning', '#e8a317']);
  assert.deepEqual([159.8, 200, 300, 0].map((v) => status(v).status), ['critical', 'good', 'good', 'critical']);
  assert.equal(status(200).statusColor, 'green');
  // Absolute steps, and a lowest step whose own value is ignored: it is the base.
  const absolute = (value: number) => givenKpi(value, null, { thresholds: { steps: [{ value: 50, status: 'critical' }, { value: 80, status: 'warning' }] } }).status;
  assert.deepEqual([10, 79, 80].map(absolute), ['critical', 'critical', 'warning']);
  assert.equal(givenKpi(null, null, { target: 10, thresholds: { steps } }).status, null);
  assert.equal(givenKpi(5, null).attainment, null);
});

test('given KPIs: value, previous, target and series as they come', () => {
  const k = one({ period: undefined, value: 0.234, previous: 0.213, target: 0.25, series: [{ t: '2026-03-01', value: 0.2 }, { t: '2026-03-02', value: null }], format: { style: 'percent' } });
  assert.deepEqual(k.sparkline.map((p) => [p.period, p.value]), [['2026-03-01', 0.2], ['2026-03-02', null]]);
  assert.equal(k.formatted.value, '23.4%');
  assert.equal(k.formatted.delta, '+2.1 pp');
  assert.equal(k.formatted.attainment, '94%');
  assert.equal(formatKpiFigures(k, 'zh-CN').delta, '+2.1 个百分点');
});

test('formats: compact in either locale, currency, durations', () => {
  const fmt = (value: number, format: KpiSpec['format'], locale = 'en') => formatKpiFigures(givenKpi(value, null, { format }), locale).value;
  assert.equal(fmt(1_234_567, { style: 'compact' }), '1.2M');
  assert.equal(fmt(12_345, { style: 'compact' }, 'zh-CN'), '1.2万');
  assert.equal(fmt(340_000_000, { style: 'compact' }, 'zh-CN'), '3.4亿');
  assert.equal(fmt(1234, { style: 'currency', currency: 'CNY' }), 'CN¥1,234');
  assert.equal(fmt(1_500_000, { style: 'currency', currency: 'CNY' }), 'CN¥1.5M');
  assert.equal(fmt(1_500_000, { style: 'currency', currency: 'CNY' }, 'zh-CN'), '¥150万');
  assert.equal(fmt(12.5, { style: 'duration' }), '12.5 days');
  assert.equal(fmt(12.5, { style: 'duration' }, 'zh-CN'), '12.5天');
});

test('the one-KPI shorthand is one KPI named after the title', () => {
  const [k] = computeKpis({
    version: 1,
    kind: 'kpi',
    title: 'Lead volume',
    data: { rows: [{ d: '2026-03-01', n: 4 }, { d: '2026-03-02', n: 6 }] },
    fields: { time: 'd', value: 'n' },
    kpi: { range: { from: '2026-03-02', to: '2026-03-02' }, target: 5 },
  } as InlineContract<KpiContract>).kpis;
  assert.deepEqual([k.id, k.label, k.value, k.previous, k.attainment], ['kpi', 'Lead volume', 6, 4, 120]);
});

test('contract errors name their paths', () => {
  const at = (path: string) => (e: unknown) => e instanceof ContractError && e.path === path;
  assert.throws(() => kpis([{ id: 'a', measure: { op: 'count' } }, { id: 'a', measure: { op: 'count' } }]), at('/kpi/kpis/1/id'));
  assert.throws(() => one({ measure: { op: 'sum', field: 'nope' } }), at('/kpi/kpis/0/measure/field'));
  assert.throws(() => one({ measure: { op: 'count', filter: { where: { nope: 1 } } } }), at('/kpi/kpis/0/measure/filter/where/nope'));
  assert.throws(() => one({ measure: { op: 'ratio', numerator: { op: 'count' } } as never }), at('/kpi/kpis/0/measure/denominator'));
});

test('durations: a close before the first start is not a cycle, and each entity closes once', () => {
  const data: Row[] = [
    { id: 'e1', e: 'signed', t: '2026-03-01T00:00:00Z' }, // before its lead: not a cycle
    { id: 'e1', e: 'lead', t: '2026-03-02T00:00:00Z' },
    { id: 'e1', e: 'signed', t: '2026-03-05T00:00:00Z' }, // 3 days
    { id: 'e2', e: 'signed', t: '2026-03-03T00:00:00Z' }, // same instant as its lead, but the row before it
    { id: 'e2', e: 'lead', t: '2026-03-03T00:00:00Z' },
    { id: 'e3', e: 'lead', t: '2026-03-01T00:00:00Z' },
    { id: 'e3', e: 'signed', t: '2026-03-08T00:00:00Z' }, // 7 days
    { id: 'e3', e: 'signed', t: '2026-03-20T00:00:00Z' }, // a second close: not counted
  ];
  const k = one({ measure: { op: 'duration', from: { event: 'lead' }, to: { event: 'signed' }, summary: 'mean' } }, {}, data);
  assert.equal(k.value, 5); // (3 + 7) / 2
  assert.equal(k.rows, 2);
});
