/**
 * A cohort plan compiled to one DuckDB query over raw events, returning the cohort matrix the
 * in-memory engine (src/analytics/cohort/execute-memory.ts) computes: per cohort period (and per
 * breakdown value) its size and its count or sum per period after, as exact as in memory.
 *
 * Periods are cut on the contract zone's wall clock exactly as time.ts cuts them: the zone's
 * offsets are not DuckDB's (its ICU time-zone data is older than the browser's for some zones),
 * but the browser engine's own, found once per zone in JS and bound as a parameter (a list of
 * offset changes), which the query looks up with an ASOF join. Sums are added in the in-memory
 * engine's order (events in time order, members in entity order) with ordered `list_reduce`s, so
 * fractional values give the same doubles, not just nearly the same.
 *
 * The common case, cohorts of entities in UTC (up to 64 periods), takes a fast path
 * ({@link fastCtes}): one grouping of the events by entity into its first start period and a bit
 * mask of its return periods, then counts per mask; no per-event copy, window or zone lookup.
 *
 * ClickHouse (`options.dialect === 'clickhouse'`) gets its own statement from cohort-clickhouse.ts,
 * built from the same plan, zone offsets and range ordinals worked out here; its rows are reshaped
 * into this file's row shape, so one finish serves both dialects.
 * @module
 */
import type { CohortAggregate, CohortContract, WhereClause } from '../analytics/contract.js';
import { ContractError, pointerSegment } from '../analytics/contract-error.js';
import { planCohort, type CohortPlan } from '../analytics/cohort/plan.js';
import { topGroups } from '../analytics/groups.js';
import { MAX_PERIODS } from '../analytics/measures/series.js';
import { ordinalStart, parseTimestamp, periodKey, periodOrdinal, plausibleTime, zoneOffset } from '../analytics/time.js';
import { cohortClickHouseEntitiesSql, cohortClickHouseSql, fromClickHouseRows, type ClickHouseCohortBounds } from './cohort-clickhouse.js';
import { quoteIdent, quoteTable, SqlParams } from './quote.js';
import { equalsValue, timeCheckCte, timeExpression, type NeededColumn, type SqlOptions, type WarehouseJob } from './sql.js';

/** Most cohorts a pre-aggregated contract holds (the schema's `cohort.cohorts` maxItems). */
const MAX_GIVEN_COHORTS = 1000;

/**
 * A cohort contract as a warehouse job, planned by the in-memory engine's planner (so errors carry
 * the same JSON paths). Its result is the same contract with `cohort.cohorts` filled (every cohort
 * period of the range, empty ones included), `cohort.groups` for a breakdown (top `limit` by
 * members, the rest merged into "Other", as in memory), `periods` spelled out, and `asOf` set to
 * the latest event when the contract has none, so the widgets cut incomplete cells as they would
 * over the raw events. Only those figures leave the database.
 */
export function cohortJob(contract: CohortContract): WarehouseJob<CohortContract> {
  const plan = planCohort(contract);
  if (plan.given) throw new ContractError('/cohort/cohorts', 'the cohorts are already counted: there is nothing to compute in the warehouse');
  return {
    columns: cohortColumns(plan),
    dialects: ['duckdb', 'clickhouse'],
    sql: (options) => (options.dialect === 'clickhouse' ? cohortClickHouseSql(plan, options, clickHouseBounds(plan)) : cohortSql(plan, options)),
    finish: (rows) => aggregatedCohort(contract, plan, fromClickHouseRows(plan, rows)),
  };
}

/** Which drill-down list to read: one cell of the cohort matrix, the whole matrix's or a breakdown group's. */
export interface CohortEntitiesRequest {
  /** The cohort row's label as the view model gives it (`cohort`): `2026-03-02`, or `2026-03-02T09:00` for hours. */
  cohort: string;
  /** Periods since the cohort's own (0: the cohort period, whose list is its members). */
  period: number;
  /** A breakdown group's value as the view model names it ("Other" for the merged groups); absent or null for the whole matrix. */
  group?: string | null;
}

/** A {@link WarehouseJob} whose result is a drill-down list rather than a contract. */
export type CohortEntitiesJob = Omit<WarehouseJob, 'finish'> & { finish(rows: Array<Record<string, unknown>>): { ids: string[] } };

/**
 * The second query behind a cohort drill-down: the ids the in-memory view model lists as
 * `cohorts[row].cells[period].entityIds` (or a breakdown group's), in the same order (entities by
 * their first start or return row) and capped at `entityLimit`. Period 0 lists the cohort's
 * members; a later period the members whose cell there is not 0 under the contract's mode and
 * measure. A group is ranked and merged by the in-memory engine's own `topGroups` over the
 * groups' sizes, so "Other" lists the merged groups' ids in their rank order, as `mergeTallies`
 * does. A cohort without a row, a cell after "now" and a group the view model does not show list
 * no one. Throws a RangeError for a label that names no cohort period or a period outside
 * `periods`, a TypeError for a group without a breakdown.
 */
