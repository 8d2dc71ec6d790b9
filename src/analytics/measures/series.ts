/**
 * A measure per calendar period: the shared core of `<kpi-card>` sparklines and `<anomaly-chart>`
 * series. Every period in the span is listed, empty ones with the op's empty value, so gaps show
 * as gaps and drops to zero are not hidden.
 * @module
 */
import { ContractError } from '../contract-error.js';
import { addPeriods, periodKey, periodStart, type Period } from '../time.js';
import { emptyValue, type BoundMeasure } from './measure.js';

export interface SeriesPoint {
  /** Period label in the contract's zone: `2026-03-01`, `2026-03`. */
  period: string;
  /** Period start, epoch ms. */
  start: number;
  /** The measure's value; null where a mean or last value has no rows. */
  value: number | null;
  /** Rows measured in the period. */
  rows: number;
}

/** Most periods a series may span: beyond it the interval is too fine for the range. */
export const MAX_PERIODS = 10_000;

/**
 * The measure per period over [from, to). `rows` are the measured rows in time order; `times`
 * holds every row's time. A range that starts mid-period shows the whole period it starts in.
 * `intervalPath` names the contract's interval when the span has too many periods.
 */
export function measureSeries(
  measure: BoundMeasure,
  rows: ArrayLike<number>,
  times: Float64Array,
  span: { period: Period; timeZone: string; from: number; to: number; intervalPath: string },
): SeriesPoint[] {
  const { period, timeZone, from, to } = span;
  const starts: number[] = [];
  for (let s = periodStart(from, period, timeZone); s < to; s = addPeriods(s, period, 1, timeZone)) {
    starts.push(s);
    if (starts.length > MAX_PERIODS) throw new ContractError(span.intervalPath, `spans more than 10,000 ${period}s; choose a longer interval`);
  }
  const byPeriod = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const start = periodStart(times[rows[i]], period, timeZone);
    const members = byPeriod.get(start);
    if (members) members.push(rows[i]);
    else byPeriod.set(start, [rows[i]]);
  }
  const empty = emptyValue(measure.measure.op);
  return starts.map((start) => {
    const members = byPeriod.get(start);
    return { period: periodKey(start, period, timeZone), start, value: members ? measure.value(members) : empty, rows: members?.length ?? 0 };
  });
}
