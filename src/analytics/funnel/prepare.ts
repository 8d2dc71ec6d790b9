/**
 * One pass over the columns: rows inside a range that are steps or exclusions (every row, for
 * strict order) are regrouped by entity with their step and exclusion bitmasks. Each entity's
 * rows keep row order, and are sorted by time only if they were not already in time order. This
 * reads the column arrays directly: a million rows cost one loop, not a table library's verbs.
 * @module
 */
import type { WhereClause } from '../contract.js';
import { directTime, wherePredicate, type Columns } from '../columns.js';
import { rangeLimits, type PlannedRange } from '../time.js';
import type { MatchInput } from './match.js';
import type { EventFunnelPlan } from './plan.js';

export interface Prepared {
  /** Flat arrays, permuted so each entity's events are contiguous and in time order. */
  input: { times: Float64Array; steps: Uint32Array; exclusions: Uint32Array; rows: Int32Array };
  /** Entity e's events are [offsets[e], offsets[e + 1]). */
  offsets: Int32Array;
  ids: unknown[];
  /** All the data: `input.rows` index its columns. */
  columns: Columns;
  /** Time of the latest event in the range (any event), -Infinity for none. */
  latest: number;
}

/**
 * `times` is the time column, raw (cells parsed here, as met) or already parsed to epoch ms when
 * the caller passes over the data more than once.
 */
export function prepare(
  columns: Columns,
  times: ArrayLike<unknown>,
  parse: (value: unknown, row: number) => number,
  plan: EventFunnelPlan,
  range: PlannedRange,
): Prepared {
  const n = columns.length;
  const keepAllRows = plan.order === 'strict';
  const lookup = maskLookup(columns, plan.steps, plan.exclusions);
  // An Arrow dictionary column: the lookup once per distinct name, then by code.
  const eventCodes = columns.codes(plan.fields.event);
  const codes = eventCodes?.codes;
  const event = eventCodes ? [] : columns.get(plan.fields.event);
  const byCode = eventCodes ? Array.from(eventCodes.dictionary, (name) => lookup.get(name)) : [];
  // Entities numbered through an array instead of a Map when they are integers in a compact range
  // (typed columns, as Arrow and Parquet give them) or dictionary codes (string ids from Arrow):
  // a million rows' lookups cost a tenth.
  const entityCodes = columns.codes(plan.fields.entity);
  const entity = entityCodes ? entityCodes.codes : columns.get(plan.fields.entity);
  const dense = entityCodes ? { min: 0, index: new Int32Array(entityCodes.dictionary.length).fill(-1) } : denseIds(entity);
  const { from: lo, to: hi } = rangeLimits(range);
  // Rows kept, in row order: their index, masks and entity. Sized for every row: only the pages
  // written are ever touched, where growing by doubling copied the kept rows over and over.
  const keptRows = new Int32Array(n);
  const keptSteps = new Uint32Array(n);
  const keptExclusions = new Uint32Array(n);
  const keptEntity = new Int32Array(n);
  const keptTimes = new Float64Array(n);
  let kept = 0;
  const ids: unknown[] = [];
  const idOf = new Map<unknown, number>();
  let sizes: Int32Array = new Int32Array(1024);
  let latest = -Infinity;
  for (let i = 0; i < n; i++) {
    const value = times[i];
    const time = directTime(value) ? value : parse(value, i);
    if (!(time >= lo && time < hi)) continue;
    if (time > latest) latest = time;
    const entry = codes ? byCode[codes[i]] : lookup.get(event[i]);
    let sm = 0;
    let xm = 0;
    if (entry) {
      sm = entry.steps;
      xm = entry.exclusions;
      const conditional = entry.conditional;
      for (let c = 0; c < conditional.length; c++) {
        if (!conditional[c].test(i)) continue;
        if (conditional[c].exclusion) xm |= conditional[c].bit;
        else sm |= conditional[c].bit;
      }
    }
    if (!sm && !xm && !keepAllRows) continue;
    const key = entity[i];
    let g = dense ? dense.index[(key as number) - dense.min] : idOf.get(key);
    if (g === undefined || g < 0) {
      if (g === NO_ID) continue;
      const id = entityCodes ? entityCodes.dictionary[key as number] : key;
      if (id === null || id === undefined || id === '') {
        if (dense) dense.index[(key as number) - dense.min] = NO_ID;
        continue;
      }
      g = ids.length;
      if (dense) dense.index[(key as number) - dense.min] = g;
      else idOf.set(key, g);
      ids.push(id);
      if (g >= sizes.length) sizes = grow(sizes, sizes.length * 2);
    }
    keptRows[kept] = i;
    keptTimes[kept] = time;
    keptSteps[kept] = sm;
    keptExclusions[kept] = xm;
    keptEntity[kept] = g;
    kept++;
    sizes[g]++;
  }
  const offsets = new Int32Array(ids.length + 1);
  for (let g = 0; g < ids.length; g++) offsets[g + 1] = offsets[g] + sizes[g];
  const cursor = offsets.slice(0, ids.length);
  const input = { times: new Float64Array(kept), steps: new Uint32Array(kept), exclusions: new Uint32Array(kept), rows: new Int32Array(kept) };
  for (let r = 0; r < kept; r++) {
    const at = cursor[keptEntity[r]]++;
    input.times[at] = keptTimes[r];
    input.steps[at] = keptSteps[r];
    input.exclusions[at] = keptExclusions[r];
    input.rows[at] = keptRows[r];
  }
  for (let g = 0; g < ids.length; g++) sortByTime(input, offsets[g], offsets[g + 1]);
  return { input, offsets, ids, columns, latest };
}

