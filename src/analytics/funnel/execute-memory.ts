/**
 * The funnel plan run over columns in memory: one pass regroups step events by entity, the
 * matcher finds each entity's best attempt, and tallies count steps overall and per breakdown
 * group. It returns counts and raw durations; the view model turns them into rates and bins.
 * @module
 */
import type { Cell, FunnelAggregateStep } from '../contract.js';
import { parseTimes, requireColumn, timeParser, type Columns } from '../columns.js';
import { periodStart } from '../time.js';
import { matchEntity, MatchResults, type MatchOptions } from './match.js';
import type { AggregateFunnelPlan, EventFunnelPlan, FunnelPlan } from './plan.js';
import { entityWindow, moveTo, prepare, type Prepared } from './prepare.js';
import { breakdownTallies, mergeGroups } from './breakdown.js';
import { Tally, type StepTally, type TallyConfig } from './tally.js';
import type { TimeToConvert } from './insights.js';

/** One period's figures: every step, and each breakdown group (ranked, small ones merged). */
export interface FunnelPeriod {
  steps: StepTally[];
  groups?: Array<{ value: string; steps: StepTally[] }>;
}

/** Entities that entered in one trend period, and how many of them converted. */
export interface TrendBucket {
  start: number;
  entered: number;
  converted: number;
}

export interface FunnelExecution {
  current: FunnelPeriod;
  /** The same funnel over the plan's previous range. */
  previous?: FunnelPeriod;
  /** The plan's `asOf`, else the latest event in range (null: no events). */
  asOf: number | null;
  /** Time from the plan's time-to-convert step to its end step, per entity that got there. */
  conversionTimes: number[];
  /** Absent for pre-aggregated input without `trendCounts`. */
  trends?: { interval: 'day' | 'week' | 'month'; buckets: TrendBucket[] };
  /** The time-to-convert histogram given in a pre-aggregated contract (`conversionTimes`). */
  conversion?: Omit<TimeToConvert, 'from' | 'to'>;
}

/** Runs a funnel plan; counts given in the contract need no data. */
export function executeFunnel(plan: FunnelPlan, columns: Columns): FunnelExecution {
  return plan.aggregated ? givenCounts(plan) : countEvents(plan, columns);
}

/**
 * A pre-aggregated contract's figures as an execution: the steps and groups as given (median and
 * mean times, stuck counts), and the previous period, trend buckets and time-to-convert histogram
 * when the contract carries them (as the warehouse path returns them).
 */
function givenCounts(plan: AggregateFunnelPlan): FunnelExecution {
  const tallies = (steps: FunnelAggregateStep[]): StepTally[] =>
    steps.map((s, k) => {
      const tally: StepTally = { count: s.count, medianTimeMs: s.medianTimeMs ?? null, meanTimeMs: s.meanTimeMs ?? null };
      const maxDwellMs = plan.dwell[k];
      // Drill-down ids are not part of a pre-aggregated contract: the count only.
      if (maxDwellMs !== null && s.stuck !== undefined) tally.stuck = { maxDwellMs, count: s.stuck, entities: [] };
      return tally;
    });
  const period = (p: { steps: FunnelAggregateStep[]; groups?: Array<{ value: string; steps: FunnelAggregateStep[] }> }): FunnelPeriod => ({
    steps: tallies(p.steps),
    ...(p.groups ? { groups: p.groups.map((g) => ({ value: g.value, steps: tallies(g.steps) })) } : {}),
  });
  const execution: FunnelExecution = { current: period(plan), asOf: plan.asOf, conversionTimes: [] };
  if (plan.previousCounts) execution.previous = period(plan.previousCounts);
  if (plan.trendCounts) execution.trends = { interval: plan.trendCounts.interval, buckets: plan.trendCounts.periods.map((b) => ({ ...b })) };
  if (plan.conversionTimes) {
    const c = plan.conversionTimes;
    execution.conversion = { count: c.count, medianMs: c.medianMs ?? null, meanMs: c.meanMs ?? null, bins: c.bins.map((b) => ({ ...b })) };
  }
  return execution;
}

