/**
 * A cohort plan compiled to one ClickHouse query (18.16 and later), whose rows, once turned into
 * the DuckDB query's row shape by {@link fromClickHouseRows}, are finished by cohort-sql.ts's own
 * code: the same cohort matrix, to the bit, as the in-memory engine (src/analytics/cohort/).
 *
 * ClickHouse 18.16 has no CTEs, windows or `arrayFold`, so the query works per entity with
 * arrays, the way execute-memory.ts works per entity with loops. The innermost SELECT reads the
 * table and GROUPs BY the entity: on a `Distributed` table sharded by the entity (run with
 * `distributed_group_by_no_merge = 1`) each shard completes its own entities, and everything
 * global (cohort sizes, cells added over members, the entities' counts) is done by an outer
 * query over those per-entity rows, on the initiator; the table's latest time and the values a
 * sum cannot read are counted by a second SELECT (one row per shard, added up outside). Per entity:
 *
 * - its start and return events sorted by (time, row order), each with its period ordinal;
 * - its memberships (`joinCohorts`): every period with a start event keyed by the first one, or
 *   the first start event's period only, kept inside the range;
 * - per membership the dense cells of `cellValues`, period 0 to `periods − 1`: what the returns
 *   of each period bring (a count, or their values added in time order from 0), then the mode's
 *   running sums (`by`) or backward running sums (`on-or-after`) with `arrayCumSum`, whose
 *   additions are sequential, in the engine's order, including its additions of 0;
 * - the cells `add` keeps (period 0, and the others that are neither 0 nor NaN).
 *
 * A cell's total over members is `arrayCumSum` over its values sorted by entity order (the first
 * kept row, as the in-memory entity index), so sums of fractions are the same doubles. Counts
 * are exact integers in any order.
 *
 * Periods are cut without ClickHouse's time-zone functions (its tz data may disagree with the
 * browser's): the zone's offsets as the browser engine sees them (cohort-sql.ts's `zoneSteps`)
 * are written into the query as literal arrays, looked up per event in O(1) through a table of
 * buckets of 2^35 ms, and the calendar (months) is computed with integer arithmetic on days.
 * Float64 results that are not finite travel as a kind code (JSON has no ∞ or NaN).
 * @module
 */
import type { CohortPlan } from '../analytics/cohort/plan.js';
import { ClickHouseParams, baseClickHouseType, clickHouseEquals, clickHouseTime, columnType, quoteClickHouseIdent, quoteClickHouseTable } from './clickhouse.js';
import type { SqlOptions } from './sql.js';

/** The zone's offsets as the in-memory engine sees them (cohort-sql.ts's `zoneSteps`): `[at, offset]` from the window's start; `to` the end of the last offset (null: it holds for good). */
export interface ClickHouseZone {
  steps: Array<[at: number, offset: number]>;
  to: number | null;
  /** The end of the tabulated window (the last bucket's end). */
  end: number;
}

/** What cohort-sql.ts works out in JS for either dialect: the zone table (null in UTC) and the range's period ordinals. */
export interface ClickHouseCohortBounds {
  zone: ClickHouseZone | null;
  lo: number | null;
  hi: number | null;
}

/** A drill-down request's cohort ordinal and period, for {@link cohortClickHouseEntitiesSql}. */
interface Listing {
  ordinal: number;
  period: number;
  /** Whether the lists are per breakdown key (a group asked for) or one. */
  groups: boolean;
}

/** Marks the rows of these queries, so the shared finish knows to reshape them ({@link fromClickHouseRows}). */
const MARK = 'funnelkit_clickhouse';

/** Row families of these queries: cells (0 overall, 1 per group), the entities' counts, a drill-down list per group, the table's summary. */
const CELLS = 0;
const GROUP_CELLS = 1;
const STATS = 2;
const LISTS = 4;
const SUMMARY = 9;

/** Bucket width of the zone lookup: 2^35 ms (about 398 days), so a bucket holds a few offset changes at most. */
const BUCKET = 2 ** 35;
/** Greater than any plausible time (10,000 years of 1970 ≈ 3.2e14 ms): pads the change list. */
const NEVER = 2 ** 52;

/**
 * A JS-computed list of safe integers (zone changes, offsets, bucket indexes) as a ClickHouse
 * array literal of Float64 (`1.0`, so one literal of one type, parsed as one constant rather than
 * an expression per element). Never a contract value: those go through {@link ClickHouseParams}.
 */
