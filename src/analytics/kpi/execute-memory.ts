/**
 * The KPI plan run over columns in memory. Times are parsed and ordered once for all KPIs; each
 * measure keeps its own rows (or, for durations, its entities' times) in time order, so any
 * window — the period, the previous one, a year ago, each sparkline point — is two binary searches.
 * @module
 */
import { ContractError } from '../contract-error.js';
import { parseTimes, requireColumn, rowsInRange, type Columns, type RangeWhere } from '../columns.js';
import { bindMeasure } from '../measures/measure.js';
import { MAX_PERIODS } from '../measures/series.js';
import { mean, median } from '../measures/stats.js';
import { addPeriods, periodKey, periodStart } from '../time.js';
import { DEFAULT_KPI_DAYS, type KpiPlan, type KpiPlanItem, type PlannedMeasure } from './plan.js';

/** A measure's value over a window, how many rows or entities fed it, and why it may be null. */
interface Reading {
  value: number | null;
  rows: number;
  note: 'no-data' | 'empty-denominator' | null;
}

/** A measure ready to read any window [from, to). */
type Reader = (from: number, to: number) => Reading;

export interface KpiFigures {
  range: { from: number; to: number } | null;
  previousRange: { from: number; to: number } | null;
  value: number | null;
  previous: number | null;
  yearAgo: number | null;
  sparkline: Array<{ period: string; start: number; value: number | null }>;
  rows: number;
  note: Reading['note'];
}

export interface KpiExecution {
  kpis: KpiFigures[];
  asOf: number | null;
}

export function executeKpi(plan: KpiPlan, columns: Columns): KpiExecution {
  let source: RowSource = { times: new Float64Array(0), order: new Int32Array(0), byEvent: null, eventField: null };
  if (plan.time !== null) {
    requireColumn(columns, plan.time, '/fields/time');
    if (plan.event !== null) requireColumn(columns, plan.event, '/fields/event');
    const times = parseTimes(columns, plan.time, plan.timeZone);
    source = rowSource(columns, times, rowsInRange(times, -Infinity, Infinity), plan.event);
  }
  const { times, order } = source;
  const asOf = plan.asOf ?? (order.length ? times[order[order.length - 1]] : null);
  const kpis = plan.kpis.map((kpi) => (kpi.measure ? computed(kpi, kpi.measure, columns, source, plan, asOf) : given(kpi, plan)));
  return { kpis, asOf };
}

function given(kpi: KpiPlanItem, plan: KpiPlan): KpiFigures {
  const g = kpi.given!;
  return {
    range: null,
    previousRange: null,
    value: g.value,
    previous: kpi.compare.previous ? g.previous : null,
    yearAgo: g.yearAgo,
    sparkline: g.series.map((p) => ({ period: periodKey(p.start, 'day', plan.timeZone), start: p.start, value: p.value })),
    rows: 0,
    note: g.value === null ? 'no-data' : null,
  };
}

function computed(kpi: KpiPlanItem, measure: PlannedMeasure, columns: Columns, source: RowSource, plan: KpiPlan, asOf: number | null): KpiFigures {
  const read = reader(measure, columns, source);
  const range = periodRange(kpi, plan, asOf ?? Date.now());
  const length = range.to - range.from;
  const previousRange = kpi.compare.previous ? lastPeriod(kpi, plan, range, length) : null;
  const now = read(range.from, range.to);
  const yearAgo = kpi.compare.yearAgo
    ? read(addPeriods(range.from, 'month', -12, plan.timeZone), addPeriods(range.to, 'month', -12, plan.timeZone)).value
    : null;
  return {
    range,
    previousRange,
    value: now.value,
    previous: previousRange ? read(previousRange.from, previousRange.to).value : null,
    yearAgo,
    sparkline: sparkline(read, kpi, plan, range),
    rows: now.rows,
    note: now.note,
  };
}

/** The period in force: an explicit range (an open end filled from `asOf`), or the last N units up to `asOf`'s. */
function periodRange(kpi: KpiPlanItem, plan: KpiPlan, asOf: number): { from: number; to: number } {
  const { timeZone } = plan;
  if ('last' in kpi.period) {
    const to = addPeriods(periodStart(asOf, kpi.period.unit, timeZone), kpi.period.unit, 1, timeZone);
    return { from: addPeriods(to, kpi.period.unit, -kpi.period.last, timeZone), to };
  }
  const to = kpi.period.range.to ?? addPeriods(periodStart(asOf, 'day', timeZone), 'day', 1, timeZone);
  return { from: kpi.period.range.from ?? addPeriods(to, 'day', -DEFAULT_KPI_DAYS, timeZone), to };
}

/** The range of equal length before: the same number of calendar units for `last N`. */
function lastPeriod(kpi: KpiPlanItem, plan: KpiPlan, range: { from: number; to: number }, length: number): { from: number; to: number } {
  if ('last' in kpi.period) return { from: addPeriods(range.from, kpi.period.unit, -kpi.period.last, plan.timeZone), to: range.from };
  return { from: range.from - length, to: range.from };
}

function sparkline(read: Reader, kpi: KpiPlanItem, plan: KpiPlan, range: { from: number; to: number }): KpiFigures['sparkline'] {
  const { timeZone } = plan;
  const points: KpiFigures['sparkline'] = [];
  for (let s = periodStart(range.from, kpi.interval, timeZone); s < range.to; ) {
    const next = addPeriods(s, kpi.interval, 1, timeZone);
    points.push({ period: periodKey(s, kpi.interval, timeZone), start: s, value: read(Math.max(s, range.from), Math.min(next, range.to)).value });
    if (points.length > MAX_PERIODS) throw new ContractError(`${kpi.path}/interval`, `spans more than 10,000 ${kpi.interval}s; choose a longer interval`);
    s = next;
  }
  return points;
}

