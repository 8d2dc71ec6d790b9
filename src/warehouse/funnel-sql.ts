/**
 * A funnel plan compiled to one DuckDB query over raw events. The query does everything the
 * in-memory engine does per entity (src/analytics/funnel/prepare.ts, match.ts, breakdown.ts) and
 * returns only counts: one row for the whole funnel and one row per breakdown group.
 *
 * The per-entity matcher is the in-memory one translated step for step, ties and quirks included.
 * Ordered and strict (`matchSequence`): an entity's events become "units" in the order it
 * processes them (time, then — at a timestamp whose events' masks differ — one unit per matched
 * step, lowest step first, then row order; otherwise each event's exclusions, then its steps), and
 * a `list_reduce` over the units carries the same state (`entered[s]`: start time, rows used and
 * excluded flag of the latest-starting attempt at step s; the best attempt). Because the loop over
 * steps in `processEvent` runs from the last step down, each step reads only the state before the
 * event, so the unrolled per-step expressions below are exactly that loop. Any order
 * (`matchAnyOrder`): one greedy scan per start event, as a `list_reduce` over its window.
 * @module
 */
import type { FunnelAggregateStep, FunnelContract } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { planFunnel, type EventFunnelPlan } from '../analytics/funnel/plan.js';
import { topGroups } from '../analytics/groups.js';
import { quoteIdent, quoteTable, SqlParams } from './quote.js';
import { stepCondition, timeCheckCte, timeExpression, type NeededColumn, type SqlOptions, type WarehouseJob } from './sql.js';

/**
 * A funnel contract as a warehouse job, planned by the in-memory engine's planner (so errors carry
 * the same JSON paths). Its result is the same contract with `funnel.steps` as counts and, with a
 * breakdown, `funnel.groups` ranked (top `limit` by step-1 count, the rest merged into "Other", as
 * in memory). Only those counts leave the database.
 */