function countEvents(plan: EventFunnelPlan, columns: Columns): FunnelExecution {
  requireColumn(columns, plan.fields.entity, '/fields/entity');
  requireColumn(columns, plan.fields.time, '/fields/time');
  requireColumn(columns, plan.fields.event, '/fields/event');
  plan.steps.forEach((s, i) => Object.keys(s.where ?? {}).forEach((c) => requireColumn(columns, c, `/funnel/steps/${i}/where/${c}`)));
  plan.exclusions.forEach((e, i) => Object.keys(e.where ?? {}).forEach((c) => requireColumn(columns, c, `/funnel/exclusions/${i}/where/${c}`)));
  if (plan.breakdown) requireColumn(columns, plan.breakdown.field, '/funnel/breakdown/field');

  const parse = timeParser(columns, plan.fields.time, plan.timeZone);
  // Times are parsed inside prepare's one pass; a comparison passes twice, so then they are
  // parsed once up front.
  const times = plan.previous ? parseTimes(columns, plan.fields.time, plan.timeZone) : columns.get(plan.fields.time);
  const current = prepare(columns, times, parse, plan, plan.range);
  const asOf = plan.asOf ?? (current.latest > -Infinity ? current.latest : null);
  const now = runFunnel(current, plan, { entityLimit: plan.entityLimit, dwell: plan.dwell, asOf });
  const execution: FunnelExecution = {
    current: now.period,
    asOf,
    conversionTimes: plan.steps.length > 1 ? conversionTimes(now.results, plan.timeToConvert.from, plan.timeToConvert.to) : [],
    trends: trendBuckets(now.results, plan, plan.trendInterval ?? autoInterval(now.results)),
  };
  if (plan.previous) {
    const quiet = { entityLimit: 0, dwell: plan.dwell.map(() => null), asOf: null };
    execution.previous = runFunnel(prepare(columns, times, parse, plan, plan.previous), plan, quiet).period;
  }
  return execution;
}

/** The matcher's options for a plan. */
function matchOptions(plan: EventFunnelPlan): MatchOptions {
  return { stepCount: plan.steps.length, windowMs: plan.windowMs, order: plan.order, exclusions: plan.exclusions };
}

/** Matches every entity of one period and tallies steps, overall and per group. */
function runFunnel(prepared: Prepared, plan: EventFunnelPlan, tallyOptions: Omit<TallyConfig, 'stepCount'>): { period: FunnelPeriod; results: MatchResults } {
  const config: TallyConfig = { stepCount: plan.steps.length, ...tallyOptions };
  const options = matchOptions(plan);
  const overall = new Tally(config);
  const entityCount = prepared.offsets.length - 1;
  const results = new MatchResults(entityCount, plan.steps.length);
  const ids = prepared.ids;
  const window = entityWindow(prepared);
  for (let e = 0; e < entityCount; e++) {
    const result = matchEntity(moveTo(window, prepared, e), options);
    results.set(e, result);
    overall.add(result, ids[e]);
  }
  const period: FunnelPeriod = { steps: overall.steps() };
  if (plan.breakdown) {
    const valueAt = prepared.columns.reader(plan.breakdown.field) as (row: number) => Cell;
    const tallies = breakdownTallies(prepared, results, ids, valueAt, plan.breakdown.attribution, options, config);
    period.groups = mergeGroups(tallies, plan.breakdown.limit, config);
  }
  return { period, results };
}

/** `times[to] - times[from]` of every entity whose best attempt reached `to`. */
function conversionTimes(results: MatchResults, from: number, to: number): number[] {
  const { furthest, excluded, times, stepCount } = results;
  const durations: number[] = [];
  for (let e = 0; e < results.count; e++) if (!excluded[e] && furthest[e] >= to) durations.push(times[e * stepCount + to] - times[e * stepCount + from]);
  return durations;
}

/** Trend periods for the span of entry times: days up to two months, weeks up to a year. */
function autoInterval(results: MatchResults): 'day' | 'week' | 'month' {
  const { furthest, excluded, times, stepCount } = results;
  let lo = Infinity;
  let hi = -Infinity;
  for (let e = 0; e < results.count; e++) {
    if (furthest[e] < 0 || excluded[e]) continue;
    const entered = times[e * stepCount];
    if (entered < lo) lo = entered;
    if (entered > hi) hi = entered;
  }
  return intervalForSpan(lo, hi);
}

/**
 * The trend period for entry times from `lo` to `hi` (epoch ms; Infinity and -Infinity for
 * none): days up to two months, weeks up to a year, else months.
 */
export function intervalForSpan(lo: number, hi: number): 'day' | 'week' | 'month' {
  const days = (hi - lo) / 86_400_000;
  return !(days > 62) ? 'day' : days <= 366 ? 'week' : 'month';
}

/** Each counted entity in the period of its best attempt's first step; converted if it reached the last. */
function trendBuckets(results: MatchResults, plan: EventFunnelPlan, interval: 'day' | 'week' | 'month'): NonNullable<FunnelExecution['trends']> {
  const { furthest, excluded, times, stepCount } = results;
  const byStart = new Map<number, TrendBucket>();
  const last = plan.steps.length - 1;
  for (let e = 0; e < results.count; e++) {
    if (excluded[e] || furthest[e] < 0) continue;
    const start = periodStart(times[e * stepCount], interval, plan.timeZone);
    let bucket = byStart.get(start);
    if (!bucket) byStart.set(start, (bucket = { start, entered: 0, converted: 0 }));
    bucket.entered++;
    if (furthest[e] === last) bucket.converted++;
  }
  return { interval, buckets: [...byStart.values()].sort((a, b) => a.start - b.start) };
}
