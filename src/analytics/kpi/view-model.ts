/**
 * The KPI view model: the executor's figures with their change, whether it is good, and the
 * progress toward the target.
 * @module
 */
import type { SeriesPoint } from '../measures/series.js';
import type { KpiExecution } from './execute-memory.js';
import type { KpiPlan } from './plan.js';

export interface KpiViewModel {
  /** The figure over the range; null when a mean or last value has no rows. */
  value: number | null;
  /** The same figure over the preceding range of equal length; null without comparison. */
  previous: number | null;
  /** (value − previous) / |previous|; null when either is missing or previous is 0. */
  change: number | null;
  /** Whether the change is good, given `better`; null without a change. */
  improved: boolean | null;
  target: number | null;
  /**
   * How far the value is toward the target, 1 = met: value / target, or target / value when
   * lower is better (`better: "down"`: a 40-day cycle against a 45-day target is 1.125).
   */
  progress: number | null;
  unit: 'number' | 'currency' | 'percent' | 'days';
  /** Range in force, epoch ms, half-open. */
  range: { from: number; to: number };
  sparkline: SeriesPoint[];
  /** Rows that fed the figure. */
  rows: number;
}

export function shapeKpi(plan: KpiPlan, execution: KpiExecution): KpiViewModel {
  const { value, previous } = execution;
  const change = value !== null && previous !== null && previous !== 0 ? (value - previous) / Math.abs(previous) : null;
  return {
    value,
    previous,
    change,
    improved: change === null || change === 0 ? null : plan.better === 'up' ? change > 0 : change < 0,
    target: plan.target,
    progress: progressToward(value, plan.target, plan.better),
    unit: plan.unit,
    range: execution.range,
    sparkline: execution.sparkline,
    rows: execution.rows,
  };
}

function progressToward(value: number | null, target: number | null, better: 'up' | 'down'): number | null {
  if (value === null || target === null) return null;
  if (better === 'down') return value > 0 ? target / value : null;
  return target !== 0 ? value / target : null;
}
