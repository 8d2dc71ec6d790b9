/**
 * A funnel plan compiled to one DuckDB query over raw events. The query does everything the
 * in-memory engine does per entity (src/analytics/funnel/prepare.ts, match.ts, breakdown.ts,
 * tally.ts) and returns only aggregates: per period (the range, and the previous one with
 * `compare`), step counts, median and mean times from the step before and stuck counts for the
 * whole funnel and per breakdown group; "now"; entries per local day for the trends; and the
 * time-to-convert histogram.
 *
 * The per-entity matcher is the in-memory one translated step for step, ties and quirks included.
 * Ordered and strict (`matchSequence`): an entity's events become "units" in the order it
 * processes them (time, then — at a timestamp whose events' masks differ — one unit per matched
 * step, lowest step first, then row order; otherwise each event's exclusions, then its steps), and
 * a `list_reduce` over the units carries the same state (`entered[s]`: start time, rows used and
 * excluded flag of the latest-starting attempt at step s; the best attempt). Because the loop over
 * steps in `processEvent` runs from the last step down, each step reads only the state before the
 * event, so the unrolled per-step expressions below are exactly that loop. The common case — an
 * ordered funnel without exclusions whose steps are different events ({@link chainable}) — needs
 * no state machine: one `lag` per step over the entity's events finds the same attempts
 * ({@link chainCtes}), far cheaper than reducing lists of structs. Any order
 * (`matchAnyOrder`): one greedy scan per start event, as a `list_reduce` over its window.
 *
 * The drill-down lists (`convertedIds`, `droppedIds`) are not part of the returned contract: a
 * second query gives one of them when it is asked for ({@link funnelEntitiesJob}).
 *
 * The `clickhouse` dialect writes its query in funnel-clickhouse.ts (ClickHouse 18.16 has neither
 * CTEs nor folds) and reshapes its rows into the rows below, so both dialects share the plan,
 * the ranking and merging of groups, the trend roll-up and the shaping of the contract.
 * @module
 */
import type { FunnelAggregateStep, FunnelContract, FunnelEventStep } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { intervalForSpan, type TrendBucket } from '../analytics/funnel/execute-memory.js';
import { funnelTrends, NICE_WIDTHS } from '../analytics/funnel/insights.js';
import { planFunnel, type EventFunnelPlan } from '../analytics/funnel/plan.js';
import { OTHER, topGroups } from '../analytics/groups.js';
import { DURATION, periodStart } from '../analytics/time.js';
import { quoteIdent, quoteTable, SqlParams } from './quote.js';
import { clickHouseEntitiesSql, clickHouseEntityRows, clickHouseFunnelRows, clickHouseFunnelSql } from './funnel-clickhouse.js';
import { stepCondition, timeCheckCte, timeExpression, type NeededColumn, type SqlOptions, type WarehouseJob } from './sql.js';

/**
 * A funnel contract as a warehouse job, planned by the in-memory engine's planner (so errors carry
 * the same JSON paths). Its result is the same contract with `funnel.steps` as counts (with median
 * and mean times, and stuck counts where a step has `maxDwell`) and, with a breakdown,
 * `funnel.groups` ranked (top `limit` by step-1 count, the rest merged into "Other", as in memory);
 * `funnel.previous` with `compare`; `funnel.asOf` ("now"); `funnel.trendCounts`; and, from two
 * steps, `funnel.conversionTimes`. Its view model is the raw contract's, number for number (the
 * drill-down ids aside). Only those aggregates leave the database.
 */
export function funnelJob(contract: FunnelContract): WarehouseJob<FunnelContract> {
  const plan = planFunnel(contract);
  if (plan.aggregated) throw new ContractError('/funnel/steps', 'the steps are already counts: there is nothing to compute in the warehouse');
  // finish() reads the rows of the dialect sql() last wrote for.
  let dialect: SqlOptions['dialect'] = 'duckdb';
  return {
    columns: funnelColumns(plan),
    dialects: ['duckdb', 'clickhouse'],
    sql: (options, _prepared, exact) => {
      dialect = options.dialect ?? 'duckdb';
      return dialect === 'clickhouse' ? { sql: clickHouseFunnelSql(plan, options), params: [] } : funnelSql(plan, options, exact ? 'any' : 'whole-ms');
    },
    inexact: (rows) => dialect === 'duckdb' && needsAnyTimes(rows),
    finish: (rows) => aggregatedFunnel(contract, plan, dialect === 'clickhouse' ? clickHouseFunnelRows(plan, rows) : rows),
  };
}

/** Which drill-down list to read: a step (0-based), who reached it or who dropped off before it, in a group. */
export interface FunnelEntitiesRequest {
  step: number;
  outcome: 'converted' | 'dropped';
  /** A breakdown group's value as the view model names it ("Other" for the merged groups); absent or null for the whole funnel. */
  group?: string | null;
}

/** A {@link WarehouseJob} whose result is a drill-down list rather than a contract. */
export type FunnelEntitiesJob = Omit<WarehouseJob, 'finish'> & { finish(rows: Row[]): { ids: string[] } };

/**
 * The second query behind a drill-down: the ids the in-memory view model lists as
 * `steps[step].convertedIds` or `droppedIds` (or a breakdown group's), for the current period, in
 * the same order (entities by their first kept row) and capped at `entityLimit`. The pre-aggregated
 * contract carries only counts; this reads the ids of one list when they are asked for. A group is
 * ranked and merged by the in-memory engine's own `topGroups` over the groups' step-1 counts, so
 * "Other" lists the merged groups' ids in their rank order exactly as `Tally.merge` does; a group
 * the view model does not show lists no one.
 */
export function funnelEntitiesJob(contract: FunnelContract, request: FunnelEntitiesRequest): FunnelEntitiesJob {
  const plan = planFunnel(contract);
  if (plan.aggregated) throw new ContractError('/funnel/steps', 'the steps are already counts: there are no entities to list');
  const n = plan.steps.length;
  const { step, outcome } = request;
  const group = request.group ?? null;
  if (!Number.isInteger(step) || step < 0 || step >= n) throw new RangeError(`step: expected a step index from 0 to ${n - 1}, got ${JSON.stringify(step)}`);
  if (outcome !== 'converted' && outcome !== 'dropped') throw new TypeError(`outcome: expected "converted" or "dropped", got ${JSON.stringify(outcome)}`);
  if (group !== null && typeof group !== 'string') throw new TypeError(`group: expected a breakdown value (a string) or null, got ${JSON.stringify(group)}`);
  if (group !== null && !plan.breakdown) throw new TypeError('group: this funnel has no breakdown');
  // Only the current period lists ids (the previous one is counted with entityLimit 0).
  const current: EventFunnelPlan = { ...plan, previous: null };
  let dialect: SqlOptions['dialect'] = 'duckdb';
  return {
    columns: funnelColumns(plan),
    dialects: ['duckdb', 'clickhouse'],
    sql: (options) => {
      dialect = options.dialect ?? 'duckdb';
      return dialect === 'clickhouse'
        ? { sql: clickHouseEntitiesSql(current, options, step, outcome, group !== null), params: [] }
        : entitiesSql(current, options, step, outcome, group !== null);
    },
    finish: (rows) => ({ ids: entityIds(plan, dialect === 'clickhouse' && group !== null ? clickHouseEntityRows(rows) : rows, group) }),
  };
}

/**
 * The query for one drill-down list: the whole funnel's ids (`id`, in entity order, at most
 * `entityLimit`), or every breakdown group's step-1 count (`fam` 1: `key`, `c1`) and its first
 * `entityLimit` ids (`fam` 2: `key`, `id`, `eo`), to rank and merge as memory does.
 */
