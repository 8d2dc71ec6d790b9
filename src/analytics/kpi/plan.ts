/**
 * A KPI contract resolved into a plan: the figure as a {@link Measure}, the range, comparison,
 * target and sparkline period. Plain JSON, no data.
 * @module
 */
import type { KpiContract } from '../contract.js';
import { fieldOf } from '../columns.js';
import { metricMeasure } from '../measures/metric.js';
import type { Measure } from '../measures/measure.js';
import { checkTimeZone, planRange, type PlannedRange } from '../time.js';

export interface KpiPlan {
  kind: 'kpi';
  timeZone: string;
  /** The column holding event times. */
  time: string;
  measure: Measure;
  /** The event column, when the KPI counts one event. */
  event: string | null;
  /** The explicit range; an open end is filled from the data (the 30 days up to the latest row). */
  range: PlannedRange;
  compare: boolean;
  target: number | null;
  better: 'up' | 'down';
  unit: 'number' | 'currency' | 'percent' | 'days';
  interval: 'day' | 'week' | 'month';
}

export function planKpi(contract: KpiContract): KpiPlan {
  const spec = contract.kpi;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const time = fieldOf(contract.fields, 'time');
  const event = spec.event !== undefined ? fieldOf(contract.fields, 'event') : null;
  const measure = metricMeasure(spec.metric ?? 'sum', contract.fields);
  if (event !== null) measure.where = { [event]: spec.event! };
  return {
    kind: 'kpi',
    timeZone,
    time,
    measure,
    event,
    range: planRange(spec.range, timeZone, '/kpi/range'),
    compare: spec.compare !== 'none',
    target: spec.target ?? null,
    better: spec.better ?? 'up',
    unit: spec.unit ?? 'number',
    interval: spec.interval ?? 'day',
  };
}
