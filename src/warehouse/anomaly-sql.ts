/**
 * An anomaly plan compiled to DuckDB: the series only — the measure per grain period in the
 * contract's time zone, over the range, one series per split value (the largest by rows, the rest
 * merged as "Other") — returned as given `anomaly.points` on the same grain, so the alert rules
 * run in JavaScript on the short series exactly as they do on a computed one.
 *
 * The periods are cut in JavaScript by the in-memory engine's functions (measures/series.ts) and
 * bound as lists; the database filters rows by epoch ms and aggregates (measure-sql.ts). What
 * depends on the data before the periods can be cut — the first and last event in range when the
 * range is open, and the split's largest values — comes from a first small query.
 * @module
 */
import type { AnomalyContract, AnomalyPointInput } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { planAnomaly, type AnomalyPlan, type EventSource } from '../analytics/anomaly/plan.js';
import { OTHER, topGroups } from '../analytics/groups.js';
import { periodStarts } from '../analytics/measures/series.js';
import { addPeriods, periodStart } from '../analytics/time.js';
import { clickHouseAnomalyFirstSql, clickHouseAnomalySeriesSql, type ClickHouseAnomaly } from './measure-clickhouse.js';
import { bindList, emptyReading, leafCtes, measureLeaves, readMeasure, SourceColumns, useMeasureColumns, type LeafReading } from './measure-sql.js';
import { quoteIdent, quoteTable, SqlParams } from './quote.js';
import { timeCheckCte, timeExpression, type SqlOptions, type WarehouseJob } from './sql.js';

/** The series the query computes: their keys in the order drawn, and the periods each spans. */
interface SeriesLayout {
  /** Split keys in memory's order (top by rows, ties by name, "Other" where topGroups puts it). */
  keys: string[];
  /** Keys whose rows form their own series; every other key's rows go to `otherIndex`. */
  explicit: Map<string, number>;
  otherIndex: number | null;
  /** Whether the series named "Other" merges values beyond the limit. */
  merged: boolean;
  /** Period starts and their windows, clipped to the range. */
  periods: Array<{ start: number; from: number; to: number }>;
}

/**
 * An anomaly contract from events as a warehouse job, planned by the in-memory planner. Its
 * result: the same contract with `anomaly.points` (each series' every period, gaps as memory fills
 * them, with the rows each read), `grain`, the events in range (`rows`), and the split field in
 * place of the measure; the range is spent.
 */
export function anomalyJob(contract: AnomalyContract): WarehouseJob<AnomalyContract> {
  const plan = planAnomaly(contract);
  if (plan.source.kind === 'points') throw new ContractError('/anomaly/points', 'the series are given already: there is nothing to compute in the warehouse');
  const source = plan.source;
  const columns = new SourceColumns();
  columns.use(source.time, '/fields/time');
  if (source.event !== null) columns.use(source.event, '/fields/event');
  useMeasureColumns(source.measure, columns, source.event, '/anomaly/measure');
  const split = source.split ? columns.use(source.split.field, '/anomaly/split/field', true) : null;
  const needsFirst = plan.range.from === null || plan.range.to === null || source.split !== null;
  let layout: SeriesLayout | null = null;
  const clickHouse: ClickHouseAnomaly = { timeField: source.time, range: plan.range, split: source.split ? { field: source.split.field, limit: source.split.limit } : null };
  return {
    columns: columns.needed,
    dialects: ['duckdb', 'clickhouse'],
    prepare: (options) => {
      if (!needsFirst) return null;
      return options.dialect === 'clickhouse' ? { sql: clickHouseAnomalyFirstSql(options, clickHouse), params: [] } : firstSql(plan, source, columns, split, options);
    },
    sql: (options, prepared) => {
      layout = seriesLayout(plan, source, prepared);
      if (options.dialect === 'clickhouse') {
        const windows = layout.periods.map((p, wi) => ({ wi, from: p.from, to: p.to, fam: 0 }));
        const series = { explicit: layout.explicit, rest: layout.otherIndex ?? -1, windows };
        return { sql: clickHouseAnomalySeriesSql(options, clickHouse, measureLeaves(source.measure), series), params: [] };
      }
      return seriesSql(plan, source, columns, split, layout, options);
    },
    finish: (rows) => {
      if (!layout) throw new Error('anomalyJob: finish() before sql()');
      return pointsContract(contract, plan, source, layout, rows);
    },
  };
}

