/**
 * `<anomaly-chart>` analytics: a metric per period checked against threshold rules ("win rate
 * below 20%") and change rules ("a day-over-day drop of more than 10% raises an alert").
 * @module
 */
import type { AnomalyContract, ChangeRule, InlineContract, ThresholdRule } from './contract.js';
import { contractTable, requireFields, TIME, withTime } from './data.js';
import { checkNumeric, metricSeries, type Metric } from './metric-series.js';
import { addPeriods, periodStart } from './time.js';

export type AlertSeverity = 'warning' | 'critical';
export type AlertState = 'ok' | AlertSeverity;

export interface AlertHit {
  /** Index of the rule in `anomaly.rules`. */
  rule: number;
  severity: AlertSeverity;
  kind: 'above' | 'below' | 'drop' | 'rise';
  /** The bound crossed: the threshold, or the change fraction (0.1 = 10%). */
  limit: number;
  label?: string;
}

export interface AnomalyPoint {
  period: string;
  start: number;
  value: number | null;
  /** Change against the previous period as a fraction; null for the first or after a zero. */
  change: number | null;
  state: AlertState;
  alerts: AlertHit[];
}

export interface AnomalyViewModel {
  points: AnomalyPoint[];
  /** Points with at least one alert, newest first. */
  alerts: AnomalyPoint[];
  /** The newest point's state: what an on-call person acts on now. */
  state: AlertState;
  /** Threshold lines to draw. */
  thresholds: Array<{ value: number; kind: 'above' | 'below'; severity: AlertSeverity; label?: string }>;
  rows: number;
}

export function computeAnomaly(contract: InlineContract<AnomalyContract>): AnomalyViewModel {
  const spec = contract.anomaly;
  const metric: Metric = spec.metric ?? 'sum';
  const timeZone = contract.timeZone ?? 'UTC';
  const period = spec.interval ?? 'day';
  const t = contractTable(contract);
  const needs = metric === 'count' ? [] : metric === 'countDistinct' ? (['entity'] as const) : (['value'] as const);
  const roles = requireFields(t, contract.fields, ['time', ...needs]);
  if (metric === 'sum' || metric === 'mean') checkNumeric(contract, t, roles.value!);
  const timed = withTime(contract, t, roles.time, spec.range, '/anomaly/range');
  const n = timed.numRows();
  if (n === 0) return { points: [], alerts: [], state: 'ok', thresholds: thresholdsOf(spec.rules), rows: 0 };
  const times = timed.array(TIME) as Float64Array;
  const to = addPeriods(periodStart(times[n - 1], period, timeZone), period, 1, timeZone);
  const series = metricSeries(timed, metric, { value: contract.fields.value, entity: contract.fields.entity }, period, timeZone, times[0], to);
  const points = series.map((p, i): AnomalyPoint => {
    const prev = i > 0 ? series[i - 1].value : null;
    const change = p.value !== null && prev !== null && prev !== 0 ? (p.value - prev) / Math.abs(prev) : null;
    const alerts = spec.rules.flatMap((rule, r) => evaluate(rule, r, p.value, change));
    const state: AlertState = alerts.some((a) => a.severity === 'critical') ? 'critical' : alerts.length ? 'warning' : 'ok';
    return { period: p.period, start: p.start, value: p.value, change, state, alerts };
  });
  return {
    points,
    alerts: points.filter((p) => p.alerts.length).reverse(),
    state: points[points.length - 1].state,
    thresholds: thresholdsOf(spec.rules),
    rows: n,
  };
}

function evaluate(rule: ThresholdRule | ChangeRule, index: number, value: number | null, change: number | null): AlertHit[] {
  const severity = rule.severity ?? 'warning';
  const hits: AlertHit[] = [];
  const hit = (kind: AlertHit['kind'], limit: number) => hits.push({ rule: index, severity, kind, limit, label: rule.label });
  if (rule.type === 'threshold' && value !== null) {
    if (rule.above !== undefined && value > rule.above) hit('above', rule.above);
    if (rule.below !== undefined && value < rule.below) hit('below', rule.below);
  }
  // "Falling more than 10%" is strictly more: a drop of exactly 10% does not alert.
  if (rule.type === 'change' && change !== null) {
    if (rule.drop !== undefined && change < -rule.drop) hit('drop', rule.drop);
    if (rule.rise !== undefined && change > rule.rise) hit('rise', rule.rise);
  }
  return hits;
}

function thresholdsOf(rules: AnomalyContract['anomaly']['rules']): AnomalyViewModel['thresholds'] {
  return rules.flatMap((rule) => {
    if (rule.type !== 'threshold') return [];
    const severity = rule.severity ?? 'warning';
    const lines: AnomalyViewModel['thresholds'] = [];
    if (rule.above !== undefined) lines.push({ value: rule.above, kind: 'above', severity, label: rule.label });
    if (rule.below !== undefined) lines.push({ value: rule.below, kind: 'below', severity, label: rule.label });
    return lines;
  });
}
