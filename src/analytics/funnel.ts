/**
 * `<funnel-chart>` analytics: a funnel computed from raw events with PostHog's semantics
 * (entities counted once at their furthest step; ordered, strict or any order; a conversion
 * window from step 1; exclusions; breakdowns with four attributions), or taken as given from
 * pre-aggregated step counts.
 * @module
 */
import type { ColumnTable } from 'arquero';
import type { Cell, FunnelAggregateStep, FunnelContract, FunnelEventStep, InlineContract, WhereClause } from './contract.js';
import { ContractError } from './contract-error.js';
import { contractTable, requireColumn, requireFields, TIME, withTime } from './data.js';
import { matchEntity, type MatchInput, type MatchOptions, type MatchResult, type StepGuard } from './funnel-match.js';
import { parseDuration } from './time.js';

export interface FunnelStepResult {
  index: number;
  /** Step label: `label`, else the event name (or the aggregate `name`). */
  name: string;
  event?: string;
  /** Entities that reached at least this step. */
  count: number;
  /** count / first step's count. */
  conversionFromFirst: number;
  /** count / previous step's count (1 for the first step). */
  conversionFromPrevious: number;
  /** Entities that reached the previous step but not this one (0 for the first step). */
  dropOff: number;
  /** dropOff / previous step's count. */
  dropOffRate: number;
  /** Median and mean time from the previous step, ms; null for the first step or no data. */
  medianTimeMs: number | null;
  meanTimeMs: number | null;
}

export interface FunnelGroup {
  /** Breakdown value as a string; `` for a missing value; `Other` for merged small groups. */
  value: string;
  steps: FunnelStepResult[];
}

export interface FunnelViewModel {
  steps: FunnelStepResult[];
  /** Per breakdown value, biggest step-1 count first; absent without a breakdown. */
  breakdown?: FunnelGroup[];
  /** The step (index ≥ 1) with the highest drop-off rate: the funnel's break point. */
  largestDropOff: number | null;
  order: 'ordered' | 'strict' | 'any';
  windowMs: number;
  /** Computed from counts given in the contract rather than from events. */
  aggregated: boolean;
}

/** Name of the group that collects breakdown values beyond `limit`. */
export const OTHER = 'Other';
const DEFAULT_WINDOW = '14d';
const MAX_STEPS = 31; // step and exclusion matches are bitmasks in a 32-bit integer

export function computeFunnel(contract: InlineContract<FunnelContract>): FunnelViewModel {
  const spec = contract.funnel;
  const order = spec.order ?? 'ordered';
  const windowMs = parseDuration(spec.window ?? DEFAULT_WINDOW, '/funnel/window');
  const aggregated = spec.steps.every((s) => 'count' in s);
  if (!aggregated && spec.steps.some((s) => 'count' in s)) {
    const i = spec.steps.findIndex((s) => 'count' in s);
    throw new ContractError(`/funnel/steps/${i}`, 'mixes a pre-aggregated step (name, count) with event steps; use one kind');
  }
  if (aggregated) return aggregateFunnel(spec.steps as FunnelAggregateStep[], spec.groups, order, windowMs);
  return eventFunnel(contract, spec.steps as FunnelEventStep[], order, windowMs);
}

// ---------------------------------------------------------------------------------------------
// Pre-aggregated counts

function aggregateFunnel(
  steps: FunnelAggregateStep[],
  groups: Array<{ value: string; steps: FunnelAggregateStep[] }> | undefined,
  order: FunnelViewModel['order'],
  windowMs: number,
): FunnelViewModel {
  const toResults = (given: FunnelAggregateStep[]) =>
    stepResults(
      given.map((s) => s.name),
      given.map((s) => s.count),
      given.map((s) => s.medianTimeMs ?? null),
      given.map(() => null),
    );
  groups?.forEach((g, gi) => {
    if (g.steps.length !== steps.length) {
      throw new ContractError(`/funnel/groups/${gi}/steps`, `expected ${steps.length} steps like /funnel/steps, got ${g.steps.length}`);
    }
  });
  const result = toResults(steps);
  return {
    steps: result,
    breakdown: groups?.map((g) => ({ value: g.value, steps: toResults(g.steps) })),
    largestDropOff: largestDropOff(result),
    order,
    windowMs,
    aggregated: true,
  };
}