function entitiesSql(plan: EventFunnelPlan, options: SqlOptions, step: number, outcome: 'converted' | 'dropped', groups: boolean): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const { ctes } = matchedRuns(plan, options, params);
  // Tally.add: reached step k when m ≥ k + 1; dropped before step k (k ≥ 1) when m = k.
  const listed = outcome === 'converted' ? `m >= ${step + 1}` : step === 0 ? 'FALSE' : `m = ${step}`;
  const limit = params.bind(plan.entityLimit, 'BIGINT');
  if (!groups) {
    return {
      sql: `WITH ${ctes.join(',\n')}
SELECT r.e AS id FROM overall r JOIN ent ON r.p = ent.p AND r.e = ent.e, time_check
WHERE time_check.bad = 0 AND r.p = 0 AND ${listed} ORDER BY ent.eo LIMIT ${limit}`,
      params: params.values,
    };
  }
  return {
    sql: `WITH ${ctes.join(',\n')}
SELECT 1 AS fam, key, count(*) FILTER (WHERE m >= 1) AS c1 FROM grouped, time_check WHERE time_check.bad = 0 AND p = 0 GROUP BY key
UNION ALL BY NAME
SELECT 2 AS fam, key, id, eo FROM (
  SELECT r.key, r.e AS id, ent.eo, row_number() OVER (PARTITION BY r.key ORDER BY ent.eo) AS rn
  FROM grouped r JOIN ent ON r.p = ent.p AND r.e = ent.e WHERE r.p = 0 AND ${listed}
), time_check WHERE time_check.bad = 0 AND rn <= ${limit}`,
    params: params.values,
  };
}

/** The ids of the list asked for, as `String(id)` names them in memory. */
function entityIds(plan: EventFunnelPlan, rows: Row[], group: string | null): string[] {
  if (group === null) return rows.map((r) => String(r.id));
  const limit = plan.entityLimit;
  const groups = new Map<string, { c1: number; ids: Array<{ id: string; eo: number }> }>();
  const keyOf = (r: Row) => (r.key === null ? '' : String(r.key));
  for (const r of rows) if (Number(r.fam) === 1) groups.set(keyOf(r), { c1: Number(r.c1), ids: [] });
  for (const r of rows) if (Number(r.fam) === 2) groups.get(keyOf(r))?.ids.push({ id: String(r.id), eo: Number(r.eo) });
  const lists = new Map([...groups].map(([key, g]) => [key, { c1: g.c1, ids: g.ids.sort((a, b) => a.eo - b.eo).map((x) => x.id) }]));
  // mergeGroups(): the same ranking, and Tally.merge's capped concatenation in rank order.
  const merge = (into: { c1: number; ids: string[] } | undefined, from: { c1: number; ids: string[] }) => {
    const ids = [...(into?.ids ?? [])];
    for (const id of from.ids) if (ids.length < limit) ids.push(id);
    return { c1: (into?.c1 ?? 0) + from.c1, ids };
  };
  const ranked = topGroups(lists, (g) => g.c1, plan.breakdown!.limit, merge);
  return ranked.find(([value]) => value === group)?.[1].ids ?? [];
}

/** Every column the plan reads, at the same path as the in-memory engine reports it. */
function funnelColumns(plan: EventFunnelPlan): NeededColumn[] {
  const columns: NeededColumn[] = [
    { name: plan.fields.entity, path: '/fields/entity' },
    { name: plan.fields.time, path: '/fields/time' },
    { name: plan.fields.event, path: '/fields/event' },
  ];
  plan.steps.forEach((s, i) => Object.keys(s.where ?? {}).forEach((c) => columns.push({ name: c, path: `/funnel/steps/${i}/where/${c}` })));
  plan.exclusions.forEach((x, i) => Object.keys(x.where ?? {}).forEach((c) => columns.push({ name: c, path: `/funnel/exclusions/${i}/where/${c}` })));
  if (plan.breakdown) columns.push({ name: plan.breakdown.field, path: '/funnel/breakdown/field', groups: true });
  return columns;
}

/** One tally's figures as the query returns them (per step; k = 0 has no times). */
interface TallyFigures {
  counts: number[];
  /** Times from the step before, added up in entity order (0 for none). */
  sums: number[];
  medians: Array<number | null>;
  stuck: number[];
}

type Row = Record<string, unknown>;

/** A number from a result cell (BIGINT comes back as bigint); null stays null. */
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The pre-aggregated contract: the same options, the steps as counts, groups ranked and merged. */
function aggregatedFunnel(contract: FunnelContract, plan: EventFunnelPlan, rows: Row[]): FunnelContract {
  const n = plan.steps.length;
  const spec = contract.funnel.steps as FunnelEventStep[];
  const figures = (r: Row | undefined): TallyFigures => ({
    counts: plan.steps.map((_, k) => num(r?.[`c${k + 1}`]) ?? 0),
    sums: plan.steps.map((_, k) => (k ? num(r?.[`s${k + 1}`]) ?? 0 : 0)),
    medians: plan.steps.map((_, k) => (k ? num(r?.[`md${k + 1}`]) : null)),
    stuck: plan.steps.map((_, k) => num(r?.[`x${k + 1}`]) ?? 0),
  });
  const steps = (f: TallyFigures, current: boolean): FunnelAggregateStep[] =>
    plan.steps.map((s, k) => {
      const step: FunnelAggregateStep = { name: s.name, count: f.counts[k] };
      const median = f.medians[k];
      if (k > 0 && median !== null) step.medianTimeMs = median;
      if (k > 0 && f.counts[k] > 0) step.meanTimeMs = f.sums[k] / f.counts[k];
      const maxDwell = spec[k].maxDwell;
      if (current && maxDwell !== undefined) {
        step.maxDwell = maxDwell;
        step.stuck = f.stuck[k];
      }
      return step;
    });
  const period = (p: number) => {
    const overall = rows.find((r) => Number(r.fam) === 0 && Number(r.p) === p);
    const result: { steps: FunnelAggregateStep[]; groups?: Array<{ value: string; steps: FunnelAggregateStep[] }> } = { steps: steps(figures(overall), p === 0) };
    if (plan.breakdown) result.groups = rankedGroups(plan, rows, p, figures).map(([value, f]) => ({ value, steps: steps(f, p === 0) }));
    return result;
  };
  const now = period(0);
  const funnel: FunnelContract['funnel'] = { ...contract.funnel, steps: now.steps };
  if (now.groups) funnel.groups = now.groups;
  if (plan.previous) funnel.previous = period(1);
  const asOf = num(rows.find((r) => Number(r.fam) === 3)?.asof);
  if (asOf !== null) funnel.asOf = asOf;
  funnel.trendCounts = trendCounts(plan, rows, asOf);
  if (n > 1) funnel.conversionTimes = conversionTimes(rows.find((r) => Number(r.fam) === 5));
  const { data: _data, ...rest } = contract;
  return { ...rest, data: { rows: [] }, funnel };
}

/**
 * Period p's groups as `mergeGroups` ranks and merges them: the tallies' counts, sums and stuck
 * counts add up as `Tally.merge` adds them (sums in rank order), and the merged group's medians
 * come from the query, which merged the same groups' times — checked here, as the query ranks ties
 * by its own string order and memory by `localeCompare`.
 */
