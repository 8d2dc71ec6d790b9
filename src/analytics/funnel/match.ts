/**
 * Per-entity funnel matching, PostHog semantics. Works on one entity's events in time order,
 * each given as a bitmask of the steps it can satisfy and of the exclusions it triggers.
 * Allocation-light: it runs once per entity, a million times per funnel.
 * @module
 */

export interface MatchInput {
  /** Event times, ascending within [start, end). */
  times: ArrayLike<number>;
  /** Bit k set: the event can satisfy step k. */
  steps: ArrayLike<number>;
  /** Bit e set: the event is exclusion e. */
  exclusions: ArrayLike<number>;
  /** Row indices of the events in the table. */
  rows: ArrayLike<number>;
  /** This entity's events are at [start, end) of the arrays above (shared by all entities). */
  start: number;
  end: number;
}

export interface Exclusion {
  from: number;
  to: number;
}

export interface MatchOptions {
  stepCount: number;
  windowMs: number;
  order: 'ordered' | 'strict' | 'any';
  exclusions: Exclusion[];
}

/** The entity's best attempt: the furthest step reached, and when each step was reached. */
export interface MatchResult {
  /** Index of the furthest step reached; -1 when step 1 was never done. */
  furthest: number;
  /** Time of each reached step in the best attempt (length furthest + 1). */
  times: number[];
  /** The best attempt was hit by an exclusion: the entity counts nowhere. */
  excluded: boolean;
}

/**
 * An attempt as a chain: each step reached links to the attempt as it was one step earlier, so
 * advancing allocates one small object and copies nothing.
 */
interface Attempt {
  /** Time of the attempt's step-1 event: the conversion window runs from here. */
  start: number;
  /** Time and table row of the event that reached this step (NaN, -1 for "now"). */
  time: number;
  row: number;
  /** Steps reached. */
  depth: number;
  prev: Attempt | null;
  excluded: boolean;
}

const NONE: MatchResult = { furthest: -1, times: [], excluded: false };

/**
 * Every entity's best attempt, kept in typed arrays: a million entities leave no million result
 * objects and arrays for the garbage collector to copy while the rest of the funnel runs.
 */
export class MatchResults {
  /** Entity e's furthest step (-1: none), whether excluded, and step k's time at `e * stepCount + k`. */
  readonly furthest: Int8Array;
  readonly excluded: Uint8Array;
  readonly times: Float64Array;
  private readonly shown: MatchResult;

  constructor(
    readonly count: number,
    readonly stepCount: number,
  ) {
    this.furthest = new Int8Array(count).fill(-1);
    this.excluded = new Uint8Array(count);
    this.times = new Float64Array(count * stepCount);
    this.shown = { furthest: -1, times: new Array<number>(stepCount), excluded: false };
  }

  set(e: number, result: MatchResult): void {
    this.furthest[e] = result.furthest;
    this.excluded[e] = result.excluded ? 1 : 0;
    for (let k = 0; k <= result.furthest; k++) this.times[e * this.stepCount + k] = result.times[k];
  }

  /** Entity e's result as a MatchResult: one object, overwritten by the next call. */
  view(e: number): MatchResult {
    const shown = this.shown;
    shown.furthest = this.furthest[e];
    shown.excluded = this.excluded[e] === 1;
    for (let k = 0; k <= shown.furthest; k++) shown.times[k] = this.times[e * this.stepCount + k];
    return shown;
  }
}

/** Optional per-step extra condition on the event (breakdown attribution to one step). */
export type StepGuard = { step: number; accept: (row: number) => boolean };

export function matchEntity(input: MatchInput, options: MatchOptions, guard?: StepGuard): MatchResult {
  return options.order === 'any' ? matchAnyOrder(input, options) : matchSequence(input, options, guard);
}

/**
 * Ordered and strict funnels in one pass over time. `entered[s]` (s = 1…n) is the attempt that
 * most recently reached step s; `entered[0]` stands for "now", so a step-1 event starts a new
 * attempt at its own time. The latest-starting attempt at each step is kept because it has the
 * most window left. Events that share a timestamp but match different steps are replayed one
 * step at a time, lowest step first, so they can complete consecutive steps in either order.
 */
function matchSequence(input: MatchInput, options: MatchOptions, guard?: StepGuard): MatchResult {
  const n = options.stepCount;
  const ctx = scratch;
  const { entered, max, now } = ctx;
  ctx.input = input;
  ctx.options = options;
  ctx.guard = guard;
  ctx.strict = options.order === 'strict';
  entered.length = n + 1;
  entered.fill(null);
  max.step = 0;
  max.attempt = null;
  for (let i = input.start; i < input.end; ) {
    const time = input.times[i];
    let end = i + 1;
    let mixed = false;
    while (end < input.end && input.times[end] === time) {
      if (input.steps[end] !== input.steps[i] || input.exclusions[end] !== input.exclusions[i]) mixed = true;
      end++;
    }
    now.start = time;
    entered[0] = now;
    if (!mixed) {
      for (let j = i; j < end; j++) processEvent(ctx, j, input.steps[j], input.exclusions[j], false);
    } else {
      const single: Array<[number, number]> = [];
      for (let j = i; j < end; j++) for (let k = 0; k < n; k++) if (input.steps[j] & (1 << k)) single.push([k, j]);
      single.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [k, j] of single) processEvent(ctx, j, 1 << k, 0, true);
    }
    if (entered[n]) break; // converted: nothing later can do better
    i = end;
  }
  const best = max.attempt as Attempt | null; // set by processEvent
  if (!best) return NONE;
  const times = new Array<number>(best.depth);
  for (let a: Attempt | null = best; a && a.depth > 0; a = a.prev) times[a.depth - 1] = a.time;
  return { furthest: max.step - 1, times, excluded: best.excluded };
}

