/**
 * An anomaly contract resolved into a plan: where the series come from (a measure over events per
 * grain, or given points), how they split, and every alert rule with its defaults filled in and
 * its durations turned into whole periods. Plain JSON, no data; every cross-field error is here.
 * @module
 */
import type { AlertSeverity, AnomalyBound, AnomalyContract, AnomalyGrain, AnomalyRule, AnomalySection } from '../contract.js';
import { ContractError } from '../contract-error.js';
import { fieldOf } from '../columns.js';
import { measureNamesEvents, planMeasure, type PlannedMeasure } from '../measures/plan-measure.js';
import { checkTimeZone, DURATION, parseDuration, parseTimestamp, planRange, plausibleTime, type PlannedRange } from '../time.js';

export type RuleState = 'normal' | 'pending' | 'alerting' | 'recovering' | 'nodata';
export type NoDataMode = 'nodata' | 'alerting' | 'ok' | 'keep-last';
export type { AlertSeverity };

/** Grafana's named colours for steps without one, by severity. */
export const STEP_COLORS = { base: 'green', warning: '#EAB839', critical: 'red' } as const;

/** What every planned rule has: defaults filled in, `for` and `keepFiringFor` as whole periods. */
interface PlannedRuleBase {
  id: string;
  name: string;
  /** JSON path of the rule, for errors. */
  path: string;
  severity: AlertSeverity;
  for: number;
  keepFiringFor: number;
  noData: NoDataMode;
}

/** A threshold rule by steps: sorted by value, the first the base (`value: null`, −∞). */
export interface PlannedStepsRule extends PlannedRuleBase {
  type: 'threshold';
  steps: Array<{ value: number | null; color: string; severity: AlertSeverity | null }>;
  mode: 'absolute' | 'percentage';
  bound: null;
}
export interface PlannedBoundRule extends PlannedRuleBase {
  type: 'threshold';
  steps: null;
  mode: null;
  bound: AnomalyBound;
}
export interface PlannedChangeRule extends PlannedRuleBase {
  type: 'change';
  /** Points back: 1 for the previous one. */
  lag: number;
  unit: 'percent' | 'absolute';
  direction: 'rise' | 'drop' | 'both';
  threshold: number;
}
export interface PlannedBandRule extends PlannedRuleBase {
  type: 'band';
  method: 'mean-stddev' | 'median-mad';
  window: number;
  minWindow: number;
  k: number;
  direction: 'above' | 'below' | 'both';
}
export type PlannedRule = PlannedStepsRule | PlannedBoundRule | PlannedChangeRule | PlannedBandRule;

/** The series from events: a measure per grain, optionally one series per value of a field. */
export interface EventSource {
  kind: 'events';
  /** The column holding event times. */
  time: string;
  /** The event column, when a filter names events. */
  event: string | null;
  measure: PlannedMeasure;
  split: { field: string; limit: number } | null;
}

/** Given points, in the order given; `series` empty when there is one. */
export interface PointSource {
  kind: 'points';
  points: Array<{ start: number; value: number | null; series: string; rows: number }>;
  /** Events in range the points were measured from, as given (0 by default). */
  rows: number;
  /** The field the series were split by (a warehouse split the events), and whether "Other" merges the rest. */
  split: { field: string; other: boolean } | null;
}

export interface AnomalyPlan {
  kind: 'anomaly';
  timeZone: string;
  locale: string;
  /** Null: given points, each its own period, no gaps filled. */
  grain: AnomalyGrain | null;
  /** Nominal length of a period in ms, to turn durations into periods. */
  periodMs: number;
  source: EventSource | PointSource;
  range: PlannedRange;
  rules: PlannedRule[];
  format: { style: 'number' | 'compact' | 'currency' | 'percent'; currency?: string; maximumFractionDigits?: number };
  display: { style: 'line' | 'area' | 'bars'; thresholds: 'off' | 'line' | 'dashed' | 'area' | 'line+area' | 'dashed+area'; layout: 'overlay' | 'multiples' };
}

/** Nominal period lengths: a month counts as 30 days when a duration is turned into months. */
export const GRAIN_MS: Record<AnomalyGrain, number> = {
  minute: DURATION.MINUTE,
  hour: DURATION.HOUR,
  day: DURATION.DAY,
  week: 7 * DURATION.DAY,
  month: 30 * DURATION.DAY,
};

/** Default number of split series before the rest merge into "Other". */
export const DEFAULT_SPLIT_LIMIT = 5;

export function planAnomaly(contract: AnomalyContract): AnomalyPlan {
  const spec = contract.anomaly;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  if (spec.points && spec.measure) throw new ContractError('/anomaly/measure', 'applies to events; given points are already measured (name each point\'s "series" to give several)');
  if (spec.points && spec.split?.limit !== undefined) throw new ContractError('/anomaly/split/limit', 'applies to events; given points are split already (name each point\'s "series")');
  if (!spec.points && spec.split?.other !== undefined) throw new ContractError('/anomaly/split/other', 'applies to given points; with events, "Other" merges the values beyond "limit"');
  if (!spec.points && spec.rows !== undefined) throw new ContractError('/anomaly/rows', 'applies to given points; with events, the rows are counted');
  const source = spec.points ? pointSource(spec, timeZone) : eventSource(contract);
  const grain = spec.grain ?? (spec.points ? null : 'day');
  const periodMs = grain ? GRAIN_MS[grain] : givenStep(source as PointSource);
  const rules = (spec.rules ?? []).map((rule, i) => planRule(rule, i, periodMs));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new ContractError(`${rule.path}/id`, `expected a unique id, "${rule.id}" is used twice`);
    ids.add(rule.id);
  }
  const ratio = source.kind === 'events' && source.measure.op === 'ratio';
  return {
    kind: 'anomaly',
    timeZone,
    locale: contract.locale ?? 'en',
    grain,
    periodMs,
    source,
    range: planRange(spec.range, timeZone, '/anomaly/range'),
    rules,
    format: {
      style: spec.format?.style ?? (spec.format?.currency ?? contract.format?.currency ? 'currency' : ratio ? 'percent' : contract.format?.compact ? 'compact' : 'number'),
      ...((spec.format?.currency ?? contract.format?.currency) ? { currency: spec.format?.currency ?? contract.format?.currency } : {}),
      ...((spec.format?.maximumFractionDigits ?? contract.format?.maximumFractionDigits) !== undefined
        ? { maximumFractionDigits: spec.format?.maximumFractionDigits ?? contract.format?.maximumFractionDigits }
        : {}),
    },
    display: { style: spec.display?.style ?? 'line', thresholds: spec.display?.thresholds ?? 'dashed', layout: spec.display?.layout ?? 'overlay' },
  };
}