/** The events in the query: t, o, and the aliased columns (`src`); those in range with their split key (`inr`). */
function sourceCtes(plan: AnomalyPlan, source: EventSource, columns: SourceColumns, split: string | null, options: SqlOptions, params: SqlParams): string[] {
  const time = timeExpression(quoteIdent(source.time), options.time ?? 'epoch-ms');
  const order = options.rowOrder === undefined ? 'rowid' : `row_number() OVER (ORDER BY ${quoteIdent(options.rowOrder)})`;
  const range = ['TRUE'];
  if (plan.range.from !== null) range.push(`t >= ${params.bind(plan.range.from, 'DOUBLE')}`);
  if (plan.range.to !== null) range.push(`t < ${params.bind(plan.range.to, 'DOUBLE')}`);
  // groups.ts `groupKey`: missing is '', anything else its text (the split column is text, integer or boolean).
  const key = split ? `coalesce(CAST(${split} AS VARCHAR), '')` : `''`;
  return [
    // Numbered once: every leaf must see the same order among rows tied in a named order column.
    `src AS ${options.rowOrder === undefined ? '' : 'MATERIALIZED '}(SELECT ${time} AS t, ${order} AS o${columns.selectList()} FROM ${quoteTable(options.table)})`,
    timeCheckCte(params),
    `inr AS (SELECT *, ${key} AS gk FROM src WHERE ${range.join(' AND ')})`,
  ];
}

/**
 * The first query: the first and last event time in range and how many (fam 0), and with a split
 * (fam 1) every value with as many rows as the limit-th largest or more — ties at the limit decide
 * by name, in JavaScript — with the number of values there are.
 */
function firstSql(plan: AnomalyPlan, source: EventSource, columns: SourceColumns, split: string | null, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const ctes = sourceCtes(plan, source, columns, split, options, params);
  // Two one-row aggregates: the time check runs even when no event is in range.
  const selects = [
    `SELECT 0 AS fam, a.lo, a.hi, NULL::VARCHAR AS key, a.n AS size, NULL::BIGINT AS keys FROM (SELECT min(t) AS lo, max(t) AS hi, count(*) AS n FROM inr) a, time_check WHERE time_check.bad = 0`,
  ];
  if (source.split) {
    ctes.push(`sizes AS (SELECT gk AS key, count(*) AS size, row_number() OVER (ORDER BY count(*) DESC) AS rn FROM inr GROUP BY gk)`);
    selects.push(
      `SELECT 1 AS fam, NULL, NULL, key, size, (SELECT count(*) FROM sizes) AS keys FROM sizes WHERE size >= coalesce((SELECT size FROM sizes WHERE rn = ${params.bind(source.split.limit, 'BIGINT')}), 0)`,
    );
  }
  return { sql: `WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}`, params: params.values };
}

/** The series and periods, decided as execute-memory.ts decides them, from the first query's rows. */
function seriesLayout(plan: AnomalyPlan, source: EventSource, prepared: Array<Record<string, unknown>> | undefined): SeriesLayout {
  const overall = prepared?.find((r) => Number(r.fam) === 0);
  const count = overall ? Number(overall.size) : null;
  const { timeZone } = plan;
  const grain = plan.grain!;
  let periods: SeriesLayout['periods'] = [];
  if (count !== 0) {
    // The span: the range where it is given, else from the first row's time to the end of the last row's period.
    const from = plan.range.from ?? Number(overall!.lo);
    const to = plan.range.to ?? addPeriods(periodStart(Number(overall!.hi), grain, timeZone), grain, 1, timeZone);
    periods = periodStarts({ period: grain, timeZone, from, to }, '/anomaly/grain').map((start) => ({
      start,
      from: Math.max(start, from),
      to: Math.min(addPeriods(start, grain, 1, timeZone), to),
    }));
  }
  if (!source.split) return { keys: [''], explicit: new Map([['', 0]]), otherIndex: null, merged: false, periods };
  const values = (prepared ?? []).filter((r) => Number(r.fam) === 1);
  const total = values.length ? Number(values[0].keys) : 0;
  const merged = total > source.split.limit;
  type Group = { size: number };
  const groups = new Map<string, Group>(values.map((r) => [String(r.key), { size: Number(r.size) }]));
  // Values below the cut were not read; one stand-in below every real size keeps topGroups merging them.
  if (merged) groups.set('\u0000rest', { size: -1 });
  const kept = topGroups(groups, (g) => g.size, source.split.limit, (into, from) => ({ size: (into?.size ?? 0) + from.size }));
  const keys = kept.map(([key]) => key);
  const otherIndex = merged ? keys.indexOf(OTHER) : null;
  const explicit = new Map(keys.map((key, i) => [key, i] as [string, number]).filter(([, i]) => i !== otherIndex));
  return { keys, explicit, otherIndex, merged, periods };
}

