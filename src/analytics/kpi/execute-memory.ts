/**
 * The KPI plan run over columns in memory. Times are parsed and ordered once for all KPIs; each
 * measure is a window reader (`measures/reader.ts`), so the period, the previous one, a year ago
 * and each sparkline point are each two binary searches.
 * @module
 */
import { parseTimes, requireColumn, rowsInRange, type Columns } from '../columns.js';
import { reader, rowSource, type Reader, type Reading, type RowSource } from '../measures/reader.js';
import { readSeries } from '../measures/series.js';
import { addPeriods, periodKey, periodStart } from '../time.js';
import { DEFAULT_KPI_DAYS, type KpiPlan, type KpiPlanItem, type PlannedMeasure } from './plan.js';

export interface KpiFigures {
  range: { from: number; to: number } | null;
  previousRange: { from: number; to: number } | null;
  value: number | null;
  previous: number | null;
  yearAgo: number | null;
  sparkline: Array<{ period: string; start: number; value: number | null }>;
  rows: number;
  note: Reading['note'];
}

export interface KpiExecution {
  kpis: KpiFigures[];
  asOf: number | null;
}

export function executeKpi(plan: KpiPlan, columns: Columns): KpiExecution {
  let source: RowSource = { times: new Float64Array(0), order: new Int32Array(0), byEvent: null, eventField: null };
  if (plan.time !== null) {
    requireColumn(columns, plan.time, '/fields/time');
    if (plan.event !== null) requireColumn(columns, plan.event, '/fields/event');
    const times = parseTimes(columns, plan.time, plan.timeZone);
    source = rowSource(columns, times, rowsInRange(times, -Infinity, Infinity), plan.event);
  }
  const { times, order } = source;
  const asOf = plan.asOf ?? (order.length ? times[order[order.length - 1]] : null);
  const kpis = plan.kpis.map((kpi) => (kpi.measure ? computed(kpi, kpi.measure, columns, source, plan, asOf) : given(kpi, plan)));
  return { kpis, asOf };
}

function given(kpi: KpiPlanItem, plan: KpiPlan): KpiFigures {
  const g = kpi.given!;
  return {
    range: g.range,
    previousRange: kpi.compare.previous ? g.previousRange : null,
    value: g.value,
    previous: kpi.compare.previous ? g.previous : null,
    yearAgo: g.yearAgo,
    // Labelled at the KPI's interval, as a computed sparkline is (`2026-03` for months).
    sparkline: g.series.map((p) => ({ period: periodKey(p.start, kpi.interval, plan.timeZone), start: p.start, value: p.value })),
    rows: g.rows,
    note: g.note,
  };
}

function computed(kpi: KpiPlanItem, measure: PlannedMeasure, columns: Columns, source: RowSource, plan: KpiPlan, asOf: number | null): KpiFigures {
  const read = reader(measure, columns, source);
  const range = periodRange(kpi, plan, asOf ?? Date.now());
  const length = range.to - range.from;
  const previousRange = kpi.compare.previous ? lastPeriod(kpi, plan, range, length) : null;
  const now = read(range.from, range.to);
  const yearAgo = kpi.compare.yearAgo
    ? read(addPeriods(range.from, 'month', -12, plan.timeZone), addPeriods(range.to, 'month', -12, plan.timeZone)).value
    : null;
  return {
    range,
    previousRange,
    value: now.value,
    previous: previousRange ? read(previousRange.from, previousRange.to).value : null,
    yearAgo,
    sparkline: sparkline(read, kpi, plan, range),
    rows: now.rows,
    note: now.note,
  };
}

/**
 * The period in force: an explicit range (an open end filled from `asOf`), or the last N units up
 * to `asOf`'s. Exported for the warehouse path, which cuts the same periods before its query.
 */
export function periodRange(kpi: KpiPlanItem, plan: KpiPlan, asOf: number): { from: number; to: number } {
  const { timeZone } = plan;
  if ('last' in kpi.period) {
    const to = addPeriods(periodStart(asOf, kpi.period.unit, timeZone), kpi.period.unit, 1, timeZone);
    return { from: addPeriods(to, kpi.period.unit, -kpi.period.last, timeZone), to };
  }
  const to = kpi.period.range.to ?? addPeriods(periodStart(asOf, 'day', timeZone), 'day', 1, timeZone);
  return { from: kpi.period.range.from ?? addPeriods(to, 'day', -DEFAULT_KPI_DAYS, timeZone), to };
}

/** The range of equal length before: the same number of calendar units for `last N` (exported for the warehouse path). */
export function lastPeriod(kpi: KpiPlanItem, plan: KpiPlan, range: { from: number; to: number }, length: number): { from: number; to: number } {
  if ('last' in kpi.period) return { from: addPeriods(range.from, kpi.period.unit, -kpi.period.last, plan.timeZone), to: range.from };
  return { from: range.from - length, to: range.from };
}

function sparkline(read: Reader, kpi: KpiPlanItem, plan: KpiPlan, range: { from: number; to: number }): KpiFigures['sparkline'] {
  return readSeries(read, { period: kpi.interval, timeZone: plan.timeZone, ...range }, `${kpi.path}/interval`).map(({ period, start, value }) => ({ period, start, value }));
}
