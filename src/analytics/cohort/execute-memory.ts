/**
 * The cohort plan run over columns in memory: each entity joins the cohort of its first start
 * event's period, and is active at each later offset where it did a return event.
 * @module
 */
import { parseTimes, requireColumn, rowsInRange, type Columns } from '../columns.js';
import { periodKey, periodStart, rangeLimits, type Period } from '../time.js';
import type { CohortPlan } from './plan.js';

/** One cohort as counted: its size and, per offset, the entities active there. */
export interface CohortCount {
  start: number;
  size: number;
  /** One per offset 0 … periods − 1. */
  active: number[];
}

export interface CohortExecution {
  cohorts: CohortCount[];
  /** Time of the latest event in range (null: none): later offsets have not begun. */
  latest: number | null;
  entities: number;
}

export function executeCohort(plan: CohortPlan, columns: Columns): CohortExecution {
  const { fields, period, periods, mode, timeZone } = plan;
  requireColumn(columns, fields.entity, '/fields/entity');
  requireColumn(columns, fields.time, '/fields/time');
  if (fields.event !== null) requireColumn(columns, fields.event, '/fields/event');
  const times = parseTimes(columns, fields.time, timeZone);
  const { from, to } = rangeLimits(plan.range);
  const rows = rowsInRange(times, from, to);
  const entities = columns.get(fields.entity);
  const events = fields.event !== null ? columns.get(fields.event) : [];

  // Rows are in time order, so an entity's first start event is the first one seen.
  const startOf = new Map<unknown, number>();
  const activeAt = new Map<unknown, Set<number>>();
  for (const i of rows) {
    const id = entities[i];
    if (id === null || id === undefined || id === '') continue;
    let start = startOf.get(id);
    if (start === undefined) {
      if (plan.startEvent !== null && events[i] !== plan.startEvent) continue;
      start = periodStart(times[i], period, timeZone);
      startOf.set(id, start);
      activeAt.set(id, new Set([0]));
      continue;
    }
    if (plan.returnEvent !== null && events[i] !== plan.returnEvent) continue;
    const offset = periodsBetween(start, periodStart(times[i], period, timeZone), period, timeZone);
    // Unbounded counts "active in period N or later": a return past the last column shown
    // still counts in every column, so it is kept as the last one.
    if (offset >= 1 && offset < periods) activeAt.get(id)!.add(offset);
    else if (offset >= periods && mode === 'unbounded') activeAt.get(id)!.add(periods - 1);
  }

  const byCohort = new Map<number, unknown[]>();
  for (const [id, start] of startOf) {
    const members = byCohort.get(start);
    if (members) members.push(id);
    else byCohort.set(start, [id]);
  }
  const cohorts = [...byCohort.keys()]
    .sort((a, b) => a - b)
    .map((start): CohortCount => {
      const members = byCohort.get(start)!;
      const active = new Array<number>(periods).fill(0);
      for (const id of members) {
        const offsets = activeAt.get(id)!;
        if (mode === 'retention') for (const k of offsets) active[k]++;
        else for (let k = Math.max(...offsets); k >= 0; k--) active[k]++;
      }
      return { start, size: members.length, active };
    });
  return { cohorts, latest: rows.length ? times[rows[rows.length - 1]] : null, entities: startOf.size };
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

