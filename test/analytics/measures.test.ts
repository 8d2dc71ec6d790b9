// Shared statistics and measures: values worked out by hand, and the error paths they report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, median, medianAbsoluteDeviation, medianSorted, quantile, standardDeviation } from '../../src/analytics/measures/stats.js';
import { bindMeasure, type Measure } from '../../src/analytics/measures/measure.js';
import { readSeries } from '../../src/analytics/measures/series.js';
import { reader, rowSource } from '../../src/analytics/measures/reader.js';
import { contractColumns, rowsInRange } from '../../src/analytics/columns.js';
import { computeAnomaly, computeKpi, ContractError } from '../../src/analytics/index.js';
import type { AnomalyContract, Cell, InlineContract, KpiContract } from '../../src/analytics/contract.js';

test('stats: mean, median, quantiles, standard deviation and MAD', () => {
  assert.equal(mean([]), null);
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(median([]), null);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(medianSorted([1, 2, 3, 10]), 2.5);
  // Type 7: h = (n − 1) q = 0.75 for q = 0.25 over [1, 2, 3, 4] → 1 + 0.75 × (2 − 1).
  assert.equal(quantile([4, 3, 2, 1], 0.25), 1.75);
  assert.equal(quantile([4, 3, 2, 1], 1), 4);
  assert.equal(quantile([], 0.5), null);
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32 / 7.
  assert.equal(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  assert.equal(standardDeviation([3]), null);
  // Median 2; absolute deviations 1, 1, 0, 0, 2, 4, 7 → median 1. The outlier 9 does not move it.
  assert.equal(medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9]), 1);
});

const rows: Array<Record<string, Cell>> = [
  { t: '2026-03-01', e: 'won', v: 10, who: 'a' },
  { t: '2026-03-01', e: 'lost', v: 'n/a', who: 'b' },
  { t: '2026-03-02', e: 'won', v: 30, who: 'a' },
  { t: '2026-03-02', e: 'won', v: null, who: 'c' },
  { t: '2026-03-03', e: 'won', v: 5, who: null },
];
const columns = contractColumns({ version: 1, kind: 'kpi', data: { rows }, fields: {}, kpi: {} } as InlineContract);
const won: Measure['where'] = { e: 'won' };
const measure = (op: Measure['op'], field?: string) => bindMeasure({ op, field, where: won, paths: { field: '/m/field', where: '/m/where' } }, columns);
const wonRows = [0, 2, 3, 4];

test('each op over the rows its where clause accepts; empty cells are skipped', () => {
  assert.equal(measure('count').value(wonRows), 4);
  assert.equal(measure('distinct', 'who').value(wonRows), 2); // a, c; a missing id is no entity
  assert.equal(measure('sum', 'v').value(wonRows), 45);
  assert.equal(measure('mean', 'v').value(wonRows), 15);
  assert.equal(measure('median', 'v').value(wonRows), 10);
  assert.equal(measure('min', 'v').value(wonRows), 5);
  assert.equal(measure('max', 'v').value(wonRows), 30);
  assert.equal(measure('last', 'v').value(wonRows), 5);
  assert.deepEqual([measure('sum', 'v').value([]), measure('count').value([]), measure('mean', 'v').value([]), measure('max', 'v').value([])], [0, 0, null, null]);
  assert.equal(measure('count').accepts(1), false);
});

test('a numeric measure names the first bad cell among the rows it measures, by its own row', () => {
  // Row 1 ("n/a") is a lost deal, which the where clause leaves out: no error.
  assert.doesNotThrow(() => measure('sum', 'v'));
  const all = () => bindMeasure({ op: 'sum', field: 'v', paths: { field: '/m/field', where: '/m/where' } }, columns);
  assert.throws(all, (e: unknown) => e instanceof ContractError && e.path === '/data/rows/1/v' && e.detail === 'expected a number, got "n/a"');
  const missing = () => bindMeasure({ op: 'sum', field: 'amount', paths: { field: '/fields/value', where: '' } }, columns);
  assert.throws(missing, (e: unknown) => e instanceof ContractError && e.path === '/fields/value');
});

test('a series lists every period, empty ones with the op empty value', () => {
  const times = Float64Array.from([Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 3)]);
  const cols = contractColumns({ version: 1, kind: 'kpi', data: { columns: { v: [1, 2, 4] } }, fields: {}, kpi: {} } as InlineContract);
  const source = rowSource(cols, times, Int32Array.from([0, 1, 2]), null);
  const span = { period: 'day' as const, timeZone: 'UTC', from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 4) };
  const series = (op: 'sum' | 'mean') => readSeries(reader({ op, field: 'v', where: {}, path: '/m', fieldPath: '/m/field' }, cols, source), span, '/kpi/interval');
  assert.deepEqual(series('sum').map((p) => [p.period, p.value, p.rows]), [
    ['2026-03-01', 3, 2],
    ['2026-03-02', 0, 0],
    ['2026-03-03', 4, 1],
  ]);
  assert.equal(series('mean')[1].value, null);
});

test('a KPI with an event filter reports a non-numeric cell at its own row', () => {
  const kpi = {
    version: 1,
    kind: 'kpi',
    data: { rows },
    fields: { time: 't', value: 'v', event: 'e' },
    kpi: { event: 'lost', range: { from: '2026-03-01', to: '2026-03-03' } },
  } as InlineContract<KpiContract>;
  // The only "lost" row is row 1; filtered first, it used to be reported as row 0.
  assert.throws(() => computeKpi(kpi), (e: unknown) => e instanceof ContractError && e.path === '/data/rows/1/v');
  assert.equal(computeKpi({ ...kpi, kpi: { ...kpi.kpi, event: 'won' } }).kpis[0].value, 45);
});

test('a series too fine for its span names the grain, a path that exists', () => {
  const anomaly = {
    version: 1,
    kind: 'anomaly',
    data: { rows: [{ t: '2026-01-01', v: 1 }, { t: '2027-06-01', v: 2 }] },
    fields: { time: 't', value: 'v' },
    anomaly: { grain: 'hour', rules: [] },
  } as unknown as InlineContract<AnomalyContract>;
  assert.throws(() => computeAnomaly(anomaly), (e: unknown) => e instanceof ContractError && e.path === '/anomaly/grain' && /more than 10,000 hours/.test(e.detail));
});

test('rows in time order: ties by row, nearly sorted and shuffled input alike', () => {
  const check = (times: number[]) => {
    const t = Float64Array.from(times);
    const expected = times.map((_, i) => i).sort((a, b) => t[a] - t[b] || a - b);
    assert.deepEqual(Array.from(rowsInRange(t, -Infinity, Infinity)), expected);
  };
  check([5, 5, 3, 3, 9, 1]);
  // Sorted by minute, shuffled within it, as exports often are.
  check(Array.from({ length: 500 }, (_, i) => Math.floor(i / 4) * 60_000 + ((i * 7919) % 4) * 1000));
  // Far out of order: past the insertion sort's budget, the full sort takes over.
  check(Array.from({ length: 500 }, (_, i) => (i * 7919) % 501));
  // A window keeps only its rows.
  assert.deepEqual(Array.from(rowsInRange(Float64Array.from([30, 10, 20, 40]), 15, 35)), [2, 0]);
});
