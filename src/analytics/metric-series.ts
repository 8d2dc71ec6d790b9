/**
 * A metric (sum, count, mean, distinct entities, last value) per calendar period: the shared
 * core of `<kpi-card>` sparklines and `<anomaly-chart>` series.
 * @module
 */
import { op, type ColumnTable } from 'arquero';
import type { InlineContract } from './contract.js';
import { ContractError, pointerSegment } from './contract-error.js';
import { TIME } from './data.js';
import { addPeriods, periodKey, periodStart, type Period } from './time.js';

export type Metric = 'sum' | 'count' | 'mean' | 'countDistinct' | 'last';

export interface SeriesPoint {
  /** Period label in the contract's zone: `2026-03-01`, `2026-03`. */
  period: string;
  /** Period start, epoch ms. */
  start: number;
  /** The metric's value; null where a mean or last value has no rows. */
  value: number | null;
  /** Rows in the period. */
  rows: number;
}

/** The column a metric reads: the value column, or the entity column for distinct counts. */
export interface MetricColumns {
  value?: string;
  entity?: string;
}

/** Checks that the value column holds numbers; names the first bad cell. */
export function checkNumeric(contract: InlineContract, t: ColumnTable, column: string): void {
  if (!t.numRows()) return;
  const values = t.array(column) as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      const path =
        'rows' in contract.data ? `/data/rows/${i}/${pointerSegment(column)}` : `/data/columns/${pointerSegment(column)}/${i}`;
      throw new ContractError(path, `expected a number, got ${JSON.stringify(v)}`);
    }
  }
}

/** One value of `metric` over all rows of `t` (already filtered to the range). */
export function metricValue(t: ColumnTable, metric: Metric, columns: MetricColumns): number | null {
  if (metric === 'count') return t.numRows();
  if (!t.numRows()) return metric === 'sum' || metric === 'countDistinct' ? 0 : null;
  if (metric === 'last') return lastPresent(Array.from(t.array(columns.value!) as ArrayLike<number | null>));
  const row = t.rollup({ v: aggregate(metric, columns) }).object(0) as { v: number | null };
  return row.v ?? null;
}

/**
 * `metric` per period over [from, to), every period present (empty ones as 0 for sums and
 * counts, null otherwise), so gaps show as gaps and drops to zero are not hidden.
 */
export function metricSeries(
  t: ColumnTable,
  metric: Metric,
  columns: MetricColumns,
  period: Period,
  timeZone: string,
  from: number,
  to: number,
): SeriesPoint[] {
  const times = t.numRows() ? (t.array(TIME) as ArrayLike<number>) : [];
  const starts = Float64Array.from(times, (ms) => periodStart(ms, period, timeZone));
  const byPeriod = new Map<number, { value: number | null; rows: number }>();
  if (t.numRows()) {
    const grouped = t.assign({ __period: starts }).groupby('__period');
    const rolled =
      metric === 'last'
        ? grouped.rollup({ v: `d => op.array_agg(d[${JSON.stringify(columns.value!)}])`, n: op.count() })
        : grouped.rollup({ v: aggregate(metric, columns), n: op.count() });
    for (const r of rolled.objects() as Array<{ __period: number; v: number | null | Array<number | null>; n: number }>) {
      const v = Array.isArray(r.v) ? lastPresent(r.v) : r.v;
      byPeriod.set(r.__period, { value: v ?? null, rows: r.n });
    }
  }
  const points: SeriesPoint[] = [];
  const empty = metric === 'sum' || metric === 'count' || metric === 'countDistinct' ? 0 : null;
  // A range that starts mid-period still shows the whole period it starts in.
  for (let s = periodStart(from, period, timeZone); s < to; s = addPeriods(s, period, 1, timeZone)) {
    const hit = byPeriod.get(s);
    points.push({ period: periodKey(s, period, timeZone), start: s, value: hit ? hit.value : empty, rows: hit?.rows ?? 0 });
    if (points.length > 10_000) throw new ContractError('/range', `spans more than 10,000 ${period}s; choose a longer interval`);
  }
  return points;
}

function lastPresent(values: Array<number | null>): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i];
  return null;
}

/** An Arquero rollup expression for the metric, with the column name escaped as a string key. */
function aggregate(metric: Exclude<Metric, 'last'>, columns: MetricColumns): string | object {
  switch (metric) {
    case 'count':
      return op.count();
    case 'countDistinct':
      return `d => op.distinct(d[${JSON.stringify(columns.entity!)}])`;
    case 'sum':
      return `d => op.sum(d[${JSON.stringify(columns.value!)}])`;
    case 'mean':
      return `d => op.mean(d[${JSON.stringify(columns.value!)}])`;
  }
}