function eventSource(contract: AnomalyContract): EventSource {
  const spec = contract.anomaly;
  const fields = contract.fields ?? {};
  const measure = planMeasure(fields, spec.measure ?? { op: 'count' }, '/anomaly/measure');
  return {
    kind: 'events',
    time: fieldOf(fields, 'time'),
    event: measureNamesEvents(spec.measure ?? { op: 'count' }) ? fieldOf(fields, 'event') : null,
    measure,
    split: spec.split ? { field: spec.split.field, limit: spec.split.limit ?? DEFAULT_SPLIT_LIMIT } : null,
  };
}

function pointSource(spec: AnomalySection, timeZone: string): PointSource {
  const points = spec.points!.map((p, i) => {
    const start = parseTimestamp(p.t, timeZone);
    if (!plausibleTime(start)) throw new ContractError(`/anomaly/points/${i}/t`, `expected an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(p.t)}`);
    return { start, value: p.value, series: p.series ?? '', rows: p.rows ?? 0 };
  });
  return { kind: 'points', points, rows: spec.rows ?? 0, split: spec.split ? { field: spec.split.field, other: spec.split.other ?? false } : null };
}

/** Given points without a grain: a period is the smallest gap between two points of a series (a day when there is none). */
function givenStep(source: PointSource): number {
  const bySeries = new Map<string, number[]>();
  for (const p of source.points) {
    const list = bySeries.get(p.series);
    if (list) list.push(p.start);
    else bySeries.set(p.series, [p.start]);
  }
  let step = Infinity;
  for (const starts of bySeries.values()) {
    starts.sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) if (starts[i] > starts[i - 1]) step = Math.min(step, starts[i] - starts[i - 1]);
  }
  return Number.isFinite(step) ? step : DURATION.DAY;
}

function planRule(rule: AnomalyRule, index: number, periodMs: number): PlannedRule {
  const path = `/anomaly/rules/${index}`;
  const id = rule.id ?? `rule-${index + 1}`;
  const base: PlannedRuleBase = {
    id,
    name: rule.name ?? id,
    path,
    severity: rule.severity ?? 'warning',
    for: periods(rule.for, periodMs, `${path}/for`),
    keepFiringFor: periods(rule.keepFiringFor, periodMs, `${path}/keepFiringFor`),
    noData: rule.noData ?? 'nodata',
  };
  if (rule.type === 'threshold') {
    if (rule.steps && rule.bound) throw new ContractError(path, 'expected either "steps" or "bound", not both');
    if (rule.bound) {
      const b = rule.bound;
      if ((b.op === 'within' || b.op === 'outside') && !(b.low < b.high)) throw new ContractError(`${path}/bound`, `expected "low" below "high", got ${b.low} and ${b.high}`);
      return { ...base, type: 'threshold', steps: null, mode: null, bound: b };
    }
    if (!rule.steps?.length) throw new ContractError(path, 'expected "steps" (Grafana threshold steps) or a "bound"');
    return { ...base, type: 'threshold', steps: planSteps(rule.steps), mode: rule.mode ?? 'absolute', bound: null };
  }
  if (rule.type === 'change') {
    if (rule.compare !== undefined && rule.lag !== undefined && rule.lag !== 1) throw new ContractError(`${path}/lag`, 'expected either "compare": "previous" or a "lag", not both');
    return { ...base, type: 'change', lag: rule.lag ?? 1, unit: rule.unit ?? 'percent', direction: rule.direction ?? 'both', threshold: rule.threshold };
  }
  const window = rule.window ?? 14;
  const minWindow = rule.minWindow ?? Math.min(7, window);
  if (minWindow > window) throw new ContractError(`${path}/minWindow`, `expected at most the window (${window}), got ${minWindow}`);
  return { ...base, type: 'band', method: rule.method ?? 'mean-stddev', window, minWindow, k: rule.k ?? 3, direction: rule.direction ?? 'both' };
}

/** Grafana's order: steps by value (a null sorts first), the lowest the base whatever its value says. */
function planSteps(steps: NonNullable<Extract<AnomalyRule, { type: 'threshold' }>['steps']>): PlannedStepsRule['steps'] {
  const sorted = steps
    .map((s) => ({ value: s.value, color: s.color ?? (s.severity ? STEP_COLORS[s.severity] : STEP_COLORS.base), severity: s.severity ?? null }))
    .sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
  sorted[0] = { ...sorted[0], value: null };
  return sorted;
}

/** A count of periods, or a duration rounded up to whole periods (`"15m"` on an hourly series is 1). */
function periods(value: number | string | undefined, periodMs: number, path: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (/^\d+$/.test(value)) return Number(value);
  return Math.ceil(parseDuration(value, path) / periodMs - 1e-9);
}
