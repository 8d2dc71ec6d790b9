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
import { contractTable, requireColumn, requireFields, TIME, timeSlice, withTime } from './data.js';
import { matchEntity, type MatchInput, type MatchOptions, type MatchResult, type StepGuard } from './funnel-match.js';
import { funnelTrends, median, timeToConvert, type FunnelTrends, type TimeToConvert } from './funnel-insights.js';
import { checkTimeZone, parseDuration, parseTimestamp, rangeBounds } from './time.js';

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
  /**
   * Ids of entities that reached this step, for drill-down: the first `entityLimit` in order of
   * first event. Absent for pre-aggregated input.
   */
  convertedIds?: string[];
  /** Ids of entities that reached the previous step and not this one (capped the same way). */
  droppedIds?: string[];
  /** Set when the step has `maxDwell`: entities stuck at this step as of `asOf`. */
  stuck?: StuckEntities;
}

/** Entities that reached a step, went no further, and have been there longer than its limit. */
export interface StuckEntities {
  maxDwellMs: number;
  count: number;
  /** Longest-waiting first, at most `entityLimit`. */
  entities: Array<{ id: string; dwellMs: number }>;
}

/** The same funnel over the preceding range of equal length. */
export interface FunnelComparison {
  /** The previous range, [from, to) in epoch ms. */
  from: number;
  to: number;
  steps: FunnelStepResult[];
  breakdown?: FunnelGroup[];
  /** Per step: this period minus the previous one. */
  deltas: FunnelStepDelta[];
}

export interface FunnelStepDelta {
  /** Change in entities reaching the step. */
  count: number;
  /** Relative change in that count; null when the previous count was 0. */
  countChange: number | null;
  /** Change in conversion from the first step, in ratio points (0.05 = 5 percentage points). */
  conversionFromFirst: number;
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
  /** The range counted, [from, to) in epoch ms; null ends are open. */
  range: { from: number | null; to: number | null };
  /** "Now" for dwell limits and incomplete periods: `asOf`, else the latest event (null: none). */
  asOf: number | null;
  /** Time from `timeToConvert.from` (default the first step) to `.to` (default the last). */
  timeToConvert?: TimeToConvert;
  /** Conversion to the last step by entry period (`trends.interval`, default day). */
  trends?: FunnelTrends;
  /** With `compare: "previous-period"`. */
  comparison?: FunnelComparison;
}

/** Name of the group that collects breakdown values beyond `limit`. */
export const OTHER = 'Other';
const DEFAULT_WINDOW = '14d';
const DEFAULT_ENTITY_LIMIT = 100;
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
    range: { from: null, to: null },
    asOf: null,
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

  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const bounds = rangeBounds(spec.range, timeZone, '/funnel/range');
  let asOf: number | null = null;
  if (spec.asOf !== undefined) {
    asOf = parseTimestamp(spec.asOf, timeZone);
    if (Number.isNaN(asOf)) throw new ContractError('/funnel/asOf', `expected an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(spec.asOf)}`);
  }
  let previous: { from: number; to: number } | null = null;
  if (spec.compare === 'previous-period') {
    if (!Number.isFinite(bounds.from) || !Number.isFinite(bounds.to)) {
      throw new ContractError('/funnel/range', 'compare "previous-period" needs a range with both "from" and "to"');
    }
    previous = { from: bounds.from - (bounds.to - bounds.from), to: bounds.from };
  }
  const ttc = spec.timeToConvert ?? {};
  const ttcFrom = ttc.from ?? 0;
  const ttcTo = ttc.to ?? steps.length - 1;
  if (ttcTo >= steps.length) throw new ContractError('/funnel/timeToConvert/to', `expected a step index below ${steps.length}, got ${ttcTo}`);
  if (steps.length > 1 && ttcFrom >= ttcTo) throw new ContractError('/funnel/timeToConvert/from', `expected a step before "to" (${ttcTo}), got ${ttcFrom}`);
  const run: FunnelRun = {
    roles,
    steps,
    names: steps.map((s) => s.label ?? s.event),
    exclusions,
    options: { stepCount: steps.length, windowMs, order, exclusions },
    breakdown: breakdown ? { field: breakdown.field, attribution, limit: breakdown.limit ?? 10 } : null,
    entityLimit: spec.entityLimit ?? DEFAULT_ENTITY_LIMIT,
    dwell: steps.map((s, i) => (s.maxDwell === undefined ? null : parseDuration(s.maxDwell, `/funnel/steps/${i}/maxDwell`))),
  };
  // One parse of the times for both periods when comparing.
  const timed = withTime(contract, t, roles.time, previous ? { from: previous.from, to: bounds.to - 1 } : spec.range, '/funnel/range');
  const current = previous ? timeSlice(timed, bounds.from, bounds.to) : timed;
  if (asOf === null && current.numRows()) asOf = (current.array(TIME) as Float64Array)[current.numRows() - 1];
  const now = runFunnel(current, run, asOf);
  const view: FunnelViewModel = {
    steps: now.steps,
    largestDropOff: largestDropOff(now.steps),
    order,
    windowMs,
    aggregated: false,
    range: { from: Number.isFinite(bounds.from) ? bounds.from : null, to: Number.isFinite(bounds.to) ? bounds.to : null },
    asOf,
  };
  if (now.breakdown) view.breakdown = now.breakdown;
  if (steps.length > 1) view.timeToConvert = timeToConvert(now.results, ttcFrom, ttcTo, ttc.bins);
  view.trends = funnelTrends(now.results, steps.length, spec.trends?.interval ?? autoInterval(now.results), timeZone, windowMs, asOf);
  if (previous) {
    const before = runFunnel(timeSlice(timed, previous.from, previous.to), { ...run, entityLimit: 0, dwell: run.dwell.map(() => null) }, null);
    view.comparison = {
      ...previous,
      steps: before.steps,
      ...(before.breakdown ? { breakdown: before.breakdown } : {}),
      deltas: now.steps.map((s, k) => {
        const p = before.steps[k];
        return {
          count: s.count - p.count,
          countChange: p.count ? (s.count - p.count) / p.count : null,
          conversionFromFirst: s.conversionFromFirst - p.conversionFromFirst,
        };
      }),
    };
  }
  return view;
}

