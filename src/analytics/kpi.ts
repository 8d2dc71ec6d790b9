/**
 * `<kpi-card>` analytics: one figure over a range, against the previous period of equal length
 * and a target, with a sparkline of the range.
 * @module
 */
import type { InlineContract, KpiContract } from './contract.js';
import { contractTable, requireFields, TIME, withTime } from './data.js';
import { checkNumeric, metricSeries, metricValue, type Metric, type SeriesPoint } from './metric-series.js';
import { addPeriods, periodStart, rangeBounds } from './time.js';

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

/** Days a KPI covers when the contract gives no range: the 30 days up to the latest row. */
export const DEFAULT_KPI_DAYS = 30;

export function computeKpi(contract: InlineContract<KpiContract>): KpiViewModel {
  const spec = contract.kpi;
  const metric: Metric = spec.metric ?? 'sum';
  const timeZone = contract.timeZone ?? 'UTC';
  let t = contractTable(contract);
  const roles = requireFields(t, contract.fields, ['time', ...(metric === 'count' ? [] : metric === 'countDistinct' ? (['entity'] as const) : (['value'] as const))]);
  if (spec.event) {
    const { event } = requireFields(t, contract.fields, ['event']);
    t = t.params({ e: spec.event }).filter(`(d, $) => d[${JSON.stringify(event)}] === $.e`);
  }
  const columns = { value: contract.fields.value, entity: contract.fields.entity };
  if (metric !== 'count' && metric !== 'countDistinct') checkNumeric(contract, t, roles.value!);
  const all = withTime(contract, t, roles.time, undefined, '/kpi/range');
  const range = kpiRange(contract, all.numRows() ? (all.array(TIME) as Float64Array)[all.numRows() - 1] : Date.now());
  const inRange = (from: number, to: number) => all.params({ from, to }).filter((d: { __time: number }, $: { from: number; to: number }) => d.__time >= $.from && d.__time < $.to);
  const current = inRange(range.from, range.to);
  const value = metricValue(current, metric, columns);
  let previous: number | null = null;
  if (spec.compare !== 'none') {
    const length = range.to - range.from;
    previous = metricValue(inRange(range.from - length, range.from), metric, columns);
  }
  const change = value !== null && previous !== null && previous !== 0 ? (value - previous) / Math.abs(previous) : null;
  const target = spec.target ?? null;
  return {
    value,
    previous,
    change,
    improved: change === null || change === 0 ? null : (spec.better ?? 'up') === 'up' ? change > 0 : change < 0,
    target,
    progress: progressToward(value, target, spec.better ?? 'up'),
    unit: spec.unit ?? 'number',
    range,
    sparkline: metricSeries(current, metric, columns, spec.interval ?? 'day', timeZone, range.from, range.to),
    rows: current.numRows(),
  };
}

function kpiRange(contract: InlineContract<KpiContract>, latest: number): { from: number; to: number } {
  const timeZone = contract.timeZone ?? 'UTC';
  const given = rangeBounds(contract.kpi.range, timeZone, '/kpi/range');
  const end = given.to < Infinity ? given.to : addPeriods(periodStart(latest, 'day', timeZone), 'day', 1, timeZone);
  const start = given.from > -Infinity ? given.from : addPeriods(end, 'day', -DEFAULT_KPI_DAYS, timeZone);
  return { from: start, to: end };
}

function progressToward(value: number | null, target: number | null, better: 'up' | 'down'): number | null {
  if (value === null || target === null) return null;
  if (better === 'down') return value > 0 ? target / value : null;
  return target !== 0 ? value / target : null;
}