/**
 * The query: per leaf l of the measure, one row per period wi and series g with rows in it
 * (l, wi, g, v, n); a row (wi −1) naming a cell that is not a number where the measure
 * needs one; and a row (l −1) counting the events in range.
 */
function seriesSql(plan: AnomalyPlan, source: EventSource, columns: SourceColumns, split: string | null, layout: SeriesLayout, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const ctes = sourceCtes(plan, source, columns, split, options, params);
  const cases = () => [...layout.explicit].map(([key, i]) => `WHEN ${params.bind(key, 'VARCHAR')} THEN ${i}`).join(' ');
  const rest = String(layout.otherIndex ?? -1);
  const group = !split ? '0' : layout.explicit.size ? `CASE gk ${cases()} ELSE ${rest} END` : rest;
  ctes.push(`rows_g AS (SELECT *, ${group} AS g FROM inr)`);
  const { periods } = layout;
  ctes.push(
    `win AS (SELECT CAST(unnest(${bindList(periods.map((_, i) => i), params)}) AS INTEGER) AS wi, unnest(${bindList(periods.map((p) => p.from), params)}) AS wf, unnest(${bindList(periods.map((p) => p.to), params)}) AS wt, 0 AS fam)`,
  );
  const selects = [`SELECT -1 AS l, -1 AS wi, -1 AS g, NULL::DOUBLE AS v, count(*) AS n, NULL::VARCHAR AS bad FROM inr`];
  measureLeaves(source.measure).forEach((leaf, l) => {
    const name = `l${l}`;
    ctes.push(...leafCtes(leaf, name, { rows: 'rows_g', all: 'src', windows: 'win', columns, params }));
    selects.push(`SELECT ${l} AS l, wi, g, v, n, NULL::VARCHAR AS bad FROM ${name}`);
    selects.push(`SELECT ${l} AS l, -1 AS wi, -1 AS g, NULL::DOUBLE AS v, NULL::BIGINT AS n, bad FROM ${name}_bad WHERE bad IS NOT NULL`);
  });
  const sql = `WITH ${ctes.join(',\n')}
SELECT u.* FROM (${selects.join('\nUNION ALL\n')}) u, time_check WHERE time_check.bad = 0`;
  return { sql, params: params.values };
}

/** The contract with the series as given points (every period of every series, nulls included). */
function pointsContract(contract: AnomalyContract, plan: AnomalyPlan, source: EventSource, layout: SeriesLayout, rows: Array<Record<string, unknown>>): AnomalyContract {
  const inRange = Number(rows.find((r) => Number(r.l) === -1)?.n ?? 0);
  const readings = new Map<string, LeafReading>();
  const leaves = measureLeaves(source.measure);
  for (const r of rows) {
    const l = Number(r.l);
    if (l < 0) continue;
    // As in memory, cells are checked only when some event is in range.
    if (r.bad !== null && r.bad !== undefined) {
      if (inRange === 0) continue;
      const leaf = leaves[l];
      throw new ContractError(leaf.kind === 'op' ? leaf.fieldPath : '/anomaly/measure', `expected a number in every measured cell, got ${JSON.stringify(String(r.bad))}`);
    }
    readings.set(`${l}/${Number(r.wi)}/${Number(r.g)}`, { value: r.v === null || r.v === undefined ? null : Number(r.v), rows: Number(r.n ?? 0) });
  }
  const points: AnomalyPointInput[] = [];
  if (inRange > 0) {
    layout.keys.forEach((key, g) => {
      layout.periods.forEach((p, wi) => {
        const { reading } = readMeasure(source.measure, leaves.map((leaf, l) => readings.get(`${l}/${wi}/${g}`) ?? emptyReading(leaf)));
        points.push({ t: p.start, value: reading.value, ...(source.split ? { series: key } : {}), rows: reading.rows });
      });
    });
  }
  const { data: _data, ...rest } = contract;
  const { measure: _measure, split: _split, range: _range, ...section } = contract.anomaly;
  return {
    ...rest,
    data: { rows: [] },
    anomaly: {
      ...section,
      grain: plan.grain!,
      format: { ...plan.format },
      points,
      rows: inRange,
      ...(source.split ? { split: { field: source.split.field, other: layout.merged } } : {}),
    },
  };
}
