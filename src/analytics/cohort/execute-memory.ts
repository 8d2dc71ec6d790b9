/**
 * The cohort plan run over columns in memory. Rows are regrouped by entity in time order; each
 * entity joins cohorts (every period it did the start event in, or only the first, by `type`),
 * and each of its return events marks the period it falls in, counted from each cohort it is in.
 * Periods are whole numbers on the zone's calendar, so "k periods after" is a subtraction.
 * @module
 */
import { ContractError, pointerSegment } from '../contract-error.js';
import { parseTimes, requireColumn, wherePredicate, type Columns } from '../columns.js';
import { groupKey, topGroups } from '../groups.js';
import { bindMeasure } from '../measures/measure.js';
import { MAX_PERIODS } from '../measures/series.js';
import { ordinalStart, periodOrdinal, rangeLimits } from '../time.js';
import type { CohortEventPlan, CohortPlan } from './plan.js';

/** One cohort as counted: its members and, per period, its count (or sum) and who is behind it. */
export interface CohortCount {
  start: number;
  size: number;
  /** One per period 0 … periods − 1. */
  counts: number[];
  /** Per period, at most `entityLimit` ids; absent for pre-aggregated input. */
  ids?: string[][];
}

export interface CohortExecution {
  /** Every cohort period of the range, in order, empty ones included. */
  cohorts: CohortCount[];
  groups?: Array<{ value: string; cohorts: CohortCount[] }>;
  /** The plan's `asOf`, else the latest event (null: no events). */
  asOf: number | null;
  /** Distinct entities in any cohort. */
  entities: number;
}

export function executeCohort(plan: CohortPlan, columns: Columns): CohortExecution {
  if (plan.given) {
    const list = (given: NonNullable<CohortPlan['given']>) => given.map((c) => ({ start: c.start, size: c.size, counts: c.values.slice(0, plan.periods) }));
    const cohorts = list(plan.given);
    const execution: CohortExecution = { cohorts, asOf: plan.asOf, entities: plan.givenEntities ?? cohorts.reduce((n, c) => n + c.size, 0) };
    if (plan.givenGroups) execution.groups = plan.givenGroups.map((g) => ({ value: g.value, cohorts: list(g.cohorts) }));
    return execution;
  }
  return countEvents(plan, columns);
}

/** Counts per cohort ordinal, for one group of entities. */
type Tallies = Map<number, CohortCount & { ids: string[][] }>;

function countEvents(plan: CohortPlan, columns: Columns): CohortExecution {
  const { fields, periods, period, timeZone, weekStart } = plan;
  requireColumn(columns, fields.entity, '/fields/entity');
  requireColumn(columns, fields.time, '/fields/time');
  if (fields.event !== null) requireColumn(columns, fields.event, '/fields/event');
  if (plan.breakdown) requireColumn(columns, plan.breakdown.field, '/cohort/breakdown/field');
  const isStart = eventTest(columns, fields.event, plan.start, '/cohort/start/where');
  const isReturn = eventTest(columns, fields.event, plan.return, '/cohort/return/where');
  // Sums read numbers on return events only; the measure checks them and names a bad cell's row.
  const values = fields.value !== null ? columns.get(fields.value) : null;
  if (fields.value !== null) {
    const where = { ...plan.return.where, ...(fields.event !== null && plan.return.event !== null ? { [fields.event]: plan.return.event } : {}) };
    bindMeasure({ op: 'sum', field: fields.value, where, paths: { field: '/fields/value', where: '/cohort/return/where' } }, columns);
  }
  const ordinal = (ms: number) => periodOrdinal(ms, period, timeZone, weekStart);
  const events = entityEvents(columns, plan, isStart, isReturn, ordinal);
  const asOf = plan.asOf ?? (events.latest > -Infinity ? events.latest : null);
  const { from, to } = rangeLimits(plan.range);
  const lo = Number.isFinite(from) ? ordinal(from) : -Infinity;
  const hi = Number.isFinite(to) ? ordinal(to - 1) : Infinity;

  const groupValues = plan.breakdown ? columns.get(plan.breakdown.field) : null;
  const overall: Tallies = new Map();
  const byGroup = new Map<string, Tallies>();
  let entities = 0;
  let first = Infinity;
  let last = -Infinity;
  const { rows, ordinals, flags, offsets } = events;
  for (let e = 0; e + 1 < offsets.length; e++) {
    const a = offsets[e];
    const b = offsets[e + 1];
    const memberships = joinCohorts(events, a, b, plan.type, lo, hi);
    if (!memberships.length) continue;
    entities++;
    const id = String(events.ids[e]);
    // Per membership and period: whether the entity came back, and what it brought.
    const active = memberships.map(() => new Uint8Array(periods));
    const sums = values ? memberships.map(() => new Float64Array(periods)) : null;
    let window = 0;
    for (let j = a; j < b; j++) {
      if (!(flags[j] & RETURN)) continue;
      const r = ordinals[j];
      while (window < memberships.length && memberships[window].cohort <= r - periods) window++;
      for (let m = window; m < memberships.length && memberships[m].cohort <= r; m++) {
        const k = r - memberships[m].cohort;
        active[m][k] = 1;
        if (sums) sums[m][k] += (values![rows[j]] as number | null) ?? 0;
      }
    }
    memberships.forEach((membership, m) => {
      const cell = cellValues(plan, active[m], sums?.[m] ?? null);
      const key = groupValues ? groupKey(groupValues[membership.row]) : null;
      for (const tallies of key === null ? [overall] : [overall, tallyOf(byGroup, key)]) {
        add(tallies, membership.cohort, cell, id, plan);
      }
      if (membership.cohort < first) first = membership.cohort;
      if (membership.cohort > last) last = membership.cohort;
    });
  }
  // Cohorts run over the range; an open end stops at the first cohort, or at "now".
  const start = Number.isFinite(lo) ? lo : first;
  const end = Number.isFinite(hi) ? hi : asOf !== null ? Math.max(last, ordinal(asOf)) : last;
  if (end - start + 1 > MAX_PERIODS) throw new ContractError('/cohort/range', `spans more than 10,000 ${period}s of cohorts; set a range or a longer period`);
  const list = (tallies: Tallies) => cohortList(tallies, start, end, plan);
  const execution: CohortExecution = { cohorts: list(overall), asOf, entities };
  if (plan.breakdown) {
    const size = (tallies: Tallies) => [...tallies.values()].reduce((n, c) => n + c.size, 0);
    execution.groups = topGroups(byGroup, size, plan.breakdown.limit, (into, from) => mergeTallies(into ?? new Map(), from, plan.entityLimit)).map(
      ([value, tallies]) => ({ value, cohorts: list(tallies) }),
    );
  }
  return execution;
}

