/**
 * A KPI contract resolved into a plan: every KPI's measure as data, its period, comparisons,
 * target, direction, thresholds and format, or its given figures. The one-KPI shorthand becomes a
 * plan like any other. Plain JSON, no data.
 * @module
 */
import type { KpiContract, KpiFilter, KpiMeasureSpec, KpiSpec, KpiThresholds, TimeRange } from '../contract.js';
import { measureNamesEvents, planMeasure, type PlannedMeasure } from '../measures/plan-measure.js';
import { ContractError } from '../contract-error.js';
import { fieldOf } from '../columns.js';
import { checkTimeZone, parseTimestamp, planRange, plausibleTime, type PlannedRange } from '../time.js';
import type { DeltaClass, KpiDirection, KpiFormatStyle } from './view-model.js';

export type { PlannedMeasure };

export interface KpiPlanItem {
  id: string;
  label: string;
  /** JSON path of the KPI, for errors. */
  path: string;
  measure: PlannedMeasure | null;
  given: {
    value: number | null;
    previous: number | null;
    yearAgo: number | null;
    series: Array<{ start: number; value: number | null }>;
    range: { from: number; to: number } | null;
    previousRange: { from: number; to: number } | null;
    rows: number;
    note: 'no-data' | 'empty-denominator' | null;
  } | null;
  period: { range: PlannedRange } | { last: number; unit: 'day' | 'week' | 'month' };
  compare: { previous: boolean; yearAgo: boolean };
  target: number | null;
  direction: KpiDirection;
  /** Steps sorted by value, the lowest as the base (−∞: null). */
  thresholds: { mode: 'absolute' | 'percent-of-target'; steps: Array<{ value: number | null; status: 'good' | 'warning' | 'critical'; color: string }> } | null;
  deltaClasses: { unchanged: number; strong: number };
  interval: 'day' | 'week' | 'month';
  format: { style: KpiFormatStyle; currency?: string; maximumFractionDigits?: number };
}

export interface KpiPlan {
  kind: 'kpi';
  timeZone: string;
  locale: string;
  /** The time column, when any KPI is computed from rows. */
  time: string | null;
  /** The event column, when a filter names events. */
  event: string | null;
  asOf: number | null;
  kpis: KpiPlanItem[];
}

/** Days a KPI covers when it names no period: the 30 days up to `asOf`. */
export const DEFAULT_KPI_DAYS = 30;
const STATUS_COLORS = { good: 'green', warning: 'yellow', critical: 'red' } as const;
export type { DeltaClass };

export function planKpi(contract: KpiContract): KpiPlan {
  const section = contract.kpi;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const specs = section.kpis ?? [shorthand(contract)];
  const base = section.kpis ? '/kpi/kpis' : '/kpi';
  // The shorthand's range lives at /kpi/range, a listed KPI's period at /kpi/kpis/i/period.
  const kpis = specs.map((spec, i) => planItem(contract, spec, section.kpis ? `${base}/${i}` : base, section.kpis ? `${base}/${i}/period` : '/kpi/range', timeZone));
  const ids = new Set<string>();
  kpis.forEach((k) => {
    if (ids.has(k.id)) throw new ContractError(`${k.path}/id`, `expected a unique id, "${k.id}" is used twice`);
    ids.add(k.id);
  });
  let asOf: number | null = null;
  if (section.asOf !== undefined) {
    asOf = parseTimestamp(section.asOf, timeZone);
    if (!plausibleTime(asOf)) throw new ContractError('/kpi/asOf', `expected an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(section.asOf)}`);
  }
  return {
    kind: 'kpi',
    timeZone,
    locale: contract.locale ?? 'en',
    time: kpis.some((k) => k.measure) ? fieldOf(contract.fields, 'time') : null,
    event: specs.some((k) => k.measure && measureNamesEvents(k.measure)) ? fieldOf(contract.fields, 'event') : null,
    asOf,
    kpis,
  };
}

