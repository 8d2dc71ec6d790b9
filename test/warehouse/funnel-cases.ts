/**
 * The random funnel cases both warehouse differential tests run (DuckDB and ClickHouse): event
 * logs and contracts that exercise the matcher's edges, the view-model figures they are compared
 * by, and the drill-down lists asked for. One generator, so both databases face the same cases.
 */
import assert from 'node:assert/strict';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelContract, FunnelEventStep, InlineContract, WhereClause } from '../../src/analytics/contract.js';
import type { FunnelGroup, FunnelStepResult } from '../../src/analytics/funnel/view-model.js';
import { chainable } from '../../src/warehouse/funnel-sql.js';
import type { FunnelEntitiesRequest } from '../../src/warehouse/funnel-sql.js';
import { planFunnel, type EventFunnelPlan } from '../../src/analytics/funnel/plan.js';
import { prng, type ColumnType, pick, type Row } from './support.js';

export const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['n', 'DOUBLE'],
  ['channel', 'VARCHAR'],
];
export type { Row } from './support.js';

/** Picks one element. */
export { pick } from './support.js';

export const EVENTS = ['a', 'b', 'c', 'd'] as const;

/** The log's time scale: its base instant (one near a US daylight-saving change) and unit. */
export interface Clock {
  base: number;
  unit: number;
  /** Times get a fraction of a millisecond (sums then depend on the order they are added in). */
  fractional: boolean;
  /** Later events tend to be later steps (a, b, c, d), so many entities convert, at varied speeds. */
  journeys: boolean;
}

/** A random clock: seconds apart (window edges, ties), or hours and days apart (trend periods). */
export function randomClock(r: () => number): Clock {
  return {
    base: pick(r, [1_700_000_000_000, 1_710_000_000_000]),
    unit: pick(r, [1000, 1000, 1000, 7 * 3_600_000, 5 * 86_400_000]),
    fractional: r() < 0.15,
    journeys: r() < 0.5,
  };
}

/**
 * A small log that exercises the matcher's edges: few distinct times (so many ties), times on
 * multiples of the window unit (so events land exactly on the window edge), few event names (so
 * steps repeat), missing and empty entities, and breakdown values missing, null or empty.
 */
export function randomLog(r: () => number, clock: Clock): Row[] {
  const rows: Row[] = [];
  const count = clock.journeys ? 15 + Math.floor(r() * 40) : 1 + Math.floor(r() * 40);
  const entities = 1 + Math.floor(r() * 6);
  const span = 1 + Math.floor(r() * (clock.journeys ? 8 : 12));
  for (let i = 0; i < count; i++) {
    const roll = r();
    const fraction = clock.fractional ? pick(r, [0, 0.1, 0.7, 0.3]) : 0;
    const slot = Math.floor(r() * span);
    rows.push({
      user: roll < 0.03 ? null : roll < 0.05 ? '' : `u${Math.floor(r() * entities)}`,
      ts: clock.base + slot * clock.unit + fraction,
      event: clock.journeys ? EVENTS[Math.min(3, Math.floor((slot * 4) / span + r()))] : pick(r, ['a', 'b', 'c', 'd', 'a', 'b']),
      plan: pick(r, ['free', 'pro', null]),
      n: pick(r, [1, 2, 3, null]),
      channel: pick(r, ['ads', 'seo', 'mail', 'x', null, '', 'Other']),
    });
  }
  return rows;
}

/** A step's optional filter: strings, numbers, lists, null, and a type that never matches. */
export function randomWhere(r: () => number): WhereClause | undefined {
  const roll = r();
  if (roll < 0.6) return undefined;
  if (roll < 0.7) return { plan: pick(r, ['free', 'pro']) };
  if (roll < 0.8) return { n: pick(r, [1, 2, [1, 3], null]) };
  if (roll < 0.9) return { plan: ['pro', null], n: [2, 3] };
  return { n: '1' }; // a string never equals a number, in memory or in SQL
}

export interface Features {
  order: string;
  attribution: string;
  where: boolean;
  range: boolean;
  repeated: boolean;
  exclusions: boolean;
  compare: boolean;
  trends: string;
  timeToConvert: boolean;
  maxDwell: boolean;
  asOf: boolean;
  timeZone: string;
  /** The warehouse matches it by the ordered fast path (chainCtes). */
  chained: boolean;
  /** What the computed view shows, so the printout tells the comparisons were not vacuous. */
  outcomes?: string[];
}