function reader(measure: PlannedMeasure, columns: Columns, source: RowSource): Reader {
  if (measure.op === 'ratio') {
    const top = reader(measure.numerator, columns, source);
    const bottom = reader(measure.denominator, columns, source);
    return (from, to) => {
      const d = bottom(from, to);
      if (!d.value) return { value: null, rows: d.rows, note: 'empty-denominator' };
      const n = top(from, to);
      return { value: n.value === null ? null : n.value / d.value, rows: d.rows, note: null };
    };
  }
  if (measure.op === 'duration') return durations(measure, columns, source);
  const bound = bindMeasure({ op: measure.op, field: measure.field, where: measure.where, paths: { field: measure.fieldPath, where: `${measure.path}/filter/where` } }, columns);
  // The rows this measure takes, in time order, and their times: a window is a slice.
  const rows = accepted(candidates(source, measure.where), measure.where, source, bound.accepts);
  const at = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) at[i] = source.times[rows[i]];
  return (from, to) => {
    const slice = rows.subarray(lowerBound(at, from), lowerBound(at, to));
    const value = bound.value(slice);
    return { value, rows: slice.length, note: slice.length ? null : value === null ? 'no-data' : null };
  };
}

/**
 * Each entity's time from its first `from` event to its first `to` event at or after it, filed
 * under the `to` time: the cycle counts in the period it closed in.
 */
function durations(measure: Extract<PlannedMeasure, { op: 'duration' }>, columns: Columns, source: RowSource): Reader {
  const { times } = source;
  requireColumn(columns, measure.entity, '/fields/entity');
  const isFrom = bindMeasure({ op: 'count', where: measure.from, paths: { field: measure.path, where: `${measure.path}/from/where` } }, columns);
  const isTo = bindMeasure({ op: 'count', where: measure.to, paths: { field: measure.path, where: `${measure.path}/to/where` } }, columns);
  const entity = columns.get(measure.entity);
  const closing = accepted(candidates(source, measure.to), measure.to, source, isTo.accepts);
  // Only entities that ever close can have a cycle: most leads never do, and are skipped cheaply.
  const closers = new Set<unknown>();
  for (const row of closing) closers.add(entity[row]);
  closers.delete(null);
  closers.delete(undefined);
  closers.delete('');
  // Each closing entity's first `from` event (rows come in time order, ties by row)…
  const started = new Map<unknown, number>();
  for (const row of accepted(candidates(source, measure.from), measure.from, source, isFrom.accepts)) {
    const id = entity[row];
    if (closers.has(id) && !started.has(id)) started.set(id, row);
  }
  // …and its first `to` event at or after it: the cycle, filed under the time it closed.
  const cycles: Array<{ at: number; length: number }> = [];
  for (const row of closing) {
    const id = entity[row];
    const start = started.get(id);
    if (start === undefined || times[row] < times[start] || (times[row] === times[start] && row < start)) continue;
    cycles.push({ at: times[row], length: (times[row] - times[start]) / measure.unitMs });
    started.delete(id);
  }
  const at = Float64Array.from(cycles, (c) => c.at);
  const summary = measure.summary === 'mean' ? mean : median;
  return (from, to) => {
    const slice = cycles.slice(lowerBound(at, from), lowerBound(at, to)).map((c) => c.length);
    return { value: summary(slice), rows: slice.length, note: slice.length ? null : 'no-data' };
  };
}

/** Every row in time order, and, when filters name events, the rows of each event name. */
interface RowSource {
  times: Float64Array;
  order: Int32Array;
  byEvent: Map<unknown, Int32Array> | null;
  eventField: string | null;
}

/** Indexes rows by event name once, so a measure of one event reads its rows, not all of them. */
function rowSource(columns: Columns, times: Float64Array, order: Int32Array, eventField: string | null): RowSource {
  if (eventField === null) return { times, order, byEvent: null, eventField };
  const names = columns.get(eventField);
  const lists = new Map<unknown, number[]>();
  for (const row of order) {
    const list = lists.get(names[row]);
    if (list) list.push(row);
    else lists.set(names[row], [row]);
  }
  const byEvent = new Map<unknown, Int32Array>();
  for (const [name, list] of lists) byEvent.set(name, Int32Array.from(list));
  return { times, order, byEvent, eventField };
}

/** The rows a where clause can accept, judged by its event names alone, in time order. */
function candidates(source: RowSource, where: RangeWhere): Int32Array {
  const events = source.eventField !== null && source.byEvent ? where[source.eventField] : undefined;
  if (events === undefined) return source.order;
  const names = Array.isArray(events) ? events : [events];
  return names.reduce<Int32Array>((rows, name) => union(rows, source.byEvent!.get(name) ?? new Int32Array(0), source.times), new Int32Array(0));
}

/** The candidates a where clause accepts; when it names events only, the candidates are exactly those. */
function accepted(rows: Int32Array, where: RangeWhere, source: RowSource, accepts: (row: number) => boolean): Int32Array {
  if (source.byEvent && Object.keys(where).every((key) => key === source.eventField)) return rows;
  const out = new Int32Array(rows.length);
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (accepts(rows[i])) out[n++] = rows[i];
  return out.subarray(0, n);
}

/** Two time-ordered row lists merged in time order (ties by row). */
function union(a: Int32Array, b: Int32Array, times: Float64Array): Int32Array {
  if (!a.length || a === b) return b;
  if (!b.length) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) {
    const takeA = j >= b.length || (i < a.length && (times[a[i]] < times[b[j]] || (times[a[i]] === times[b[j]] && a[i] <= b[j])));
    out[k] = takeA ? a[i++] : b[j++];
  }
  return out;
}

/** The first index whose value is ≥ x, in ascending values. */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
