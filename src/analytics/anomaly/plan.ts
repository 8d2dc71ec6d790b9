/**
 * An anomaly contract resolved into a plan: the series as a {@link Measure} per period, the
 * range, and the alert rules. Plain JSON, no data.
 * @module
 */
import type { AnomalyContract, ChangeRule, ThresholdRule } from '../contract.js';
import { fieldOf } from '../columns.js';
import { metricMeasure } from '../measures/metric.js';
import type { Measure } from '../measures/measure.js';
import { checkTimeZone, planRange, type Period, type PlannedRange } from '../time.js';

export interface AnomalyPlan {
  kind: 'anomaly';
  timeZone: string;
  /** The column holding event times. */
  time: string;
  measure: Measure;
  interval: Period;
  range: PlannedRange;
  rules: Array<ThresholdRule | ChangeRule>;
}

export function planAnomaly(contract: AnomalyContract): AnomalyPlan {
  const spec = contract.anomaly;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  return {
    kind: 'anomaly',
    timeZone,
    time: fieldOf(contract.fields, 'time'),
    measure: metricMeasure(spec.metric ?? 'sum', contract.fields),
    interval: spec.interval ?? 'day',
    range: planRange(spec.range, timeZone, '/anomaly/range'),
    rules: spec.rules,
  };
}