// ---------------------------------------------------------------------------------------------
// Raw events

interface Prepared {
  /** Flat arrays, permuted so each entity's events are contiguous and in time order. */
  input: { times: Float64Array; steps: Uint32Array; exclusions: Uint32Array; rows: Int32Array };
  /** Entity e's events are [offsets[e], offsets[e + 1]). */
  offsets: Int32Array;
  ids: unknown[];
  table: ColumnTable;
}

function eventFunnel(
  contract: InlineContract<FunnelContract>,
  steps: FunnelEventStep[],
  order: FunnelViewModel['order'],
  windowMs: number,
): FunnelViewModel {
  const spec = contract.funnel;
  if (steps.length > MAX_STEPS) throw new ContractError('/funnel/steps', `expected at most ${MAX_STEPS} event steps, got ${steps.length}`);
  const exclusions = (spec.exclusions ?? []).map((e, i) => {
    const path = `/funnel/exclusions/${i}`;
    if (e.from >= e.to) throw new ContractError(`${path}/to`, `expected a step after "from" (${e.from}), got ${e.to}`);
    if (e.to >= steps.length) throw new ContractError(`${path}/to`, `expected a step index below ${steps.length}, got ${e.to}`);
    return e;
  });
  if (exclusions.length > MAX_STEPS) throw new ContractError('/funnel/exclusions', `expected at most ${MAX_STEPS} exclusions`);
  const t = contractTable(contract);
  const roles = requireFields(t, contract.fields, ['entity', 'time', 'event']);
  steps.forEach((s, i) => Object.keys(s.where ?? {}).forEach((c) => requireColumn(t, c, `/funnel/steps/${i}/where/${c}`)));
  exclusions.forEach((e, i) => Object.keys(e.where ?? {}).forEach((c) => requireColumn(t, c, `/funnel/exclusions/${i}/where/${c}`)));
  const breakdown = spec.breakdown;
  if (breakdown) requireColumn(t, breakdown.field, '/funnel/breakdown/field');
  const attribution = breakdown?.attribution ?? 'first-touch';
  if (typeof attribution === 'object' && attribution.step >= steps.length) {
    throw new ContractError('/funnel/breakdown/attribution/step', `expected a step index below ${steps.length}, got ${attribution.step}`);
  }

  const timed = withTime(contract, t, roles.time, spec.range, '/funnel/range');
  const prepared = prepare(timed, roles.entity, roles.event, steps, exclusions, order === 'strict');
  const options: MatchOptions = { stepCount: steps.length, windowMs, order, exclusions };
  const names = steps.map((s) => s.label ?? s.event);

  const overall = new Tally(steps.length);
  const entityCount = prepared.offsets.length - 1;
  const results: MatchResult[] = new Array(entityCount);
  for (let e = 0; e < entityCount; e++) {
    results[e] = matchEntity(slice(prepared, e), options);
    overall.add(results[e]);
  }
  const overallSteps = overall.results(names, steps);
  const view: FunnelViewModel = {
    steps: overallSteps,
    largestDropOff: largestDropOff(overallSteps),
    order,
    windowMs,
    aggregated: false,
  };
  if (breakdown) {
    const values = prepared.table.numRows() ? (prepared.table.array(breakdown.field) as ArrayLike<Cell>) : [];
    const tallies = breakdownTallies(prepared, results, values, attribution, options, steps.length);
    view.breakdown = mergeGroups(tallies, breakdown.limit ?? 10, names, steps);
  }
  return view;
}

