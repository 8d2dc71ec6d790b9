/**
 * Measures as data: `{ op, field, where }` says what to compute over a set of rows, with no code
 * in it, so the same measure can be run in memory here or compiled for a database later. This is
 * the one place that knows which columns each op reads and what their cells must hold.
 * @module
 */
import { ContractError, pointerSegment } from '../contract-error.js';
import { requireColumn, showCell, wherePredicate, type Columns, type RangeWhere } from '../columns.js';
import { mean, median } from './stats.js';

export type MeasureOp = 'count' | 'distinct' | 'sum' | 'mean' | 'median' | 'min' | 'max' | 'last';

export interface Measure {
  op: MeasureOp;
  /** The column the op reads (not for `count`). */
  field?: string;
  /** Only rows whose columns equal these values (or any of a list, or lie in a range) are measured. */
  where?: RangeWhere;
  /** Where the field and the where clause come from in the contract, for error messages. */
  paths: { field: string; where: string };
}

/** Ops that read numbers: every measured cell of their field must be a number or empty. */
const NUMERIC: ReadonlySet<MeasureOp> = new Set(['sum', 'mean', 'median', 'min', 'max', 'last']);

/** A measure checked against the data: which rows it takes and its value over a set of rows. */
export interface BoundMeasure {
  readonly measure: Measure;
  /** Whether a row passes the measure's `where`. */
  accepts(row: number): boolean;
  /** The value over rows (indices in time order, already accepted): over none, 0 for counts and sums, null for the rest. */
  value(rows: ArrayLike<number>): number | null;
}

/** The columns a measure reads. */
export function measureColumns(m: Measure): string[] {
  return [...(m.op === 'count' || !m.field ? [] : [m.field]), ...Object.keys(m.where ?? {})];
}

/**
 * Checks that the measure's columns exist and that its cells hold what the op needs (numbers for
 * sums, means, medians, extremes and last values), naming the first bad cell by its own row.
 */
export function bindMeasure(m: Measure, columns: Columns): BoundMeasure {
  if (m.op !== 'count') {
    if (!m.field) throw new ContractError(m.paths.field, `is required: name the column that ${m.op} reads`);
    requireColumn(columns, m.field, m.paths.field);
  }
  for (const column of Object.keys(m.where ?? {})) requireColumn(columns, column, `${m.paths.where}/${pointerSegment(column)}`);
  const test = wherePredicate(columns, m.where);
  const accepts = test ?? (() => true);
  const values = m.op === 'count' ? [] : columns.get(m.field!);
  if (NUMERIC.has(m.op)) {
    for (let i = 0; i < columns.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined && (typeof v !== 'number' || Number.isNaN(v)) && accepts(i)) {
        throw columns.cellError(m.field!, i, `expected a number, got ${showCell(v)}`);
      }
    }
  }
  return { measure: m, accepts, value: (rows) => evaluate(m.op, values, rows) };
}

function evaluate(op: MeasureOp, values: ArrayLike<unknown>, rows: ArrayLike<number>): number | null {
  if (op === 'count') return rows.length;
  if (op === 'distinct') {
    const seen = new Set<unknown>();
    for (let i = 0; i < rows.length; i++) {
      const v = values[rows[i]];
      if (v !== null && v !== undefined && v !== '') seen.add(v);
    }
    return seen.size;
  }
  // Empty cells are skipped, as SQL aggregates skip NULL.
  const present: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (typeof v === 'number') present.push(v);
  }
  switch (op) {
    case 'sum':
      return present.reduce((a, b) => a + b, 0);
    case 'mean':
      return mean(present);
    case 'median':
      return median(present);
    case 'min':
      return present.length ? present.reduce((a, b) => Math.min(a, b)) : null;
    case 'max':
      return present.length ? present.reduce((a, b) => Math.max(a, b)) : null;
    case 'last':
      return present.length ? present[present.length - 1] : null;
  }
}