export function cohortEntitiesJob(contract: CohortContract, request: CohortEntitiesRequest): CohortEntitiesJob {
  const plan = planCohort(contract);
  if (plan.given) throw new ContractError('/cohort/cohorts', 'the cohorts are already counted: there are no entities to list');
  const { cohort, period } = request;
  const group = request.group ?? null;
  if (typeof cohort !== 'string') throw new TypeError(`cohort: expected the cohort row's label, got ${JSON.stringify(cohort)}`);
  if (!Number.isInteger(period) || period < 0 || period >= plan.periods) throw new RangeError(`period: expected a period from 0 to ${plan.periods - 1}, got ${JSON.stringify(period)}`);
  if (group !== null && typeof group !== 'string') throw new TypeError(`group: expected a breakdown value (a string) or null, got ${JSON.stringify(group)}`);
  if (group !== null && !plan.breakdown) throw new TypeError('group: this cohort contract has no breakdown');
  const ordinal = cohortOrdinal(plan, cohort);
  return {
    columns: cohortColumns(plan),
    dialects: ['duckdb', 'clickhouse'],
    sql: (options) =>
      options.dialect === 'clickhouse'
        ? cohortClickHouseEntitiesSql(plan, options, clickHouseBounds(plan), ordinal, period, group !== null)
        : cohortEntitiesSql(plan, options, ordinal, period, group !== null),
    finish: (clickHouseOrDuckDB) => {
      const rows = fromClickHouseRows(plan, clickHouseOrDuckDB);
      const latest = summary(plan, rows);
      // cohortRow(): a cell whose period begins after "now" is not in the view model.
      const asOf = plan.asOf ?? latest;
      if (asOf !== null && ordinalStart(ordinal + period, plan.period, plan.timeZone, plan.weekStart) > asOf) return { ids: [] };
      return { ids: cellIds(plan, rows, group) };
    },
  };
}

/**
 * The period ordinal of the cohort row labelled `label`: the one whose start `cohortRow` names so
 * (its first day, or hour), or whose start is that instant (the pre-aggregated contract's label
 * for a day that does not start at midnight). A RangeError for a label that names none.
 */
function cohortOrdinal(plan: CohortPlan, label: string): number {
  const { period, timeZone, weekStart } = plan;
  const ms = parseTimestamp(label, timeZone);
  if (Number.isFinite(ms) && plausibleTime(ms)) {
    const near = periodOrdinal(ms, period, timeZone, weekStart);
    for (const c of [near, near - 1, near + 1]) {
      const start = ordinalStart(c, period, timeZone, weekStart);
      if (periodKey(start, period === 'hour' ? 'hour' : 'day', timeZone) === label || start === ms) return c;
    }
  }
  throw new RangeError(`cohort: expected a cohort row's label (the first ${period === 'hour' ? 'hour, YYYY-MM-DDTHH:00' : 'day, YYYY-MM-DD'} of a ${period} in ${timeZone}), got ${JSON.stringify(label)}`);
}

/**
 * The query for one cell's list: the members of cohort `ordinal` whose cell at `period` is not 0
 * (`add` skips a 0 or NaN cell after period 0), as rows `fam` 1 (`key`, `id`, `eo`), the first
 * `entityLimit` of the whole matrix, or of each breakdown key with every key's size (`fam` 3:
 * `key`, `size`, to rank and merge as memory does); and the summary row (`fam` 2).
 */
function cohortEntitiesSql(plan: CohortPlan, options: SqlOptions, ordinal: number, period: number, groups: boolean): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const only = params.bind(ordinal, 'DOUBLE');
  const { ctes } = cohortCtes(plan, options, params, only);
  const listed =
    period === 0
      ? `SELECT e, key, eo FROM members WHERE c = ${only}`
      : `SELECT e, key, eo FROM cells WHERE c = ${only} AND k = ${params.bind(period, 'BIGINT')} AND val <> 0 AND NOT isnan(val)`;
  ctes.push(`listed AS (${listed})`);
  const limit = params.bind(plan.entityLimit, 'BIGINT');
  const selects = groups
    ? [
        `SELECT 3 AS fam, key, count(*) AS size FROM members GROUP BY key`,
        `SELECT 1 AS fam, key, e AS id, eo FROM (SELECT *, row_number() OVER (PARTITION BY key ORDER BY eo) AS rn FROM listed) WHERE rn <= ${limit}`,
      ]
    : [`SELECT 1 AS fam, e AS id, eo FROM (SELECT e, eo FROM listed ORDER BY eo LIMIT ${limit})`];
  selects.push(`SELECT 2 AS fam, ${SUMMARY.map(([x, name]) => `${x} AS ${name}`).join(', ')}
FROM time_check, turned WHERE time_check.bad = 0`);
  return { sql: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL BY NAME\n')}`, params: params.values };
}

/** The ids of the list asked for, as `String(id)` names them in memory, in entity order. */
function cellIds(plan: CohortPlan, rows: Array<Record<string, unknown>>, group: string | null): string[] {
  const listed = (r: Record<string, unknown>) => ({ key: r.key === null || r.key === undefined ? '' : String(r.key), id: String(r.id), eo: Number(r.eo) });
  const ids = rows.filter((r) => num(r.fam) === 1).map(listed).sort((a, b) => a.eo - b.eo);
  if (group === null) return ids.map((x) => x.id);
  const lists = new Map<string, { size: number; ids: string[] }>();
  for (const r of rows) if (num(r.fam) === 3) lists.set(String(r.key), { size: num(r.size), ids: [] });
  for (const x of ids) lists.get(x.key)?.ids.push(x.id);
  // mergeTallies(): the same ranking, and the capped concatenation in rank order.
  const merge = (into: { size: number; ids: string[] } | undefined, from: { size: number; ids: string[] }) => {
    const merged = [...(into?.ids ?? [])];
    for (const id of from.ids) if (merged.length < plan.entityLimit) merged.push(id);
    return { size: (into?.size ?? 0) + from.size, ids: merged };
  };
  return topGroups(lists, (g) => g.size, plan.breakdown!.limit, merge).find(([value]) => value === group)?.[1].ids ?? [];
}

