/**
 * `<cohort-chart>` analytics: entities grouped by the period of their first start event, and
 * the share active (did a return event) in each later period: retention, or repurchase when the
 * events are orders.
 * @module
 */
import type { CohortContract, InlineContract } from './contract.js';
import { contractTable, requireFields, TIME, withTime } from './data.js';
import { addPeriods, periodKey, periodStart, type Period } from './time.js';

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

export function computeCohort(contract: InlineContract<CohortContract>): CohortViewModel {
  const spec = contract.cohort;
  const period = spec.period ?? 'week';
  const periods = spec.periods ?? 8;
  const mode = spec.mode ?? 'retention';
  const timeZone = contract.timeZone ?? 'UTC';
  const t = contractTable(contract);
  const needsEvent = spec.startEvent !== undefined || spec.returnEvent !== undefined;
  const roles = requireFields(t, contract.fields, needsEvent ? ['entity', 'time', 'event'] : ['entity', 'time']);
  const timed = withTime(contract, t, roles.time, spec.range, '/cohort/range');
  const n = timed.numRows();
  const entities = n ? (timed.array(roles.entity) as ArrayLike<unknown>) : [];
  const events = n && needsEvent ? (timed.array(roles.event!) as ArrayLike<unknown>) : [];
  const times = n ? (timed.array(TIME) as Float64Array) : new Float64Array();

  // Rows are in time order, so an entity's first start event is the first one seen.
  const startOf = new Map<unknown, number>();
  const activeAt = new Map<unknown, Set<number>>();
  for (let i = 0; i < n; i++) {
    const id = entities[i];
    if (id === null || id === undefined || id === '') continue;
    let start = startOf.get(id);
    if (start === undefined) {
      if (spec.startEvent !== undefined && events[i] !== spec.startEvent) continue;
      start = periodStart(times[i], period, timeZone);
      startOf.set(id, start);
      activeAt.set(id, new Set([0]));
      continue;
    }
    if (spec.returnEvent !== undefined && events[i] !== spec.returnEvent) continue;
    const offset = periodsBetween(start, periodStart(times[i], period, timeZone), period, timeZone);
    // Unbounded counts "active in period N or later": a return past the last column shown
    // still counts in every column, so it is kept as the last one.
    if (offset >= 1 && offset < periods) activeAt.get(id)!.add(offset);
    else if (offset >= periods && mode === 'unbounded') activeAt.get(id)!.add(periods - 1);
  }

  const latest = n ? times[n - 1] : 0;
  const byCohort = new Map<number, unknown[]>();
  for (const [id, start] of startOf) {
    const members = byCohort.get(start);
    if (members) members.push(id);
    else byCohort.set(start, [id]);
  }
  const cohorts: CohortRow[] = [...byCohort.keys()]
    .sort((a, b) => a - b)
    .map((start) => {
      const members = byCohort.get(start)!;
      const counts = new Array<number>(periods).fill(0);
      for (const id of members) {
        const offsets = activeAt.get(id)!;
        if (mode === 'retention') for (const k of offsets) counts[k]++;
        else for (let k = Math.max(...offsets); k >= 0; k--) counts[k]++;
      }
      const cells: CohortCell[] = [];
      for (let k = 0; k < periods; k++) {
        const begins = addPeriods(start, period, k, timeZone);
        if (begins > latest) break;
        const ends = addPeriods(start, period, k + 1, timeZone);
        cells.push({ offset: k, count: counts[k], rate: counts[k] / members.length, incomplete: ends > latest + 1 });
      }
      return { cohort: periodKey(start, period, timeZone), start, size: members.length, cells };
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

  return { period, periods, mode, cohorts, average, entities: startOf.size };
}

/** Whole periods from one period start to another, counted on the zone's calendar. */
function periodsBetween(from: number, to: number, period: Period, timeZone: string): number {
  if (period === 'month') {
    const a = periodKey(from, 'month', timeZone);
    const b = periodKey(to, 'month', timeZone);
    return (+b.slice(0, 4) - +a.slice(0, 4)) * 12 + (+b.slice(5, 7) - +a.slice(5, 7));
  }
  // Day and week starts are whole local days apart; rounding absorbs a DST hour.
  const days = Math.round((to - from) / 86_400_000);
  return period === 'week' ? Math.round(days / 7) : period === 'day' ? days : Math.round((to - from) / 3_600_000);
}
