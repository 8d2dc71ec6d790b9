/**
 * Measures (src/analytics/measures/) compiled to DuckDB: the shared part of the KPI and anomaly
 * jobs. A planned measure becomes "leaves" — count, distinct, sum, mean, median, min, max and last
 * over the rows a filter accepts, and durations over entity cycles — each read over a set of time
 * windows [from, to) in one grouped query. A ratio is two leaves, divided in JavaScript by
 * {@link readMeasure} exactly as the in-memory reader divides, so nulls, empty denominators and
 * notes come out the same.
 *
 * Exactness: every figure is the in-memory one bit for bit. Sums and means add the values one by
 * one in the rows' time order (ties by row order), starting from 0, as `Array.reduce` does: an
 * ordered `sum(v ORDER BY t, o)` does exactly that (the tests hold it to a sequential sum over
 * large groups), while a plain `sum` adds per thread and differs in the last bits.
 * A median is the mean of the two middle values of the sorted list ((a + b) / 2, not DuckDB's
 * interpolation a + (b − a) / 2). Durations are (close − start) / unit in doubles, as in memory.
 * @module
 */
import type { Cell } from '../analytics/contract.js';
import { pointerSegment } from '../analytics/contract-error.js';
import type { RangeWhere } from '../analytics/columns.js';
import type { PlannedMeasure } from '../analytics/measures/plan-measure.js';
import type { Reading } from '../analytics/measures/reader.js';
import { quoteIdent, type SqlParams } from './quote.js';
import { equalsValue, type NeededColumn } from './sql.js';

/** A leaf: one aggregate the warehouse computes (a ratio has two). */
export type Leaf =
  | { kind: 'op'; op: 'count' | 'distinct' | 'sum' | 'mean' | 'median' | 'min' | 'max' | 'last'; field?: string; fieldPath: string; where: RangeWhere }
  | { kind: 'duration'; entity: string; from: RangeWhere; to: RangeWhere; summary: 'median' | 'mean'; unitMs: number };

/** The leaves of a measure, in the order {@link readMeasure} takes them back. */
export function measureLeaves(measure: PlannedMeasure): Leaf[] {
  if (measure.op === 'ratio') return [...measureLeaves(measure.numerator), ...measureLeaves(measure.denominator)];
  if (measure.op === 'duration') return [{ kind: 'duration', entity: measure.entity, from: measure.from, to: measure.to, summary: measure.summary, unitMs: measure.unitMs }];
  return [{ kind: 'op', op: measure.op, ...(measure.field !== undefined ? { field: measure.field } : {}), fieldPath: measure.fieldPath, where: measure.where }];
}

/** One leaf over one window, as the query returns it: its value and the rows (or cycles) it read. */
export interface LeafReading {
  value: number | null;
  rows: number;
}

/**
 * The measure's reading over one window from its leaves' readings, with the in-memory reader's
 * rules (measures/reader.ts): a ratio is null with note `empty-denominator` when the denominator
 * is 0 or null; a count or sum over no rows is 0 with no note; anything else over no rows is
 * `no-data`.
 */
export function readMeasure(measure: PlannedMeasure, leaves: readonly LeafReading[], at = 0): { reading: Reading; next: number } {
  if (measure.op === 'ratio') {
    const top = readMeasure(measure.numerator, leaves, at);
    const bottom = readMeasure(measure.denominator, leaves, top.next);
    const d = bottom.reading;
    const n = top.reading;
    const reading: Reading = !d.value ? { value: null, rows: d.rows, note: 'empty-denominator' } : { value: n.value === null ? null : n.value / d.value, rows: d.rows, note: null };
    return { reading, next: bottom.next };
  }
  const { value, rows } = leaves[at];
  const note = measure.op === 'duration' ? (rows ? null : 'no-data') : rows ? null : value === null ? 'no-data' : null;
  return { reading: { value, rows, note }, next: at + 1 };
}