/** Whether the attempt chain already used table row `row` for one of its steps. */
function usesRow(attempt: Attempt, row: number): boolean {
  for (let a: Attempt | null = attempt; a && a.depth > 0; a = a.prev) if (a.row === row) return true;
  return false;
}

interface SequenceContext {
  input: MatchInput;
  options: MatchOptions;
  entered: Array<Attempt | null>;
  max: { step: number; attempt: Attempt | null };
  /** `entered[0]`: "now", so a step-1 event starts an attempt at its own time. */
  now: Attempt;
  guard?: StepGuard;
  strict: boolean;
}

/**
 * One context for every call: matching runs once per entity, millions of times, and is never
 * re-entered (a guard only reads a cell), so its bookkeeping is reset rather than allocated.
 * Nothing in a result refers to it.
 */
const scratch: SequenceContext = {
  input: { times: [], steps: [], exclusions: [], rows: [], start: 0, end: 0 },
  options: { stepCount: 0, windowMs: 0, order: 'ordered', exclusions: [] },
  entered: [],
  max: { step: 0, attempt: null },
  now: { start: 0, time: NaN, row: -1, depth: 0, prev: null, excluded: false },
  strict: false,
};

function processEvent(ctx: SequenceContext, j: number, stepMask: number, exclusionMask: number, replay: boolean): void {
  const { input, options, entered, max } = ctx;
  const time = input.times[j];
  const row = input.rows[j];
  const windowMs = options.windowMs;
  // Exclusions: an exclusion from step f to step t marks attempts that reached f…t-1.
  if (exclusionMask) {
    for (let e = 0; e < options.exclusions.length; e++) {
      if (!(exclusionMask & (1 << e))) continue;
      const { from, to } = options.exclusions[e];
      for (let s = Math.min(to, options.stepCount) - 1; s >= from; s--) {
        const prev = entered[s + 1];
        if (!prev || prev.excluded || time - prev.start > windowMs) continue;
        prev.excluded = true;
        if (max.step === s + 1 && max.attempt && time - max.attempt.start <= windowMs) max.attempt.excluded = true;
      }
    }
  }
  for (let k = options.stepCount - 1; k >= 0; k--) {
    if (!(stepMask & (1 << k))) continue;
    const step = k + 1;
    const prev = entered[step - 1];
    if (!prev || time - prev.start > windowMs) continue;
    const here = entered[step];
    if (here && here.start === prev.start) continue; // this attempt is already past this step
    if (ctx.guard && ctx.guard.step === k && !ctx.guard.accept(row)) continue;
    if (replay && usesRow(prev, row)) continue; // one event, one step
    const next: Attempt = { start: prev.start, time, row, depth: step, prev: prev.depth > 0 ? prev : null, excluded: prev.excluded };
    if (!prev.excluded) entered[step] = next;
    if (step > max.step || (step === max.step && max.attempt?.excluded)) {
      max.step = step;
      max.attempt = next;
    }
  }
  // Strict: any event that could not be the next step breaks every attempt waiting for it.
  if (ctx.strict && !replay) {
    for (let s = 1; s <= options.stepCount; s++) if (!(stepMask & (1 << (s - 1)))) entered[s] = null;
  }
}

/**
 * Any order: step k counts an entity that did at least k+1 different steps within one window
 * starting at the earliest of them. An exclusion event wipes the progress made before it.
 */
function matchAnyOrder(input: MatchInput, options: MatchOptions): MatchResult {
  const { stepCount, windowMs } = options;
  const anyExclusion = options.exclusions.length ? (1 << options.exclusions.length) - 1 : 0;
  let bestCount = 0;
  let bestTimes: number[] = [];
  let floor = -Infinity; // events before the latest exclusion no longer count
  for (let s = input.start; s < input.end; s++) {
    if (input.exclusions[s] & anyExclusion) {
      floor = input.times[s];
      continue;
    }
    if (!input.steps[s] || input.times[s] < floor) continue;
    const start = input.times[s];
    // Greedy: each event takes the lowest step it can that is still open.
    let done = 0;
    const times: number[] = [];
    for (let j = s; j < input.end && input.times[j] - start <= windowMs; j++) {
      // An exclusion inside the window wipes what this run collected (PostHog's unordered
      // funnel clears its steps without recording them), unless the funnel was already done.
      if (input.exclusions[j] & anyExclusion && j > s) {
        times.length = 0;
        break;
      }
      const open = input.steps[j] & ~done;
      if (!open) continue;
      const k = 31 - Math.clz32(open & -open);
      done |= 1 << k;
      times.push(input.times[j]);
      if (times.length === stepCount) break;
    }
    const count = times.length;
    if (count > bestCount) {
      bestCount = count;
      bestTimes = times;
    }
    if (bestCount === stepCount) break;
  }
  return bestCount ? { furthest: bestCount - 1, times: bestTimes, excluded: false } : NONE;
}
