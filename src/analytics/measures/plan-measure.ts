/**
 * Measure specs from a contract (a KPI's `measure`, an anomaly series' `measure`) resolved into
 * plain plans: filters become where clauses on the event field, omitted fields the mapped ones.
 * @module
 */
import type { FieldMap, MeasureFilter, MeasureSpec } from '../contract.js';
import { ContractError } from '../contract-error.js';
import { fieldOf, type RangeWhere } from '../columns.js';
import type { MeasureOp } from './measure.js';

const DAY_MS = 86_400_000;

/** A measure with its filter resolved to a where clause on the event field. */
export type PlannedMeasure =
  | { op: MeasureOp; field?: string; where: RangeWhere; path: string; fieldPath: string }
  | { op: 'ratio'; numerator: PlannedMeasure; denominator: PlannedMeasure }
  | { op: 'duration'; entity: string; from: RangeWhere; to: RangeWhere; summary: 'median' | 'mean'; unitMs: number; path: string };

export function planMeasure(fields: FieldMap, m: MeasureSpec, path: string): PlannedMeasure {
  if (m.op === 'ratio') {
    if (!m.numerator) throw new ContractError(`${path}/numerator`, 'is required for a ratio');
    if (!m.denominator) throw new ContractError(`${path}/denominator`, 'is required for a ratio');
    return { op: 'ratio', numerator: planMeasure(fields, m.numerator, `${path}/numerator`), denominator: planMeasure(fields, m.denominator, `${path}/denominator`) };
  }
  if (m.op === 'duration') {
    if (!m.from) throw new ContractError(`${path}/from`, 'is required for a duration');
    if (!m.to) throw new ContractError(`${path}/to`, 'is required for a duration');
    return {
      op: 'duration',
      entity: fieldOf(fields, 'entity'),
      from: filterWhere(fields, m.from),
      to: filterWhere(fields, m.to),
      summary: m.summary ?? 'median',
      unitMs: m.unit === 'hours' ? DAY_MS / 24 : DAY_MS,
      path,
    };
  }
  const role = m.op === 'distinct' ? 'entity' : 'value';
  const named = 'field' in m && m.field ? m.field : undefined;
  const field = m.op === 'count' ? undefined : (named ?? fieldOf(fields, role));
  const fieldPath = named ? `${path}/field` : `/fields/${role}`;
  return { op: m.op, ...(field !== undefined ? { field } : {}), where: 'filter' in m && m.filter ? filterWhere(fields, m.filter) : {}, path, fieldPath };
}

/** Whether any filter of a measure names events. */
export function measureNamesEvents(m: MeasureSpec): boolean {
  if (m.op === 'ratio') return measureNamesEvents(m.numerator) || measureNamesEvents(m.denominator);
  if (m.op === 'duration') return m.from?.event !== undefined || m.to?.event !== undefined;
  return m.filter?.event !== undefined;
}

/** A filter as a where clause: its event names become a condition on the event field. */
function filterWhere(fields: FieldMap, filter: MeasureFilter): RangeWhere {
  // fromEntries defines every key as data, so a column called `__proto__` stays a column.
  const entries = Object.entries(filter.where ?? {});
  if (filter.event !== undefined) entries.push([fieldOf(fields, 'event'), filter.event]);
  return Object.fromEntries(entries);
}
