/**
 * The cohort view model: each cohort's active counts as rates, cells cut where the offset has
 * not begun by the latest event, incomplete periods flagged, and the size-weighted average row.
 * @module
 */
import { addPeriods, periodKey, type Period } from '../time.js';
import type { CohortExecution } from './execute-memory.js';
import type { CohortPlan } from './plan.js';

export interface CohortCell {
  /** Periods since the cohort's start period (0 = the start period). */
  offset: number;
  /** Entities active at this offset (or at this offset or later, in `unbounded` mode). */
  count: number;
  /** count / cohort size. */
  rate: number;
  /** The period has not ended yet at the latest event: the figure may still rise. */
  incomplete: boolean;
}

export interface CohortRow {
  /** Label of the cohort's start period: `2026-03-02` (week of), `2026-03` (month). */
  cohort: string;
  start: number;
  size: number;
  /** One cell per offset that has begun by the latest event; later offsets are absent. */
  cells: CohortCell[];
}

export interface CohortViewModel {
  period: Period;
  periods: number;
  mode: 'retention' | 'unbounded';
  cohorts: CohortRow[];
  /** Per offset: active entities over entities of the cohorts that reached that offset. */
  average: Array<{ offset: number; rate: number; count: number; size: number }>;
  entities: number;
}

export function shapeCohort(plan: CohortPlan, execution: CohortExecution): CohortViewModel {
  const { period, periods, timeZone } = plan;
  const latest = execution.latest ?? 0;
  const cohorts = execution.cohorts.map(({ start, size, active }): CohortRow => {
    const cells: CohortCell[] = [];
    for (let k = 0; k < periods; k++) {
      const begins = addPeriods(start, period, k, timeZone);
      if (begins > latest) break;
      const ends = addPeriods(start, period, k + 1, timeZone);
      cells.push({ offset: k, count: active[k], rate: active[k] / size, incomplete: ends > latest + 1 });
    }
    return { cohort: periodKey(start, period, timeZone), start, size, cells };
  });
  const average = Array.from({ length: periods }, (_, k) => {
    let count = 0;
    let size = 0;
    for (const c of cohorts) {
      const cell = c.cells[k];
      if (cell) [count, size] = [count + cell.count, size + c.size];
    }
    return { offset: k, count, size, rate: size ? count / size : 0 };
  }).filter((a) => a.size > 0);
  return { period, periods, mode: plan.mode, cohorts, average, entities: execution.entities };
}