function rankedGroups(plan: EventFunnelPlan, rows: Row[], p: number, figures: (r: Row | undefined) => TallyFigures): Array<[string, TallyFigures]> {
  const limit = plan.breakdown!.limit;
  const mine = rows.filter((r) => Number(r.fam) === 1 && Number(r.p) === p);
  const groups = new Map(mine.map((r) => [r.key === null ? '' : String(r.key), figures(r)]));
  const add = (into: TallyFigures | undefined, from: TallyFigures): TallyFigures => ({
    counts: from.counts.map((c, k) => (into?.counts[k] ?? 0) + c),
    sums: from.sums.map((s, k) => (into?.sums[k] ?? 0) + s),
    medians: from.medians.map(() => null),
    stuck: from.stuck.map((c, k) => (into?.stuck[k] ?? 0) + c),
  });
  const ranked = topGroups(groups, (f) => f.counts[0], limit, add);
  if (groups.size > limit && plan.steps.length > 1) {
    const keptHere = new Set(ranked.slice(0, limit).map(([key]) => key));
    const keptThere = mine.filter((r) => Number(r.rk) <= limit).map((r) => (r.key === null ? '' : String(r.key)));
    if (keptThere.length !== keptHere.size || keptThere.some((key) => !keptHere.has(key))) {
      throw new ContractError(
        '/funnel/breakdown/limit',
        `breakdown groups tied at the limit (${limit}) sort differently in the warehouse than in the browser engine (localeCompare), so the "${OTHER}" group's median times cannot be computed exactly; raise the limit or compute this contract in the browser engine`,
      );
    }
    const other = ranked.find(([key]) => key === OTHER)!;
    other[1].medians = figures(rows.find((r) => Number(r.fam) === 2 && Number(r.p) === p)).medians;
  }
  return ranked;
}

/**
 * The trend buckets: the query's local days of entry rolled up into the in-memory engine's
 * periods (`periodStart` in the contract's zone). A day whose earliest and latest entries fall in
 * different periods would mean DuckDB's time zone rules differ from the browser engine's: an error
 * rather than a different count. Too many periods is the in-memory engine's contract error.
 */