export function funnelJob(contract: FunnelContract): WarehouseJob<FunnelContract> {
  const plan = planFunnel(contract);
  if (plan.aggregated) throw new ContractError('/funnel/steps', 'the steps are already counts: there is nothing to compute in the warehouse');
  checkSupported(plan, contract.funnel);
  return {
    columns: funnelColumns(plan),
    sql: (options) => funnelSql(plan, options),
    finish: (rows) => aggregatedFunnel(contract, plan, rows),
  };
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

/** The pre-aggregated contract: the same options, the steps as counts, groups ranked and merged. */
function aggregatedFunnel(contract: FunnelContract, plan: EventFunnelPlan, rows: Array<Record<string, unknown>>): FunnelContract {
  const counts = (r: Record<string, unknown>) => plan.steps.map((_, k) => Number(r[`c${k + 1}`] ?? 0));
  const steps = (c: number[]): FunnelAggregateStep[] => plan.steps.map((s, k) => ({ name: s.name, count: c[k] ?? 0 }));
  const overall = rows.find((r) => Number(r.fam) === 0);
  const funnel: FunnelContract['funnel'] = { ...contract.funnel, steps: steps(overall ? counts(overall) : []) };
  if (plan.breakdown) {
    const groups = new Map(rows.filter((r) => Number(r.fam) === 1).map((r) => [r.key === null ? '' : String(r.key), counts(r)]));
    const add = (into: number[] | undefined, from: number[]) => from.map((c, k) => c + (into?.[k] ?? 0));
    funnel.groups = topGroups(groups, (c) => c[0], plan.breakdown.limit, add).map(([value, c]) => ({ value, steps: steps(c) }));
  }
  const { data: _data, ...rest } = contract;
  return { ...rest, data: { rows: [] }, funnel };
}

/**
 * Contract features the warehouse path does not compute yet, each refused at its JSON path, so a
 * contract is either computed exactly or not at all.
 */
function checkSupported(plan: EventFunnelPlan, spec: { compare?: unknown; trends?: unknown; timeToConvert?: unknown }): void {
  const unsupported = (path: string, what: string) =>
    new ContractError(path, `${what} is not supported by the warehouse (DuckDB) path yet; compute this contract in the browser engine`);
  if (spec.compare !== undefined) throw unsupported('/funnel/compare', 'a previous-period comparison');
  if (spec.trends !== undefined) throw unsupported('/funnel/trends', 'trends');
  if (spec.timeToConvert !== undefined) throw unsupported('/funnel/timeToConvert', 'time to convert');
  const dwell = plan.dwell.findIndex((d) => d !== null);
  if (dwell >= 0) throw unsupported(`/funnel/steps/${dwell}/maxDwell`, 'a dwell limit (stuck entities)');
}

/** Bit k of a step mask, as SQL (masks are BIGINT; at most 31 steps). */
const bit = (k: number) => `${2 ** k}::BIGINT`;

/** An attempt in the reduce state: start time, rows used for its steps, hit by an exclusion. */
const ATTEMPT = 'STRUCT(s DOUBLE, r BIGINT[], x BOOLEAN)';

/**
 * The step part of `processEvent` as per-step SQL expressions: step s is reached from the attempt
 * at step s-1 (step 1 from "now") when the unit matches step s, the attempt is inside the window,
 * this attempt is not at step s already, and (on replay) the event is not one of its steps.
 */
function stepConditions(n: number, window: string): Array<{ prev: string; cond: string }> {
  return Array.from({ length: n }, (_, k) => {
    const s = k + 1;
    const prev = s === 1 ? `{'s': u.t, 'r': []::BIGINT[], 'x': FALSE}` : `acc.e${s - 1}`;
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
    return `'e${k + 1}': CASE WHEN ${cond} AND NOT (${prev}).x THEN {'s': (${prev}).s, 'r': list_append((${prev}).r, u.o), 'x': FALSE}${reset} ELSE acc.e${k + 1} END`;
  });
  const best = steps
    .map(({ prev, cond }, k) => `WHEN ${cond} AND (${k + 1} > acc.mm.m OR (${k + 1} = acc.mm.m AND acc.mm.x)) THEN {'m': ${k + 1}, 's': (${prev}).s, 'x': (${prev}).x}`)
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
  const fields = marks.map(({ k, cond }) => `'e${k + 1}': CASE WHEN ${cond} THEN {'s': acc.e${k + 1}.s, 'r': acc.e${k + 1}.r, 'x': TRUE} ELSE acc.e${k + 1} END`);
  const hit = marks.map(({ k, cond }) => `(${cond} AND acc.mm.m = ${k + 1} AND NOT (u.t - acc.mm.s > ${window}))`).join(' OR ');
  return `{'mm': CASE WHEN ${hit} THEN {'m': acc.mm.m, 's': acc.mm.s, 'x': TRUE} ELSE acc.mm END, ${fields.join(', ')}, ${UNIT_NULLS}}`;
}

/** The unit fields, empty in the state. */
const UNIT_NULLS = `'t': NULL, 'o': NULL, 'sm': NULL, 'gm': NULL, 'xs': NULL, 'rp': NULL, 'xu': NULL`;

/** The struct type shared by the reduce state and the units (list_reduce needs one type). */
function stateType(n: number): string {
  const attempts = Array.from({ length: n }, (_, i) => `e${i + 1} ${ATTEMPT}`).join(', ');
  return `STRUCT(mm STRUCT(m INTEGER, s DOUBLE, x BOOLEAN), ${attempts}, t DOUBLE, o BIGINT, sm BIGINT, gm BIGINT, xs BIGINT, rp BOOLEAN, xu BOOLEAN)`;
}

/**
 * CTEs matching every run of `input` (columns e, key, t, o, sm, gm, xm, xs): `<name>` gets
 * (e, key, m), m the furthest step of the best attempt (0 for none, or when it was excluded, as it
 * then counts nowhere). A timestamp is "mixed" when its events' (step, exclusion) masks differ:
 * then each matched step is replayed on its own, lowest first, with no exclusions and no strict
 * reset. Otherwise each event is its exclusions (if any) and then its steps, in row order.
 */
function matchCtes(name: string, input: string, n: number, order: EventFunnelPlan['order'], window: string): string {
  if (order === 'any') return anyOrderCtes(name, input, n, window);
  const type = stateType(n);
  const nulls = Array.from({ length: n }, (_, i) => `'e${i + 1}': NULL`).join(', ');
  const unit = `{'mm': NULL, ${nulls}, 't': v.t, 'o': v.o, 'sm': v.sm, 'gm': v.gm, 'xs': v.xs, 'rp': v.rp, 'xu': v.xu}`;
  const init = `{'mm': {'m': 0, 's': NULL, 'x': FALSE}, ${nulls}, ${UNIT_NULLS}}::${type}`;
  const strict = order === 'strict';
  const lambda = `CASE WHEN u.xu THEN ${exclusionUnit(n, window)} ELSE ${stepUnit(n, strict, window)} END`;
  return `${name}_mixed AS (
  SELECT *, min(sm) OVER w <> max(sm) OVER w OR min(xm) OVER w <> max(xm) OVER w AS mixed FROM ${input} WINDOW w AS (PARTITION BY e, key, t)
),
${name}_units AS (
  SELECT e, key, t, o, sm, gm, xs, FALSE AS rp, TRUE AS xu, 0 AS kord, 0 AS phase FROM ${name}_mixed WHERE NOT mixed AND xs <> 0
  UNION ALL
  SELECT e, key, t, o, sm, gm, 0 AS xs, FALSE AS rp, FALSE AS xu, 0 AS kord, 1 AS phase FROM ${name}_mixed WHERE NOT mixed
  UNION ALL
  SELECT e, key, t, o, sm, gm & (1::BIGINT << b) AS gm, 0 AS xs, TRUE AS rp, FALSE AS xu, b AS kord, 1 AS phase
  FROM ${name}_mixed, range(${n}) AS steps(b)
  WHERE mixed AND (gm & (1::BIGINT << b)) <> 0
),
${name} AS (
  SELECT e, key, CASE WHEN r.mm.x THEN 0 ELSE r.mm.m END AS m FROM (
    -- Units in processing order: list_sort on a struct whose first fields are the sort key is
    -- much cheaper than an ordered aggregate; (t, kord, o, phase) is unique within a run.
    SELECT e, key, list_reduce(
      list_transform(list_sort(list({'t': t, 'kord': kord, 'o': o, 'phase': phase, 'sm': sm, 'gm': gm, 'xs': xs, 'rp': rp, 'xu': xu})), lambda v: ${unit}::${type}),
      lambda acc, u: ${lambda}, ${init}) AS r
    FROM ${name}_units GROUP BY e, key
  )
)`;
}

/**
 * CTEs for order "any" (`matchAnyOrder`): every event that is a step and not an exclusion starts
 * a greedy scan over the events within the window from it:
 * each event takes the lowest step it matches that is still open; an exclusion after the start
 * wipes the scan; the scan stops when every step is done. The run's m is the best scan's count.
 * Matching ignores the {step} guard, as `matchAnyOrder` does, so it reads `sm`, not `gm`. (Its
 * `floor`, "not before the latest exclusion", never skips a start — events are in time order — so
 * it has no SQL twin.)
 */
function anyOrderCtes(name: string, input: string, n: number, window: string): string {
  const scan = `CASE WHEN acc.stop THEN acc WHEN u.xm <> 0 AND NOT u.first THEN {'done': acc.done, 'c': 0, 'stop': TRUE, 'xm': NULL, 'sm': NULL, 'first': NULL}
    WHEN (u.sm & ~acc.done) = 0 THEN acc
    ELSE {'done': acc.done | ((u.sm & ~acc.done) & -(u.sm & ~acc.done)), 'c': acc.c + 1, 'stop': acc.c + 1 = ${n}, 'xm': NULL, 'sm': NULL, 'first': NULL} END`;
  const type = 'STRUCT(done BIGINT, c INTEGER, stop BOOLEAN, xm BIGINT, sm BIGINT, first BOOLEAN)';
  return `${name}_pos AS (
  SELECT *, row_number() OVER (PARTITION BY e, key ORDER BY t, o) AS pos FROM ${input}
),
${name}_scans AS (
  SELECT s.e, s.key, list_reduce(
    list_transform(list_sort(list({'pos': j.pos, 'xm': j.xm, 'sm': j.sm})), lambda v: {'done': NULL, 'c': NULL, 'stop': NULL, 'xm': v.xm, 'sm': v.sm, 'first': v.pos = s.pos}::${type}),
    lambda acc, u: ${scan},
    {'done': 0, 'c': 0, 'stop': FALSE, 'xm': NULL, 'sm': NULL, 'first': NULL}::${type}).c AS c
  FROM ${name}_pos s JOIN ${name}_pos j ON j.e = s.e AND j.key IS NOT DISTINCT FROM s.key AND j.pos >= s.pos AND NOT (j.t - s.t > ${window})
  WHERE s.xm = 0 AND s.sm <> 0
  GROUP BY s.e, s.key, s.pos
),
${name} AS (SELECT e, key, max(c) AS m FROM ${name}_scans GROUP BY e, key)`;
}

/** `count(*) FILTER (m >= s)` for every step: the counts of one tally. */
function countColumns(n: number): string {
  return Array.from({ length: n }, (_, k) => `count(*) FILTER (WHERE m >= ${k + 1}) AS c${k + 1}`).join(', ');
}

/**
 * The query for an event funnel plan. Result rows: `fam` 0 (the whole funnel, `key` NULL) and,
 * with a breakdown, `fam` 1 per group `key`; columns `c1…cn` count the entities (or entity-value
 * runs, for `all-events` and `{step}`) that reached each step.
 */
export function funnelSql(plan: EventFunnelPlan, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
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
  const range: string[] = [];
  if (plan.range.from !== null) range.push(`t >= ${params.bind(plan.range.from, 'DOUBLE')}`);
  if (plan.range.to !== null) range.push(`t < ${params.bind(plan.range.to, 'DOUBLE')}`);
  const time = timeExpression(q.time, options.time ?? 'epoch-ms');
  const window = params.bind(plan.windowMs, 'DOUBLE');
  const ctes = [
    `src AS (
  SELECT *, (${covered.length ? covered.join(' | ') : '0::BIGINT'}) AS xs FROM (
    SELECT ${q.entity} AS e, ${time} AS t, ${q.order} AS o, (${masks}) AS sm, (${exclusionMasks.length ? exclusionMasks.join(' + ') : '0::BIGINT'}) AS xm, ${key} AS gk
    FROM ${quoteTable(options.table)}
  )
)`,
    // prepare(): in range, a step event (any event, for strict order), with a non-empty entity.
    `kept AS (
  SELECT * FROM src
  WHERE ${[...range, strict ? 'TRUE' : '(sm <> 0 OR xm <> 0)', `e IS NOT NULL`, `NOT (typeof(e) = 'VARCHAR' AND CAST(e AS VARCHAR) = '')`].join(' AND ')}
)`,
    timeCheckCte(params),
    `overall_in AS (SELECT e, NULL::VARCHAR AS key, t, o, sm, sm AS gm, xm, xs FROM kept)`,
    matchCtes('overall', 'overall_in', n, plan.order, window),
  ];
  const selects = [`SELECT 0 AS fam, NULL::VARCHAR AS key, ${countColumns(n)} FROM overall, time_check WHERE time_check.bad = 0`];
  if (plan.breakdown) {
    const attribution = plan.breakdown.attribution;
    if (attribution === 'first-touch' || attribution === 'last-touch') {
      // touchValue(): the first (last) non-empty value on the entity's step events; one group each.
      const pick = attribution === 'first-touch' ? 'arg_min' : 'arg_max';
      ctes.push(`touch AS (
  SELECT e, coalesce(${pick}(gk, {'t': t, 'o': o}) FILTER (WHERE sm <> 0 AND gk <> ''), '') AS key FROM kept GROUP BY e
)`);
      ctes.push(`grouped AS (SELECT touch.key, coalesce(overall.m, 0) AS m FROM touch LEFT JOIN overall ON touch.e = overall.e)`);
    } else {
      // One run per entity and candidate value: all-events keeps only the value's events;
      // {step} keeps every event but lets only the value's events satisfy that step.
      const guarded = typeof attribution === 'object' ? bit(attribution.step) : null;
      const candidate = guarded ? `(sm & ${guarded}) <> 0` : '(sm <> 0 OR xm <> 0)';
      ctes.push(`cand AS (SELECT DISTINCT e, gk AS key FROM kept WHERE ${candidate})`);
      ctes.push(
        guarded
          ? `group_in AS (SELECT kept.e, cand.key, t, o, sm, CASE WHEN gk = cand.key THEN sm ELSE sm & ~${guarded} END AS gm, xm, xs FROM kept JOIN cand ON kept.e = cand.e)`
          : `group_in AS (SELECT kept.e, cand.key, t, o, sm, sm AS gm, xm, xs FROM kept JOIN cand ON kept.e = cand.e AND kept.gk = cand.key)`,
      );
      ctes.push(matchCtes('group_runs', 'group_in', n, plan.order, window));
      ctes.push(`grouped AS (SELECT cand.key, coalesce(group_runs.m, 0) AS m FROM cand LEFT JOIN group_runs ON cand.e = group_runs.e AND cand.key = group_runs.key)`);
    }
    selects.push(`SELECT 1 AS fam, key, ${countColumns(n)} FROM grouped GROUP BY key`);
  }
  return { sql: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}`, params: params.values };
}