/** Step and exclusion bitmasks per row, and rows regrouped by entity (stable, so time-ordered). */
function prepare(
  t: ColumnTable,
  entityColumn: string,
  eventColumn: string,
  steps: FunnelEventStep[],
  exclusions: Array<{ event: string; where?: WhereClause }>,
  keepAllRows: boolean,
): Prepared {
  const n = t.numRows();
  const entity = n ? (t.array(entityColumn) as ArrayLike<unknown>) : [];
  const event = n ? (t.array(eventColumn) as ArrayLike<unknown>) : [];
  const times = n ? (t.array(TIME) as Float64Array) : new Float64Array();
  const stepMatch = steps.map((s) => matcher(t, s.event, s.where));
  const exclusionMatch = exclusions.map((x) => matcher(t, x.event, x.where));
  const stepMask = new Uint32Array(n);
  const exclusionMask = new Uint32Array(n);
  const group = new Int32Array(n).fill(-1);
  const ids: unknown[] = [];
  const idOf = new Map<unknown, number>();
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = event[i];
    let sm = 0;
    for (let k = 0; k < stepMatch.length; k++) if (stepMatch[k](i, name)) sm |= 1 << k;
    let xm = 0;
    for (let k = 0; k < exclusionMatch.length; k++) if (exclusionMatch[k](i, name)) xm |= 1 << k;
    stepMask[i] = sm;
    exclusionMask[i] = xm;
    const id = entity[i];
    if ((!sm && !xm && !keepAllRows) || id === null || id === undefined || id === '') continue;
    let g = idOf.get(id);
    if (g === undefined) {
      g = ids.length;
      idOf.set(id, g);
      ids.push(id);
      sizes.push(0);
    }
    group[i] = g;
    sizes[g]++;
  }
  const offsets = new Int32Array(ids.length + 1);
  for (let g = 0; g < ids.length; g++) offsets[g + 1] = offsets[g] + sizes[g];
  const total = offsets[ids.length];
  const cursor = offsets.slice(0, ids.length);
  const input = { times: new Float64Array(total), steps: new Uint32Array(total), exclusions: new Uint32Array(total), rows: new Int32Array(total) };
  for (let i = 0; i < n; i++) {
    const g = group[i];
    if (g < 0) continue;
    const at = cursor[g]++;
    input.times[at] = times[i];
    input.steps[at] = stepMask[i];
    input.exclusions[at] = exclusionMask[i];
    input.rows[at] = i;
  }
  return { input, offsets, ids, table: t };
}

/** A predicate on (row, event name): the event matches and every `where` column agrees. */
function matcher(t: ColumnTable, eventName: string, where: WhereClause | undefined): (row: number, name: unknown) => boolean {
  const clauses = Object.entries(where ?? {}).map(([column, expected]) => {
    const values = t.numRows() ? (t.array(column) as ArrayLike<unknown>) : [];
    const allowed = new Set<unknown>(Array.isArray(expected) ? expected : [expected]);
    return (row: number) => allowed.has(values[row]);
  });
  if (!clauses.length) return (_row, name) => name === eventName;
  return (row, name) => name === eventName && clauses.every((c) => c(row));
}

function slice(p: Prepared, e: number): MatchInput {
  const a = p.offsets[e];
  const b = p.offsets[e + 1];
  return {
    times: p.input.times.subarray(a, b),
    steps: p.input.steps.subarray(a, b),
    exclusions: p.input.exclusions.subarray(a, b),
    rows: p.input.rows.subarray(a, b),
    length: b - a,
  };
}

/** A breakdown value as a group key: missing is ``, numbers and booleans become strings. */
function groupKey(value: Cell | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function breakdownTallies(
  p: Prepared,
  overall: MatchResult[],
  values: ArrayLike<Cell>,
  attribution: NonNullable<NonNullable<FunnelContract['funnel']['breakdown']>['attribution']>,
  options: MatchOptions,
  stepCount: number,
): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const tally = (key: string) => {
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = new Tally(stepCount)));
    return t;
  };
  for (let e = 0; e < overall.length; e++) {
    const input = slice(p, e);
    if (attribution === 'first-touch' || attribution === 'last-touch') {
      tally(touchValue(input, values, attribution === 'first-touch')).add(overall[e]);
      continue;
    }
    // Per value: one run of the funnel; an entity may count in several groups.
    const candidates = new Set<string>();
    for (let j = 0; j < input.length; j++) {
      const relevant = attribution === 'all-events' ? input.steps[j] || input.exclusions[j] : input.steps[j] & (1 << attribution.step);
      if (relevant) candidates.add(groupKey(values[input.rows[j]]));
    }
    for (const key of candidates) {
      if (attribution === 'all-events') {
        tally(key).add(matchEntity(filterInput(input, (row) => groupKey(values[row]) === key), options));
      } else {
        const guard: StepGuard = { step: attribution.step, accept: (row) => groupKey(values[row]) === key };
        tally(key).add(matchEntity(input, options, guard));
      }
    }
  }
  return tallies;
}