function trendCounts(plan: EventFunnelPlan, rows: Row[], asOf: number | null): NonNullable<FunnelContract['funnel']['trendCounts']> {
  const days = rows.filter((r) => Number(r.fam) === 4).map((r) => ({ lo: Number(r.lo), hi: Number(r.hi), entered: Number(r.entered), converted: Number(r.converted) }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const day of days) {
    if (day.lo < lo) lo = day.lo;
    if (day.hi > hi) hi = day.hi;
  }
  const interval = plan.trendInterval ?? intervalForSpan(lo, hi);
  const byStart = new Map<number, TrendBucket>();
  for (const day of days) {
    const start = periodStart(day.lo, interval, plan.timeZone);
    if (periodStart(day.hi, interval, plan.timeZone) !== start) {
      throw new ContractError(
        '/timeZone',
        `the warehouse's days in time zone ${plan.timeZone} differ from this engine's around ${new Date(day.lo).toISOString()}, so trend periods cannot be cut exactly; compute this contract in the browser engine`,
      );
    }
    const bucket = byStart.get(start) ?? { start, entered: 0, converted: 0 };
    bucket.entered += day.entered;
    bucket.converted += day.converted;
    byStart.set(start, bucket);
  }
  const buckets = [...byStart.values()].sort((a, b) => a.start - b.start);
  funnelTrends({ interval, buckets }, plan.timeZone, plan.windowMs, asOf, plan.trendInterval ? '/funnel/trends/interval' : '/funnel/range');
  return { interval, periods: buckets };
}

/** The time-to-convert histogram from its query row, as `timeToConvert()` shapes it. */
function conversionTimes(r: Row | undefined): NonNullable<FunnelContract['funnel']['conversionTimes']> {
  const count = num(r?.tn) ?? 0;
  if (!r || !count) return { count: 0, bins: [] };
  const start = Number(r.tstart);
  const width = Number(r.twidth);
  const counts = new Array<number>(Number(r.tbins)).fill(0);
  for (const { b, c } of (r.tcounts ?? []) as Array<{ b: unknown; c: unknown }>) counts[Number(b)] = Number(c);
  return {
    count,
    medianMs: Number(r.tmd),
    meanMs: Number(r.tsum) / count,
    bins: counts.map((c, i) => ({ startMs: start + i * width, endMs: start + (i + 1) * width, count: c })),
  };
}

/** Bit k of a step mask, as SQL (masks are BIGINT; at most 31 steps). */
const bit = (k: number) => `${2 ** k}::BIGINT`;

/** An attempt in the reduce state: start time, rows used for its steps, their times, hit by an exclusion. */
const ATTEMPT = 'STRUCT(s DOUBLE, r BIGINT[], ts DOUBLE[], x BOOLEAN)';

/**
 * The step part of `processEvent` as per-step SQL expressions: step s is reached from the attempt
 * at step s-1 (step 1 from "now") when the unit matches step s, the attempt is inside the window,
 * this attempt is not at step s already, and (on replay) the event is not one of its steps.
 */
function stepConditions(n: number, window: string): Array<{ prev: string; cond: string }> {
  return Array.from({ length: n }, (_, k) => {
    const s = k + 1;
    const prev = s === 1 ? `{'s': u.t, 'r': []::BIGINT[], 'ts': []::DOUBLE[], 'x': FALSE}` : `acc.e${s - 1}`;
    const cond =
      `coalesce((u.gm & ${bit(k)}) <> 0 AND (${prev}) IS NOT NULL AND NOT (u.t - (${prev}).s > ${window})` +
      ` AND NOT coalesce(acc.e${s}.s = (${prev}).s, false) AND NOT (u.rp AND list_contains((${prev}).r, u.o)), false)`;
    return { prev, cond };
  });
}

/**
 * A step unit applied to the state. `entered[s]` takes the advanced attempt unless it is excluded;
 * the best attempt (`mm`) moves to the highest step reached above it (or replaces an excluded best
 * at the same step), as the descending loop in `processEvent` does; strict order then drops every
 * attempt waiting for a step this event does not match.
 */
function stepUnit(n: number, strict: boolean, window: string): string {
  const steps = stepConditions(n, window);
  const fields = steps.map(({ prev, cond }, k) => {
    const reset = strict ? ` WHEN NOT u.rp AND (u.sm & ${bit(k)}) = 0 THEN NULL` : '';
    return `'e${k + 1}': CASE WHEN ${cond} AND NOT (${prev}).x THEN {'s': (${prev}).s, 'r': list_append((${prev}).r, u.o), 'ts': list_append((${prev}).ts, u.t), 'x': FALSE}${reset} ELSE acc.e${k + 1} END`;
  });
  const best = steps
    .map(({ prev, cond }, k) => `WHEN ${cond} AND (${k + 1} > acc.mm.m OR (${k + 1} = acc.mm.m AND acc.mm.x)) THEN {'m': ${k + 1}, 's': (${prev}).s, 'ts': list_append((${prev}).ts, u.t), 'x': (${prev}).x}`)
    .reverse()
    .join(' ');
  return `{'mm': CASE ${best} ELSE acc.mm END, ${fields.join(', ')}, ${UNIT_NULLS}}`;
}

/**
 * An exclusion unit (an event's exclusions, applied before its steps): every attempt at a step
 * the exclusion covers (bit s-1 of `u.xs`) that is still inside its window is marked excluded, and
 * so is the best attempt when it is at such a step and inside its window.
 */
function exclusionUnit(n: number, window: string): string {
  const marks = Array.from({ length: n }, (_, k) => {
    const e = `acc.e${k + 1}`;
    return { k, cond: `coalesce((u.xs & ${bit(k)}) <> 0 AND ${e} IS NOT NULL AND NOT ${e}.x AND NOT (u.t - ${e}.s > ${window}), false)` };
  });
  const fields = marks.map(({ k, cond }) => `'e${k + 1}': CASE WHEN ${cond} THEN {'s': acc.e${k + 1}.s, 'r': acc.e${k + 1}.r, 'ts': acc.e${k + 1}.ts, 'x': TRUE} ELSE acc.e${k + 1} END`);
  const hit = marks.map(({ k, cond }) => `(${cond} AND acc.mm.m = ${k + 1} AND NOT (u.t - acc.mm.s > ${window}))`).join(' OR ');
  return `{'mm': CASE WHEN ${hit} THEN {'m': acc.mm.m, 's': acc.mm.s, 'ts': acc.mm.ts, 'x': TRUE} ELSE acc.mm END, ${fields.join(', ')}, ${UNIT_NULLS}}`;
}

/** The unit fields, empty in the state. */
const UNIT_NULLS = `'t': NULL, 'o': NULL, 'sm': NULL, 'gm': NULL, 'xs': NULL, 'rp': NULL, 'xu': NULL`;

/** The struct type shared by the reduce state and the units (list_reduce needs one type). */
function stateType(n: number): string {
  const attempts = Array.from({ length: n }, (_, i) => `e${i + 1} ${ATTEMPT}`).join(', ');
  return `STRUCT(mm STRUCT(m INTEGER, s DOUBLE, ts DOUBLE[], x BOOLEAN), ${attempts}, t DOUBLE, o BIGINT, sm BIGINT, gm BIGINT, xs BIGINT, rp BOOLEAN, xu BOOLEAN)`;
}

/**
 * CTEs matching every run of `input` (columns p, e, key, t, o, sm, gm, xm, xs; a run is one
 * period p, entity e and group key): `<name>` gets (p, e, key, m, ts), m the furthest step of the
 * best attempt (0 for none, or when it was excluded, as it then counts nowhere) and ts the times
 * at which that attempt reached its steps (`MatchResult.times`). A timestamp is "mixed" when its
 * events' (step, exclusion) masks differ: then each matched step is replayed on its own, lowest
 * first, with no exclusions and no strict reset. Otherwise each event is its exclusions (if any)
 * and then its steps, in row order.
 */
function matchCtes(name: string, input: string, n: number, order: EventFunnelPlan['order'], window: string, fast?: { run: string[]; p: string; key: string; times: Times; beyondFirst?: boolean }): string {
  if (order === 'any') return anyOrderCtes(name, input, n, window);
  if (fast) return chainCtes(name, input, n, window, fast.run, fast);
  const type = stateType(n);
  const nulls = Array.from({ length: n }, (_, i) => `'e${i + 1}': NULL`).join(', ');
  const unit = `{'mm': NULL, ${nulls}, 't': v.t, 'o': v.o, 'sm': v.sm, 'gm': v.gm, 'xs': v.xs, 'rp': v.rp, 'xu': v.xu}`;
  const init = `{'mm': {'m': 0, 's': NULL, 'ts': []::DOUBLE[], 'x': FALSE}, ${nulls}, ${UNIT_NULLS}}::${type}`;
  const strict = order === 'strict';
  const lambda = `CASE WHEN u.xu THEN ${exclusionUnit(n, window)} ELSE ${stepUnit(n, strict, window)} END`;
  return `${name}_mixed AS (
  SELECT *, min(sm) OVER w <> max(sm) OVER w OR min(xm) OVER w <> max(xm) OVER w AS mixed FROM ${input} WINDOW w AS (PARTITION BY p, e, key, t)
),
${name}_units AS (
  SELECT p, e, key, t, o, sm, gm, xs, FALSE AS rp, TRUE AS xu, 0 AS kord, 0 AS phase FROM ${name}_mixed WHERE NOT mixed AND xs <> 0
  UNION ALL
  SELECT p, e, key, t, o, sm, gm, 0 AS xs, FALSE AS rp, FALSE AS xu, 0 AS kord, 1 AS phase FROM ${name}_mixed WHERE NOT mixed
  UNION ALL
  SELECT p, e, key, t, o, sm, gm & (1::BIGINT << b) AS gm, 0 AS xs, TRUE AS rp, FALSE AS xu, b AS kord, 1 AS phase
  FROM ${name}_mixed, range(${n}) AS steps(b)
  WHERE mixed AND (gm & (1::BIGINT << b)) <> 0
),
${name} AS (
  SELECT p, e, key, CASE WHEN r.mm.x THEN 0 ELSE r.mm.m END AS m, r.mm.ts AS ts FROM (
    -- Units in processing order: list_sort on a struct whose first fields are the sort key is
    -- much cheaper than an ordered aggregate; (t, kord, o, phase) is unique within a run.
    SELECT p, e, key, list_reduce(
      list_transform(list_sort(list({'t': t, 'kord': kord, 'o': o, 'phase': phase, 'sm': sm, 'gm': gm, 'xs': xs, 'rp': rp, 'xu': xu})), lambda v: ${unit}::${type}),
      lambda acc, u: ${lambda}, ${init}) AS r
    FROM ${name}_units GROUP BY p, e, key
  )
)`;
}

/**
 * Whether {@link chainCtes} computes exactly what `matchSequence` does for this plan: an ordered
 * funnel without exclusions whose steps are different events, so no row can match two steps.
 * Then every unit is one event at one step, an entity's events are processed in the order (time,
 * step, row) whether its timestamp is "mixed" or not (a mixed one is replayed lowest step first,
 * then row; a plain one holds a single step, in row order), the replay's "one event, one step"
 * check can never fire, and nothing is ever excluded or reset.
 */
export function chainable(plan: EventFunnelPlan): boolean {
  return plan.order === 'ordered' && plan.exclusions.length === 0 && new Set(plan.steps.map((s) => s.event)).size === plan.steps.length;
}

/**
 * The ordered matcher without its state machine, for plans that are {@link chainable}. In
 * `matchSequence`, `entered[k]` (the latest attempt at step k) changes only to a later start, and
 * an event at step k continues `entered[k-1]` as it stands when the event is processed (time, then
 * step: at one timestamp a lower step goes first). So, in that order, a new attempt reaches step k
 * exactly at the first step-k event after each new `entered[k-1]` — a later one finds the attempt
 * "already past this step" — when that start is within the window. Step by step, over the run's
 * new `entered[k-1]` attempts and its step-k events in that order (`<name>_s<k>`), that is the
 * event whose previous row is an attempt: `lag` gives its start and its times (`t1`…), and the
 * event's time is the attempt's time at step k. Events at one timestamp and step are
 * interchangeable (the first takes the attempt, at the same time). The best attempt is the first
 * to reach the furthest step. `run` names the columns that tell runs apart; `p` and `key` are
 * what the result's columns are, when they are not among them. With `beyondFirst`, the result
 * (`<name>_beyond`) holds only the runs past step 1: the caller has each run's first step-1 time
 * (the best attempt of a run that stops there) from a pass it makes anyway, which spares the
 * costliest aggregate every step-1 event.
 */
function chainCtes(name: string, input: string, n: number, window: string, run: string[], out: { p: string; key: string; times: Times; beyondFirst?: boolean }): string {
  const ctes: string[] = [];
  const by = run.join(', ');
  const columns = (k: number, prefix: string) => Array.from({ length: k }, (_, j) => `${prefix}${j + 1}`);
  // The step events, narrow: read once per step.
  ctes.push(`${name}_ev AS (SELECT ${by}, t, gm FROM ${input} WHERE gm <> 0)`);
  // Step 1 continues "now", whose start is the event's own time (always within the window); an
  // attempt's start is its step-1 time, t1.
  ctes.push(`${name}_s1 AS (SELECT ${by}, t, t AS t1 FROM ${name}_ev WHERE gm = ${bit(0)} AND NOT (t - t > ${window}))`);
  for (let k = 2; k <= n; k++) {
    const before = columns(k - 1, 't');
    ctes.push(`${name}_s${k} AS (
  SELECT ${by}, t, ${before.map((x, j) => `c${j + 1} AS ${x}`).join(', ')}, t AS t${k} FROM (
    SELECT ${by}, t, k, lag(k) OVER w AS pk, ${before.map((x, j) => `lag(${x}) OVER w AS c${j + 1}`).join(', ')} FROM (
      SELECT ${by}, t, ${k - 1} AS k, ${before.join(', ')} FROM ${name}_s${k - 1}
      UNION ALL
      SELECT ${by}, t, ${k} AS k, ${before.map((x) => `NULL::DOUBLE AS ${x}`).join(', ')} FROM ${name}_ev WHERE gm = ${bit(k - 1)}
    )
    WINDOW w AS (PARTITION BY ${by} ORDER BY t, k)
  ) WHERE k = ${k} AND pk = ${k - 1} AND NOT (t - c1 > ${window})
)`);
  }
  // The best attempt: the furthest step, then the earliest attempt there (one attempt per time at
  // a step). With whole milliseconds, each of its times is the arg_max of one HUGEINT key, step ×
  // 2^64 − time; else the largest (step, -time, times…), a struct of plain numbers.
  const all = columns(n, 't');
  const path = (k: number) => all.map((x, j) => (j <= k ? x : `NULL::DOUBLE AS ${x}`)).join(', ');
  const steps = Array.from({ length: n }, (_, k) => k).slice(out.beyondFirst ? 1 : 0);
  const result = out.beyondFirst ? `${name}_beyond` : name;
  if (out.times === 'whole-ms') {
    const reached = steps.map((k) => `SELECT ${by}, ${k + 1} AS k, ${k + 1}::HUGEINT * ${HIGH} - ${wholeTime('t')} AS bk, ${path(k)} FROM ${name}_s${k + 1}`).join(' UNION ALL ');
    ctes.push(`${result} AS (
  SELECT ${out.p} AS p, e, ${out.key} AS key, m, list_slice([${all.join(', ')}], 1, m) AS ts FROM (
    SELECT ${by}, max(k) AS m, ${all.map((x) => `arg_max(${x}, bk) AS ${x}`).join(', ')} FROM (${reached}) GROUP BY ${by}
  )
)`);
  } else {
    const reached = steps
      .map((k) => `SELECT ${by}, {'k': ${k + 1}, 'nt': -t, ${all.map((x, j) => `'${x}': ${j <= k ? x : 'NULL::DOUBLE'}`).join(', ')}} AS b FROM ${name}_s${k + 1}`)
      .join(' UNION ALL ');
    ctes.push(`${result} AS (
  SELECT ${out.p} AS p, e, ${out.key} AS key, b.k AS m, list_slice([${all.map((x) => `b.${x}`).join(', ')}], 1, b.k) AS ts FROM (
    SELECT ${by}, max(b) AS b FROM (${reached}) GROUP BY ${by}
  )
)`);
  }
  return ctes.join(',\n');
}

/**
 * CTEs for order "any" (`matchAnyOrder`): every event that is a step and not an exclusion starts
 * a greedy scan over the events within the window from it:
 * each event takes the lowest step it matches that is still open (its time joins the scan's
 * times); an exclusion after the start wipes the scan; the scan stops when every step is done.
 * The run's best scan is the earliest-starting one with the most steps, as `bestCount` keeps it.
 * Matching ignores the {step} guard, as `matchAnyOrder` does, so it reads `sm`, not `gm`. (Its
 * `floor`, "not before the latest exclusion", never skips a start — events are in time order — so
 * it has no SQL twin.)
 */
function anyOrderCtes(name: string, input: string, n: number, window: string): string {
  const rest = `'xm': NULL, 'sm': NULL, 't': NULL, 'first': NULL`;
  const scan = `CASE WHEN acc.stop THEN acc WHEN u.xm <> 0 AND NOT u.first THEN {'done': acc.done, 'c': 0, 'stop': TRUE, 'ts': []::DOUBLE[], ${rest}}
    WHEN (u.sm & ~acc.done) = 0 THEN acc
    ELSE {'done': acc.done | ((u.sm & ~acc.done) & -(u.sm & ~acc.done)), 'c': acc.c + 1, 'stop': acc.c + 1 = ${n}, 'ts': list_append(acc.ts, u.t), ${rest}} END`;
  const type = 'STRUCT(done BIGINT, c INTEGER, stop BOOLEAN, ts DOUBLE[], xm BIGINT, sm BIGINT, t DOUBLE, first BOOLEAN)';
  return `${name}_pos AS (
  SELECT *, row_number() OVER (PARTITION BY p, e, key ORDER BY t, o) AS pos FROM ${input}
),
${name}_scans AS (
  SELECT s.p, s.e, s.key, s.pos, list_reduce(
    list_transform(list_sort(list({'pos': j.pos, 'xm': j.xm, 'sm': j.sm, 't': j.t})), lambda v: {'done': NULL, 'c': NULL, 'stop': NULL, 'ts': NULL, 'xm': v.xm, 'sm': v.sm, 't': v.t, 'first': v.pos = s.pos}::${type}),
    lambda acc, u: ${scan},
    {'done': 0, 'c': 0, 'stop': FALSE, 'ts': []::DOUBLE[], ${rest}}::${type}) AS r
  FROM ${name}_pos s JOIN ${name}_pos j ON j.p = s.p AND j.e = s.e AND j.key IS NOT DISTINCT FROM s.key AND j.pos >= s.pos AND NOT (j.t - s.t > ${window})
  WHERE s.xm = 0 AND s.sm <> 0
  GROUP BY s.p, s.e, s.key, s.pos
),
${name} AS (SELECT p, e, key, max(r.c) AS m, arg_max(r.ts, {'c': r.c, 'np': -pos}) AS ts FROM ${name}_scans GROUP BY p, e, key)`;
}

/**
 * SQL choosing the median as `medianSorted` does (the mean of the two middle values) from the
 * count and the lower and upper middle values (`quantile_disc` at 0.5 is the lower one; the upper
 * one is the lower one of the negated values). No list of the values is built.
 */
function medianOf(count: string, lo: string, hi: string): string {
  return `CASE WHEN coalesce(${count}, 0) = 0 THEN NULL WHEN ${count} % 2 = 1 THEN ${lo} ELSE (${lo} + ${hi}) / 2 END`;
}

/** The aggregates giving {@link medianOf}'s middle values of `value` over the rows `where` holds. */
const middles = (value: string, where: string, lo: string, hi: string) =>
  `quantile_disc(${value}, 0.5) FILTER (WHERE ${where}) AS ${lo}, -quantile_disc(-(${value}), 0.5) FILTER (WHERE ${where}) AS ${hi}`;

/** A step's time from the step before in a run's best attempt (k ≥ 2, 1-based), for runs that got there. */
const stepDuration = (k: number) => `ts[${k}] - ts[${k - 1}]`;

/**
 * Per-tally aggregates over rows (p, g, key, m, ts, eo): for every step k, `c<k>` counts the runs
 * that reached it (`n<k>` for medians alone); from step 2, `lo<k>` and `hi<k>` are the middle
 * times from the step before and `s<k>` their sum (see {@link Times}); `x<k>` counts runs stuck at
 * a step with a dwell limit (current period only).
 */
function tallyColumns(n: number, dwell: Array<string | null>, medians: boolean, times: Times): string {
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    if (!medians) cols.push(`count(*) FILTER (WHERE m >= ${k}) AS c${k}`);
    if (k > 1) {
      if (medians) cols.push(`count(*) FILTER (WHERE m >= ${k}) AS n${k}`);
      cols.push(middles(stepDuration(k), `m >= ${k}`, `lo${k}`, `hi${k}`));
      if (!medians) cols.push(`${sum(stepDuration(k), times)} FILTER (WHERE m >= ${k}) AS s${k}`);
    }
    const limit = dwell[k - 1];
    if (!medians && limit !== null) cols.push(`count(*) FILTER (WHERE p = 0 AND m = ${k} AND now_at.v - ts[${k}] > ${limit}) AS x${k}`);
  }
  return cols.join(', ');
}

