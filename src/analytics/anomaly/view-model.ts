/**
 * The anomaly view model: every series' points with each rule's verdict and state over time
 * (Grafana's `normal → pending → alerting → recovering → normal`, and `nodata`), the alert
 * intervals, each rule's state now, and the widget's overall state, the worst of them.
 * @module
 */
import type { AnomalyGrain } from '../contract.js';
import type { AnomalyExecution } from './execute-memory.js';
import type { AlertSeverity, AnomalyPlan, PlannedRule, RuleState } from './plan.js';
import { checkSeries, type Check } from './rules.js';
import { ruleStates } from './states.js';

export type { AlertSeverity, RuleState };

/** One rule's verdict on one point, and its state after it. */
export interface RuleEvaluation extends Check {
  /** The rule's id. */
  rule: string;
  state: RuleState;
}

export interface AnomalyPoint {
  /** Period label in the contract's zone: `2026-03-01`, `2026-03`, `2026-03-01T09:00`. */
  period: string;
  /** Period start, epoch ms. */
  start: number;
  /** Null: no data (never drawn as zero). */
  value: number | null;
  /** Rows measured (for given points, as given: 0 by default). */
  rows: number;
  /** One evaluation per rule, in the rules' order. */
  rules: RuleEvaluation[];
}

/** A rule's state at the last point. */
export interface RuleNow {
  rule: string;
  state: RuleState;
  /** The severity it fires at now; null unless `alerting` or `recovering`. */
  severity: AlertSeverity | null;
}

/** A threshold step as a band of values to shade, in the series' units (percentage steps placed on its min–max). */
export interface StepBand {
  rule: string;
  /** Null: unbounded. */
  from: number | null;
  to: number | null;
  color: string;
  severity: AlertSeverity | null;
}

export interface AnomalySeries {
  /** The split value (`''` for the one series of an unsplit contract, `Other` for the rest). */
  key: string;
  /** Whether this series merges the split values beyond the limit. */
  other: boolean;
  points: AnomalyPoint[];
  /** Each rule's state at the last point. */
  now: RuleNow[];
  /** The worst state of any rule at the last point. */
  state: RuleState;
  severity: AlertSeverity | null;
  /** Threshold steps to draw, per steps rule. */
  steps: StepBand[];
}

/** A stretch during which a rule fired (`alerting` or `recovering`) on one series. */
export interface AlertInterval {
  rule: string;
  /** The rule's name. */
  name: string;
  series: string;
  /** The worst severity while it fired. */
  severity: AlertSeverity;
  /** First firing period, and its start (epoch ms). */
  start: string;
  from: number;
  /** Last firing period and the end of it (epoch ms); null while it still fires. */
  end: string | null;
  to: number | null;
  /** The most extreme breaching point while it fired. */
  peak: { period: string; start: number; value: number | null };
}

/** A rule as planned, with its state now (the worst over the series). */
export type AnomalyRuleView = (PlannedRule extends infer R ? (R extends PlannedRule ? Omit<R, 'path'> : never) : never) & { state: RuleState; severityNow: AlertSeverity | null };

export interface AnomalyViewModel {
  /** Null: given points, each its own period. */
  grain: AnomalyGrain | null;
  timeZone: string;
  format: AnomalyPlan['format'];
  display: AnomalyPlan['display'];
  /** The field the series are split by, or null. */
  split: string | null;
  rules: AnomalyRuleView[];
  series: AnomalySeries[];
  /** Every alert interval, newest first. */
  alerts: AlertInterval[];
  /** The worst state of any rule on any series at the last point. */
  state: RuleState;
  /** The worst severity firing now, or null. */
  severity: AlertSeverity | null;
  /** Rows in range (for given points, `anomaly.rows`: 0 by default). */
  rows: number;
}

/** Worst first: a firing rule outranks one about to fire, which outranks a silent one. */
const STATE_RANK: Record<RuleState, number> = { alerting: 4, recovering: 3, pending: 2, nodata: 1, normal: 0 };
const SEVERITY_RANK = { warning: 1, critical: 2 } as const;
const firing = (state: RuleState) => state === 'alerting' || state === 'recovering';

/** The worse of two states. */
export function worseState(a: RuleState, b: RuleState): RuleState {
  return STATE_RANK[b] > STATE_RANK[a] ? b : a;
}