/** The one-KPI shorthand (`metric`, `event`, `range`, `better`, `unit`…) as a KPI. */
function shorthand(contract: KpiContract): KpiSpec {
  const s = contract.kpi;
  const metric = s.metric ?? 'sum';
  const filter: KpiFilter | undefined = s.event !== undefined ? { event: s.event } : undefined;
  // No field: the measure reads the mapped one (`fields.value`, or the entity for distinct counts).
  const measure: KpiMeasureSpec = metric === 'count' ? { op: 'count', filter } : { op: metric === 'countDistinct' ? 'distinct' : metric, filter };
  const style = s.unit === 'currency' ? 'currency' : s.unit === 'percent' ? 'percent' : s.unit === 'days' ? 'duration' : contract.format?.compact ? 'compact' : 'number';
  return {
    id: 'kpi',
    label: contract.title ?? '',
    measure,
    ...(s.range ? { period: s.range } : {}),
    compare: { previous: s.compare !== 'none' },
    ...(s.target !== undefined ? { target: s.target } : {}),
    direction: s.better === 'down' ? 'lower-is-better' : 'higher-is-better',
    ...(s.thresholds ? { thresholds: s.thresholds } : {}),
    ...(s.interval ? { interval: s.interval } : {}),
    format: { style, ...(contract.format?.currency ? { currency: contract.format.currency } : {}), ...(contract.format?.maximumFractionDigits !== undefined ? { maximumFractionDigits: contract.format.maximumFractionDigits } : {}) },
  };
}

function planItem(contract: KpiContract, spec: KpiSpec, path: string, periodPath: string, timeZone: string): KpiPlanItem {
  const given = spec.measure ? null : givenFigures(spec, path, timeZone);
  const measure = spec.measure ? planMeasure(contract.fields, spec.measure, `${path}/measure`) : null;
  const period = spec.period && 'last' in spec.period ? { last: spec.period.last, unit: spec.period.unit } : { range: planRange(spec.period as TimeRange | undefined, timeZone, periodPath) };
  const unchanged = spec.deltaClasses?.unchanged ?? contract.kpi.deltaClasses?.unchanged ?? 0;
  const strong = spec.deltaClasses?.strong ?? contract.kpi.deltaClasses?.strong ?? 10;
  return {
    id: spec.id,
    label: spec.label,
    path,
    measure,
    given,
    period,
    compare: { previous: spec.compare?.previous ?? true, yearAgo: spec.compare?.yearAgo ?? false },
    target: spec.target ?? null,
    direction: spec.direction ?? 'higher-is-better',
    thresholds: spec.thresholds ? planThresholds(spec.thresholds) : null,
    deltaClasses: { unchanged, strong },
    interval: spec.interval ?? 'day',
    format: { style: spec.format?.style ?? defaultStyle(spec.measure), ...pick(spec.format) },
  };
}

function pick(format: KpiSpec['format']): { currency?: string; maximumFractionDigits?: number } {
  return { ...(format?.currency ? { currency: format.currency } : {}), ...(format?.maximumFractionDigits !== undefined ? { maximumFractionDigits: format.maximumFractionDigits } : {}) };
}

function defaultStyle(measure: KpiMeasureSpec | undefined): KpiFormatStyle {
  return measure?.op === 'ratio' ? 'percent' : measure?.op === 'duration' ? 'duration' : 'number';
}

function givenFigures(spec: KpiSpec, path: string, timeZone: string): NonNullable<KpiPlanItem['given']> {
  const series = (spec.series ?? []).map((p, i) => {
    const start = parseTimestamp(p.t, timeZone);
    if (!plausibleTime(start)) throw new ContractError(`${path}/series/${i}/t`, `expected an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(p.t)}`);
    return { start, value: p.value };
  });
  const value = spec.value ?? null;
  return {
    value,
    previous: spec.previous ?? null,
    yearAgo: spec.yearAgo ?? null,
    series,
    range: spec.range ?? null,
    previousRange: spec.previousRange ?? null,
    rows: spec.rows ?? 0,
    note: spec.note !== undefined ? spec.note : value === null ? 'no-data' : null,
  };
}

/** Grafana's order: steps by value, the lowest the base whatever its value says. */
function planThresholds(t: KpiThresholds): NonNullable<KpiPlanItem['thresholds']> {
  const steps = [...t.steps]
    .map((s) => ({ value: s.value, status: s.status, color: s.color ?? STATUS_COLORS[s.status] }))
    .sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
  steps[0] = { ...steps[0], value: null };
  return { mode: t.mode ?? 'absolute', steps };
}