/**
 * What the query may assume of the event times. `Tally.add` adds durations one after the other in
 * entity order, and the matcher breaks ties by (time, row) and (step, time) pairs; "any" does the
 * same for any double (ordered sums, struct keys), which sorts every tally's times and compares
 * structs. "whole-ms" assumes whole milliseconds, as epoch-ms and TIMESTAMP columns hold: then
 * durations whose total stays below 2^52 add up exactly in any order (each partial sum is a whole
 * number a double holds, so every order gives the one true total), and a time is a BIGINT, so each
 * pair is one HUGEINT key (time × 2^64 + row; step × 2^64 − time), far cheaper to compare. The
 * query says whether every time was whole (`fam` 3's `whole`) and the caller checks the totals;
 * when either fails, it runs the "any" query ({@link needsAnyTimes}).
 */
export type Times = 'whole-ms' | 'any';

/** `value` added up as {@link Times} allows. */
const sum = (value: string, times: Times) => `sum(${value}${times === 'any' ? ' ORDER BY eo' : ''})`;

/** 2^64, to put two BIGINT values in one HUGEINT key (see {@link Times}). */
const HIGH = '18446744073709551616';

/** A time as a BIGINT, for a "whole-ms" key; NULL (never an error) for a time the time check rejects. */
const wholeTime = (t: string) => `TRY_CAST(${t} AS BIGINT)`;

