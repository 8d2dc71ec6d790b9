/**
 * The anomaly view model: each period's value checked against threshold rules ("win rate below
 * 20%") and change rules ("a day-over-day drop of more than 10% raises an alert").
 * @module
 */
import type { ChangeRule, ThresholdRule } from '../contract.js';
import type { AnomalyExecution } from './execute-memory.js';
import type { AnomalyPlan } from './plan.js';

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

export function shapeAnomaly(plan: AnomalyPlan, execution: AnomalyExecution): AnomalyViewModel {
  const series = execution.series;
  const points = series.map((p, i): AnomalyPoint => {
    const prev = i > 0 ? series[i - 1].value : null;
    const change = p.value !== null && prev !== null && prev !== 0 ? (p.value - prev) / Math.abs(prev) : null;
    const alerts = plan.rules.flatMap((rule, r) => evaluate(rule, r, p.value, change));
    const state: AlertState = alerts.some((a) => a.severity === 'critical') ? 'critical' : alerts.length ? 'warning' : 'ok';
    return { period: p.period, start: p.start, value: p.value, change, state, alerts };
  });
  return {
    points,
    alerts: points.filter((p) => p.alerts.length).reverse(),
    state: points.length ? points[points.length - 1].state : 'ok',
    thresholds: thresholdsOf(plan.rules),
    rows: execution.rows,
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

function thresholdsOf(rules: AnomalyPlan['rules']): AnomalyViewModel['thresholds'] {
  return rules.flatMap((rule) => {
    if (rule.type !== 'threshold') return [];
    const severity = rule.severity ?? 'warning';
    const lines: AnomalyViewModel['thresholds'] = [];
    if (rule.above !== undefined) lines.push({ value: rule.above, kind: 'above', severity, label: rule.label });
    if (rule.below !== undefined) lines.push({ value: rule.below, kind: 'below', severity, label: rule.label });
    return lines;
  });
}