function integers(values: number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new TypeError(`expected safe integers, got ${String(v)}`);
  return `[${values.map((v) => `${v}.0`).join(', ')}]`;
}

/** Names the query gives its own expressions: prefixed so no events column can be taken for one. */
const A = (name: string) => `__funnelkit_${name}`;

/**
 * `body` with `name` bound to `value`, evaluated once: a lambda over a one-element array. (An
 * alias would not do: ClickHouse expands aliases as text, and nested reuse grows the query past
 * its AST limit.) `name` is a lambda parameter, which no column of the table can shadow.
 */
const bind = (name: string, value: string, body: string) => `arrayMap(${name} -> ${body}, [${value}])[1]`;

/** {@link bind} for several names at once (values that do not depend on each other): one lambda, less nesting to analyse. */
const binds = (pairs: Array<[name: string, value: string]>, body: string) =>
  `arrayMap((${pairs.map(([name]) => name).join(', ')}) -> ${body}, ${pairs.map(([, value]) => `[${value}]`).join(', ')})[1]`;

/**
 * The event's wall-clock time (`t` plus the zone's offset at `t`) and whether `t` falls outside
 * the tabulated window. The offset is the last change at or before `t`: the bucket of `t` names
 * the last change at or before the bucket's start, and at most `most` changes fall inside a
 * bucket, each compared with `t` (a sorted list, so the count of those ≤ t is the step).
 */
function zoneSql(t: string, zone: ClickHouseZone | null): { wall: string; outside: string } {
  if (zone === null) return { wall: t, outside: 'toUInt8(0)' };
  const from = zone.steps[0][0];
  const ats = zone.steps.map(([at]) => at);
  const buckets = Math.ceil((zone.end - from) / BUCKET);
  const first: number[] = [];
  let most = 0;
  for (let b = 0, i = 0; b < buckets; b++) {
    const start = from + b * BUCKET;
    while (i + 1 < ats.length && ats[i + 1] <= start) i++;
    first.push(i + 1);
    let inside = 0;
    for (let j = i + 1; j < ats.length && ats[j] < start + BUCKET; j++) inside++;
    most = Math.max(most, inside);
  }
  const padded = integers([...ats, ...new Array<number>(most + 1).fill(NEVER)]);
  const bucket = `toUInt32(least(greatest(floor((_t - ${from}) / ${BUCKET}), 0), ${buckets - 1}) + 1)`;
  const steps = Array.from({ length: most }, (_, j) => ` + (_t >= _ats[_i0 + ${j + 1}])`).join('');
  const offsets = integers(zone.steps.map(([, offset]) => offset));
  const wall = bind('_t', t, bind('_ats', padded, bind('_i0', `toUInt32(${integers(first)}[${bucket}])`, `_t + ${offsets}[_i0${steps}]`)));
  const outside = `toUInt8(${t} < ${from}${zone.to !== null ? ` OR ${t} >= ${zone.to}` : ''})`;
  return { wall, outside };
}

/** The period ordinal of a wall-clock epoch-ms Float64, as `periodOrdinal` computes it (all in exact Float64 integer arithmetic). */
function ordinalSql(wall: string, plan: CohortPlan): string {
  const days = (ms: string) => `floor(${ms} / 86400000)`;
  switch (plan.period) {
    case 'hour':
      return `floor(${wall} / 3600000)`;
    case 'day':
      return days(wall);
    case 'week':
      return `floor((${days(wall)} + ${plan.weekStart === 'monday' ? 3 : 4}) / 7)`;
    case 'month': {
      // `new Date(wall)` drops a fraction of a millisecond toward zero; then the civil date of
      // the day (H. Hinnant's civil_from_days), valid for any day, unlike DateTime.
      const yoe = `floor((_doe - floor(_doe / 1460) + floor(_doe / 36524) - floor(_doe / 146096)) / 365)`;
      const mp = `floor((5 * (_doe - (365 * _yoe + floor(_yoe / 4) - floor(_yoe / 100))) + 2) / 153)`;
      const civil = bind('_yoe', yoe, bind('_mp', mp, bind('_m', `if(_mp < 10, _mp + 3, _mp - 9)`, `(_yoe + _era * 400 + (_m <= 2) - 1970) * 12 + _m - 1`)));
      return bind('_z', `${days(`trunc(${wall})`)} + 719468`, bind('_era', 'floor(_z / 146097)', bind('_doe', '_z - _era * 146097', civil)));
    }
  }
}

