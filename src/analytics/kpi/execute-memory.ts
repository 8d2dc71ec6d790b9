/**
 * The KPI plan run over columns in memory: the measure over the range, over the range before it,
 * and per sparkline period.
 * @module
 */
import { requireColumn, rowsInRange, type Columns } from '../columns.js';
import { bindMeasure, measuredTimes } from '../measures/measure.js';
import { measureSeries, type SeriesPoint } from '../measures/series.js';
import { addPeriods, periodStart } from '../time.js';
import type { KpiPlan } from './plan.js';

/** Days a KPI covers when the contract gives no range: the 30 days up to the latest row. */
export const DEFAULT_KPI_DAYS = 30;

export interface KpiExecution {
  /** The range in force, epoch ms, half-open. */
  range: { from: number; to: number };
  value: number | null;
  /** Null without comparison. */
  previous: number | null;
  sparkline: SeriesPoint[];
  /** Rows measured in the range. */
  rows: number;
}

export function executeKpi(plan: KpiPlan, columns: Columns): KpiExecution {
  requireColumn(columns, plan.time, '/fields/time');
  if (plan.measure.field) requireColumn(columns, plan.measure.field, plan.measure.paths.field);
  if (plan.event !== null) requireColumn(columns, plan.event, '/fields/event');
  const measure = bindMeasure(plan.measure, columns);
  const times = measuredTimes(measure, columns, plan.time, plan.timeZone);
  let latest = -Infinity;
  for (const t of times) if (t > latest) latest = t;
  const range = kpiRange(plan, latest > -Infinity ? latest : Date.now());
  const current = rowsInRange(times, range.from, range.to);
  const length = range.to - range.from;
  return {
    range,
    value: measure.value(current),
    previous: plan.compare ? measure.value(rowsInRange(times, range.from - length, range.from)) : null,
    sparkline: measureSeries(measure, current, times, { period: plan.interval, timeZone: plan.timeZone, ...range, intervalPath: '/kpi/interval' }),
    rows: current.length,
  };
}

function kpiRange(plan: KpiPlan, latest: number): { from: number; to: number } {
  const { timeZone } = plan;
  const end = plan.range.to ?? addPeriods(periodStart(latest, 'day', timeZone), 'day', 1, timeZone);
  const start = plan.range.from ?? addPeriods(end, 'day', -DEFAULT_KPI_DAYS, timeZone);
  return { from: start, to: end };
}