/** Every column the plan reads, at the same path as the in-memory engine reports it. */
function cohortColumns(plan: CohortPlan): NeededColumn[] {
  const columns: NeededColumn[] = [
    { name: plan.fields.entity, path: '/fields/entity' },
    { name: plan.fields.time, path: '/fields/time' },
  ];
  if (plan.fields.event !== null) columns.push({ name: plan.fields.event, path: '/fields/event' });
  if (plan.fields.value !== null) columns.push({ name: plan.fields.value, path: '/fields/value' });
  for (const which of ['start', 'return'] as const) {
    for (const c of Object.keys(plan[which].where ?? {})) columns.push({ name: c, path: `/cohort/${which}/where/${pointerSegment(c)}` });
  }
  if (plan.breakdown) columns.push({ name: plan.breakdown.field, path: '/cohort/breakdown/field', groups: true });
  return columns;
}

/** SQL true when every `where` column equals its value (or one of its list), as `wherePredicate`. */
function whereCondition(where: WhereClause | undefined, params: SqlParams): string {
  const parts = Object.entries(where ?? {}).map(([field, expected]) => {
    const values = Array.isArray(expected) ? expected : [expected];
    return values.length ? `(${values.map((v) => equalsValue(quoteIdent(field), v, params)).join(' OR ')})` : 'FALSE';
  });
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** A cohort event's test: its name (any event when none is named) and its where clause. */
function eventCondition(eventColumn: string | null, event: string | null, where: WhereClause | undefined, params: SqlParams): string {
  const name = eventColumn !== null && event !== null ? equalsValue(quoteIdent(eventColumn), event, params) : 'TRUE';
  return `coalesce(${name} AND ${whereCondition(where, params)}, FALSE)`;
}

/** SQL true when the column holds numbers (the in-memory engine meets them as JS numbers). */
const numericType = (column: string) =>
  `(typeof(${column}) IN ('TINYINT','SMALLINT','INTEGER','BIGINT','HUGEINT','UTINYINT','USMALLINT','UINTEGER','UBIGINT','FLOAT','DOUBLE') OR typeof(${column}) LIKE 'DECIMAL%')`;

/**
 * The zone's offsets as the in-memory engine sees them ({@link zoneOffset}: the offset at the
 * start of each quarter hour), for instants in [{@link ZONE_FROM}, `to`): the first entry at
 * ZONE_FROM, then one per change, then `to` with no offset (outside). `to` is null when the zone
 * keeps one offset for good (no change in the window's last century). UTC needs none.
 */
interface ZoneSteps {
  steps: Array<[at: number, offset: number]>;
  to: number | null;
}

/** The window the zone offsets are tabulated over: 1800 to 2200, plenty for event data. */
const ZONE_FROM = Date.UTC(1800, 0, 1);
const ZONE_TO = Date.UTC(2200, 0, 1);
const QUARTER_HOUR = 15 * 60_000;
/** Offsets are sampled weekly; a change in between is found by bisection on quarter hours. */
const SAMPLE = 7 * 24 * 3_600_000;

const zoneCache = new Map<string, ZoneSteps>();

/**
 * Every offset change of the zone in the window, from the browser engine's own offsets (so the
 * query cuts periods where the browser does, whatever DuckDB's time-zone data says). A zone
 * that changes its offset and changes it back within a week would be missed: tzdata has none.
 * About 100 ms per zone, once per process.
 */
function zoneSteps(timeZone: string): ZoneSteps {
  const cached = zoneCache.get(timeZone);
  if (cached) return cached;
  const steps: Array<[number, number]> = [[ZONE_FROM, zoneOffset(ZONE_FROM, timeZone)]];
  let offset = steps[0][1];
  for (let sample = ZONE_FROM + SAMPLE; sample < ZONE_TO + SAMPLE; sample += SAMPLE) {
    const next = zoneOffset(sample, timeZone);
    while (next !== offset) {
      // The first quarter hour in (last change or sample, sample] whose offset differs.
      let a = Math.floor(Math.max(steps[steps.length - 1][0], sample - SAMPLE) / QUARTER_HOUR);
      let b = Math.floor(sample / QUARTER_HOUR);
      while (b - a > 1) {
        const m = Math.floor((a + b) / 2);
        if (zoneOffset(m * QUARTER_HOUR, timeZone) !== offset) b = m;
        else a = m;
      }
      offset = zoneOffset(b * QUARTER_HOUR, timeZone);
      steps.push([b * QUARTER_HOUR, offset]);
    }
  }
  const settled = steps[steps.length - 1][0] < Date.UTC(2100, 0, 1);
  const result = { steps: steps.filter(([at]) => at < ZONE_TO), to: settled ? null : ZONE_TO };
  zoneCache.set(timeZone, result);
  return result;
}

/**
 * What the ClickHouse query needs worked out in JS, as the DuckDB one: the zone's offsets (null
 * in UTC, where the engine asks for none) and the range's first and last cohort ordinals.
 */
function clickHouseBounds(plan: CohortPlan): ClickHouseCohortBounds {
  const ordinal = (ms: number) => periodOrdinal(ms, plan.period, plan.timeZone, plan.weekStart);
  return {
    zone: isUtc(plan.timeZone) ? null : { ...zoneSteps(plan.timeZone), end: ZONE_TO },
    lo: plan.range.from !== null ? ordinal(plan.range.from) : null,
    hi: plan.range.to !== null ? ordinal(plan.range.to - 1) : null,
  };
}

/** Whether the in-memory engine takes the zone's offset as 0 without asking `Intl` (any time works). */
const isUtc = (timeZone: string) => timeZone === 'UTC' || timeZone === 'Etc/UTC';

/** The period ordinal of a wall-clock epoch-ms DOUBLE, as {@link periodOrdinal} computes it. */
function ordinalSql(wall: string, plan: CohortPlan): string {
  const days = `floor(${wall} / 86400000::DOUBLE)`;
  switch (plan.period) {
    case 'hour':
      return `floor(${wall} / 3600000::DOUBLE)`;
    case 'day':
      return days;
    case 'week':
      return `floor((${days} + ${plan.weekStart === 'monday' ? 3 : 4}) / 7::DOUBLE)`;
    case 'month': {
      // `new Date(wall)` drops a fraction of a millisecond toward zero before it reads the month.
      const date = `epoch_ms(CAST(trunc(${wall}) AS BIGINT))`;
      return `CAST((year(${date}) - 1970) * 12 + month(${date}) - 1 AS DOUBLE)`;
    }
  }
}

/** Sums a DOUBLE[] left to right from 0, as a JS loop of `+=` does. */
const fold = (list: string) => `list_reduce(${list}, lambda a, b: a + b, 0::DOUBLE)`;

/**
 * The cells of the memberships that have a return behind them, as rows (e, c, key, eo, k, val),
 * from `hits` (a row per membership and period after it in which the entity returned, with `sv`
 * what it brought), under the mode as `cellValues` computes them: `on` that period; `by`
 * everything from period 1 up to k, a running sum from the first return on; `on-or-after`
 * everything from k on, a running sum backwards from the last return. Other cells are 0, and
 * `add` skips a cell after period 0 that is 0 or NaN (∞ − ∞), so those are left out too (period
 * 0's count is the cohort size for entities). Sums run in the in-memory order, period by period;
 * a period without a return adds 0, which changes no sum, so only returns are added.
 */
function cellsSql(plan: CohortPlan): string {
  const n = plan.periods;
  const sums = plan.measure === 'sum';
  const cols = 'e, c, key, eo';
  const zero = sums ? `SELECT ${cols}, k, sv AS val FROM hits WHERE k = 0
UNION ALL
` : '';
  if (plan.mode === 'on') return `${zero}SELECT ${cols}, k, ${sums ? 'sv' : '1::DOUBLE'} AS val FROM hits WHERE k >= 1${sums ? ' AND NOT isnan(sv)' : ''}`;
  const by = plan.mode === 'by';
  // The running sum at a return: its membership's returns up to it (from it on), in period order
  // (an ordered aggregate, so the list is in that order whatever the window's plan).
  const dir = by ? 'ASC' : 'DESC';
  const running = sums ? fold(`list(sv ORDER BY k ${dir}) OVER (PARTITION BY eo, c ORDER BY k ${dir} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`) : '1::DOUBLE';
  // by: a return's running sum holds from its period to the next return's; on-or-after: from the
  // period after the previous return to its own.
  const span = by ? `k AS a0, lead(k, 1, ${n}) OVER (PARTITION BY eo, c ORDER BY k) AS b0` : `lag(k, 1, 0) OVER (PARTITION BY eo, c ORDER BY k) + 1 AS a0, k + 1 AS b0`;
  return `${zero}SELECT ${cols}, unnest(range(a0, b0)) AS k, val FROM (
    SELECT ${cols}, k, ${running} AS val, ${span} FROM hits WHERE k >= 1
  ) WHERE NOT isnan(val)`;
}

/**
 * The query for an event cohort plan. Result rows: `fam` 0 for the whole matrix, per cohort
 * ordinal `c` with members one row with its `size` (`k` NULL) and one row per non-zero cell
 * (period `k`, `total`); `fam` 1 the same per breakdown `key`; and one `fam` 2 row with the
 * latest event time, the distinct entities in any cohort and the counts of rows the warehouse
 * path refuses (times outside the zone table, clocks turned back across a period edge,
 * non-numbers summed). Exported for tests and tools that want the statement of a plan;
 * {@link cohortJob} is the way in.
 */
export function cohortSql(plan: CohortPlan, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const { ctes, counted } = cohortCtes(plan, options, params, null);
  // The figures of a cohort (per breakdown value): its size, and per period the cells added up
  // member by member in entity order, as the in-memory tallies do (integers for entities). The
  // fast path's `counted` cells are already counted per mask of return periods.
  const total = counted ? 'sum(n)::DOUBLE' : plan.measure === 'sum' ? fold('list(val ORDER BY eo)') : 'count(*)::DOUBLE';
  const cells = counted ? 'counted' : 'cells';
  const selects = [
    `SELECT 0 AS fam, NULL::VARCHAR AS key, c, NULL::BIGINT AS k, count(*) AS size, NULL::DOUBLE AS total, NULL::DOUBLE AS latest, NULL::BIGINT AS outside, NULL::BIGINT AS turned, NULL::BIGINT AS bad, NULL::BIGINT AS entities
FROM members GROUP BY c`,
    `SELECT 0, NULL, c, k, NULL, ${total}, NULL, NULL, NULL, NULL, NULL FROM ${cells} GROUP BY c, k`,
  ];
  if (plan.breakdown) {
    selects.push(`SELECT 1, key, c, NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM members GROUP BY key, c`);
    selects.push(`SELECT 1, key, c, k, NULL, ${total}, NULL, NULL, NULL, NULL, NULL FROM ${cells} GROUP BY key, c, k`);
  }
  selects.push(`SELECT 2, NULL, NULL, NULL, NULL, NULL, ${SUMMARY.map(([x]) => x).join(', ')}, (SELECT count(DISTINCT e) FROM members)
FROM time_check, turned WHERE time_check.bad = 0`);
  return { sql: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}`, params: params.values };
}

/**
 * The summary columns both queries end with: the latest event time, and the counts of rows the
 * warehouse path refuses (times outside the zone table, clocks turned back across a period edge,
 * non-numbers summed); read from `time_check` and `turned`.
 */
const SUMMARY: Array<[expression: string, name: string]> = [
  ['(SELECT max(t) FROM src)', 'latest'],
  ['turned.outside', 'outside'],
  ['turned.n', 'turned'],
  ['(SELECT count(*) FROM src WHERE vbad)', 'bad'],
];

/**
 * The common table expressions of a cohort plan, down to `members` (one row per membership: its
 * entity `e`, cohort ordinal `c`, breakdown `key` and entity order `eo`) and `cells` (one row per
 * membership and period whose cell is not 0: `k`, `val`), with `time_check` and `turned`. With
 * `only` (a bound cohort ordinal), cells are worked out for that cohort's members alone.
 * `counted`: the CTEs are the fast path's, whose `counted` holds the cell counts per cohort, key
 * and period (`n`), to be added up instead of counting `cells`.
 */
function cohortCtes(plan: CohortPlan, options: SqlOptions, params: SqlParams, only: string | null): { ctes: string[]; counted: boolean } {
  const n = plan.periods;
  const q = {
    entity: quoteIdent(plan.fields.entity),
    time: timeExpression(quoteIdent(plan.fields.time), options.time ?? 'epoch-ms'),
    // The default `rowid` is the row index; a named column is numbered so ties in it still differ.
    order: options.rowOrder === undefined ? 'rowid' : `row_number() OVER (ORDER BY ${quoteIdent(options.rowOrder)})`,
  };
  const isStart = eventCondition(plan.fields.event, plan.start.event, plan.start.where, params);
  const isReturn = eventCondition(plan.fields.event, plan.return.event, plan.return.where, params);
  const key = plan.breakdown ? `coalesce(CAST(${quoteIdent(plan.breakdown.field)} AS VARCHAR), '')` : `''`;
  let value = '0::DOUBLE';
  let badValue = 'FALSE';
  if (plan.fields.value !== null) {
    const v = quoteIdent(plan.fields.value);
    value = `CASE WHEN ${numericType(v)} THEN coalesce(TRY_CAST(${v} AS DOUBLE), 0::DOUBLE) ELSE 0::DOUBLE END`;
    // bindMeasure: every row of the return event (its where, its name) must hold a number or nothing.
    const where = { ...plan.return.where, ...(plan.fields.event !== null && plan.return.event !== null ? { [plan.fields.event]: plan.return.event } : {}) };
    badValue = `coalesce(${v} IS NOT NULL AND (NOT ${numericType(v)} OR isnan(TRY_CAST(${v} AS DOUBLE))) AND ${whereCondition(where, params)}, FALSE)`;
  }
  let located: string;
  const zone: string[] = [];
  if (isUtc(plan.timeZone)) {
    located = `SELECT *, FALSE AS outside, t AS wall FROM kept`;
  } else {
    const { steps, to } = zoneSteps(plan.timeZone);
    const table = [...steps.map(([at, offset]) => `${at}:${offset}`), ...(to !== null ? [`${to}:`] : [])].join(';');
    zone.push(`zone AS (
  SELECT CAST(split_part(x, ':', 1) AS DOUBLE) AS at, CAST(NULLIF(split_part(x, ':', 2), '') AS DOUBLE) AS off
  FROM (SELECT unnest(string_split(${params.bind(table, 'VARCHAR')}, ';')) AS x)
)`);
    located = `SELECT kept.*, zone.off IS NULL AS outside, kept.t + zone.off AS wall FROM kept ASOF LEFT JOIN zone ON kept.t >= zone.at`;
  }
  const lo = plan.range.from !== null ? periodOrdinal(plan.range.from, plan.period, plan.timeZone, plan.weekStart) : null;
  const hi = plan.range.to !== null ? periodOrdinal(plan.range.to - 1, plan.period, plan.timeZone, plan.weekStart) : null;
  const inRange = (c: string) => [lo !== null ? `${c} >= ${params.bind(lo, 'DOUBLE')}` : 'TRUE', hi !== null ? `${c} <= ${params.bind(hi, 'DOUBLE')}` : 'TRUE'].join(' AND ');
  const source = `SELECT ${q.entity} AS e, ${q.time} AS t, ${q.order} AS o, ${isStart} AS s, ${isReturn} AS r, ${key} AS gk, ${value} AS v, ${badValue} AS vbad
  FROM ${quoteTable(options.table)}`;
  if (fastPath(plan)) return { ctes: fastCtes(plan, params, only, source, inRange), counted: true };
  // joinCohorts: every period with a start event (its first start event's group), or the first
  // start event's period only.
  const members =
    plan.type === 'recurring'
      ? `SELECT e, c, arg_min(gk, {'t': t, 'o': o}) AS key, any_value(eo) AS eo FROM ev WHERE s AND ${inRange('c')} GROUP BY e, c`
      : `SELECT e, f.c AS c, f.key AS key, eo FROM (
    SELECT e, arg_min({'c': c, 'key': gk}, {'t': t, 'o': o}) AS f, any_value(eo) AS eo FROM ev WHERE s GROUP BY e
  ) WHERE ${inRange('f.c')}`;
  const ctes = [
    `src AS (
  ${source}
)`,
    timeCheckCte(params),
    // entityEvents(): start or return events of a non-empty entity.
    `kept AS MATERIALIZED (
  SELECT * FROM src WHERE (s OR r) AND e IS NOT NULL AND NOT (typeof(e) = 'VARCHAR' AND CAST(e AS VARCHAR) = '')
)`,
    ...zone,
    // eo: the entity's place in the in-memory entity order (its first kept row).
    `ev AS MATERIALIZED (
  SELECT e, t, o, s, r, gk, v, outside, ${ordinalSql('wall', plan)} AS c, min(o) OVER (PARTITION BY e) AS eo FROM (${located})
)`,
    // Periods must not go back within an entity's events (a clock turned back across an edge);
    // in UTC they cannot (a period is a nondecreasing function of the time), so no window sorts
    // every event to find none.
    isUtc(plan.timeZone)
      ? `turned AS (SELECT 0::BIGINT AS n, 0::BIGINT AS outside)`
      : `turned AS (
  SELECT count(*) FILTER (WHERE c < pc) AS n, (SELECT count(*) FROM ev WHERE outside) AS outside FROM (SELECT c, lag(c) OVER (PARTITION BY e ORDER BY t, o) AS pc FROM ev)
)`,
    `members AS MATERIALIZED (
  ${members}
)`,
    // Per entity and period it came back in: what its return events there bring, added in time
    // order (an ordered list only where there are several: it costs a sort per group). Entities
    // only need the periods.
    plan.measure === 'sum'
      ? `back AS MATERIALIZED (SELECT e, c, t, o, v, count(*) OVER (PARTITION BY e, c) AS many FROM ev WHERE r),
returns AS MATERIALIZED (
  SELECT e, c, 0::DOUBLE + v AS sv FROM back WHERE many = 1
  UNION ALL
  SELECT e, c, ${fold('list(v ORDER BY t, o)')} FROM back WHERE many > 1 GROUP BY e, c
)`
      : `returns AS MATERIALIZED (SELECT DISTINCT e, c, NULL::DOUBLE AS sv FROM ev WHERE r)`,
    // Per membership, the periods after it that the entity came back in.
    `hits AS MATERIALIZED (
  SELECT m.e, m.c, m.key, m.eo, CAST(returns.c - m.c AS BIGINT) AS k, returns.sv
  FROM members m JOIN returns ON returns.e = m.e AND returns.c >= m.c AND returns.c < m.c + ${n}${only !== null ? ` AND m.c = ${only}` : ''}
)`,
    `cells AS MATERIALIZED (
  ${cellsSql(plan)}
)`,
  ];
  return { ctes, counted: false };
}

/** Most periods the fast path's masks hold: one bit per period after the cohort's, in a UBIGINT. */
const MASK_BITS = 64;

/**
 * Whether {@link fastCtes} computes the plan: cohorts of entities in UTC, with at most
 * {@link MASK_BITS} periods. There a period is a nondecreasing function of the time (no zone
 * table, no clock turned back), so an entity's first start event is in its least start period,
 * and an entity counts 1 in a cell whatever its events there: no sums in entity order.
 */
function fastPath(plan: CohortPlan): boolean {
  return isUtc(plan.timeZone) && plan.measure === 'entities' && plan.periods <= MASK_BITS;
}

/**
 * The CTEs of a {@link fastPath} plan, in ONE grouping of the events by entity (no per-event copy,
 * no window over the events, no join of them; recurring cohorts add a grouping of start events): per entity its first start period `c0` (and that
 * event's breakdown key, its first kept row `eo` for drill-down lists), the least and greatest
 * period it returned in, and a bit per return period modulo 64. When those periods span fewer
 * than 64, each bit names exactly one period, so the mask turned to start at `c0`, cut to the
 * periods between the least and greatest return and to the contract's `periods`, is the set of
 * periods after the cohort's that the entity came back in. An entity whose returns span more
 * (rare) has its mask made from its own events by a join (empty, and not run, when there is none).
 * Recurring cohorts group the start events by entity and period too (each such period is a
 * membership, keyed by its first start event), and turn the same entity mask to each.
 * Then `counted` counts members per cohort, key and mask, and expands masks into cells per period
 * under the mode; `cells` lists one cohort's members per period for drill-down (`only`).
 * Same names as the general path's: `members` (e, c, key, eo), `cells`, `time_check`, `turned`.
 */
function fastCtes(plan: CohortPlan, params: SqlParams, only: string | null, source: string, inRange: (c: string) => string): string[] {
  const n = params.bind(plan.periods, 'BIGINT');
  const bits = MASK_BITS;
  // The cohort's key: its first start event's (time, then row order), as joinCohorts takes it.
  const firstTime = plan.type === 'first-time';
  const key = plan.breakdown && firstTime ? `arg_min(gk, {'t': t, 'o': o}) FILTER (WHERE s)` : `''`;
  // The first kept row is only needed to order a drill-down list.
  const eo = only !== null ? 'min(o)' : 'NULL::BIGINT';
  const u = (x: string) => `CAST(${x} AS UHUGEINT)`;
  const residue = (x: string) => `((${x} % ${bits}) + ${bits}) % ${bits}`;
  // The periods k in [first, last] (as bits), with first = max(0, lo − c0), last = min(n − 1, hi − c0).
  const first = `greatest(0, lo - c)`;
  const last = `least(${n} - 1, hi - c)`;
  const window = `((1::UHUGEINT << ${u(`${last} + 1`)}) - (1::UHUGEINT << ${u(first)}))`;
  // The residue mask doubled to 128 bits, shifted so c0's residue is bit 0.
  const turnedMask = `((${u('m')} | (${u('m')} << 64::UHUGEINT)) >> ${u(residue('c'))})`;
  const narrowMask = `CASE WHEN m IS NULL OR ${first} > ${last} THEN 0::UBIGINT ELSE CAST(${turnedMask} & ${window} AS UBIGINT) END`;
  // k >= 1 is a non-zero cell under the mode (cellValues): a return in k, in 1..k, in k..n-1.
  const bit = (x: string) => `(1::UBIGINT << CAST(${x} AS UBIGINT))`;
  const nonZero =
    plan.mode === 'on'
      ? `(mask & ${bit('k')}) <> 0`
      : plan.mode === 'by'
        ? `((mask >> 1::UBIGINT) & (${bit('k')} - 1::UBIGINT)) <> 0`
        : `(mask >> CAST(k AS UBIGINT)) <> 0`;
  return [
    `src AS NOT MATERIALIZED (
  ${source}
)`,
    timeCheckCte(params),
    // entityEvents(): start or return events of a non-empty entity, with their period.
    `kept AS NOT MATERIALIZED (
  SELECT e, t, o, s, r, gk, CAST(${ordinalSql('t', plan)} AS BIGINT) AS c FROM src
  WHERE (s OR r) AND e IS NOT NULL AND NOT (typeof(e) = 'VARCHAR' AND CAST(e AS VARCHAR) = '')
)`,
    `per AS MATERIALIZED (
  SELECT e, min(c) FILTER (WHERE s) AS c, ${key} AS key, ${eo} AS eo,
    min(c) FILTER (WHERE r) AS lo, max(c) FILTER (WHERE r) AS hi,
    bit_or(1::UBIGINT << CAST(${residue('c')} AS UBIGINT)) FILTER (WHERE r) AS m
  FROM kept GROUP BY e
)`,
    `turned AS (SELECT 0::BIGINT AS n, 0::BIGINT AS outside)`,
    // joinCohorts: the first start event's period, kept when in the range; or every period in
    // the range with a start event, keyed by its first.
    firstTime
      ? `members AS MATERIALIZED (
  SELECT * FROM per WHERE c IS NOT NULL AND ${inRange('c')}
)`
      : `members AS MATERIALIZED (
  SELECT st.e, st.c, st.key, per.eo, per.lo, per.hi, per.m
  FROM (SELECT e, c, ${plan.breakdown ? `arg_min(gk, {'t': t, 'o': o})` : `''`} AS key FROM kept WHERE s AND ${inRange('c')} GROUP BY e, c) st
  JOIN per ON per.e = st.e
)`,
    // Members whose returns span 64 periods or more: their mask from their own events.
    `wide AS MATERIALIZED (
  SELECT w.e, w.c, bit_or(1::UBIGINT << CAST(kept.c - w.c AS UBIGINT)) AS mask
  FROM (SELECT e, c FROM members WHERE hi - lo >= ${bits}${only !== null ? ` AND c = ${only}` : ''}) w
  JOIN kept ON kept.e = w.e AND kept.r AND kept.c >= w.c AND kept.c < w.c + ${n}
  GROUP BY w.e, w.c
)`,
    `hits AS MATERIALIZED (
  SELECT e, c, key, eo, CASE WHEN hi - lo >= ${bits} THEN coalesce(wmask, 0::UBIGINT) ELSE ${narrowMask} END AS mask FROM (
    SELECT members.e AS e, members.c AS c, key, eo, lo, hi, m, wide.mask AS wmask FROM members
    LEFT JOIN wide ON wide.e = members.e AND wide.c = members.c${only !== null ? ` WHERE members.c = ${only}` : ''}
  )
)`,
    `counted AS (
  SELECT c, key, k, n FROM (
    SELECT *, unnest(range(1, ${n})) AS k FROM (SELECT c, key, mask, count(*) AS n FROM hits GROUP BY c, key, mask)
  ) WHERE ${nonZero}
)`,
    `cells AS (
  SELECT e, c, key, eo, k, 1::DOUBLE AS val FROM (SELECT *, unnest(range(1, ${n})) AS k FROM hits) WHERE ${nonZero}
)`,
  ];
}

/** A number from a result row (BIGINT arrives as bigint). */
const num = (v: unknown) => Number(v ?? 0);

/** A contract error for what the warehouse path does not compute exactly. */
const unsupported = (path: string, what: string) => new ContractError(path, `${what} is not supported by the warehouse path yet; compute this contract in the browser engine`);

/**
 * The summary row (`fam` 2) of either query: the refusals it counted thrown at their JSON paths,
 * else the latest event time (null: no events).
 */
function summary(plan: CohortPlan, rows: Array<Record<string, unknown>>): number | null {
  const meta = rows.find((r) => num(r.fam) === 2);
  if (!meta) throw new Error('the cohort query returned no summary row');
  if (num(meta.bad) > 0) throw new ContractError('/fields/value', `expected a number on every return event, but ${num(meta.bad)} row(s) hold something else`);
  if (num(meta.outside) > 0) throw unsupported('/fields/time', `an event before 1800 or after 2200 in time zone ${JSON.stringify(plan.timeZone)}`);
  if (num(meta.turned) > 0) throw unsupported('/timeZone', `an entity whose events cross a clock change that turns the ${plan.period} back in ${JSON.stringify(plan.timeZone)}`);
  return meta.latest === null || meta.latest === undefined ? null : Number(meta.latest);
}

/** Counts of one cohort as the query returns them. */
interface Tally {
  size: number;
  counts: number[];
}

/**
 * The pre-aggregated contract: the same options with `cohort.cohorts` (and `cohort.groups`) as
 * counted, after the refusals the query reported. Cohorts run from the range's first period to its
 * last; an open end stops at the first cohort, or at "now", as `countEvents` does.
 */
function aggregatedCohort(contract: CohortContract, plan: CohortPlan, rows: Array<Record<string, unknown>>): CohortContract {
  const latest = summary(plan, rows);
  const asOf = plan.asOf ?? latest;
  // Dense counts from the rows: a size row per cohort, a row per non-zero cell.
  const tallies = (fam: number) => {
    const byKey = new Map<string, Map<number, Tally>>();
    const tally = (r: Record<string, unknown>) => {
      const key = fam === 0 ? '' : String(r.key);
      let cohorts = byKey.get(key);
      if (!cohorts) byKey.set(key, (cohorts = new Map()));
      let t = cohorts.get(Number(r.c));
      if (!t) cohorts.set(Number(r.c), (t = { size: 0, counts: new Array<number>(plan.periods).fill(0) }));
      return t;
    };
    for (const r of rows) {
      if (num(r.fam) !== fam) continue;
      const t = tally(r);
      if (r.k === null || r.k === undefined) {
        t.size = num(r.size);
        if (plan.measure === 'entities') t.counts[0] = t.size;
      } else t.counts[num(r.k)] = Number(r.total);
    }
    return byKey;
  };
  const overall = tallies(0).get('') ?? new Map<number, Tally>();
  const ordinals = [...overall.keys()];
  const first = ordinals.length ? Math.min(...ordinals) : Infinity;
  const last = ordinals.length ? Math.max(...ordinals) : -Infinity;
  const ordinal = (ms: number) => periodOrdinal(ms, plan.period, plan.timeZone, plan.weekStart);
  const lo = plan.range.from !== null ? ordinal(plan.range.from) : null;
  const hi = plan.range.to !== null ? ordinal(plan.range.to - 1) : null;
  const start = lo ?? first;
  const end = hi ?? (asOf !== null ? Math.max(last, ordinal(asOf)) : last);
  if (end - start + 1 > MAX_PERIODS) throw new ContractError('/cohort/range', `spans more than 10,000 ${plan.period}s of cohorts; set a range or a longer period`);
  if (end - start + 1 > MAX_GIVEN_COHORTS) throw unsupported('/cohort/range', `more than ${MAX_GIVEN_COHORTS} cohorts (a pre-aggregated contract holds at most that many)`);
  const list = (cohorts: Map<number, Tally>): CohortAggregate[] => {
    const out: CohortAggregate[] = [];
    for (let c = start; c <= end; c++) {
      const begins = ordinalStart(c, plan.period, plan.timeZone, plan.weekStart);
      const day = periodKey(begins, plan.period === 'hour' ? 'hour' : 'day', plan.timeZone);
      // The widgets read the cohort's start back from this: its first day, unless that names
      // another instant (a day that starts at 01:00 where the clock skips midnight), then the
      // instant itself (the widgets label it by its day all the same).
      const label = parseTimestamp(day, plan.timeZone) === begins ? day : new Date(begins).toISOString();
      const tally = cohorts.get(c);
      out.push({ cohort: label, size: tally?.size ?? 0, values: tally?.counts ?? new Array(plan.periods).fill(0) });
    }
    return out;
  };
  // A contract is JSON: a sum of infinite values (±∞, or NaN for ∞ − ∞) has no place in it.
  const finite = (cohorts: Map<number, Tally>) => [...cohorts.values()].every((t) => t.counts.every(Number.isFinite));
  if (![overall, ...tallies(1).values()].every(finite)) throw unsupported('/fields/value', 'a sum that is not a finite number (infinite values on return events)');
  const cohort: CohortContract['cohort'] = { ...contract.cohort, periods: plan.periods, cohorts: list(overall), entities: num(rows.find((r) => num(r.fam) === 2)!.entities) };
  if (contract.cohort.asOf === undefined && latest !== null) cohort.asOf = latest;
  if (plan.breakdown) {
    const size = (t: Map<number, Tally>) => [...t.values()].reduce((s, c) => s + c.size, 0);
    // mergeTallies: the first merged group copied, each next one added to it, cohort by cohort.
    const merge = (into: Map<number, Tally> | undefined, from: Map<number, Tally>) => {
      const target = into ?? new Map<number, Tally>();
      for (const [c, t] of from) {
        const was = target.get(c);
        if (!was) target.set(c, { size: t.size, counts: [...t.counts] });
        else {
          was.size += t.size;
          t.counts.forEach((v, k) => (was.counts[k] += v));
        }
      }
      return target;
    };
    cohort.groups = topGroups(tallies(1), size, plan.breakdown.limit, merge).map(([value, t]) => ({ value, cohorts: list(t) }));
  }
  const { data: _data, ...rest } = contract;
  return { ...rest, data: { rows: [] }, cohort };
}