/** A cohort event's test (UInt8): its name (any event when none is named) and its where clause, written for the column types. */
function eventCondition(plan: CohortPlan, options: SqlOptions, event: { event: string | null; where?: Record<string, unknown> }, params: ClickHouseParams): string {
  const parts: string[] = [];
  if (plan.fields.event !== null && event.event !== null) parts.push(clickHouseEquals(quoteClickHouseIdent(plan.fields.event), columnType(options, plan.fields.event), event.event, params));
  parts.push(...whereConditions(options, event.where, params));
  return parts.length ? `toUInt8(${parts.map((p) => `(${p})`).join(' AND ')})` : 'toUInt8(1)';
}

/** Each `where` field equal to its value (or one of its list), as in memory. */
function whereConditions(options: SqlOptions, where: Record<string, unknown> | undefined, params: ClickHouseParams): string[] {
  return Object.entries(where ?? {}).map(([field, expected]) => {
    const values = (Array.isArray(expected) ? expected : [expected]) as Array<Parameters<typeof clickHouseEquals>[2]>;
    const column = quoteClickHouseIdent(field);
    const type = columnType(options, field);
    return values.length ? `(${values.map((v) => clickHouseEquals(column, type, v, params)).join(' OR ')})` : '0';
  });
}

const NUMERIC = /^(U?Int(8|16|32|64)|Float(32|64)|Decimal.*)$/;

/**
 * The per-entity query: the innermost SELECT over the table, grouped by entity (each shard
 * completes its own), one row per entity with its first kept row `eo`, its count of events
 * outside the zone table (`outside`), and `r`: its count of events in a period before the
 * previous event's (`turned`, refused) and its memberships (cohort ordinal, breakdown key, the
 * cells `add` keeps as (period, value); with a listing, whether the drill-down lists it instead).
 */
