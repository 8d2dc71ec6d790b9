/**
 * The cohort view model: each cohort's counts as rates of its size (and of the period before),
 * cells cut where the period has not begun by `asOf`, incomplete periods flagged, and the mean
 * rows (weighted by cohort size, and plain) over complete cells.
 * @module
 */
import { ordinalStart, periodKey, periodOrdinal } from '../time.js';
import type { CohortCount, CohortExecution } from './execute-memory.js';
import type { CohortPlan } from './plan.js';

/** One cell: the members (or their revenue) coming back `period` periods after the cohort's. */
export interface CohortCell {
  /** Periods since the cohort's own (0 = the cohort period: its count is the cohort size). */
  period: number;
  /** Members counted (measure `entities`), or the sum of `fields.value` (measure `sum`). */
  count: number;
  /** count / period 0's count (the cohort size for entities); 0 for an empty cohort. */
  rate: number;
  /** count / the previous period's count; null for period 0 or after a zero. */
  ratePrevious: number | null;
  /** The period ends after `asOf`: the figure may still rise. */
  incomplete: boolean;
  /** Ids of the entities behind the count, for drill-down (at most `entityLimit`); absent for pre-aggregated input. */
  entityIds?: string[];
}

export interface CohortRow {
  /** The cohort period's first day in the contract's zone: `2026-03-02` (`2026-03-02T09:00` for hours). */
  cohort: string;
  /** Epoch ms of that period's start. */
  start: number;
  /** Entities in the cohort. */
  size: number;
  /** One per period that has begun by `asOf`, at most `periods`; later ones are absent, not zero. */
  cells: CohortCell[];
}

/** The mean of one period over the cohorts whose cell there is complete. */
export interface CohortMean {
  period: number;
  /** Weighted by cohort size: Σ count / Σ period-0 count. */
  rate: number | null;
  /** The plain mean of the cohorts' rates. */
  simpleRate: number | null;
  /** Σ count and Σ period-0 count over those cohorts. */
  count: number;
  base: number;
  /** How many cohorts the mean is over. */
  cohorts: number;
}

/** One breakdown value's cohorts. */
export interface CohortGroup {
  /** The start event's field value; `` when missing; `Other` for merged small groups. */
  value: string;
  cohorts: CohortRow[];
  mean: CohortMean[];
}

export interface CohortViewModel {
  type: 'recurring' | 'first-time';
  mode: 'on' | 'on-or-after' | 'by';
  period: 'hour' | 'day' | 'week' | 'month';
  periods: number;
  weekStart: 'monday' | 'sunday';
  measure: 'entities' | 'sum';
  /** Taken from `cohort.cohorts` rather than computed from events. */
  aggregated: boolean;
  /** Every cohort period from the range's first to its last, empty ones included. */
  cohorts: CohortRow[];
  mean: CohortMean[];
  /** Per breakdown value, largest total cohort size first; absent without a breakdown. */
  breakdown?: CohortGroup[];
  /** "Now" for incomplete cells: `asOf`, else the latest event (null: none). */
  asOf: number | null;
  /** Distinct entities in any cohort. */
  entities: number;
}

export function shapeCohort(plan: CohortPlan, execution: CohortExecution): CohortViewModel {
  const { asOf } = execution;
  const rows = (cohorts: CohortCount[]) => cohorts.map((c) => cohortRow(c, plan, asOf));
  const cohorts = rows(execution.cohorts);
  const view: CohortViewModel = {
    type: plan.type,
    mode: plan.mode,
    period: plan.period,
    periods: plan.periods,
    weekStart: plan.weekStart,
    measure: plan.measure,
    aggregated: plan.given !== null,
    cohorts,
    mean: means(cohorts, plan),
    asOf,
    entities: execution.entities,
  };
  if (execution.groups) {
    view.breakdown = execution.groups.map((g) => {
      const groupCohorts = rows(g.cohorts);
      return { value: g.value, cohorts: groupCohorts, mean: means(groupCohorts, plan) };
    });
  }
  return view;
}

/**
 * A cohort's cells: one per period that has begun by `asOf` (all of them for given cohorts
 * without `asOf`), flagged incomplete when the period ends after it.
 */
function cohortRow(count: CohortCount, plan: CohortPlan, asOf: number | null): CohortRow {
  const { period, timeZone, weekStart } = plan;
  const ordinal = periodOrdinal(count.start, period, timeZone, weekStart);
  const cells: CohortCell[] = [];
  const base = baseOf(count.counts[0] ?? 0, count.size, plan.measure);
  for (let k = 0; k < count.counts.length; k++) {
    const begins = ordinalStart(ordinal + k, period, timeZone, weekStart);
    if (asOf !== null && begins > asOf) break;
    const ends = ordinalStart(ordinal + k + 1, period, timeZone, weekStart);
    const value = count.counts[k];
    const previous = k > 0 ? count.counts[k - 1] : 0;
    const cell: CohortCell = {
      period: k,
      count: value,
      rate: base ? value / base : 0,
      ratePrevious: k > 0 && previous ? value / previous : null,
      incomplete: asOf !== null && ends > asOf,
    };
    if (count.ids) cell.entityIds = count.ids[k];
    cells.push(cell);
  }
  return { cohort: periodKey(count.start, period === 'hour' ? 'hour' : 'day', timeZone), start: count.start, size: count.size, cells };
}

/** What a cell's rate is of: the cohort size, or for sums period 0's sum. */
function baseOf(periodZero: number, size: number, measure: CohortPlan['measure']): number {
  return measure === 'sum' ? periodZero : size;
}

/** Per period, over the cohorts whose cell there is complete and whose period 0 is not empty. */
function means(cohorts: CohortRow[], plan: CohortPlan): CohortMean[] {
  return Array.from({ length: plan.periods }, (_, k) => {
    let count = 0;
    let base = 0;
    let rates = 0;
    let n = 0;
    for (const c of cohorts) {
      const cell = c.cells[k];
      const first = baseOf(c.cells[0]?.count ?? 0, c.size, plan.measure);
      if (!cell || cell.incomplete || !first) continue;
      count += cell.count;
      base += first;
      rates += cell.rate;
      n++;
    }
    return { period: k, rate: base ? count / base : null, simpleRate: n ? rates / n : null, count, base, cohorts: n };
  });
}