/** SQL true when a column holds numbers (the in-memory engine meets them as JS numbers). */
export const isNumeric = (column: string) =>
  `(typeof(${column}) IN ('TINYINT','SMALLINT','INTEGER','BIGINT','HUGEINT','UTINYINT','USMALLINT','UINTEGER','UBIGINT','FLOAT','DOUBLE') OR typeof(${column}) LIKE 'DECIMAL%')`;

/**
 * The columns of the events table a query reads, each selected once under a short alias
 * (`c0`, `c1`…), so a column called `t` or `o` never meets the query's own names.
 */
export class SourceColumns {
  private readonly aliases = new Map<string, string>();
  readonly needed: NeededColumn[] = [];

  /** The alias of column `name`; `path` is blamed when the table lacks it (the first path named wins). */
  use(name: string, path: string, groups = false): string {
    let alias = this.aliases.get(name);
    if (alias === undefined) {
      alias = `c${this.aliases.size}`;
      this.aliases.set(name, alias);
    }
    if (!this.needed.some((n) => n.name === name && (n.groups ?? false) === groups)) this.needed.push({ name, path, ...(groups ? { groups } : {}) });
    return alias;
  }

  /** `"column" AS cN, …` for the source's SELECT (empty when none). */
  selectList(): string {
    return [...this.aliases].map(([name, alias]) => `, ${quoteIdent(name)} AS ${alias}`).join('');
  }
}

/** Every column the measure reads, with the JSON paths the in-memory engine reports. */
export function useMeasureColumns(measure: PlannedMeasure, columns: SourceColumns, eventField: string | null, path: string): void {
  const where = (w: RangeWhere, at: string) =>
    Object.keys(w).forEach((c) => columns.use(c, c === eventField ? '/fields/event' : `${at}/${pointerSegment(c)}`));
  if (measure.op === 'ratio') {
    useMeasureColumns(measure.numerator, columns, eventField, `${path}/numerator`);
    useMeasureColumns(measure.denominator, columns, eventField, `${path}/denominator`);
  } else if (measure.op === 'duration') {
    columns.use(measure.entity, '/fields/entity');
    where(measure.from, `${measure.path}/from/where`);
    where(measure.to, `${measure.path}/to/where`);
  } else {
    if (measure.op !== 'count' && measure.field !== undefined) columns.use(measure.field, measure.fieldPath);
    where(measure.where, `${measure.path}/filter/where`);
  }
}

/**
 * SQL true for the rows a where clause accepts, with the in-memory predicate's semantics
 * (columns.ts `wherePredicate`): strict equality with a value or any of a list, and for a range
 * `{min, max}` a number (not NaN) within both inclusive ends.
 */
export function whereSql(where: RangeWhere, columns: SourceColumns, params: SqlParams, table = ''): string {
  const parts = Object.entries(where).map(([name, expected]) => {
    const column = `${table}${columns.use(name, '')}`;
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      const value = `TRY_CAST(${column} AS DOUBLE)`;
      const range = [isNumeric(column), `NOT isnan(${value})`];
      if (expected.min !== undefined) range.push(`${value} >= ${params.bind(expected.min, 'DOUBLE')}`);
      if (expected.max !== undefined) range.push(`${value} <= ${params.bind(expected.max, 'DOUBLE')}`);
      return `coalesce(${range.join(' AND ')}, false)`;
    }
    const values: Cell[] = Array.isArray(expected) ? expected : [expected];
    return values.length ? `coalesce(${values.map((v) => equalsValue(column, v, params)).join(' OR ')}, false)` : 'FALSE';
  });
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** A list of numbers bound as one parameter (JSON text cast to DOUBLE[]; epoch ms are exact integers). */
export function bindList(values: readonly number[], params: SqlParams): string {
  return `CAST(${params.bind(JSON.stringify(values), 'VARCHAR')} AS DOUBLE[])`;
}

