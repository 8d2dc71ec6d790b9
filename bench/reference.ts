/**
 * Reference funnel for the benchmark: a plain typed-array implementation of the ordered funnel
 * with a conversion window and first-touch breakdown, with no exclusions, no time parsing and no
 * table library. It starts from the same JS column arrays the contract gets, so its time is a
 * floor for what `computeFunnel` could cost on this data.
 *
 * Semantics (equal to computeFunnel's ordered funnel when every event matches at most one step
 * and there are no exclusions): per entity, in time order, keep for each step k the latest start
 * time of an attempt that has reached step k. A step-1 event starts an attempt at its own time;
 * a step-k event advances the latest attempt at step k-1 if `time - start <= windowMs`
 * (inclusive). The entity counts at every step up to the furthest one reached. Its breakdown
 * value is the first non-empty one on any of its step events.
 * @module
 */
import { EntityInts, withRoom } from './entities.js';

export interface ReferenceInput {
  entity: ArrayLike<unknown>;
  event: ArrayLike<unknown>;
  time: ArrayLike<number>;
  breakdown: ArrayLike<unknown>;
}

export interface ReferenceResult {
  /** Entities that reached at least step k. */
  steps: number[];
  /** Per breakdown value (`` when missing), the same counts. */
  groups: Map<string, number[]>;
  /** Entities with at least one step event. */
  entities: number;
}

export function referenceFunnel(input: ReferenceInput, steps: string[], windowMs: number): ReferenceResult {
  const { entity, event, time, breakdown } = input;
  const n = entity.length;
  const stepCount = steps.length;
  const stepOf = new Map<unknown, number>();
  steps.forEach((s, k) => {
    if (!stepOf.has(s)) stepOf.set(s, k);
  });

  // Pass 1: step index per row; entity ints for rows that are step events.
  const step = new Int8Array(n).fill(-1);
  const ent = new Int32Array(n);
  const ids = new EntityInts();
  let sizes = new Int32Array(1024);
  for (let i = 0; i < n; i++) {
    const k = stepOf.get(event[i]);
    if (k === undefined) continue;
    const e = ids.of(entity[i]);
    if (e < 0) continue;
    sizes = withRoom(sizes, e);
    step[i] = k;
    ent[i] = e;
    sizes[e]++;
  }
  const entities = ids.count;

  // Bucket step rows by entity (counting sort, stable so time order survives when the input
  // is time-sorted; each bucket is checked and insertion-sorted otherwise).
  const offsets = new Int32Array(entities + 1);
  for (let e = 0; e < entities; e++) offsets[e + 1] = offsets[e] + sizes[e];
  const cursor = offsets.slice(0, entities);
  const rows = new Int32Array(offsets[entities]);
  for (let i = 0; i < n; i++) if (step[i] >= 0) rows[cursor[ent[i]]++] = i;

  const counts = new Int32Array(stepCount);
  const groupIndex = new Map<string, number>();
  const groupCounts: Int32Array[] = [];
  const latest = new Float64Array(stepCount);
  for (let e = 0; e < entities; e++) {
    const a = offsets[e];
    const b = offsets[e + 1];
    sortBucket(rows, a, b, time);
    latest.fill(-Infinity);
    let furthest = -1;
    let group = '';
    for (let j = a; j < b; j++) {
      const i = rows[j];
      const k = step[i];
      const t = time[i];
      if (group === '') {
        const v = breakdown[i];
        if (v !== null && v !== undefined && v !== '') group = String(v);
      }
      if (k === 0) {
        latest[0] = t;
      } else {
        const start = latest[k - 1];
        if (start === -Infinity || t - start > windowMs) continue;
        if (start > latest[k]) latest[k] = start;
      }
      if (k > furthest) furthest = k;
    }
    if (furthest < 0) continue;
    let g = groupIndex.get(group);
    if (g === undefined) {
      groupIndex.set(group, (g = groupCounts.length));
      groupCounts.push(new Int32Array(stepCount));
    }
    const gc = groupCounts[g];
    for (let k = 0; k <= furthest; k++) {
      counts[k]++;
      gc[k]++;
    }
  }
  const groups = new Map<string, number[]>();
  for (const [key, g] of groupIndex) groups.set(key, Array.from(groupCounts[g]));
  return { steps: Array.from(counts), groups, entities };
}

/** Insertion sort of rows[a, b) by time, stable; a no-op scan when already in order. */
function sortBucket(rows: Int32Array, a: number, b: number, time: ArrayLike<number>): void {
  for (let j = a + 1; j < b; j++) {
    const r = rows[j];
    const t = time[r];
    if (time[rows[j - 1]] <= t) continue;
    let m = j - 1;
    while (m >= a && time[rows[m]] > t) {
      rows[m + 1] = rows[m];
      m--;
    }
    rows[m + 1] = r;
  }
}