function entitySql(plan: CohortPlan, options: SqlOptions, bounds: ClickHouseCohortBounds, params: ClickHouseParams, listing: Listing | null): string {
  const q = quoteClickHouseIdent;
  const n = plan.periods;
  const entityType = columnType(options, plan.fields.entity);
  const e = q(plan.fields.entity);
  const t = `assumeNotNull(${clickHouseTime(q(plan.fields.time), options.time ?? 'epoch-ms')})`;
  // Without a row-order column ClickHouse keeps none: ties are then taken as ClickHouse gives them.
  const o = options.rowOrder !== undefined ? `assumeNotNull(${q(options.rowOrder)})` : 'toUInt8(0)';
  const isStart = eventCondition(plan, options, plan.start, params);
  const isReturn = eventCondition(plan, options, plan.return, params);
  const key = plan.breakdown ? `ifNull(toString(${q(plan.breakdown.field)}), '')` : `''`;
  let value = 'toFloat64(0)';
  if (plan.fields.value !== null && NUMERIC.test(baseClickHouseType(columnType(options, plan.fields.value)))) value = `ifNull(toFloat64(${q(plan.fields.value)}), toFloat64(0))`;
  const { wall, outside } = zoneSql(t, bounds.zone);
  // entityEvents(): rows that start or return, of an entity that is neither missing nor ''.
  const kept = [`(${isStart} OR ${isReturn})`, `isNotNull(${e})`, ...(/^(String|FixedString)/.test(baseClickHouseType(entityType)) ? [`notEmpty(assumeNotNull(${e}))`] : [])].join(' AND ');
  const inRange = (c: string) => [bounds.lo !== null ? `${c} >= ${params.bind(bounds.lo, 'DOUBLE')}` : '1', bounds.hi !== null ? `${c} <= ${params.bind(bounds.hi, 'DOUBLE')}` : '1'].join(' AND ');
  // The entity's events in (time, row order), each (t, o, start, return, key, value, period).
  const ev = `arraySort(_x -> (_x.1, _x.2), groupArray((${t}, ${o}, ${isStart}, ${isReturn}, ${key}, ${value}, ${ordinalSql(wall, plan)})))`;
  const turned = `arraySum(arrayMap((_a, _b) -> _a > _b, arrayPopBack(_cs), arrayPopFront(_cs)))`;
  // joinCohorts: (period, key) of every start event in order (`_st`), then the first of each
  // period, or the very first; kept when in the range. Periods never go back (else `turned`).
  const members =
    plan.type === 'recurring'
      ? `arrayFilter((_m, _p) -> _m.1 != _p AND ${inRange('_m.1')}, _st, arrayPopBack(arrayPushFront(arrayMap(_x -> _x.1, _st), nan)))`
      : `arrayFilter(_m -> ${inRange('_m.1')}, arraySlice(_st, 1, 1))`;
  const sums = plan.measure === 'sum';
  // Per period k of membership c: what its returns bring (sums), or 1 if any (entities). `_rp`
  // lists the distinct return periods (runs: periods are in order), `_rs` what each brings, its
  // values added in time order from 0.
  const active = (c: string) =>
    sums ? `arrayMap(_k -> _rs[indexOf(_rp, ${c} + _k)], range(${n}))` : `arrayMap(_k -> toFloat64(has(_rp, ${c} + _k)), range(${n}))`;
  // cellValues(): period 0, then the mode's values for 1 … n − 1, running sums from 0 in period
  // order (`by`) or backwards (`on-or-after`); entities count 1 from the first or to the last return.
  const cells = (c: string) => {
    const running = (list: string) => (sums ? list : `arrayMap(_s -> toFloat64(_s > 0), ${list})`);
    const rest =
      plan.mode === 'on'
        ? 'arrayPopFront(_a)'
        : plan.mode === 'by'
          ? running(`arrayPopFront(arrayCumSum(arrayConcat([toFloat64(0)], arrayPopFront(_a))))`)
          : running(`arrayReverse(arrayPopFront(arrayCumSum(arrayConcat([toFloat64(0)], arrayReverse(arrayPopFront(_a))))))`);
    return bind('_a', active(c), `arrayConcat(${sums ? '[_a[1]]' : '[toFloat64(1)]'}, ${rest})`);
  };
  // add(): period 0 always; a later cell only when it is neither 0 nor NaN.
  const keptCells = (c: string) =>
    `arrayFilter(_y -> _y.1 = 0 OR (_y.2 != 0 AND NOT isNaN(_y.2)), arrayMap((_v, _k) -> (toInt64(_k), _v), ${cells(c)}, range(${n})))`;
  // The entity's rows of the result, as items (fam, key, c, k, value, x, y): first its counts
  // (fam 2: value 1 when it is in a cohort, x turned, y outside), then per membership either its
  // kept cells (fam 0, and fam 1 under its key for a breakdown) or, for a listing, whether the
  // drill-down lists it (fam 4, value 1 or 0, under its key when groups are asked for).
  const item = (fam: number | string, key: string, c: string, k: string, value: string) => `(toUInt8(${fam}), ${key}, ${c}, ${k}, ${value}, toUInt64(0), toUInt64(0))`;
  const perMember = listing
    ? `[${item(LISTS, listing.groups ? '_m.2' : `''`, '_m.1', 'toInt64(0)', `toFloat64(_m.1 = ${params.bind(listing.ordinal, 'DOUBLE')} AND ${listing.period === 0 ? '1' : `arrayExists(_y -> _y.1 = ${params.bind(listing.period, 'BIGINT')}, ${keptCells('_m.1')})`})`)}]`
    : `arrayReduce('groupArrayArray', arrayMap(_y -> [${[item(CELLS, `''`, '_m.1', '_y.1', '_y.2'), ...(plan.breakdown ? [item(GROUP_CELLS, '_m.2', '_m.1', '_y.1', '_y.2')] : [])].join(', ')}], ${keptCells('_m.1')}))`;
  const stats = `(toUInt8(${STATS}), '', toFloat64(0), toInt64(0), toFloat64(notEmpty(_mem)), toUInt64(${turned}), toUInt64(_out))`;
  const items = bind('_mem', members, `arrayConcat([${stats}], arrayReduce('groupArrayArray', arrayMap(_m -> ${perMember}, _mem)))`);
  const rp = `arrayFilter((_a, _b) -> _a != _b, _rc, arrayPopBack(arrayPushFront(_rc, nan)))`;
  const rs = sums ? `arrayMap(_p -> arrayCumSum(arrayConcat([toFloat64(0)], arrayFilter((_v, _c) -> _c = _p, _rv, _rc)))[-1], _rp)` : `emptyArrayFloat64()`;
  const returns = `arrayFilter(_x -> _x.4, _ev)`;
  // The events and the count outside the zone table enter as lambda arguments: no aggregate
  // function may sit inside a lambda (current ClickHouse's analyzer refuses it).
  const result = `arrayMap((_ev, _out) -> ${binds(
    [
      ['_cs', `arrayMap(_x -> _x.7, _ev)`],
      ['_st', `arrayMap(_x -> (_x.7, _x.5), arrayFilter(_x -> _x.3, _ev))`],
      ['_rc', `arrayMap(_x -> _x.7, ${returns})`],
      ['_rv', sums ? `arrayMap(_x -> _x.6, ${returns})` : 'emptyArrayFloat64()'],
    ],
    binds([['_rp', rp]], binds([['_rs', rs]], items)),
  )}, [${ev}], [sum(${outside})])[1]`;
  // Items leave the shard one row each, beside the entity and its first kept row.
  return `SELECT ${e} AS ${A('e')}, min(${o}) AS ${A('eo')}, arrayJoin(${result}) AS ${A('item')}
  FROM ${quoteClickHouseTable(options.table)}
  WHERE ${kept}
  GROUP BY ${A('e')}`;
}