function worseSeverity(a: AlertSeverity | null, b: AlertSeverity | null): AlertSeverity | null {
  if (a === null) return b;
  if (b === null) return a;
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

export function shapeAnomaly(plan: AnomalyPlan, execution: AnomalyExecution): AnomalyViewModel {
  const alerts: AlertInterval[] = [];
  const series = execution.series.map((s): AnomalySeries => {
    const values = s.points.map((p) => p.value);
    const perRule = plan.rules.map((rule) => {
      const checks = checkSeries(rule, values);
      return { rule, checks, states: ruleStates(rule, values, checks) };
    });
    const points = s.points.map((p, i): AnomalyPoint => ({
      ...p,
      rules: perRule.map(({ rule, checks, states }) => ({ rule: rule.id, state: states[i], ...checks[i] })),
    }));
    const last = points.length - 1;
    const now = perRule.map(({ rule, states }, r): RuleNow => {
      const state = last >= 0 ? states[last] : 'normal';
      return { rule: rule.id, state, severity: firing(state) ? firingSeverity(rule, points, r, last) : null };
    });
    perRule.forEach(({ rule }, r) => alerts.push(...intervals(rule, r, s.key, points)));
    return {
      key: s.key,
      other: s.other,
      points,
      now,
      state: now.reduce<RuleState>((worst, n) => worseState(worst, n.state), 'normal'),
      severity: now.reduce<AlertSeverity | null>((worst, n) => worseSeverity(worst, n.severity), null),
      steps: plan.rules.flatMap((rule) => stepBands(rule, values)),
    };
  });
  const rules = plan.rules.map(({ path: _path, ...rule }, r): AnomalyRuleView => ({
    ...rule,
    state: series.reduce<RuleState>((worst, s) => worseState(worst, s.now[r].state), 'normal'),
    severityNow: series.reduce<AlertSeverity | null>((worst, s) => worseSeverity(worst, s.now[r].severity), null),
  }));
  alerts.sort((a, b) => b.from - a.from || a.rule.localeCompare(b.rule) || a.series.localeCompare(b.series));
  return {
    grain: plan.grain,
    timeZone: plan.timeZone,
    format: plan.format,
    display: plan.display,
    split: plan.source.split ? plan.source.split.field : null,
    rules,
    series,
    alerts,
    state: series.reduce<RuleState>((worst, s) => worseState(worst, s.state), 'normal'),
    severity: series.reduce<AlertSeverity | null>((worst, s) => worseSeverity(worst, s.severity), null),
    rows: execution.rows,
  };
}

/**
 * The severity a firing rule fires at, at point `at`: the worst breach since it started firing
 * (threshold steps carry their own; a no-data point counted as a breach carries the rule's).
 */
function firingSeverity(rule: PlannedRule, points: AnomalyPoint[], r: number, at: number): AlertSeverity {
  let worst: AlertSeverity | null = null;
  for (let i = at; i >= 0 && firing(points[i].rules[r].state); i--) worst = worseSeverity(worst, points[i].rules[r].severity);
  return worst ?? rule.severity;
}

/** The stretches of consecutive firing points of rule `r`. */
function intervals(rule: PlannedRule, r: number, series: string, points: AnomalyPoint[]): AlertInterval[] {
  const out: AlertInterval[] = [];
  for (let i = 0; i < points.length; i++) {
    if (!firing(points[i].rules[r].state)) continue;
    let j = i;
    while (j + 1 < points.length && firing(points[j + 1].rules[r].state)) j++;
    const open = j === points.length - 1;
    const next = points[j + 1];
    const stretch = points.slice(i, j + 1);
    out.push({
      rule: rule.id,
      name: rule.name,
      series,
      severity: firingSeverity(rule, points, r, j),
      start: points[i].period,
      from: points[i].start,
      end: open ? null : points[j].period,
      to: open ? null : next.start,
      peak: peakOf(rule, r, stretch),
    });
    i = j;
  }
  return out;
}

/**
 * The point of a firing stretch furthest past the rule: the worst severity first, then the
 * largest excess (beyond a bound or band edge, the largest change, the furthest step value).
 */
function peakOf(rule: PlannedRule, r: number, stretch: AnomalyPoint[]): AlertInterval['peak'] {
  let best: AnomalyPoint | null = null;
  let bestKey: [number, number] = [-1, -Infinity];
  for (const p of stretch) {
    const e = p.rules[r];
    if (!e.breach || p.value === null) continue;
    const key: [number, number] = [SEVERITY_RANK[e.severity!], excess(rule, e, p.value)];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = p;
      bestKey = key;
    }
  }
  // Fired on no data alone: the first point stands for the stretch.
  const p = best ?? stretch[0];
  return { period: p.period, start: p.start, value: p.value };
}

function excess(rule: PlannedRule, e: RuleEvaluation, v: number): number {
  if (rule.type === 'change') return Math.abs(e.change ?? 0);
  if (rule.type === 'band') return Math.max((e.lower ?? v) - v, v - (e.upper ?? v));
  if (rule.bound) {
    const b = rule.bound;
    if (b.op === '>' || b.op === '>=') return v - b.value;
    if (b.op === '<' || b.op === '<=') return b.value - v;
    if (b.op === 'within' || b.op === 'outside') {
      const mid = (b.low + b.high) / 2;
      return b.op === 'outside' ? Math.abs(v - mid) : -Math.abs(v - mid);
    }
  }
  // Steps: breaching steps above the base are reached by going up, below it by going down.
  return (e.step ?? 0) > 0 ? v : -v;
}

/** A steps rule's steps as bands of values; percentage steps placed on the series' min–max. */
function stepBands(rule: PlannedRule, values: ReadonlyArray<number | null>): StepBand[] {
  if (rule.type !== 'threshold' || !rule.steps) return [];
  let place = (v: number) => v;
  if (rule.mode === 'percentage') {
    const present = values.filter((v): v is number => v !== null);
    if (!present.length) return [];
    const min = Math.min(...present);
    const max = Math.max(...present);
    place = (pct) => min + ((max - min) * pct) / 100;
  }
  return rule.steps.map((step, i) => ({
    rule: rule.id,
    from: step.value === null ? null : place(step.value),
    to: i + 1 < rule.steps!.length ? place(rule.steps![i + 1].value!) : null,
    color: step.color,
    severity: step.severity,
  }));
}
