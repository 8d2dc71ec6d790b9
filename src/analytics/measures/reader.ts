/**
 * Measures read over any time window: each measure keeps its own rows (or, for durations, its
 * entities' cycles) in time order, so a window — a KPI's period, a sparkline point, an anomaly
 * series' period — is two binary searches. Shared by the KPI and anomaly engines.
 * @module
 */
import { requireColumn, type Columns, type RangeWhere } from '../columns.js';
import { bindMeasure } from './measure.js';
import type { PlannedMeasure } from './plan-measure.js';
import { mean, median } from './stats.js';

/** A measure's value over a window, how many rows or entities fed it, and why it may be null. */
export interface Reading {
  value: number | null;
  rows: number;
  note: 'no-data' | 'empty-denominator' | null;
}

/** A measure ready to read any window [from, to). */
export type Reader = (from: number, to: number) => Reading;

export function reader(measure: PlannedMeasure, columns: Columns, source: RowSource): Reader {
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
export interface RowSource {
  times: Float64Array;
  order: Int32Array;
  byEvent: Map<unknown, Int32Array> | null;
  eventField: string | null;
}

/** Indexes rows by event name once, so a measure of one event reads its rows, not all of them. */
export function rowSource(columns: Columns, times: Float64Array, order: Int32Array, eventField: string | null, events?: Encoded): RowSource {
  if (eventField === null) return { times, order, byEvent: null, eventField };
  // Sources over parts of the same rows share one encoding of the event column.
  const { codes, values } = events ?? encode(columns.get(eventField), order);
  const parts = partition(order, codes, values.length);
  return { times, order, byEvent: new Map(values.map((name, i) => [name, parts[i]])), eventField };
}

/** A column's values as small codes: `codes[row]` indexes `values` (−1 for rows not encoded). */
export interface Encoded {
  codes: Int32Array;
  values: unknown[];
}

/** Each row's value as a small code (by first appearance among `rows`), and the values by code. */
export function encode(column: ArrayLike<unknown>, rows: Int32Array): Encoded {
  const codes = new Int32Array(column.length).fill(-1);
  const byValue = new Map<unknown, number>();
  const values: unknown[] = [];
  for (let i = 0; i < rows.length; i++) {
    const value = column[rows[i]];
    let code = byValue.get(value);
    if (code === undefined) {
      code = values.length;
      byValue.set(value, code);
      values.push(value);
    }
    codes[rows[i]] = code;
  }
  return { codes, values };
}

/**
 * `rows` split by each row's code (−1: in no part), every part keeping the order of `rows`: a
 * counting sort, two linear passes, no per-row arrays.
 */
export function partition(rows: Int32Array, codes: Int32Array, parts: number): Int32Array[] {
  const sizes = new Int32Array(parts);
  for (let i = 0; i < rows.length; i++) {
    const code = codes[rows[i]];
    if (code >= 0) sizes[code]++;
  }
  const out = Array.from(sizes, (size) => new Int32Array(size));
  const fill = new Int32Array(parts);
  for (let i = 0; i < rows.length; i++) {
    const code = codes[rows[i]];
    if (code >= 0) out[code][fill[code]++] = rows[i];
  }
  return out;
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
export function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
