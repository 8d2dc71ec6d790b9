/**
 * The KPI view model: each KPI's figures with the comparison read the way Grafana's Stat panel
 * and Tremor's delta badge read it (delta, percent change, its class, arrow and tone), the
 * attainment of the target, the threshold status, and the figures formatted.
 * @module
 */
import type { KpiExecution, KpiFigures } from './execute-memory.js';
import { formatKpiFigures } from './format.js';
import type { KpiPlan, KpiPlanItem } from './plan.js';

export type KpiDirection = 'higher-is-better' | 'lower-is-better' | 'neutral';
export type DeltaClass = 'unchanged' | 'increase' | 'strong-increase' | 'decrease' | 'strong-decrease';
export type KpiStatus = 'good' | 'warning' | 'critical';
export type KpiFormatStyle = 'number' | 'compact' | 'currency' | 'percent' | 'duration';

/** One KPI, computed or given, with its comparison, target and status. */
export interface KpiResult {
  id: string;
  label: string;
  /** The figure over the period; null when there is nothing to measure (see `note`). */
  value: number | null;
  /** The same figure over the previous range of equal length; null without comparison. */
  previous: number | null;
  /** The same figure a year earlier, when asked for. */
  yearAgo: number | null;
  /** value − previous; exists when previous is 0. */
  delta: number | null;
  /** (value − previous) / |previous| × 100; null ("no comparison") when previous is missing or 0. */
  deltaPct: number | null;
  deltaClass: DeltaClass | null;
  /** By the sign of `delta`; null for 0 or no delta. */
  arrow: 'up' | 'down' | null;
  /** Whether the change is good, given `direction`. */
  tone: 'good' | 'bad' | 'neutral';
  direction: KpiDirection;
  target: number | null;
  /** value / target × 100. */
  attainment: number | null;
  status: KpiStatus | null;
  /** The matched threshold step's colour (default green / yellow / red), null without thresholds. */
  statusColor: string | null;
  /** The period in force and the one it is compared with, [from, to) in epoch ms. */
  range: { from: number; to: number } | null;
  previousRange: { from: number; to: number } | null;
  /** The figure per `interval` over the period. */
  sparkline: Array<{ period: string; start: number; value: number | null }>;
  /** Why `value` is null: `no-data` (nothing in the period), `empty-denominator` (a ratio of nothing). */
  note: 'no-data' | 'empty-denominator' | null;
  format: { style: KpiFormatStyle; currency?: string; maximumFractionDigits?: number };
  /** In the contract's locale (the elements format again in theirs). */
  formatted: { value: string; previous: string | null; delta: string | null; deltaPct: string | null; target: string | null; attainment: string | null };
  /** Rows measured in the period. */
  rows: number;
}

export interface KpiViewModel {
  kpis: KpiResult[];
  /** "Now" for `last N` periods: `asOf`, else the latest event (null: none). */
  asOf: number | null;
}

export function shapeKpi(plan: KpiPlan, execution: KpiExecution): KpiViewModel {
  return { kpis: plan.kpis.map((kpi, i) => kpiResult(kpi, execution.kpis[i], plan.locale)), asOf: execution.asOf };
}

function kpiResult(kpi: KpiPlanItem, figures: KpiFigures, locale: string): KpiResult {
  const { value, previous } = figures;
  const delta = value !== null && previous !== null ? value - previous : null;
  const deltaPct = delta !== null && previous ? (delta / Math.abs(previous)) * 100 : null;
  const deltaClass = classOf(deltaPct, kpi.deltaClasses);
  const arrow = delta === null || delta === 0 ? null : delta > 0 ? 'up' : 'down';
  const attainment = value !== null && kpi.target ? (value / kpi.target) * 100 : null;
  const step = stepOf(kpi, value, attainment);
  const result: KpiResult = {
    id: kpi.id,
    label: kpi.label,
    value,
    previous,
    yearAgo: figures.yearAgo,
    delta,
    deltaPct,
    deltaClass,
    arrow,
    tone: toneOf(kpi.direction, deltaClass, arrow),
    direction: kpi.direction,
    target: kpi.target,
    attainment,
    status: step?.status ?? null,
    statusColor: step?.color ?? null,
    range: figures.range,
    previousRange: figures.previousRange,
    sparkline: figures.sparkline,
    note: figures.note,
    format: kpi.format,
    formatted: { value: '', previous: null, delta: null, deltaPct: null, target: null, attainment: null },
    rows: figures.rows,
  };
  result.formatted = formatKpiFigures(result, locale);
  return result;
}

/** |Δ%| ≤ unchanged: unchanged; Δ% ≥ strong or ≤ −strong: strong (both inclusive); else by sign. */
function classOf(deltaPct: number | null, bounds: { unchanged: number; strong: number }): DeltaClass | null {
  if (deltaPct === null) return null;
  if (Math.abs(deltaPct) <= bounds.unchanged) return 'unchanged';
  if (deltaPct >= bounds.strong) return 'strong-increase';
  if (deltaPct <= -bounds.strong) return 'strong-decrease';
  return deltaPct > 0 ? 'increase' : 'decrease';
}

/** Lower-is-better flips the tone only; an unchanged or neutral KPI is always neutral. */
function toneOf(direction: KpiDirection, deltaClass: DeltaClass | null, arrow: 'up' | 'down' | null): KpiResult['tone'] {
  if (direction === 'neutral' || deltaClass === 'unchanged' || arrow === null) return 'neutral';
  const up = direction === 'higher-is-better' ? 'good' : 'bad';
  return arrow === 'up' ? up : up === 'good' ? 'bad' : 'good';
}

/** The last step the value (or its attainment) is greater than or equal to; the lowest is the base. */
function stepOf(kpi: KpiPlanItem, value: number | null, attainment: number | null): { status: KpiStatus; color: string } | null {
  if (!kpi.thresholds) return null;
  const x = kpi.thresholds.mode === 'percent-of-target' ? attainment : value;
  if (x === null) return null;
  let active = kpi.thresholds.steps[0];
  for (const step of kpi.thresholds.steps) {
    if (step.value === null || x >= step.value) active = step;
    else break;
  }
  return active;
}