/** A random contract over the log, and the features it uses (for the coverage printout). */
export function randomContract(r: () => number, rows: Row[], clock: Clock): { contract: InlineContract<FunnelContract>; features: Features } {
  const stepCount = 1 + Math.floor(r() * 5);
  const dwell = r() < 0.3;
  const inOrder = clock.journeys && r() < 0.85;
  const steps: FunnelEventStep[] = Array.from({ length: stepCount }, (_, k) => {
    const where = inOrder && r() < 0.8 ? undefined : randomWhere(r);
    const event = inOrder ? EVENTS[Math.min(3, k)] : pick(r, EVENTS);
    const maxDwell = dwell && r() < 0.6 ? pick(r, [0, 1, 2, 4]) * clock.unit : undefined;
    return { event, ...(where ? { where } : {}), ...(maxDwell !== undefined ? { maxDwell } : {}) };
  });
  const order = pick(r, ['ordered', 'strict', 'any'] as const);
  const funnel: FunnelContract['funnel'] = { steps, order, window: Math.floor(r() * 6) * clock.unit };
  let attribution = 'none';
  if (r() < 0.6) {
    const a = pick(r, ['first-touch', 'last-touch', 'all-events', 'step'] as const);
    const step = Math.floor(r() * stepCount);
    funnel.breakdown = { field: 'channel', attribution: a === 'step' ? { step } : a, limit: 1 + Math.floor(r() * 4) };
    attribution = a;
  }
  if (stepCount >= 2 && r() < 0.35) {
    funnel.exclusions = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
      const from = Math.floor(r() * (stepCount - 1));
      const to = from + 1 + Math.floor(r() * (stepCount - 1 - from));
      const where = randomWhere(r);
      return { event: pick(r, ['a', 'b', 'c', 'd']), from, to, ...(where ? { where } : {}) };
    });
  }
  const compare = r() < 0.25;
  const range = compare || r() < 0.25;
  const at = (units: number) => clock.base + units * clock.unit;
  if (compare) {
    // A range late enough in the log that the previous one holds events too.
    const from = 3 + Math.floor(r() * 6);
    funnel.range = { from: at(from), to: at(from + 1 + Math.floor(r() * 5)) };
    funnel.compare = 'previous-period';
  } else if (range) funnel.range = { from: at(Math.floor(r() * 4)), to: at(4 + Math.floor(r() * 8)) };
  let trends = 'auto';
  if (r() < 0.4) {
    const interval = pick(r, ['day', 'week', 'month'] as const);
    funnel.trends = { interval };
    trends = interval;
  }
  const timeToConvert = stepCount >= 2 && r() < 0.6;
  if (timeToConvert) {
    const from = Math.floor(r() * (stepCount - 1));
    const to = from + 1 + Math.floor(r() * (stepCount - 1 - from));
    funnel.timeToConvert = { ...(r() < 0.5 ? { from, to } : {}), ...(r() < 0.7 ? { bins: 1 + Math.floor(r() * 7) } : {}) };
  }
  const asOf = r() < 0.3;
  if (asOf) funnel.asOf = at(Math.floor(r() * 16)) + (r() < 0.3 ? 0.5 : 0);
  const timeZone = pick(r, ['UTC', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu']);
  const columns = Object.fromEntries(COLUMNS.map(([name]) => [name, rows.map((row) => row[name] ?? null)]));
  const contract: InlineContract<FunnelContract> = {
    version: 1,
    kind: 'funnel',
    data: { columns },
    fields: { entity: 'user', time: 'ts', event: 'event' },
    ...(timeZone !== 'UTC' ? { timeZone } : {}),
    funnel,
  };
  const repeated = new Set(steps.map((s) => s.event)).size < steps.length;
  return {
    contract,
    features: {
      order,
      attribution,
      where: steps.some((s) => s.where),
      range,
      repeated,
      exclusions: !!funnel.exclusions,
      compare,
      trends,
      timeToConvert,
      maxDwell: steps.some((s) => s.maxDwell !== undefined),
      asOf,
      timeZone,
      chained: chainable(planFunnel(contract) as EventFunnelPlan),
    },
  };
}

/** A step's figures as the widgets draw them (drill-down ids aside: a pre-aggregated contract has none). */
export function stepFigures(steps: FunnelStepResult[]) {
  return steps.map((s) => ({
    count: s.count,
    conversionFromFirst: s.conversionFromFirst,
    conversionFromPrevious: s.conversionFromPrevious,
    dropOff: s.dropOff,
    dropOffRate: s.dropOffRate,
    medianTimeMs: s.medianTimeMs,
    meanTimeMs: s.meanTimeMs,
    stuck: s.stuck ? { maxDwellMs: s.stuck.maxDwellMs, count: s.stuck.count } : null,
  }));
}

/** Every number of a view model, for comparison. */
export function figures(contract: InlineContract<FunnelContract>) {
  const v = computeFunnel(contract);
  const groups = (g: FunnelGroup[] | undefined) => g?.map((x) => [x.value, stepFigures(x.steps)]) ?? null;
  return {
    steps: stepFigures(v.steps),
    groups: groups(v.breakdown),
    largestDropOff: v.largestDropOff,
    range: v.range,
    asOf: v.asOf,
    timeToConvert: v.timeToConvert ?? null,
    trends: v.trends ?? null,
    comparison: v.comparison ? { from: v.comparison.from, to: v.comparison.to, steps: stepFigures(v.comparison.steps), groups: groups(v.comparison.breakdown) } : null,
  };
}


/** One differential case: a random log and a random contract over it, from a seed. */
export function differentialCase(seed: number): { rows: Row[]; contract: InlineContract<FunnelContract>; features: Features } {
  const r = prng(seed);
  const clock = randomClock(r);
  const rows = randomLog(r, clock);
  return { rows, ...randomContract(r, rows, clock) };
}

/**
 * Compares the warehouse's pre-aggregated contract with the in-memory view model of the same
 * contract: the counts as returned, and every figure as the widgets draw them. Records in
 * `features.outcomes` what the view shows, so the printout tells the comparisons were not vacuous.
 */
export function assertSameFunnel(contract: InlineContract<FunnelContract>, aggregated: FunnelContract, features: Features, context: string): void {
  const expected = figures(contract);
  features.outcomes = [
    ...(expected.steps.some((s) => s.medianTimeMs !== null) ? ['median times'] : []),
    ...(expected.steps.some((s) => s.meanTimeMs !== null && !Number.isInteger(s.meanTimeMs)) ? ['fractional means'] : []),
    ...(expected.groups?.some((g) => g[0] === 'Other') ? ['an "Other" group'] : []),
    ...(expected.comparison && expected.comparison.steps[0].count > 0 ? ['previous period counted'] : []),
    ...(expected.trends && expected.trends.points.length > 1 ? ['several trend points'] : []),
    ...(expected.trends?.points.some((p) => !p.incomplete) ? ['complete trend points'] : []),
    ...(expected.timeToConvert && expected.timeToConvert.bins.length > 1 ? ['several time-to-convert bins'] : []),
    ...(expected.steps.some((s) => s.stuck && s.stuck.count > 0) ? ['stuck entities'] : []),
  ];
  const got = {
    steps: aggregated.funnel.steps.map((s) => ('count' in s ? s.count : NaN)),
    groups: aggregated.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null,
  };
  // The counts as returned, and as the widgets draw them from the pre-aggregated contract.
  const drawn = figures({ ...aggregated, data: { rows: [] } } as InlineContract<FunnelContract>);
  assert.deepEqual(got.steps, expected.steps.map((s) => s.count), context);
  assert.deepEqual(drawn, expected, context);
  if (expected.groups) assert.deepEqual(new Set(got.groups?.map((g) => g[0])), new Set(expected.groups.map((g) => g[0])), context);
}

/** Counts the features and outcomes of the cases run, for the coverage printout. */
export class FeatureTally {
  private readonly counts = new Map<string, number>();

  add(features: Features): void {
    const count = (key: string) => this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    count(`order=${features.order}`);
    count(`attribution=${features.attribution}`);
    if (features.where) count('where');
    if (features.range) count('range');
    if (features.repeated) count('repeated steps');
    if (features.exclusions) count('exclusions');
    if (features.compare) count('compare');
    count(`trends=${features.trends}`);
    if (features.timeToConvert) count('timeToConvert');
    if (features.maxDwell) count('maxDwell');
    if (features.asOf) count('asOf');
    count(`timeZone=${features.timeZone}`);
    if (features.chained) count('ordered fast path');
    for (const outcome of features.outcomes ?? []) count(`shows ${outcome}`);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  toString(): string {
    return [...this.counts.entries()].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n');
  }
}

/** One drill-down list asked for, and the in-memory view model's answer. */
export interface DrillRequest {
  request: FunnelEntitiesRequest;
  expected: string[];
  /** How many entities the list has before the cut at entityLimit. */
  count: number;
}

/**
 * One case of the drill-down tests: a differential contract with a random `entityLimit` (so
 * lists are cut), and a few random lists asked for — a step, converted or dropped, the whole
 * funnel or a group (now and then one the view does not show) — each with the in-memory view
 * model's list.
 */
export function drillCase(seed: number): { rows: Row[]; contract: InlineContract<FunnelContract>; requests: DrillRequest[] } {
  const r = prng(seed);
  const clock = randomClock(r);
  const rows = randomLog(r, clock);
  const { contract } = randomContract(r, rows, clock);
  contract.funnel.entityLimit = pick(r, [0, 1, 2, 3, 100, 100]);
  const view = computeFunnel(contract);
  const n = view.steps.length;
  const requests: DrillRequest[] = [];
  for (let i = 0; i < 4; i++) {
    const groups = view.breakdown?.map((g) => g.value) ?? [];
    const group = groups.length && r() < 0.7 ? (r() < 0.1 ? 'no such group' : pick(r, groups)) : null;
    const steps = group === null ? view.steps : view.breakdown?.find((g) => g.value === group)?.steps;
    // Mostly a list someone is on (most random lists are empty), else any.
    const lists = (steps ?? []).flatMap((s, k) => [...(s.count ? [[k, 'converted'] as const] : []), ...(s.dropOff ? [[k, 'dropped'] as const] : [])]);
    const [step, outcome] = lists.length && r() < 0.75 ? pick(r, lists) : [Math.floor(r() * n), pick(r, ['converted', 'dropped'] as const)];
    const expected = steps ? ((outcome === 'converted' ? steps[step].convertedIds : steps[step].droppedIds) ?? []) : [];
    const count = steps ? (outcome === 'converted' ? steps[step].count : steps[step].dropOff) : 0;
    requests.push({ request: { step, outcome, group }, expected, count });
  }
  return { rows, contract, requests };
}