/** In a dense index: an entity key whose id is empty (rows without an entity are skipped). */
const NO_ID = -2;

/**
 * For an integer typed-array column whose values span at most a few times its length: its
 * minimum and an index from value − minimum to entity number (−1: not met yet). Else null.
 */
function denseIds(column: ArrayLike<unknown>): { min: number; index: Int32Array } | null {
  if (!(column instanceof Int32Array || column instanceof Uint32Array || column instanceof Int16Array || column instanceof Uint16Array || column instanceof Int8Array || column instanceof Uint8Array)) {
    return null;
  }
  if (column.length === 0) return null;
  let min = column[0];
  let max = column[0];
  for (let i = 1; i < column.length; i++) {
    const v = column[i];
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  if (max - min > 4 * column.length + 65_536) return null;
  return { min, index: new Int32Array(max - min + 1).fill(-1) };
}

/** A copy of `from` with room for `size` values. */
function grow(from: Int32Array, size: number): Int32Array {
  const to = new Int32Array(size);
  to.set(from);
  return to;
}

/** Sorts one entity's slice by time (ties keep row order), if it is not in order already. */
function sortByTime(input: Prepared['input'], a: number, b: number): void {
  let sorted = true;
  for (let j = a + 1; j < b && sorted; j++) sorted = input.times[j - 1] <= input.times[j];
  if (sorted) return;
  const order = Array.from({ length: b - a }, (_, k) => a + k).sort((x, y) => input.times[x] - input.times[y] || input.rows[x] - input.rows[y]);
  const copy = { times: input.times.slice(a, b), steps: input.steps.slice(a, b), exclusions: input.exclusions.slice(a, b), rows: input.rows.slice(a, b) };
  order.forEach((from, k) => {
    input.times[a + k] = copy.times[from - a];
    input.steps[a + k] = copy.steps[from - a];
    input.exclusions[a + k] = copy.exclusions[from - a];
    input.rows[a + k] = copy.rows[from - a];
  });
}

interface NameEntry {
  /** Bits of the steps and exclusions this event name satisfies outright. */
  steps: number;
  exclusions: number;
  /** Steps and exclusions with `where`: satisfied when the row's fields agree. */
  conditional: Array<{ bit: number; exclusion: boolean; test: (row: number) => boolean }>;
}

/** Event name to the steps and exclusions it can satisfy: one map lookup per row. */
function maskLookup(columns: Columns, steps: Array<{ event: string; where?: WhereClause }>, exclusions: Array<{ event: string; where?: WhereClause }>): Map<unknown, NameEntry> {
  const lookup = new Map<unknown, NameEntry>();
  const add = (name: string, bit: number, exclusion: boolean, where: WhereClause | undefined) => {
    let entry = lookup.get(name);
    if (!entry) lookup.set(name, (entry = { steps: 0, exclusions: 0, conditional: [] }));
    const test = wherePredicate(columns, where);
    if (test) entry.conditional.push({ bit, exclusion, test });
    else if (exclusion) entry.exclusions |= bit;
    else entry.steps |= bit;
  };
  steps.forEach((s, k) => add(s.event, 1 << k, false, s.where));
  exclusions.forEach((x, k) => add(x.event, 1 << k, true, x.where));
  return lookup;
}

/**
 * A window on the shared arrays (no copy), moved from entity to entity with {@link moveTo}: the
 * matchers do not keep their input, so one window serves a whole pass.
 */
export function entityWindow(p: Prepared): MatchInput {
  return { times: p.input.times, steps: p.input.steps, exclusions: p.input.exclusions, rows: p.input.rows, start: 0, end: 0 };
}

/** Points the window at entity e's events. */
export function moveTo(window: MatchInput, p: Prepared, e: number): MatchInput {
  window.start = p.offsets[e];
  window.end = p.offsets[e + 1];
  return window;
}
