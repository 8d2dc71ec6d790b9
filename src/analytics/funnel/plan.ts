/**
 * A funnel contract checked and resolved into a plan: defaults applied, durations and ranges in
 * epoch ms, every cross-field error thrown here with its JSON path. The plan is plain JSON and
 * holds no data, so any executor (memory, a Worker, a database) can run it.
 * @module
 */
import type { FunnelAggregateStep, FunnelContract, FunnelConversionTimes, FunnelEventStep, FunnelPreviousCounts, FunnelTrendCounts, WhereClause } from '../contract.js';
import { ContractError } from '../contract-error.js';
import { fieldOf } from '../columns.js';
import { checkTimeZone, parseDuration, parseTimestamp, planRange, plausibleTime, type PlannedRange } from '../time.js';

export type FunnelOrder = 'ordered' | 'strict' | 'any';
export type Attribution = 'first-touch' | 'last-touch' | 'all-events' | { step: number };

/** A funnel over counts given in the contract: nothing to compute from events. */
export interface AggregateFunnelPlan {
  kind: 'funnel';
  aggregated: true;
  order: FunnelOrder;
  windowMs: number;
  steps: FunnelAggregateStep[];
  groups?: Array<{ value: string; steps: FunnelAggregateStep[] }>;
  timeZone: string;
  /** The range the counts cover (open ends null when none is given). */
  range: PlannedRange;
  /** The preceding range of equal length, with `compare` and a closed range. */
  previous: { from: number; to: number } | null;
  /** `asOf`, when given: "now" for incomplete trend periods. */
  asOf: number | null;
  /** maxDwell per step in ms (with `stuck`), null where none is set. */
  dwell: Array<number | null>;
  timeToConvert: { from: number; to: number; bins?: number };
  trendInterval: 'day' | 'week' | 'month' | null;
  /** The previous period's counts (`funnel.previous`). */
  previousCounts?: FunnelPreviousCounts;
  /** Entries per trend period (`funnel.trendCounts`). */
  trendCounts?: FunnelTrendCounts;
  /** The time-to-convert histogram (`funnel.conversionTimes`). */
  conversionTimes?: FunnelConversionTimes;
}

/** A funnel computed from raw events. */
export interface EventFunnelPlan {
  kind: 'funnel';
  aggregated: false;
  order: FunnelOrder;
  windowMs: number;
  timeZone: string;
  /** Columns holding the entity, event time and event name. */
  fields: { entity: string; time: string; event: string };
  steps: Array<{ event: string; name: string; where?: WhereClause }>;
  exclusions: Array<{ event: string; from: number; to: number; where?: WhereClause }>;
  breakdown: { field: string; attribution: Attribution; limit: number } | null;
  range: PlannedRange;
  /** The preceding range of equal length, with `compare: "previous-period"`. */
  previous: { from: number; to: number } | null;
  /** "Now" for dwell limits and open windows; null: the latest event. */
  asOf: number | null;
  /** maxDwell per step in ms, null where none is set. */
  dwell: Array<number | null>;
  entityLimit: number;
  timeToConvert: { from: number; to: number; bins?: number };
  /** Trend period; null: chosen from the span of entry times. */
  trendInterval: 'day' | 'week' | 'month' | null;
}

export type FunnelPlan = AggregateFunnelPlan | EventFunnelPlan;

const DEFAULT_WINDOW = '14d';
const DEFAULT_ENTITY_LIMIT = 100;
const DEFAULT_BREAKDOWN_LIMIT = 10;
/** Step and exclusion matches are bitmasks in a 32-bit integer. */
export const MAX_STEPS = 31;

export function planFunnel(contract: FunnelContract): FunnelPlan {
  const spec = contract.funnel;
  const order = spec.order ?? 'ordered';
  const windowMs = parseDuration(spec.window ?? DEFAULT_WINDOW, '/funnel/window');
  const aggregated = spec.steps.every((s) => 'count' in s);
  if (!aggregated && spec.steps.some((s) => 'count' in s)) {
    const i = spec.steps.findIndex((s) => 'count' in s);
    throw new ContractError(`/funnel/steps/${i}`, 'mixes a pre-aggregated step (name, count) with event steps; use one kind');
  }
  if (aggregated) {
    const steps = spec.steps as FunnelAggregateStep[];
    return planAggregateFunnel(contract, steps, order, windowMs);
  }
  return planEventFunnel(contract, spec.steps as FunnelEventStep[], order, windowMs);
}

/**
 * A pre-aggregated funnel: the counts as given, with what the view needs to shape the optional
 * figures a warehouse returns beside them (previous period, trend counts, time to convert, stuck
 * counts), each checked against the steps.
 */
/** The funnel's time zone, range and "now" (`asOf`), checked as both raw and given funnels read them. */
function planWhen(contract: FunnelContract): { timeZone: string; range: ReturnType<typeof planRange>; asOf: number | null } {
  const spec = contract.funnel;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const range = planRange(spec.range, timeZone, '/funnel/range');
  let asOf: number | null = null;
  if (spec.asOf !== undefined) {
    asOf = parseTimestamp(spec.asOf, timeZone);
    if (!plausibleTime(asOf)) throw new ContractError('/funnel/asOf', `expected an ISO 8601 timestamp or epoch milliseconds within 10,000 years of 1970, got ${JSON.stringify(spec.asOf)}`);
  }
  return { timeZone, range, asOf };
}

