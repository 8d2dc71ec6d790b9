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
import { columnValues, contractTable, parseTimes, requireColumn, requireFields, timeParser } from './data.js';
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
  /** The whole table: `input.rows` index its columns. */
  table: ColumnTable;
  /** Time of the latest event in the range (any event), -Infinity for none. */
  latest: number;
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
  // Times are parsed inside prepare's one pass over the table; a comparison passes over it twice,
  // so then they are parsed once up front.
  const times = previous ? parseTimes(contract, t, roles.time) : columnValues(t, roles.time);
  const parse = timeParser(contract, roles.time);
  const current = prepare(t, times, parse, bounds, run);
  if (asOf === null && current.latest > -Infinity) asOf = current.latest;
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
    const quiet = { ...run, entityLimit: 0, dwell: run.dwell.map(() => null) };
    const before = runFunnel(prepare(t, times, parse, previous, quiet), quiet, null);
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
function runFunnel(prepared: Prepared, run: FunnelRun, asOf: number | null): { steps: FunnelStepResult[]; breakdown?: FunnelGroup[]; results: MatchResult[] } {
  const config: TallyConfig = { stepCount: run.steps.length, entityLimit: run.entityLimit, dwell: run.dwell, asOf };
  const overall = new Tally(config);
  const entityCount = prepared.offsets.length - 1;
  const results: MatchResult[] = new Array(entityCount);
  const ids: string[] = new Array(entityCount);
  const window = entityWindow(prepared);
  for (let e = 0; e < entityCount; e++) {
    results[e] = matchEntity(moveTo(window, prepared, e), run.options);
    ids[e] = String(prepared.ids[e]);
    overall.add(results[e], ids[e]);
  }
  const out: { steps: FunnelStepResult[]; breakdown?: FunnelGroup[]; results: MatchResult[] } = { steps: overall.results(run.names, run.steps), results };
  if (run.breakdown) {
    const values = columnValues(prepared.table, run.breakdown.field) as ArrayLike<Cell>;
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

/**
 * One pass over the table: rows inside [from, to) that are steps or exclusions (every row, for
 * strict order) are regrouped by entity with their step and exclusion bitmasks. Each entity's
 * rows keep table order, and are sorted by time only if the table was not already in time order.
 * This reads Arquero's column arrays directly: sorting and filtering a million-row table through
 * Arquero costs more than the whole funnel.
 */
function prepare(
  t: ColumnTable,
  times: ArrayLike<unknown>,
  parse: (value: unknown, row: number) => number,
  bounds: { from: number; to: number },
  run: FunnelRun,
): Prepared {
  const n = t.numRows();
  const entity = columnValues(t, run.roles.entity);
  const event = columnValues(t, run.roles.event);
  const keepAllRows = run.options.order === 'strict';
  const lookup = maskLookup(t, run.steps, run.exclusions);
  const { from: lo, to: hi } = bounds;
  // Rows kept, in table order: their row index, masks and entity. Grown as needed: most rows
  // of a busy table are not funnel events.
  let keptRows = new Int32Array(Math.min(n, 1 << 16));
  let keptSteps = new Uint32Array(keptRows.length);
  let keptExclusions = new Uint32Array(keptRows.length);
  let keptEntity = new Int32Array(keptRows.length);
  let keptTimes = new Float64Array(keptRows.length);
  let kept = 0;
  const ids: unknown[] = [];
  const idOf = new Map<unknown, number>();
  let sizes = new Int32Array(1024);
  let latest = -Infinity;
  for (let i = 0; i < n; i++) {
    const value = times[i];
    const time = typeof value === 'number' ? value : parse(value, i);
    if (!(time >= lo && time < hi)) continue;
    if (time > latest) latest = time;
    const entry = lookup.get(event[i]);
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
    const id = entity[i];
    if (id === null || id === undefined || id === '') continue;
    let g = idOf.get(id);
    if (g === undefined) {
      g = ids.length;
      idOf.set(id, g);
      ids.push(id);
      if (g >= sizes.length) sizes = grow(sizes, sizes.length * 2);
    }
    if (kept === keptRows.length) {
      const size = Math.min(n, kept * 2);
      keptRows = grow(keptRows, size);
      keptSteps = grow(keptSteps, size);
      keptExclusions = grow(keptExclusions, size);
      keptEntity = grow(keptEntity, size);
      keptTimes = grow(keptTimes, size);
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
  return { input, offsets, ids, table: t, latest };
}

/** A typed array of `size` holding `from`'s values first. */
function grow<T extends Int32Array | Uint32Array | Float64Array>(from: T, size: number): T {
  const to = new (from.constructor as new (n: number) => T)(size);
  to.set(from);
  return to;
}

/** Sorts one entity's slice by time (ties keep table order), if it is not in order already. */
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
function maskLookup(t: ColumnTable, steps: FunnelEventStep[], exclusions: Array<{ event: string; where?: WhereClause }>): Map<unknown, NameEntry> {
  const lookup = new Map<unknown, NameEntry>();
  const add = (name: string, bit: number, exclusion: boolean, where: WhereClause | undefined) => {
    let entry = lookup.get(name);
    if (!entry) lookup.set(name, (entry = { steps: 0, exclusions: 0, conditional: [] }));
    const test = whereTest(t, where);
    if (test) entry.conditional.push({ bit, exclusion, test });
    else if (exclusion) entry.exclusions |= bit;
    else entry.steps |= bit;
  };
  steps.forEach((s, k) => add(s.event, 1 << k, false, s.where));
  exclusions.forEach((x, k) => add(x.event, 1 << k, true, x.where));
  return lookup;
}

/** A row predicate for a `where` clause (equality, or `in` a list); null when there is none. */
function whereTest(t: ColumnTable, where: WhereClause | undefined): ((row: number) => boolean) | null {
  const clauses = Object.entries(where ?? {}).map(([column, expected]) => {
    const values = columnValues(t, column);
    const allowed = new Set<unknown>(Array.isArray(expected) ? expected : [expected]);
    return (row: number) => allowed.has(values[row]);
  });
  return clauses.length ? (row) => clauses.every((c) => c(row)) : null;
}

/**
 * A window on the shared arrays (no copy), moved from entity to entity with {@link moveTo}: the
 * matchers do not keep their input, so one window serves a whole pass.
 */
function entityWindow(p: Prepared): MatchInput {
  return { times: p.input.times, steps: p.input.steps, exclusions: p.input.exclusions, rows: p.input.rows, start: 0, end: 0 };
}

/** Points the window at entity e's events. */
function moveTo(window: MatchInput, p: Prepared, e: number): MatchInput {
  window.start = p.offsets[e];
  window.end = p.offsets[e + 1];
  return window;
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
  const window = entityWindow(p);
  for (let e = 0; e < overall.length; e++) {
    const input = moveTo(window, p, e);
    if (attribution === 'first-touch' || attribution === 'last-touch') {
      tally(touchValue(input, values, attribution === 'first-touch')).add(overall[e], ids[e]);
      continue;
    }
    // Per value: one run of the funnel; an entity may count in several groups.
    const candidates = new Set<string>();
    for (let j = input.start; j < input.end; j++) {
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
  for (let o = 0; o < input.end - input.start; o++) {
    const j = first ? input.start + o : input.end - 1 - o;
    if (!input.steps[j]) continue;
    const key = groupKey(values[input.rows[j]]);
    if (key !== '') return key;
  }
  return '';
}

function filterInput(input: MatchInput, keep: (row: number) => boolean): MatchInput {
  const idx: number[] = [];
  for (let j = input.start; j < input.end; j++) if (keep(input.rows[j])) idx.push(j);
  return {
    times: idx.map((j) => input.times[j]),
    steps: idx.map((j) => input.steps[j]),
    exclusions: idx.map((j) => input.exclusions[j]),
    rows: idx.map((j) => input.rows[j]),
    start: 0,
    end: idx.length,
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
  private readonly sums: number[];
  private readonly converted: string[][];
  private readonly dropped: string[][];
  private readonly stuck: Array<Array<{ id: string; dwellMs: number }>>;

  constructor(private readonly config: TallyConfig) {
    const n = config.stepCount;
    this.counts = new Array(n).fill(0);
    this.durations = Array.from({ length: n }, () => []);
    this.sums = new Array(n).fill(0);
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
      if (k > 0) {
        const d = result.times[k] - result.times[k - 1];
        this.durations[k].push(d);
        this.sums[k] += d;
      }
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
      this.sums[k] += other.sums[k];
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
      this.durations.map((d, k) => (d.length ? this.sums[k] / d.length : null)),
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