/** Everything about one funnel that does not depend on the period it runs over. */
interface FunnelRun {
  roles: { entity: string; event: string };
  steps: FunnelEventStep[];
  names: string[];
  exclusions: Array<{ event: string; from: number; to: number; where?: WhereClause }>;
  options: MatchOptions;
  breakdown: { field: string; attribution: Attribution; limit: number } | null;
  entityLimit: number;
  /** maxDwell per step in ms, null where none is set. */
  dwell: Array<number | null>;
}

type Attribution = NonNullable<NonNullable<FunnelContract['funnel']['breakdown']>['attribution']>;

/** Matches every entity of a time-filtered table and tallies steps, overall and per group. */
function runFunnel(timed: ColumnTable, run: FunnelRun, asOf: number | null): { steps: FunnelStepResult[]; breakdown?: FunnelGroup[]; results: MatchResult[] } {
  const prepared = prepare(timed, run.roles.entity, run.roles.event, run.steps, run.exclusions, run.options.order === 'strict');
  const config: TallyConfig = { stepCount: run.steps.length, entityLimit: run.entityLimit, dwell: run.dwell, asOf };
  const overall = new Tally(config);
  const entityCount = prepared.offsets.length - 1;
  const results: MatchResult[] = new Array(entityCount);
  const ids: string[] = new Array(entityCount);
  for (let e = 0; e < entityCount; e++) {
    results[e] = matchEntity(slice(prepared, e), run.options);
    ids[e] = String(prepared.ids[e]);
    overall.add(results[e], ids[e]);
  }
  const out: { steps: FunnelStepResult[]; breakdown?: FunnelGroup[]; results: MatchResult[] } = { steps: overall.results(run.names, run.steps), results };
  if (run.breakdown) {
    const values = prepared.table.numRows() ? (prepared.table.array(run.breakdown.field) as ArrayLike<Cell>) : [];
    const tallies = breakdownTallies(prepared, results, ids, values, run.breakdown.attribution, run.options, config);
    out.breakdown = mergeGroups(tallies, run.breakdown.limit, run.names, run.steps, config);
  }
  return out;
}