/** A row test for a cohort event: its name (any, when null) and its where clause. */
function eventTest(columns: Columns, eventField: string | null, spec: CohortEventPlan, wherePath: string): (row: number) => boolean {
  for (const column of Object.keys(spec.where ?? {})) requireColumn(columns, column, `${wherePath}/${pointerSegment(column)}`);
  const where = wherePredicate(columns, spec.where);
  const names = eventField !== null && spec.event !== null ? columns.get(eventField) : null;
  return (row) => (names === null || names[row] === spec.event) && (where === null || where(row));
}

const START = 1;
const RETURN = 2;

/** The start and return events, regrouped by entity and in time order within each. */
interface EntityEvents {
  /** Per event: its row, its period ordinal and whether it starts (1) and/or returns (2). */
  rows: Int32Array;
  ordinals: Float64Array;
  flags: Uint8Array;
  /** Entity e's events are [offsets[e], offsets[e + 1]). */
  offsets: Int32Array;
  ids: unknown[];
  /** The latest time of any row (not only these), -Infinity for none. */
  latest: number;
}

/**
 * One pass over the rows: every time is parsed (a bad one is named), and the rows that start or
 * return are kept with their entity; then they are regrouped by entity, each entity's events
 * sorted by time only when they are not in order already, and given their period.
 */
function entityEvents(columns: Columns, plan: CohortPlan, isStart: (row: number) => boolean, isReturn: (row: number) => boolean, ordinal: (ms: number) => number): EntityEvents {
  const times = parseTimes(columns, plan.fields.time, plan.timeZone);
  const entity = columns.get(plan.fields.entity);
  const index = new Map<unknown, number>();
  const ids: unknown[] = [];
  const kept: number[] = [];
  const keptEntity: number[] = [];
  const keptFlags: number[] = [];
  const sizes: number[] = [];
  let latest = -Infinity;
  for (let i = 0; i < times.length; i++) {
    if (times[i] > latest) latest = times[i];
    const flag = (isStart(i) ? START : 0) | (isReturn(i) ? RETURN : 0);
    if (!flag) continue;
    const id = entity[i];
    if (id === null || id === undefined || id === '') continue;
    let e = index.get(id);
    if (e === undefined) {
      index.set(id, (e = ids.length));
      ids.push(id);
      sizes.push(0);
    }
    kept.push(i);
    keptEntity.push(e);
    keptFlags.push(flag);
    sizes[e]++;
  }
  const offsets = new Int32Array(ids.length + 1);
  for (let e = 0; e < ids.length; e++) offsets[e + 1] = offsets[e] + sizes[e];
  const cursor = offsets.slice(0, ids.length);
  const rows = new Int32Array(kept.length);
  const flags = new Uint8Array(kept.length);
  for (let k = 0; k < kept.length; k++) {
    const at = cursor[keptEntity[k]]++;
    rows[at] = kept[k];
    flags[at] = keptFlags[k];
  }
  for (let e = 0; e < ids.length; e++) sortByTime(rows, flags, times, offsets[e], offsets[e + 1]);
  const ordinals = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) ordinals[j] = ordinal(times[rows[j]]);
  return { rows, ordinals, flags, offsets, ids, latest };
}