/** Below this, a total of whole numbers added in any order is the exact total (see {@link Times}). */
const EXACT_TOTAL = 2 ** 52;

/**
 * Whether rows of the "whole-ms" query may differ from the in-memory engine's: a time was not a
 * whole millisecond, or a total reached {@link EXACT_TOTAL}.
 */
export function needsAnyTimes(rows: Row[]): boolean {
  const whole = rows.find((r) => Number(r.fam) === 3)?.whole;
  if (whole === false) return true;
  return rows.some((r) => Object.entries(r).some(([column, v]) => (/^s\d+$/.test(column) || column === 'tsum') && v !== null && Math.abs(Number(v)) >= EXACT_TOTAL));
}

/** The step names of a tally row, with the medians taken from the middle values. */
function tallySelect(n: number, dwell: Array<string | null>, medians: boolean): string {
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    if (!medians) cols.push(`c${k}`);
    if (k > 1) {
      cols.push(`${medianOf(medians ? `n${k}` : `c${k}`, `lo${k}`, `hi${k}`)} AS md${k}`);
      if (!medians) cols.push(`s${k}`);
    }
    if (!medians && dwell[k - 1] !== null) cols.push(`x${k}`);
  }
  return cols.join(', ');
}

/** The column names of `stats` (see {@link tallyColumns}), medians as `md<k>`. */
function statNames(n: number, dwell: Array<string | null>): string {
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    cols.push(`c${k}`);
    if (k > 1) cols.push(`md${k}`, `s${k}`);
    if (dwell[k - 1] !== null) cols.push(`x${k}`);
  }
  return cols.join(', ');
}