/** The first (or last) non-empty breakdown value on the entity's step events. */
function touchValue(input: MatchInput, values: ArrayLike<Cell>, first: boolean): string {
  for (let o = 0; o < input.length; o++) {
    const j = first ? o : input.length - 1 - o;
    if (!input.steps[j]) continue;
    const key = groupKey(values[input.rows[j]]);
    if (key !== '') return key;
  }
  return '';
}

function filterInput(input: MatchInput, keep: (row: number) => boolean): MatchInput {
  const idx: number[] = [];
  for (let j = 0; j < input.length; j++) if (keep(input.rows[j])) idx.push(j);
  return {
    times: idx.map((j) => input.times[j]),
    steps: idx.map((j) => input.steps[j]),
    exclusions: idx.map((j) => input.exclusions[j]),
    rows: idx.map((j) => input.rows[j]),
    length: idx.length,
  };
}

function mergeGroups(tallies: Map<string, Tally>, limit: number, names: string[], steps: FunnelEventStep[]): FunnelGroup[] {
  const ranked = [...tallies.entries()].sort((a, b) => b[1].counts[0] - a[1].counts[0] || a[0].localeCompare(b[0]));
  const kept = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  if (rest.length) {
    const other = kept.find(([k]) => k === OTHER)?.[1] ?? new Tally(names.length);
    for (const [, t] of rest) other.merge(t);
    if (!kept.some(([k]) => k === OTHER)) kept.push([OTHER, other]);
  }
  return kept.map(([value, t]) => ({ value, steps: t.results(names, steps) }));
}

// ---------------------------------------------------------------------------------------------
// Counting

/** Counts entities by furthest step, and the time each took from the step before. */
class Tally {
  readonly counts: number[];
  readonly durations: number[][];

  constructor(stepCount: number) {
    this.counts = new Array(stepCount).fill(0);
    this.durations = Array.from({ length: stepCount }, () => []);
  }

  add(result: MatchResult): void {
    if (result.excluded || result.furthest < 0) return;
    for (let k = 0; k <= result.furthest; k++) {
      this.counts[k]++;
      if (k > 0) this.durations[k].push(result.times[k] - result.times[k - 1]);
    }
  }

  merge(other: Tally): void {
    other.counts.forEach((c, k) => {
      this.counts[k] += c;
      for (const d of other.durations[k]) this.durations[k].push(d);
    });
  }

  results(names: string[], steps: FunnelEventStep[]): FunnelStepResult[] {
    const out = stepResults(
      names,
      this.counts,
      this.durations.map((d) => median(d)),
      this.durations.map((d) => (d.length ? d.reduce((a, b) => a + b, 0) / d.length : null)),
    );
    out.forEach((s, k) => (s.event = steps[k].event));
    return out;
  }
}

function stepResults(names: string[], counts: number[], medians: Array<number | null>, means: Array<number | null>): FunnelStepResult[] {
  const first = counts[0] ?? 0;
  return counts.map((count, k) => {
    const prev = k === 0 ? count : counts[k - 1];
    return {
      index: k,
      name: names[k],
      count,
      conversionFromFirst: first ? count / first : 0,
      conversionFromPrevious: k === 0 ? 1 : prev ? count / prev : 0,
      dropOff: k === 0 ? 0 : prev - count,
      dropOffRate: k === 0 || !prev ? 0 : (prev - count) / prev,
      medianTimeMs: k === 0 ? null : medians[k],
      meanTimeMs: k === 0 ? null : means[k],
    };
  });
}

function largestDropOff(steps: FunnelStepResult[]): number | null {
  let best: number | null = null;
  for (let k = 1; k < steps.length; k++) {
    if (steps[k - 1].count === 0 || steps[k].dropOff === 0) continue;
    if (best === null || steps[k].dropOffRate > steps[best].dropOffRate) best = k;
  }
  return best;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