/** What a leaf reads: `rows` has t, o, g (group) and the aliased columns; `windows` has wi, wf, wt. */
export interface LeafInput {
  /** Relation of the rows the measure may read, with t (epoch ms), o (row order), g (group). */
  rows: string;
  /** Relation of every row of the table (with the aliased columns): the numbers check reads it. */
  all: string;
  /**
   * Relation of windows: wi (index), fam (family), wf, wt ([from, to) epoch ms). Windows of one
   * family must not overlap; every group reads every window.
   */
  windows: string;
  columns: SourceColumns;
  params: SqlParams;
}

/**
 * CTEs reading one leaf over every window: `<name>` with columns (wi, g, v DOUBLE, n BIGINT) — the
 * leaf's value and rows per window and group, for those with rows in it (the others read as
 * {@link emptyReading}) — and `<name>_bad`, one row with `bad`: a measured cell that is not a
 * number (or NaN) for an op that needs numbers, as the in-memory engine refuses it, else NULL.
 */
export function leafCtes(leaf: Leaf, name: string, input: LeafInput): string[] {
  const { rows, windows, columns, params } = input;
  const ctes: string[] = [];
  let measured: string;
  let op: 'count' | 'distinct' | 'sum' | 'mean' | 'median' | 'min' | 'max' | 'last';
  if (leaf.kind === 'duration') {
    // Each entity's first `from` row (time, then row order), among entities with a `to` row, and
    // its first `to` row at or after it (same time: not an earlier row): one cycle, filed under
    // the time it closed. Entities missing or '' never close, as in memory.
    const e = columns.use(leaf.entity, '/fields/entity');
    const valid = `${e} IS NOT NULL AND NOT (typeof(${e}) = 'VARCHAR' AND CAST(${e} AS VARCHAR) = '')`;
    ctes.push(`${name}_start AS (
  SELECT g, ${e} AS e, min({'t': t, 'o': o}) AS s FROM ${rows} WHERE ${valid} AND ${whereSql(leaf.from, columns, params)} GROUP BY g, ${e}
)`);
    ctes.push(`${name}_cycle AS (
  SELECT st.g, min({'t': r.t, 'o': r.o}) AS c, any_value(st.s) AS s
  FROM ${rows} r JOIN ${name}_start st ON r.g = st.g AND r.${e} = st.e
  WHERE ${whereSql(leaf.to, columns, params, 'r.')} AND (r.t > st.s.t OR (r.t = st.s.t AND r.o >= st.s.o))
  GROUP BY st.g, st.e
)`);
    ctes.push(`${name}_rows AS (SELECT g, c.t AS t, c.o AS o, (c.t - s.t) / ${params.bind(leaf.unitMs, 'DOUBLE')} AS v FROM ${name}_cycle)`);
    ctes.push(`${name}_bad AS (SELECT NULL::VARCHAR AS bad)`);
    measured = `${name}_rows`;
    op = leaf.summary;
  } else {
    op = leaf.op;
    const accept = whereSql(leaf.where, columns, params);
    const field = leaf.op === 'count' || leaf.field === undefined ? null : columns.use(leaf.field, leaf.fieldPath);
    let value = 'NULL::DOUBLE';
    if (field !== null) value = leaf.op === 'distinct' ? field : `CASE WHEN ${isNumeric(field)} THEN TRY_CAST(${field} AS DOUBLE) END`;
    ctes.push(`${name}_rows AS (SELECT g, t, o, ${value} AS v FROM ${rows} WHERE ${accept})`);
    // bindMeasure checks every row the filter accepts, in or out of any window.
    const numeric = field !== null && leaf.op !== 'distinct';
    ctes.push(
      numeric
        ? `${name}_bad AS (
  SELECT min(CAST(${field} AS VARCHAR)) AS bad FROM ${input.all}
  WHERE ${accept} AND ${field} IS NOT NULL AND (NOT ${isNumeric(field)} OR isnan(TRY_CAST(${field} AS DOUBLE)))
)`
        : `${name}_bad AS (SELECT NULL::VARCHAR AS bad)`,
    );
    measured = `${name}_rows`;
  }
  const present = `FILTER (WHERE r.v IS NOT NULL)`;
  // `sum(… ORDER BY t, o)` feeds the values to one running double in that order, starting from 0:
  // Array.reduce's sum exactly (a plain `sum` adds per thread and differs in the last bits).
  const aggregate: Record<typeof op, string> = {
    count: 'NULL::DOUBLE',
    distinct: `count(DISTINCT r.v) FILTER (WHERE r.v IS NOT NULL AND NOT (typeof(r.v) = 'VARCHAR' AND CAST(r.v AS VARCHAR) = ''))`,
    sum: `sum(r.v ORDER BY r.t, r.o)`,
    mean: `sum(r.v ORDER BY r.t, r.o)`,
    median: `list_sort(list(r.v) ${present})`,
    min: `min(r.v)`,
    max: `max(r.v)`,
    last: `arg_max(r.v, {'t': r.t, 'o': r.o}) ${present}`,
  };
  const value: Record<typeof op, string> = {
    count: 'CAST(n AS DOUBLE)',
    distinct: 'CAST(a AS DOUBLE)',
    sum: 'coalesce(a, 0::DOUBLE)',
    mean: 'CASE WHEN c = 0 THEN NULL ELSE a / c END',
    median: `CASE WHEN len(coalesce(a, [])) = 0 THEN NULL WHEN len(a) % 2 = 1 THEN a[len(a) // 2 + 1] ELSE (a[len(a) // 2] + a[len(a) // 2 + 1]) / 2 END`,
    min: 'CAST(a AS DOUBLE)',
    max: 'CAST(a AS DOUBLE)',
    last: 'CAST(a AS DOUBLE)',
  };
  // Windows of one family never overlap, so each row falls in at most one of them. A family of
  // one window (a KPI's period) is a filter; otherwise the windows' starts and the rows are sorted
  // together per family, each row taking the latest start at or before it (a start sorts first at
  // the same time; starts ascend with wi, so the latest is the running max), then the window's end
  // is checked. One sort, where a range join compares every row with every window (and DuckDB
  // turns an ASOF join with few windows into just that).
  ctes.push(`${name}_in AS (
  SELECT f.fam, f.k, f.w1, m.g, m.t, m.o, m.v
  FROM ${measured} m JOIN (SELECT fam, min(wf) AS lo, max(wt) AS hi, count(*) AS k, min(wi) AS w1 FROM ${windows} GROUP BY fam) f ON m.t >= f.lo AND m.t < f.hi
)`);
  ctes.push(`${name}_placed AS (
  SELECT g, t, o, v, w1 AS wi FROM ${name}_in WHERE k = 1
  UNION ALL
  SELECT g, t, o, v, wi FROM (
    SELECT *, max(ws) OVER (PARTITION BY fam ORDER BY pos, kind ROWS UNBOUNDED PRECEDING) AS wi FROM (
      SELECT fam, t AS pos, 1 AS kind, NULL::INTEGER AS ws, g, t, o, v FROM ${name}_in WHERE k > 1
      UNION ALL
      SELECT fam, wf AS pos, 0 AS kind, wi AS ws, NULL, NULL, NULL, NULL FROM ${windows}
    )
  ) WHERE kind = 1
)`);
  ctes.push(`${name} AS (
  SELECT wi, g, ${value[op]} AS v, n FROM (
    SELECT w.wi, r.g, ${aggregate[op]} AS a, count(r.v) AS c, count(*) AS n
    FROM ${name}_placed r JOIN ${windows} w ON r.wi = w.wi
    WHERE r.t < w.wt
    GROUP BY w.wi, r.g
  )
)`);
  return ctes;
}

/** A leaf over a window without rows: counts and sums 0, the rest null (measure.ts `evaluate`). */
export function emptyReading(leaf: Leaf): LeafReading {
  return { value: leaf.kind === 'op' && (leaf.op === 'count' || leaf.op === 'distinct' || leaf.op === 'sum') ? 0 : null, rows: 0 };
}
