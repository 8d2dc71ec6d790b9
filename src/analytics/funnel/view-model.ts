/**
 * The funnel view model: the executor's counts shaped for display, with rates, drop-offs, the
 * break point, the time-to-convert histogram, trends and the previous period. The same shaping
 * serves events counted in memory and counts given in the contract.
 * @module
 */
import type { FunnelExecution, FunnelPeriod } from './execute-memory.js';
import { funnelTrends, timeToConvert, type FunnelTrends, type TimeToConvert } from './insights.js';
import type { FunnelPlan } from './plan.js';
import type { StepTally } from './tally.js';

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

export function shapeFunnel(plan: FunnelPlan, execution: FunnelExecution): FunnelViewModel {
  const names = plan.steps.map((s) => s.name);
  const events = plan.aggregated ? null : plan.steps.map((s) => s.event);
  const period = (p: FunnelPeriod) => ({
    steps: stepResults(names, events, p.steps),
    ...(p.groups ? { breakdown: p.groups.map((g) => ({ value: g.value, steps: stepResults(names, events, g.steps) })) } : {}),
  });
  const current = period(execution.current);
  const view: FunnelViewModel = {
    steps: current.steps,
    ...(current.breakdown ? { breakdown: current.breakdown } : {}),
    largestDropOff: largestDropOff(current.steps),
    order: plan.order,
    windowMs: plan.windowMs,
    aggregated: plan.aggregated,
    range: plan.range,
    asOf: execution.asOf,
  };
  const ttc = plan.timeToConvert;
  if (execution.conversion) view.timeToConvert = { from: ttc.from, to: ttc.to, ...execution.conversion };
  else if (!plan.aggregated && plan.steps.length > 1) view.timeToConvert = timeToConvert(execution.conversionTimes, ttc.from, ttc.to, ttc.bins);
  if (execution.trends) {
    // An explicit interval is the user's to change; a chosen one means the events span too long.
    const path = plan.trendInterval ? '/funnel/trends/interval' : '/funnel/range';
    view.trends = funnelTrends(execution.trends, plan.timeZone, plan.windowMs, execution.asOf, path);
  }
  if (plan.previous && execution.previous) view.comparison = { ...plan.previous, ...period(execution.previous) };
  return view;
}

function stepResults(names: string[], events: string[] | null, tallies: StepTally[]): FunnelStepResult[] {
  const first = tallies[0]?.count ?? 0;
  return tallies.map((t, k) => {
    const count = t.count;
    const prev = k === 0 ? count : tallies[k - 1].count;
    const step: FunnelStepResult = {
      index: k,
      name: names[k],
      count,
      conversionFromFirst: first ? count / first : 0,
      conversionFromPrevious: k === 0 ? 1 : prev ? count / prev : 0,
      dropOff: k === 0 ? 0 : prev - count,
      dropOffRate: k === 0 || !prev ? 0 : (prev - count) / prev,
      medianTimeMs: k === 0 ? null : t.medianTimeMs,
      meanTimeMs: k === 0 ? null : t.meanTimeMs,
    };
    if (events) step.event = events[k];
    if (t.convertedIds) step.convertedIds = t.convertedIds;
    if (t.droppedIds) step.droppedIds = t.droppedIds;
    if (t.stuck) step.stuck = t.stuck;
    return step;
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