/** Trend periods for the span of entry times: days up to two months, weeks up to a year. */
function autoInterval(results: MatchResult[]): FunnelTrends['interval'] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of results) {
    if (r.furthest < 0 || r.excluded) continue;
    if (r.times[0] < lo) lo = r.times[0];
    if (r.times[0] > hi) hi = r.times[0];
  }
  const days = (hi - lo) / 86_400_000;
  return !(days > 62) ? 'day' : days <= 366 ? 'week' : 'month';
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
  ids: string[],
  values: ArrayLike<Cell>,
  attribution: Attribution,
  options: MatchOptions,
  config: TallyConfig,
): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const tally = (key: string) => {
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = new Tally(config)));
    return t;
  };
  for (let e = 0; e < overall.length; e++) {
    const input = slice(p, e);
    if (attribution === 'first-touch' || attribution === 'last-touch') {
      tally(touchValue(input, values, attribution === 'first-touch')).add(overall[e], ids[e]);
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
        tally(key).add(matchEntity(filterInput(input, (row) => groupKey(values[row]) === key), options), ids[e]);
      } else {
        const guard: StepGuard = { step: attribution.step, accept: (row) => groupKey(values[row]) === key };
        tally(key).add(matchEntity(input, options, guard), ids[e]);
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

function mergeGroups(tallies: Map<string, Tally>, limit: number, names: string[], steps: FunnelEventStep[], config: TallyConfig): FunnelGroup[] {
  const ranked = [...tallies.entries()].sort((a, b) => b[1].counts[0] - a[1].counts[0] || a[0].localeCompare(b[0]));
  const kept = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  if (rest.length) {
    const other = kept.find(([k]) => k === OTHER)?.[1] ?? new Tally(config);
    for (const [, t] of rest) other.merge(t);
    if (!kept.some(([k]) => k === OTHER)) kept.push([OTHER, other]);
  }
  return kept.map(([value, t]) => ({ value, steps: t.results(names, steps) }));
}

// ---------------------------------------------------------------------------------------------
// Counting

interface TallyConfig {
  stepCount: number;
  /** Most ids kept per list. */
  entityLimit: number;
  dwell: Array<number | null>;
  asOf: number | null;
}

/** Counts entities by furthest step, the time each took from the step before, and who they are. */
class Tally {
  readonly counts: number[];
  readonly durations: number[][];
  private readonly converted: string[][];
  private readonly dropped: string[][];
  private readonly stuck: Array<Array<{ id: string; dwellMs: number }>>;

  constructor(private readonly config: TallyConfig) {
    const n = config.stepCount;
    this.counts = new Array(n).fill(0);
    this.durations = Array.from({ length: n }, () => []);
    this.converted = Array.from({ length: n }, () => []);
    this.dropped = Array.from({ length: n }, () => []);
    this.stuck = Array.from({ length: n }, () => []);
  }

  add(result: MatchResult, id: string): void {
    if (result.excluded || result.furthest < 0) return;
    const { entityLimit, stepCount, dwell, asOf } = this.config;
    const furthest = result.furthest;
    for (let k = 0; k <= furthest; k++) {
      this.counts[k]++;
      if (k > 0) this.durations[k].push(result.times[k] - result.times[k - 1]);
      if (this.converted[k].length < entityLimit) this.converted[k].push(id);
    }
    if (furthest + 1 < stepCount && this.dropped[furthest + 1].length < entityLimit) this.dropped[furthest + 1].push(id);
    const limit = dwell[furthest];
    if (limit !== null && asOf !== null && asOf - result.times[furthest] > limit) {
      this.stuck[furthest].push({ id, dwellMs: asOf - result.times[furthest] });
    }
  }

  merge(other: Tally): void {
    const cap = (into: string[], from: string[]) => {
      for (const id of from) if (into.length < this.config.entityLimit) into.push(id);
    };
    other.counts.forEach((c, k) => {
      this.counts[k] += c;
      for (const d of other.durations[k]) this.durations[k].push(d);
      cap(this.converted[k], other.converted[k]);
      cap(this.dropped[k], other.dropped[k]);
      for (const s of other.stuck[k]) this.stuck[k].push(s);
    });
  }

  results(names: string[], steps: FunnelEventStep[]): FunnelStepResult[] {
    const out = stepResults(
      names,
      this.counts,
      this.durations.map((d) => median(d)),
      this.durations.map((d) => (d.length ? d.reduce((a, b) => a + b, 0) / d.length : null)),
    );
    out.forEach((s, k) => {
      s.event = steps[k].event;
      s.convertedIds = this.converted[k];
      s.droppedIds = this.dropped[k];
      const maxDwellMs = this.config.dwell[k];
      if (maxDwellMs !== null) {
        const stuck = this.stuck[k].sort((a, b) => b.dwellMs - a.dwellMs || (a.id < b.id ? -1 : 1));
        s.stuck = { maxDwellMs, count: stuck.length, entities: stuck.slice(0, this.config.entityLimit) };
      }
    });
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
