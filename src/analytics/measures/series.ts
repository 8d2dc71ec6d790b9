/**
 * A measure per calendar period: the shared core of `<kpi-card>` sparklines and `<anomaly-chart>`
 * series. Every period in the span is listed, empty ones with the measure's empty value (0 for
 * counts and sums, null where there is nothing to average or divide by), so gaps show as gaps and
 * drops to zero are not hidden.
 * @module
 */
import { ContractError } from '../contract-error.js';
import { addPeriods, periodKey, periodStart, type Period } from '../time.js';
import type { Reader } from './reader.js';

export interface SeriesPoint {
  /** Period label in the contract's zone: `2026-03-01`, `2026-03`, `2026-03-01T09:00`. */
  period: string;
  /** Period start, epoch ms. */
  start: number;
  /** The measure's value; null where a mean, median or ratio has nothing to read. */
  value: number | null;
  /** Rows (or, for a ratio, denominator rows) measured in the period. */
  rows: number;
}

/** Most periods a series may span: beyond it the grain is too fine for the range. */
export const MAX_PERIODS = 10_000;

/**
 * The period starts from the one holding `from` up to `to` (exclusive). `path` names the
 * contract's grain when the span has too many periods.
 */
export function periodStarts(span: { period: Period; timeZone: string; from: number; to: number }, path: string): number[] {
  const { period, timeZone, to } = span;
  const starts: number[] = [];
  for (let s = periodStart(span.from, period, timeZone); s < to; s = addPeriods(s, period, 1, timeZone)) {
    starts.push(s);
    if (starts.length > MAX_PERIODS) throw new ContractError(path, `spans more than 10,000 ${period}s; choose a longer one or a shorter range`);
  }
  return starts;
}

/**
 * The measure per period over [from, to), each period read as a window clipped to the span: a
 * range that starts mid-period shows the part of that period inside it.
 */
export function readSeries(read: Reader, span: { period: Period; timeZone: string; from: number; to: number }, path: string): SeriesPoint[] {
  const { period, timeZone, from, to } = span;
  return periodStarts(span, path).map((start) => {
    const next = addPeriods(start, period, 1, timeZone);
    const reading = read(Math.max(start, from), Math.min(next, to));
    return { period: periodKey(start, period, timeZone), start, value: reading.value, rows: reading.rows };
  });
}
