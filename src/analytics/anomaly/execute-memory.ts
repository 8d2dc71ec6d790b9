/**
 * The anomaly plan run over columns in memory: the measure per period, from the period of the
 * first row in range to the period of the last.
 * @module
 */
import { requireColumn, rowsInRange, type Columns } from '../columns.js';
import { bindMeasure, measuredTimes } from '../measures/measure.js';
import { measureSeries, type SeriesPoint } from '../measures/series.js';
import { addPeriods, periodStart, rangeLimits } from '../time.js';
import type { AnomalyPlan } from './plan.js';

export interface AnomalyExecution {
  series: SeriesPoint[];
  /** Rows in range. */
  rows: number;
}

export function executeAnomaly(plan: AnomalyPlan, columns: Columns): AnomalyExecution {
  requireColumn(columns, plan.time, '/fields/time');
  const measure = bindMeasure(plan.measure, columns);
  const times = measuredTimes(measure, columns, plan.time, plan.timeZone);
  const { from, to } = rangeLimits(plan.range);
  const rows = rowsInRange(times, from, to);
  const n = rows.length;
  if (n === 0) return { series: [], rows: 0 };
  const { interval: period, timeZone } = plan;
  const first = times[rows[0]];
  const end = addPeriods(periodStart(times[rows[n - 1]], period, timeZone), period, 1, timeZone);
  return { series: measureSeries(measure, rows, times, { period, timeZone, from: first, to: end, intervalPath: '/anomaly/interval' }), rows: n };
}
