/**
 * One alert rule checked against each point of a series, Grafana's semantics: threshold steps
 * (a value takes the last step it reaches, ≥), strict bounds, changes against an earlier point,
 * and a baseline band from the points before. A point the rule cannot judge (no earlier point, a
 * zero base for a percent change, too short a window) is clean; a null point is no data, for the
 * state machine to decide.
 * @module
 */
import { mean, median, medianAbsoluteDeviation, populationStandardDeviation } from '../measures/stats.js';
import type { AlertSeverity, PlannedBandRule, PlannedBoundRule, PlannedChangeRule, PlannedRule, PlannedStepsRule } from './plan.js';

/** A rule's verdict on one point, before time is taken into account. */
export interface Check {
  breach: boolean;
  /** The breach's severity; null when clean. */
  severity: AlertSeverity | null;
  /** Threshold steps: the index of the step the value is in, and its colour. */
  step: number | null;
  color: string | null;
  /** Percentage mode: where the value lies between the series' min (0) and max (100). */
  position: number | null;
  /** Change rules: the change in the rule's unit (−14 is a 14% drop in percent units). */
  change: number | null;
  /** Band rules: the baseline and its bounds. */
  expected: number | null;
  lower: number | null;
  upper: number | null;
}

/** Relative floating-point noise below which a computed change or band edge counts as equal. */
const NOISE = 1e-9;

const CLEAN: Check = { breach: false, severity: null, step: null, color: null, position: null, change: null, expected: null, lower: null, upper: null };

/** The rule's check of every point of `values` (nulls are no data). */
export function checkSeries(rule: PlannedRule, values: ReadonlyArray<number | null>): Check[] {
  if (rule.type === 'change') return checkChange(rule, values);
  if (rule.type === 'band') return checkBand(rule, values);
  if (rule.steps) return checkSteps(rule, values);
  return checkBound(rule, values);
}

/** The index of the last step whose value `v` is greater than or equal to (the base is −∞). */
export function stepIndex(steps: PlannedStepsRule['steps'], v: number): number {
  let at = 0;
  for (let i = 1; i < steps.length; i++) if (v >= steps[i].value!) at = i;
  return at;
}

function checkSteps(rule: PlannedStepsRule, values: ReadonlyArray<number | null>): Check[] {
  let min = Infinity;
  let max = -Infinity;
  if (rule.mode === 'percentage') {
    for (const v of values) {
      if (v === null) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return values.map((v) => {
    if (v === null) return CLEAN;
    const position = rule.mode === 'percentage' ? (max === min ? 0 : ((v - min) / (max - min)) * 100) : null;
    const step = stepIndex(rule.steps, position ?? v);
    const severity = rule.steps[step].severity;
    return { ...CLEAN, breach: severity !== null, severity, step, color: rule.steps[step].color, position };
  });
}

/** Whether `v` breaches a bound: `>`/`<` strictly, `>=`/`<=` inclusively, ranges excluding both ends. */
export function breachesBound(bound: PlannedBoundRule['bound'], v: number): boolean {
  switch (bound.op) {
    case '>':
      return v > bound.value;
    case '>=':
      return v >= bound.value;
    case '<':
      return v < bound.value;
    case '<=':
      return v <= bound.value;
    case 'within':
      return v > bound.low && v < bound.high;
    case 'outside':
      return v < bound.low || v > bound.high;
  }
}

function checkBound(rule: PlannedBoundRule, values: ReadonlyArray<number | null>): Check[] {
  return values.map((v) => (v !== null && breachesBound(rule.bound, v) ? { ...CLEAN, breach: true, severity: rule.severity } : CLEAN));
}

function checkChange(rule: PlannedChangeRule, values: ReadonlyArray<number | null>): Check[] {
  return values.map((v, i) => {
    const prev = i >= rule.lag ? values[i - rule.lag] : null;
    if (v === null || prev === null) return CLEAN;
    if (rule.unit === 'percent' && prev === 0) return CLEAN;
    const change = rule.unit === 'percent' ? ((v - prev) / Math.abs(prev)) * 100 : v - prev;
    // Strictly beyond, by more than floating-point noise: 1.1 → 0.99 computes as −10.000000000000007%,
    // and a drop of exactly 10% must not breach "more than 10%".
    const t = rule.threshold + NOISE * Math.max(1, rule.threshold);
    const breach = rule.direction === 'rise' ? change > t : rule.direction === 'drop' ? change < -t : change > t || change < -t;
    return { ...CLEAN, breach, severity: breach ? rule.severity : null, change };
  });
}

function checkBand(rule: PlannedBandRule, values: ReadonlyArray<number | null>): Check[] {
  const window: number[] = [];
  return values.map((v, i) => {
    // The `window` points before this one, never the point itself; nulls skipped.
    window.length = 0;
    for (let j = Math.max(0, i - rule.window); j < i; j++) {
      const w = values[j];
      if (w !== null) window.push(w);
    }
    if (window.length < rule.minWindow || window.length === 0) return CLEAN;
    const { center, spread } = rule.method === 'median-mad' ? medianMad(window) : meanSd(window);
    const lower = center - rule.k * spread;
    const upper = center + rule.k * spread;
    const band = { ...CLEAN, expected: center, lower, upper };
    if (v === null) return band;
    // On the edge is inside (the edge computed in floating point, so within its noise too).
    const slack = NOISE * Math.max(1, Math.abs(center), rule.k * spread);
    const breach = (rule.direction !== 'below' && v > upper + slack) || (rule.direction !== 'above' && v < lower - slack);
    return { ...band, breach, severity: breach ? rule.severity : null };
  });
}

/** Mean and population standard deviation. */
function meanSd(values: number[]): { center: number; spread: number } {
  return { center: mean(values)!, spread: populationStandardDeviation(values)! };
}

/** Median and the raw median of absolute deviations from it (no 1.4826 factor). */
function medianMad(values: number[]): { center: number; spread: number } {
  return { center: median(values)!, spread: medianAbsoluteDeviation(values)! };
}