/** `$range` as a condition on t (TRUE for an open range). */
function rangeCondition(range: { from: number | null; to: number | null }, params: SqlParams): string {
  const parts: string[] = [];
  if (range.from !== null) parts.push(`t >= ${params.bind(range.from, 'DOUBLE')}`);
  if (range.to !== null) parts.push(`t < ${params.bind(range.to, 'DOUBLE')}`);
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/**
 * The query for an event funnel plan: one statement, its result families told apart by `fam`
 * (columns of other families are NULL). Period `p` is 0 for the range and 1 for the previous
 * range (with `compare`), each counted on its own, as the in-memory engine runs the funnel twice. Sums
 * are the in-memory engine's when `times` holds (see {@link Times}).
 * - fam 0 (per p) and fam 1 (per p and breakdown `key`, ranked `rk` by step-1 count): `c<k>`
 *   runs that reached step k, `md<k>` the median and `s<k>` the sum of their times
 *   from the step before, `x<k>` the runs stuck at step k past its dwell limit (as of `asof`).
 * - fam 2 (per p): `md<k>` over the groups ranked past the breakdown limit (merged into "Other").
 * - fam 3: `asof`, the plan's `asOf` or the latest event in range; `whole`, whether every time
 *   is a whole millisecond.
 * - fam 4: per local day (in the contract's zone) of entry: the earliest and latest entry time
 *   (`lo`, `hi`), `entered` and `converted` (reached the last step): the trend buckets.
 * - fam 5 (two steps or more): the time-to-convert histogram: `tn` times, their median `tmd`,
 *   sum `tsum`, bin `tstart`, `twidth`, `tbins` and the `tcounts` of each bin.
 * Entities (or entity-value runs, for `all-events` and `{step}`) are counted as in memory.
 */
export function funnelSql(plan: EventFunnelPlan, options: SqlOptions, times: Times = 'whole-ms'): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const n = plan.steps.length;
  const { ctes, runs } = matchedRuns(plan, options, params, times);
  const dwell = plan.dwell.map((d) => (d === null ? null : params.bind(d, 'DOUBLE')));
  // "Now": the plan's asOf, else the latest event in the range (any event, as prepare() sees it).
  ctes.push(`now_at AS (SELECT ${plan.asOf !== null ? `${params.bind(plan.asOf, 'DOUBLE')} AS v` : 'max(t) FILTER (WHERE p = 0) AS v FROM src'})`);
  let groupRows: string;
  if (runs.length === 1) {
    // One run per entity (no breakdown, or one group per entity): both tallies read the same
    // rows, the whole funnel's (g 0) without the key and the groups' (g 1) by it, in one pass.
    const g = plan.breakdown ? '1 - GROUPING(key)' : '0';
    const sets = plan.breakdown ? 'GROUPING SETS ((p), (p, key))' : 'p';
    ctes.push(`stats_raw AS (SELECT p, ${g} AS g, ${plan.breakdown ? 'key' : 'NULL::VARCHAR AS key'}, ${tallyColumns(n, dwell, false, times)} FROM per, now_at GROUP BY ${sets})`);
    groupRows = 'per';
  } else {
    // Every tally's runs (the whole funnel, g 0; each group, g 1) with their entity's order.
    ctes.push(
      times === 'any'
        ? `tal AS (SELECT r.p, r.g, r.key, r.m, r.ts, ent.eo FROM (${runs.join(' UNION ALL ')}) r JOIN ent ON r.p = ent.p AND r.e = ent.e)`
        : `tal AS (${runs.join(' UNION ALL ')})`,
    );
    ctes.push(`stats_raw AS (SELECT p, g, key, ${tallyColumns(n, dwell, false, times)} FROM tal, now_at GROUP BY p, g, key)`);
    groupRows = '(SELECT * FROM tal WHERE g = 1)';
  }
  ctes.push(`stats AS (SELECT p, g, key, ${tallySelect(n, dwell, false)} FROM stats_raw)`);
  const selects: string[] = [];
  if (plan.breakdown) {
    // mergeGroups(): groups ranked by step-1 count, ties by name (checked against the in-memory
    // order when the rows come back); those past the limit merge into "Other" (into a real group
    // of that name, if it is kept), whose medians need the merged times.
    const limit = params.bind(plan.breakdown.limit, 'BIGINT');
    ctes.push(`ranked AS (
  SELECT p, key, row_number() OVER (PARTITION BY p ORDER BY c1 DESC, lower(key), key DESC) AS rk, count(*) OVER (PARTITION BY p) AS ng FROM stats WHERE g = 1
)`);
    ctes.push(`other_raw AS (
  SELECT r.p, ${tallyColumns(n, dwell, true, times) || 'NULL AS none'} FROM ${groupRows} r JOIN ranked ON r.p = ranked.p AND r.key = ranked.key
  WHERE ranked.ng > ${limit} AND (ranked.rk > ${limit} OR ranked.key = ${params.bind(OTHER, 'VARCHAR')}) GROUP BY r.p
)`);
    selects.push(`SELECT CASE WHEN stats.g = 0 THEN 0 ELSE 1 END AS fam, stats.p, stats.key, ranked.rk, ${statNames(n, dwell)}
FROM stats LEFT JOIN ranked ON stats.g = 1 AND stats.p = ranked.p AND stats.key = ranked.key, time_check WHERE time_check.bad = 0`);
    if (n > 1) selects.push(`SELECT 2 AS fam, p, ${tallySelect(n, dwell, true)} FROM other_raw`);
  } else {
    selects.push(`SELECT 0 AS fam, p, key, ${statNames(n, dwell)} FROM stats, time_check WHERE time_check.bad = 0`);
  }
  // Whether every time is a whole millisecond, so durations add up exactly in any order.
  ctes.push(`whole AS (SELECT coalesce(bool_and(t = trunc(t)), TRUE) AS v FROM src)`);
  selects.push(`SELECT 3 AS fam, now_at.v AS asof, whole.v AS whole FROM now_at, whole, time_check WHERE time_check.bad = 0`);
  // trendBuckets(): entries (first step of a counted best attempt) by local day in the zone; the
  // days are rolled up into the trend's periods, and checked against the in-memory calendar, by
  // the caller.
  // UTC days are plain arithmetic; another zone's need DuckDB's ICU time zones.
  const day =
    plan.timeZone === 'UTC' || plan.timeZone === 'Etc/UTC'
      ? `floor(ts[1] / ${params.bind(DURATION.DAY, 'DOUBLE')})`
      : `date_trunc('day', timezone(${params.bind(plan.timeZone, 'VARCHAR')}, make_timestamptz(CAST(floor(ts[1] * 1000) AS BIGINT))))`;
  selects.push(`SELECT 4 AS fam, min(ts[1]) AS lo, max(ts[1]) AS hi, count(*) AS entered, count(*) FILTER (WHERE m = ${n}) AS converted
FROM overall WHERE p = 0 AND m >= 1 GROUP BY ${day}`);
  if (n > 1) {
    ctes.push(...timeToConvertCtes(plan, params, times));
    selects.push(`SELECT 5 AS fam, tn, ${medianOf('tn', 'tlo', 'thi')} AS tmd, tsum, tstart, twidth, tbins, (SELECT list({'b': b, 'c': c}) FROM ttc_bins) AS tcounts FROM ttc_w`);
  }
  return { sql: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL BY NAME\n')}`, params: params.values };
}

/**
 * `timeToConvert()` in SQL: the times from step `from` to step `to` of every counted entity that
 * got there (current period), and the histogram's bins computed from their count, shortest and
 * longest exactly as the in-memory function does (the readable widths are parameters).
 */
function timeToConvertCtes(plan: EventFunnelPlan, params: SqlParams, times: Times): string[] {
  const { from, to, bins } = plan.timeToConvert;
  let shape: string;
  if (bins !== undefined) {
    const b = params.bind(bins, 'DOUBLE');
    shape = `lo AS tstart, CASE WHEN hi > lo THEN (hi - lo) / ${b} ELSE 1 END AS twidth, CASE WHEN hi > lo THEN ${b} ELSE 1 END AS tbins`;
  } else {
    // target = min(40, ceil(log2 n) + 1); ceil(log2 n) counted exactly as the powers of two below n.
    const nice = `[${NICE_WIDTHS.map((w) => params.bind(w, 'DOUBLE')).join(', ')}]`;
    const month = params.bind(30 * DURATION.DAY, 'DOUBLE');
    const raw = `greatest(1, (hi - lo) / least(40, len(list_filter(range(0, 63), lambda k: (1::BIGINT << k) < tn)) + 1))`;
    const width = `coalesce(list_filter(${nice}, lambda w: w >= raw)[1], ceil(raw / ${month}) * ${params.bind(30, 'DOUBLE')} * ${params.bind(DURATION.DAY, 'DOUBLE')})`;
    shape = `floor(lo / (${width})) * (${width}) AS tstart, ${width} AS twidth, greatest(1, floor((hi - floor(lo / (${width})) * (${width})) / (${width})) + 1) AS tbins`;
    shape = `${shape} FROM (SELECT *, ${raw} AS raw FROM ttc_s)`;
  }
  return [
    `ttc_d AS (SELECT o.ts[${to + 1}] - o.ts[${from + 1}] AS d${times === 'any' ? ', o.eo' : ''} FROM per o WHERE o.p = 0 AND o.m >= ${to + 1})`,
    `ttc_s AS (SELECT count(*) AS tn, min(d) AS lo, max(d) AS hi, ${middles('d', 'TRUE', 'tlo', 'thi')}, ${sum('d', times)} AS tsum FROM ttc_d)`,
    bins !== undefined ? `ttc_w AS (SELECT *, ${shape} FROM ttc_s)` : `ttc_w AS (SELECT *, ${shape})`,
    `ttc_bins AS (SELECT least(tbins - 1, floor((d - tstart) / twidth)) AS b, count(*) AS c FROM ttc_d, ttc_w GROUP BY b)`,
  ];
}

/**
 * The CTEs every funnel query starts with: the events (`src`, `kept` as prepare() keeps them),
 * the time check, one pass per entity (`ent`: p, e, and eo with "any" times), and every run
 * matched: `per` (p, e, eo with "any" times, key: the first- or last-touch group, m, ts: every
 * entity's run, m 0 for one that matched nothing), `overall` (p, e, m, ts) and, with a breakdown,
 * `grouped` (p, e, key, m, ts: one row per entity and group it counts in). `runs` selects
 * (p, g, key, e, m, ts) of both, g 0 for the whole funnel and 1 for the groups. Every value bound
 * here is read by these CTEs (DuckDB drops a CTE no one reads, and a parameter with it). `times`
 * is "any" for the drill-down query, which runs once.
 */
function matchedRuns(plan: EventFunnelPlan, options: SqlOptions, params: SqlParams, times: Times = 'any'): { ctes: string[]; runs: string[] } {
  const n = plan.steps.length;
  const strict = plan.order === 'strict';
  const q = {
    entity: quoteIdent(plan.fields.entity),
    time: quoteIdent(plan.fields.time),
    event: quoteIdent(plan.fields.event),
    // The default `rowid` is unique already; a named column is numbered so ties in it still get
    // distinct row ids (the matcher tells events apart by row).
    order: options.rowOrder === undefined ? 'rowid' : `row_number() OVER (ORDER BY ${quoteIdent(options.rowOrder)})`,
  };
  const masks = plan.steps.map((s, k) => `CASE WHEN ${stepCondition(q.event, s, params)} THEN ${bit(k)} ELSE 0::BIGINT END`).join(' + ');
  // xm: which exclusions the event is; xs: the steps whose attempts they mark (from … to-1).
  const exclusionMasks = plan.exclusions.map((x, e) => `CASE WHEN ${stepCondition(q.event, x, params)} THEN ${bit(e)} ELSE 0::BIGINT END`);
  const covered = plan.exclusions.map((x, e) => {
    let steps = 0;
    for (let k = x.from; k < Math.min(x.to, n); k++) steps += 2 ** k;
    return `CASE WHEN (xm & ${bit(e)}) <> 0 THEN ${steps}::BIGINT ELSE 0::BIGINT END`;
  });
  const key = plan.breakdown ? `coalesce(CAST(${quoteIdent(plan.breakdown.field)} AS VARCHAR), '')` : `''`;
  const current = rangeCondition(plan.range, params);
  const period = plan.previous ? `CASE WHEN ${current} THEN 0 WHEN ${rangeCondition(plan.previous, params)} THEN 1 END` : `CASE WHEN ${current} THEN 0 END`;
  const time = timeExpression(q.time, options.time ?? 'epoch-ms');
  const window = params.bind(plan.windowMs, 'DOUBLE');
  const fast = chainable(plan);
  const beyondFirst = fast && n > 1;
  const attribution = plan.breakdown?.attribution;
  const touch = attribution === 'first-touch' ? 'arg_min' : attribution === 'last-touch' ? 'arg_max' : null;
  // One pass per entity (`ent`): its order, the order of its first kept row, in which memory adds
  // up times (`eo`; "any" times only, as "whole-ms" sums need no order); for first-touch and
  // last-touch breakdowns, touchValue(): the first (last) non-empty value on its step events (one
  // group each, `tk`); and for the fast path's runs that stop at step 1, their first step-1 time (`f1`).
  const entity = ['p', 'e'];
  if (times === 'any') entity.push('min(o) AS eo');
  if (touch) entity.push(`coalesce(${touch}(gk, ${times === 'any' ? `{'t': t, 'o': o}` : `${wholeTime('t')}::HUGEINT * ${HIGH} + o`}) FILTER (WHERE sm <> 0 AND gk <> ''), '') AS tk`);
  if (beyondFirst) entity.push(`min(t) FILTER (WHERE sm = ${bit(0)} AND NOT (t - t > ${window})) AS f1`);
  const rows = (where: string) => `SELECT *, (${covered.length ? covered.join(' | ') : '0::BIGINT'}) AS xs, ${period} AS p FROM (
    SELECT ${q.entity} AS e, ${time} AS t, ${q.order} AS o, (${masks}) AS sm, (${exclusionMasks.length ? exclusionMasks.join(' + ') : '0::BIGINT'}) AS xm, ${key} AS gk
    FROM ${quoteTable(options.table)}${where}
  )`;
  // Only a row whose event is named by a step or an exclusion can be one: a necessary condition,
  // cheap to check before the masks are computed (strict order keeps every row; rows numbered by
  // a named column are numbered all together, below).
  const names = [...new Set([...plan.steps, ...plan.exclusions].map((s) => s.event))];
  const named = strict || options.rowOrder !== undefined ? '' : ` WHERE list_contains([${names.map((name) => params.bind(name, 'VARCHAR')).join(', ')}], CAST(${q.event} AS VARCHAR))`;
  const keep = ['p IS NOT NULL', strict ? 'TRUE' : '(sm <> 0 OR xm <> 0)', `e IS NOT NULL`, `NOT (typeof(e) = 'VARCHAR' AND CAST(e AS VARCHAR) = '')`].join(' AND ');
  const ctes = [
    // Inlined where it is read (not a 10M-row materialized copy): the time check and "now" read
    // only the time column.
    `src AS NOT MATERIALIZED (
  ${rows('')}
)`,
    // prepare(): in a range, a step event (any event, for strict order), with a non-empty entity.
    // Materialized: its readers' filters would otherwise be pushed into the scan, each copying the
    // step masks (rows numbered by a named column are numbered once, ties broken one way for all).
    options.rowOrder === undefined
      ? `kept AS MATERIALIZED (
  SELECT * FROM (${rows(named)}) WHERE ${keep}
)`
      : `kept AS MATERIALIZED (
  SELECT * FROM src WHERE ${keep}
)`,
    timeCheckCte(params),
    `ent AS (SELECT ${entity.join(', ')} FROM kept GROUP BY p, e)`,
    `overall_in AS (SELECT p, e, NULL::VARCHAR AS key, t, o, sm, sm AS gm, xm, xs FROM kept)`,
    // The fast path tells runs apart by as few columns as it can: without a previous period p is 0.
    matchCtes('overall', 'overall_in', n, plan.order, window, fast ? { run: plan.previous ? ['p', 'e'] : ['e'], p: plan.previous ? 'p' : '0', key: 'NULL::VARCHAR', times, beyondFirst } : undefined),
  ];
  // Each entity's run, with its order and (first- or last-touch) group: m 0 for one that matched
  // nothing, which counts nowhere.
  const group = touch ? 'ent.tk' : 'NULL::VARCHAR';
  const order = times === 'any' ? 'ent.eo, ' : '';
  if (beyondFirst) {
    // A run past step 1 is the chain's; one that stops there reached step 1 at its first step-1 time.
    const m = 'CASE WHEN b.m IS NOT NULL THEN b.m WHEN ent.f1 IS NOT NULL THEN 1 ELSE 0 END';
    const ts = 'CASE WHEN b.m IS NOT NULL THEN b.ts WHEN ent.f1 IS NOT NULL THEN [ent.f1] END';
    ctes.push(`per AS (SELECT ent.p, ent.e, ${order}${group} AS key, ${m} AS m, ${ts} AS ts FROM ent LEFT JOIN overall_beyond b ON ent.p = b.p AND ent.e = b.e)`);
    ctes.push(`overall AS (SELECT p, e, NULL::VARCHAR AS key, m, ts FROM per WHERE m >= 1)`);
  } else {
    ctes.push(`per AS (SELECT ent.p, ent.e, ${order}${group} AS key, coalesce(overall.m, 0) AS m, overall.ts FROM ent LEFT JOIN overall ON ent.p = overall.p AND ent.e = overall.e)`);
  }
  const runs = [`SELECT p, 0 AS g, NULL::VARCHAR AS key, e, m, ts FROM overall`];
  if (touch) {
    ctes.push(`grouped AS (SELECT p, e, key, m, ts FROM per)`);
  } else if (plan.breakdown) {
    // One run per entity and candidate value: all-events keeps only the value's events;
    // {step} keeps every event but lets only the value's events satisfy that step.
    const guarded = typeof attribution === 'object' ? bit(attribution.step) : null;
    const candidate = guarded ? `(sm & ${guarded}) <> 0` : '(sm <> 0 OR xm <> 0)';
    ctes.push(`cand AS (SELECT DISTINCT p, e, gk AS key FROM kept WHERE ${candidate})`);
    ctes.push(
      guarded
        ? `group_in AS (SELECT kept.p, kept.e, cand.key, t, o, sm, CASE WHEN gk = cand.key THEN sm ELSE sm & ~${guarded} END AS gm, xm, xs FROM kept JOIN cand ON kept.p = cand.p AND kept.e = cand.e)`
        : `group_in AS (SELECT kept.p, kept.e, cand.key, t, o, sm, sm AS gm, xm, xs FROM kept JOIN cand ON kept.p = cand.p AND kept.e = cand.e AND kept.gk = cand.key)`,
    );
    ctes.push(matchCtes('group_runs', 'group_in', n, plan.order, window, fast ? { run: plan.previous ? ['p', 'e', 'key'] : ['e', 'key'], p: plan.previous ? 'p' : '0', key: 'key', times } : undefined));
    ctes.push(
      `grouped AS (SELECT cand.p, cand.e, cand.key, coalesce(group_runs.m, 0) AS m, group_runs.ts FROM cand LEFT JOIN group_runs ON cand.p = group_runs.p AND cand.e = group_runs.e AND cand.key = group_runs.key)`,
    );
    runs.push(`SELECT p, 1 AS g, key, e, m, ts FROM grouped`);
  }
  return { ctes, runs };
}