/**
 * The summary SELECT over the whole table (shape of the cell rows): per shard its rows, latest
 * time and rows holding a value a sum cannot read on a return event (`bindMeasure`'s error);
 * the outer query adds the shards' up (`fam` {@link SUMMARY}).
 */
function summarySql(plan: CohortPlan, options: SqlOptions, params: ClickHouseParams, extra = ''): string {
  const q = quoteClickHouseIdent;
  const t = `assumeNotNull(${clickHouseTime(q(plan.fields.time), options.time ?? 'epoch-ms')})`;
  let bad = 'toUInt8(0)';
  if (plan.fields.value !== null) {
    const v = q(plan.fields.value);
    const numeric = NUMERIC.test(baseClickHouseType(columnType(options, plan.fields.value)));
    const holds = numeric ? `isNotNull(${v}) AND isNaN(toFloat64(${v}))` : `isNotNull(${v})`;
    // bindMeasure: every row of the return event (its where, its name) holds a number or nothing.
    const conditions = [...(plan.fields.event !== null && plan.return.event !== null ? [clickHouseEquals(q(plan.fields.event), columnType(options, plan.fields.event), plan.return.event, params)] : []), ...whereConditions(options, plan.return.where, params)];
    bad = `toUInt8(${[holds, ...conditions].map((c) => `(${c})`).join(' AND ')})`;
  }
  // Prefixed names: an events column may be called `rows` or `bad`.
  return `SELECT toUInt8(${SUMMARY}) AS fam, '' AS key, toFloat64(maxIf(${A('latest')}, ${A('rows')} > 0)) AS c, toInt64(0) AS k, toUInt64(sum(${A('rows')})) AS n, toFloat64(0) AS total, toInt8(0) AS tk, toUInt64(sum(${A('bad')})) AS x, toUInt64(0) AS y${extra}, toUInt8(1) AS ${MARK}
FROM (SELECT count() AS ${A('rows')}, max(${t}) AS ${A('latest')}, sum(${bad}) AS ${A('bad')} FROM ${quoteClickHouseTable(options.table)})`;
}

/** A Float64 total as (finite value or 0, kind): 0 finite, 1 +∞, −1 −∞, 2 NaN. */
const totalColumns = (x: string) => `toFloat64(if(isFinite(${x}), ${x}, 0)) AS total, toInt8(if(isFinite(${x}), 0, if(isNaN(${x}), 2, if(${x} > 0, 1, -1)))) AS tk`;

/**
 * The cohort query for ClickHouse. Rows (`fam`, `key`, `c`, `k`, `n`, `total`, `tk`, `x`, `y`):
 * `fam` 0 per cohort `c` and period `k` the members `n` with a kept cell there and its `total`
 * (k 0: every member); `fam` 1 the same per breakdown `key`; `fam` 2 the entities' counts (`n`
 * entities in a cohort, `x` turned, `y` outside); `fam` 9 the table's summary. Reshaped for
 * cohort-sql.ts's finish by {@link fromClickHouseRows}.
 */
export function cohortClickHouseSql(plan: CohortPlan, options: SqlOptions, bounds: ClickHouseCohortBounds): { sql: string; params: unknown[] } {
  const params = new ClickHouseParams();
  const entities = entitySql(plan, options, bounds, params, null);
  const it = (i: number) => `${A('item')}.${i}`;
  // A cell's total: its members' values added from 0 in entity order (counts: in any order).
  const total =
    plan.measure === 'sum' ? `arrayCumSum(arrayConcat([toFloat64(0)], arrayMap(_x -> _x.3, arraySort(groupArray((${A('eo')}, ${A('e')}, ${it(5)}))))))[-1]` : `sum(${it(5)})`;
  const cellsQuery = `SELECT ${it(1)} AS fam, ${it(2)} AS key, ${it(3)} AS c, ${it(4)} AS k, toUInt64(count()) AS n, ${totalColumns(total)}, toUInt64(sum(${it(6)})) AS x, toUInt64(sum(${it(7)})) AS y, toUInt8(1) AS ${MARK}
FROM (
  ${entities}
)
GROUP BY fam, key, c, k`;
  return { sql: `${cellsQuery}\nUNION ALL\n${summarySql(plan, options, params)}`, params: params.values };
}