function planAggregateFunnel(contract: FunnelContract, steps: FunnelAggregateStep[], order: FunnelOrder, windowMs: number): AggregateFunnelPlan {
  const spec = contract.funnel;
  const sameLength = (given: FunnelAggregateStep[], path: string) => {
    if (given.length !== steps.length) throw new ContractError(path, `expected ${steps.length} steps like /funnel/steps, got ${given.length}`);
  };
  spec.groups?.forEach((g, gi) => sameLength(g.steps, `/funnel/groups/${gi}/steps`));
  if (spec.previous) {
    sameLength(spec.previous.steps, '/funnel/previous/steps');
    spec.previous.groups?.forEach((g, gi) => sameLength(g.steps, `/funnel/previous/groups/${gi}/steps`));
  }
  const { timeZone, range, asOf } = planWhen(contract);
  const previous = spec.compare === 'previous-period' && range.from !== null && range.to !== null ? { from: range.from - (range.to - range.from), to: range.from } : null;
  const ttc = spec.timeToConvert ?? {};
  return {
    kind: 'funnel',
    aggregated: true,
    order,
    windowMs,
    steps,
    ...(spec.groups ? { groups: spec.groups } : {}),
    timeZone,
    range,
    previous,
    asOf,
    dwell: steps.map((s, i) => (s.maxDwell === undefined ? null : parseDuration(s.maxDwell, `/funnel/steps/${i}/maxDwell`))),
    timeToConvert: { from: ttc.from ?? 0, to: ttc.to ?? steps.length - 1, ...(ttc.bins !== undefined ? { bins: ttc.bins } : {}) },
    trendInterval: spec.trends?.interval ?? null,
    ...(spec.previous ? { previousCounts: spec.previous } : {}),
    ...(spec.trendCounts ? { trendCounts: spec.trendCounts } : {}),
    ...(spec.conversionTimes ? { conversionTimes: spec.conversionTimes } : {}),
  };
}

function planEventFunnel(contract: FunnelContract, steps: FunnelEventStep[], order: FunnelOrder, windowMs: number): EventFunnelPlan {
  const spec = contract.funnel;
  if (steps.length > MAX_STEPS) throw new ContractError('/funnel/steps', `expected at most ${MAX_STEPS} event steps, got ${steps.length}`);
  const exclusions = (spec.exclusions ?? []).map((e, i) => {
    const path = `/funnel/exclusions/${i}`;
    if (e.from >= e.to) throw new ContractError(`${path}/to`, `expected a step after "from" (${e.from}), got ${e.to}`);
    if (e.to >= steps.length) throw new ContractError(`${path}/to`, `expected a step index below ${steps.length}, got ${e.to}`);
    return e;
  });
  if (exclusions.length > MAX_STEPS) throw new ContractError('/funnel/exclusions', `expected at most ${MAX_STEPS} exclusions`);
  const fields = { entity: fieldOf(contract.fields, 'entity'), time: fieldOf(contract.fields, 'time'), event: fieldOf(contract.fields, 'event') };
  const attribution = spec.breakdown?.attribution ?? 'first-touch';
  if (typeof attribution === 'object' && attribution.step >= steps.length) {
    throw new ContractError('/funnel/breakdown/attribution/step', `expected a step index below ${steps.length}, got ${attribution.step}`);
  }
  const { timeZone, range, asOf } = planWhen(contract);
  let previous: EventFunnelPlan['previous'] = null;
  if (spec.compare === 'previous-period') {
    if (range.from === null || range.to === null) {
      throw new ContractError('/funnel/range', 'compare "previous-period" needs a range with both "from" and "to"');
    }
    previous = { from: range.from - (range.to - range.from), to: range.from };
  }
  const ttc = spec.timeToConvert ?? {};
  const ttcFrom = ttc.from ?? 0;
  const ttcTo = ttc.to ?? steps.length - 1;
  if (ttcTo >= steps.length) throw new ContractError('/funnel/timeToConvert/to', `expected a step index below ${steps.length}, got ${ttcTo}`);
  if (steps.length > 1 && ttcFrom >= ttcTo) throw new ContractError('/funnel/timeToConvert/from', `expected a step before "to" (${ttcTo}), got ${ttcFrom}`);
  return {
    kind: 'funnel',
    aggregated: false,
    order,
    windowMs,
    timeZone,
    fields,
    steps: steps.map((s) => ({ event: s.event, name: s.label ?? s.event, ...(s.where ? { where: s.where } : {}) })),
    exclusions,
    breakdown: spec.breakdown
      ? { field: spec.breakdown.field, attribution, limit: spec.breakdown.limit ?? DEFAULT_BREAKDOWN_LIMIT }
      : null,
    range,
    previous,
    asOf,
    dwell: steps.map((s, i) => (s.maxDwell === undefined ? null : parseDuration(s.maxDwell, `/funnel/steps/${i}/maxDwell`))),
    entityLimit: spec.entityLimit ?? DEFAULT_ENTITY_LIMIT,
    timeToConvert: { from: ttcFrom, to: ttcTo, ...(ttc.bins !== undefined ? { bins: ttc.bins } : {}) },
    trendInterval: spec.trends?.interval ?? null,
  };
}