/** Sorts one entity's slice by time (ties keep row order), if it is not in order already. */
function sortByTime(rows: Int32Array, flags: Uint8Array, times: Float64Array, a: number, b: number): void {
  let sorted = true;
  for (let j = a + 1; j < b && sorted; j++) sorted = times[rows[j - 1]] <= times[rows[j]];
  if (sorted) return;
  const pairs = Array.from({ length: b - a }, (_, k) => [rows[a + k], flags[a + k]] as const).sort((x, y) => times[x[0]] - times[y[0]] || x[0] - y[0]);
  pairs.forEach(([row, flag], k) => {
    rows[a + k] = row;
    flags[a + k] = flag;
  });
}

/**
 * The cohorts an entity is in, in order, each with the start row that put it there (its
 * breakdown value): every period with a start event (`recurring`), or the period of the first
 * one in all the data (`first-time`), kept when inside [lo, hi].
 */
function joinCohorts(events: EntityEvents, a: number, b: number, type: CohortPlan['type'], lo: number, hi: number): Array<{ cohort: number; row: number }> {
  const joined: Array<{ cohort: number; row: number }> = [];
  for (let j = a; j < b; j++) {
    if (!(events.flags[j] & START)) continue;
    const cohort = events.ordinals[j];
    const inRange = cohort >= lo && cohort <= hi;
    if (type === 'first-time') return inRange ? [{ cohort, row: events.rows[j] }] : [];
    if (inRange && joined[joined.length - 1]?.cohort !== cohort) joined.push({ cohort, row: events.rows[j] });
  }
  return joined;
}

/**
 * One membership's value per period under the mode: period 0 is the member itself (or what it
 * brought in its cohort period); `on` that period, `on-or-after` that one or any later, `by` any
 * from 1 to it. Entities count 1 or 0; sums add up the periods the mode takes.
 */
function cellValues(plan: CohortPlan, active: Uint8Array, sums: Float64Array | null): Float64Array {
  const n = plan.periods;
  const out = new Float64Array(n);
  const value = (k: number) => (sums ? sums[k] : active[k]);
  // Entities come back or not (1 or 0); sums add up.
  const combine = (a: number, b: number) => (sums ? a + b : Math.max(a, b));
  out[0] = sums ? sums[0] : 1;
  if (plan.mode === 'on') for (let k = 1; k < n; k++) out[k] = value(k);
  else if (plan.mode === 'by') for (let k = 1; k < n; k++) out[k] = combine(k > 1 ? out[k - 1] : 0, value(k));
  else for (let k = n - 1; k >= 1; k--) out[k] = combine(k < n - 1 ? out[k + 1] : 0, value(k));
  return out;
}

function tallyOf(byGroup: Map<string, Tallies>, key: string): Tallies {
  let tallies = byGroup.get(key);
  if (!tallies) byGroup.set(key, (tallies = new Map()));
  return tallies;
}

function emptyCount(start: number, periods: number): CohortCount & { ids: string[][] } {
  return { start, size: 0, counts: new Array(periods).fill(0), ids: Array.from({ length: periods }, () => []) };
}

function add(tallies: Tallies, cohort: number, cell: Float64Array, id: string, plan: CohortPlan): void {
  let count = tallies.get(cohort);
  if (!count) tallies.set(cohort, (count = emptyCount(ordinalStart(cohort, plan.period, plan.timeZone, plan.weekStart), plan.periods)));
  count.size++;
  for (let k = 0; k < cell.length; k++) {
    if (k > 0 && !cell[k]) continue;
    count.counts[k] += cell[k];
    if (count.ids[k].length < plan.entityLimit) count.ids[k].push(id);
  }
}

function mergeTallies(into: Tallies, from: Tallies, entityLimit: number): Tallies {
  for (const [cohort, count] of from) {
    const target = into.get(cohort);
    if (!target) {
      into.set(cohort, { ...count, counts: [...count.counts], ids: count.ids.map((ids) => [...ids]) });
      continue;
    }
    target.size += count.size;
    count.counts.forEach((c, k) => {
      target.counts[k] += c;
      for (const id of count.ids[k]) if (target.ids[k].length < entityLimit) target.ids[k].push(id);
    });
  }
  return into;
}

/** Every cohort from `start` to `end` (ordinals), empty ones included. */
function cohortList(tallies: Tallies, start: number, end: number, plan: CohortPlan): CohortCount[] {
  const list: CohortCount[] = [];
  for (let c = start; c <= end; c++) list.push(tallies.get(c) ?? emptyCount(ordinalStart(c, plan.period, plan.timeZone, plan.weekStart), plan.periods));
  return list;
}