/**
 * The drill-down query for ClickHouse: per breakdown key (one list, key '', when no group is
 * asked for) its members over all cohorts (`n`, to rank groups as memory does) and the first
 * `entityLimit` listed members of the cell in entity order (`ids`, `eos`); the entities' counts
 * and the table's summary as in {@link cohortClickHouseSql}.
 */
export function cohortClickHouseEntitiesSql(
  plan: CohortPlan,
  options: SqlOptions,
  bounds: ClickHouseCohortBounds,
  ordinal: number,
  period: number,
  groups: boolean,
): { sql: string; params: unknown[] } {
  const params = new ClickHouseParams();
  const entities = entitySql(plan, options, bounds, params, { ordinal, period, groups });
  const it = (i: number) => `${A('item')}.${i}`;
  const listed = `arraySort(groupArrayIf((toFloat64(${A('eo')}), toString(${A('e')})), ${it(1)} = ${LISTS} AND ${it(5)} = 1))`;
  const limit = params.bind(plan.entityLimit, 'BIGINT');
  const lists = `SELECT ${it(1)} AS fam, ${it(2)} AS key, toFloat64(0) AS c, toInt64(0) AS k, toUInt64(count()) AS n, toFloat64(0) AS total, toInt8(0) AS tk,
    toUInt64(sum(${it(6)})) AS x, toUInt64(sum(${it(7)})) AS y,
    arrayMap(_x -> _x.2, arraySlice(${listed}, 1, ${limit})) AS ids, arrayMap(_x -> _x.1, arraySlice(${listed}, 1, ${limit})) AS eos, toUInt8(1) AS ${MARK}
FROM (
  ${entities}
)
GROUP BY fam, key`;
  return { sql: `${lists}\nUNION ALL\n${summarySql(plan, options, params, ', emptyArrayString() AS ids, emptyArrayFloat64() AS eos')}`, params: params.values };
}

/** A total from its (value, kind) columns: ±∞ and NaN come back as such. */
function totalOf(r: Record<string, unknown>): number {
  const kind = Number(r.tk ?? 0);
  return kind === 0 ? Number(r.total) : kind === 2 ? NaN : kind > 0 ? Infinity : -Infinity;
}

/**
 * The rows of {@link cohortClickHouseSql} or {@link cohortClickHouseEntitiesSql} in the shape of
 * cohort-sql.ts's DuckDB rows, so one finish serves both: per cohort a size row (`k` null) and
 * per kept cell a `total` (period 0 of sums too); drill-down lists as `fam` 1 rows (`id`, `eo`)
 * and group sizes as `fam` 3; one summary row `fam` 2. Rows of another dialect pass unchanged.
 */
export function fromClickHouseRows(plan: CohortPlan, rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  if (!rows.some((r) => r[MARK] !== undefined)) return rows;
  const out: Array<Record<string, unknown>> = [];
  const summary = { fam: 2, latest: null as number | null, outside: 0, turned: 0, bad: 0, entities: 0 };
  for (const r of rows) {
    const fam = Number(r.fam);
    if (fam === CELLS || fam === GROUP_CELLS) {
      const k = Number(r.k);
      const base = { fam, key: fam === CELLS ? null : String(r.key), c: Number(r.c) };
      if (k === 0) {
        out.push({ ...base, k: null, size: Number(r.n) });
        if (plan.measure === 'sum') out.push({ ...base, k: 0, total: totalOf(r) });
      } else out.push({ ...base, k, total: totalOf(r) });
    } else if (fam === STATS) {
      summary.entities += totalOf(r);
      summary.turned += Number(r.x);
      summary.outside += Number(r.y);
    } else if (fam === LISTS) {
      out.push({ fam: 3, key: String(r.key), size: Number(r.n) });
      const ids = r.ids as unknown[];
      const eos = r.eos as unknown[];
      ids.forEach((id, i) => out.push({ fam: 1, key: String(r.key), id: String(id), eo: Number(eos[i]) }));
    } else if (fam === SUMMARY) {
      summary.latest = Number(r.n) > 0 ? Number(r.c) : null;
      summary.bad += Number(r.x);
    }
  }
  out.push(summary);
  return out;
}
