/**
 * Reference cohort matrix for the benchmark: first-time weekly retention, mode `on`, in UTC with
 * weeks starting on Monday (PostHog's retention semantics), as two plain passes over the same JS
 * column arrays the contract gets, with typed arrays and no table library or FunnelKit code. Its
 * time is a floor for what `computeCohorts` could cost on this data.
 *
 * Semantics: an entity's cohort is the week of the first start event it ever did, in all the
 * data; it is in no cohort if that week is outside [week of `from`, week of `to`]. Cohorts are
 * every week from `from`'s to `to`'s, empty ones included. Cell 0 is the cohort size; cell k
 * (1 ≤ k < periods) counts the members with at least one return event in the week exactly k weeks
 * after the cohort's (once per member however many). Return events before the cohort week, in it
 * or `periods` or more weeks after it are not counted. Row order does not matter.
 * @module
 */
import { EntityInts, withRoom } from './entities.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** 1 January 1970 was a Thursday: the Monday before it is 3 days earlier. */
const MONDAY_SHIFT = 3 * DAY;

/** Monday-start UTC week of an epoch-ms time, counted from the week of 1 January 1970. */
export const weekIndex = (ms: number): number => Math.floor((ms + MONDAY_SHIFT) / WEEK);
/** Epoch ms of a week's Monday 00:00 UTC. */
export const weekStart = (week: number): number => week * WEEK - MONDAY_SHIFT;

export interface CohortReferenceInput {
  entity: ArrayLike<unknown>;
  event: ArrayLike<unknown>;
  /** Epoch ms. */
  time: ArrayLike<number>;
}

export interface CohortReferenceSpec {
  start: string;
  return: string;
  /** Cells per cohort, period 0 included; at most 32 (one bit each). */
  periods: number;
  /** Epoch ms: cohorts from the week holding `from` to the week holding `to`. */
  from: number;
  to: number;
}

export interface CohortReferenceRow {
  /** Epoch ms of the cohort week's Monday. */
  start: number;
  size: number;
  /** `periods` counts; counts[0] = size. */
  counts: number[];
}

export interface CohortReferenceResult {
  cohorts: CohortReferenceRow[];
  /** Entities in any cohort. */
  members: number;
}

export function referenceCohorts(input: CohortReferenceInput, spec: CohortReferenceSpec): CohortReferenceResult {
  const { entity, event, time } = input;
  const { periods } = spec;
  if (!(periods >= 1 && periods <= 32)) throw new RangeError(`periods must be 1..32, got ${periods}`);
  const n = entity.length;
  // Bit 1: start event; bit 2: return event (both when they are the same event).
  const roleOf = new Map<unknown, number>([[spec.start, 1]]);
  roleOf.set(spec.return, (roleOf.get(spec.return) ?? 0) | 2);

  // Pass 1: entity ints for start and return rows, each entity's first start time, return rows.
  const ids = new EntityInts();
  const ent = new Int32Array(n);
  const returns = new Int32Array(n);
  let returnCount = 0;
  let first = new Float64Array(1024).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const role = roleOf.get(event[i]);
    if (role === undefined) continue;
    const e = ids.of(entity[i]);
    if (e < 0) continue;
    first = withRoom(first, e, Infinity);
    ent[i] = e;
    if (role & 1 && time[i] < first[e]) first[e] = time[i];
    if (role & 2) returns[returnCount++] = i;
  }
  const entities = ids.count;

  // Each entity's cohort (-1: none) and cohort week.
  const lo = weekIndex(spec.from);
  const cohortCount = Math.max(0, weekIndex(spec.to) - lo + 1);
  const cohortOf = new Int32Array(entities);
  for (let e = 0; e < entities; e++) {
    const c = first[e] === Infinity ? -1 : weekIndex(first[e]) - lo;
    cohortOf[e] = c >= 0 && c < cohortCount ? c : -1;
  }

  // Pass 2 over the return rows: one bit per (member, period).
  const mask = new Uint32Array(entities);
  for (let j = 0; j < returnCount; j++) {
    const i = returns[j];
    const e = ent[i];
    const c = cohortOf[e];
    if (c < 0) continue;
    const k = weekIndex(time[i]) - lo - c;
    if (k >= 1 && k < periods) mask[e] |= 1 << k;
  }

  const counts = new Int32Array(cohortCount * periods);
  let members = 0;
  for (let e = 0; e < entities; e++) {
    const c = cohortOf[e];
    if (c < 0) continue;
    members++;
    const row = c * periods;
    counts[row]++;
    for (let m = mask[e]; m !== 0; m &= m - 1) counts[row + 31 - Math.clz32(m & -m)]++;
  }
  const cohorts: CohortReferenceRow[] = [];
  for (let c = 0; c < cohortCount; c++) {
    const row = Array.from(counts.subarray(c * periods, (c + 1) * periods));
    cohorts.push({ start: weekStart(lo + c), size: row[0], counts: row });
  }
  return { cohorts, members };
}
