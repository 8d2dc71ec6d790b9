/**
 * A KPI plan compiled to DuckDB. Every computed KPI's figures are measures over time windows: the
 * period, the previous one, the same period a year ago, and each sparkline point. The windows are
 * cut in JavaScript by the in-memory engine's own functions (the contract's time zone, DST and
 * month lengths included) and bound as lists, so the database only filters rows by epoch ms and
 * aggregates (measure-sql.ts). "Now" (`asOf`) defaults to the latest event, which a first small
 * query reads when the contract does not give it.
 *
 * The result is the same contract with every KPI given: `value`, `previous`, `yearAgo`, `series`,
 * and the range, rows and note the card shows, so the KPI view model of the result equals the
 * raw contract's.
 * @module
 */
import type { KpiContract, KpiSpec } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { lastPeriod, periodRange } from '../analytics/kpi/execute-memory.js';
import { planKpi, type KpiPlan, type KpiPlanItem } from '../analytics/kpi/plan.js';
import { periodStarts } from '../analytics/measures/series.js';
import { addPeriods } from '../analytics/time.js';
import { clickHouseKpiSql, clickHouseLatestSql } from './measure-clickhouse.js';
import { bindList, emptyReading, leafCtes, measureLeaves, readMeasure, SourceColumns, useMeasureColumns, type LeafReading } from './measure-sql.js';
import { quoteIdent, quoteTable, SqlParams } from './quote.js';
import { timeCheckCte, timeExpression, type SqlOptions, type WarehouseJob } from './sql.js';

/** The windows of one computed KPI, [from, to) epoch ms, in the order the result reads them. */
interface KpiWindows {
  range: { from: number; to: number };
  previousRange: { from: number; to: number } | null;
  yearAgo: { from: number; to: number } | null;
  sparkline: Array<{ start: number; from: number; to: number }>;
}

/**
 * A KPI contract as a warehouse job, planned by the in-memory planner (same JSON paths in errors).
 * Given KPIs pass through unchanged; a contract with none to compute is refused.
 */
export function kpiJob(contract: KpiContract): WarehouseJob<KpiContract> {
  const plan = planKpi(contract);
  const computed = plan.kpis.map((kpi, index) => ({ kpi, index })).filter(({ kpi }) => kpi.measure !== null);
  if (!computed.length) throw new ContractError('/kpi', 'every KPI is given already: there is nothing to compute in the warehouse');
  const columns = new SourceColumns();
  columns.use(plan.time!, '/fields/time');
  if (plan.event !== null) columns.use(plan.event, '/fields/event');
  for (const { kpi } of computed) useMeasureColumns(kpi.measure!, columns, plan.event, `${kpi.path}/measure`);
  let state: { asOf: number | null; windows: KpiWindows[] } | null = null;
  return {
    columns: columns.needed,
    dialects: ['duckdb', 'clickhouse'],
    prepare: (options) => {
      if (plan.asOf !== null) return null;
      return options.dialect === 'clickhouse' ? { sql: clickHouseLatestSql(options, plan.time!), params: [] } : latestEventSql(plan, columns, options);
    },
    sql: (options, prepared) => {
      const latest = prepared?.[0]?.as_of;
      const asOf = plan.asOf ?? (latest === null || latest === undefined ? null : Number(latest));
      // As in memory: with no events and no asOf, "now" is the clock.
      const now = asOf ?? Date.now();
      const windows = computed.map(({ kpi }) => kpiWindows(kpi, plan, now));
      state = { asOf, windows };
      if (options.dialect === 'clickhouse') {
        const kpis = computed.map(({ kpi }, k) => ({ leaves: measureLeaves(kpi.measure!), windows: windowList(windows[k]).map((w, wi) => ({ ...w, wi })) }));
        return { sql: clickHouseKpiSql(options, plan.time!, kpis), params: [] };
      }
      return kpiSql(plan, computed.map((c) => c.kpi), windows, columns, options);
    },
    finish: (rows) => {
      if (!state) throw new Error('kpiJob: finish() before sql()');
      return givenContract(contract, plan, computed, state.windows, state.asOf, rows);
    },
  };
}

/** The windows of a KPI, cut exactly as execute-memory.ts `computed` cuts them. */
function kpiWindows(kpi: KpiPlanItem, plan: KpiPlan, asOf: number): KpiWindows {
  const { timeZone } = plan;
  const range = periodRange(kpi, plan, asOf);
  const previousRange = kpi.compare.previous ? lastPeriod(kpi, plan, range, range.to - range.from) : null;
  const yearAgo = kpi.compare.yearAgo ? { from: addPeriods(range.from, 'month', -12, timeZone), to: addPeriods(range.to, 'month', -12, timeZone) } : null;
  // measures/series.ts `readSeries`: each period clipped to the range.
  const sparkline = periodStarts({ period: kpi.interval, timeZone, ...range }, `${kpi.path}/interval`).map((start) => ({
    start,
    from: Math.max(start, range.from),
    to: Math.min(addPeriods(start, kpi.interval, 1, timeZone), range.to),
  }));
  return { range, previousRange, yearAgo, sparkline };
}

/**
 * The windows as one list, in the order {@link givenContract} reads them back, each with its
 * family: windows of a family never overlap (the sparkline's periods), so one join places a row.
 */
function windowList(w: KpiWindows): Array<{ from: number; to: number; fam: number }> {
  const one = (r: { from: number; to: number }, fam: number) => [{ from: r.from, to: r.to, fam }];
  return [...one(w.range, 0), ...(w.previousRange ? one(w.previousRange, 1) : []), ...(w.yearAgo ? one(w.yearAgo, 2) : []), ...w.sparkline.map((p) => ({ from: p.from, to: p.to, fam: 3 }))];
}

/** The events as the query reads them: t (epoch ms), o (row order), g (one group), the columns. */
function sourceCte(plan: KpiPlan, columns: SourceColumns, options: SqlOptions): string {
  const time = timeExpression(quoteIdent(plan.time!), options.time ?? 'epoch-ms');
  const order = options.rowOrder === undefined ? 'rowid' : `row_number() OVER (ORDER BY ${quoteIdent(options.rowOrder)})`;
  // Numbered once: every leaf must see the same order among rows tied in a named order column.
  const materialized = options.rowOrder === undefined ? '' : 'MATERIALIZED ';
  return `src AS ${materialized}(SELECT ${time} AS t, ${order} AS o, 0 AS g${columns.selectList()} FROM ${quoteTable(options.table)})`;
}

/** The first query: the latest event time, "now" when the contract gives no `asOf` (every time checked). */
function latestEventSql(plan: KpiPlan, columns: SourceColumns, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const sql = `WITH ${sourceCte(plan, columns, options)},
${timeCheckCte(params)}
SELECT max(t) AS as_of FROM src, time_check WHERE time_check.bad = 0`;
  return { sql, params: params.values };
}

/**
 * The query: per computed KPI k and leaf l of its measure, one row per window with rows in it
 * (k, l, wi, v, n), and one row (wi −1) naming a cell that is not a number where the measure
 * needs one; plus one row (k −1) counting every event, so the time check always runs.
 */
function kpiSql(plan: KpiPlan, kpis: KpiPlanItem[], windows: KpiWindows[], columns: SourceColumns, options: SqlOptions): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const ctes = [sourceCte(plan, columns, options), timeCheckCte(params)];
  // One row always, so the time check runs even when no window holds a row.
  const selects: string[] = ['SELECT -1 AS k, -1 AS l, -1 AS wi, NULL::DOUBLE AS v, count(*) AS n, NULL::VARCHAR AS bad FROM src'];
  kpis.forEach((kpi, k) => {
    const list = windowList(windows[k]);
    ctes.push(
      `w${k} AS (SELECT CAST(unnest(${bindList(list.map((_, i) => i), params)}) AS INTEGER) AS wi, unnest(${bindList(list.map((w) => w.from), params)}) AS wf, unnest(${bindList(list.map((w) => w.to), params)}) AS wt, CAST(unnest(${bindList(list.map((w) => w.fam), params)}) AS INTEGER) AS fam)`,
    );
    measureLeaves(kpi.measure!).forEach((leaf, l) => {
      const name = `k${k}_l${l}`;
      ctes.push(...leafCtes(leaf, name, { rows: 'src', all: 'src', windows: `w${k}`, columns, params }));
      selects.push(`SELECT ${k} AS k, ${l} AS l, wi, v, n, NULL::VARCHAR AS bad FROM ${name}`);
      selects.push(`SELECT ${k} AS k, ${l} AS l, -1 AS wi, NULL::DOUBLE AS v, NULL::BIGINT AS n, bad FROM ${name}_bad WHERE bad IS NOT NULL`);
    });
  });
  const sql = `WITH ${ctes.join(',\n')}
SELECT u.* FROM (${selects.join('\nUNION ALL\n')}) u, time_check WHERE time_check.bad = 0`;
  return { sql, params: params.values };
}

/**
 * The contract with every KPI given: figures read back from the rows (a ratio divided here, as in
 * memory), each KPI's settings as planned (the one-KPI shorthand becomes a `kpis` list of one),
 * and `asOf` fixed to the "now" the figures were cut at.
 */
function givenContract(
  contract: KpiContract,
  plan: KpiPlan,
  computed: Array<{ kpi: KpiPlanItem; index: number }>,
  windows: KpiWindows[],
  asOf: number | null,
  rows: Array<Record<string, unknown>>,
): KpiContract {
  const readings = new Map<string, LeafReading>();
  for (const r of rows) {
    const k = Number(r.k);
    const l = Number(r.l);
    if (k < 0) continue;
    if (r.bad !== null && r.bad !== undefined) {
      const leaf = measureLeaves(computed[k].kpi.measure!)[l];
      const path = leaf.kind === 'op' ? leaf.fieldPath : `${computed[k].kpi.path}/measure`;
      throw new ContractError(path, `expected a number in every measured cell, got ${JSON.stringify(String(r.bad))}`);
    }
    readings.set(`${k}/${l}/${Number(r.wi)}`, { value: r.v === null || r.v === undefined ? null : Number(r.v), rows: Number(r.n ?? 0) });
  }
  const specs: KpiSpec[] = plan.kpis.map((kpi, i) => {
    const k = computed.findIndex((c) => c.index === i);
    if (k < 0) return contract.kpi.kpis![i];
    const measure = kpi.measure!;
    const leaves = measureLeaves(measure);
    const read = (wi: number) => readMeasure(measure, leaves.map((leaf, l) => readings.get(`${k}/${l}/${wi}`) ?? emptyReading(leaf))).reading;
    const w = windows[k];
    let wi = 0;
    const now = read(wi++);
    const previous = w.previousRange ? read(wi++).value : null;
    const yearAgo = w.yearAgo ? read(wi++).value : null;
    const series = w.sparkline.map((p) => ({ t: p.start, value: read(wi++).value }));
    return {
      id: kpi.id,
      label: kpi.label,
      value: now.value,
      ...(w.previousRange ? { previous, previousRange: w.previousRange } : {}),
      ...(w.yearAgo ? { yearAgo } : {}),
      series,
      range: w.range,
      rows: now.rows,
      note: now.note,
      compare: { ...kpi.compare },
      ...(kpi.target !== null ? { target: kpi.target } : {}),
      direction: kpi.direction,
      ...(kpi.thresholds ? { thresholds: { mode: kpi.thresholds.mode, steps: kpi.thresholds.steps.map((s) => ({ ...s })) } } : {}),
      deltaClasses: { ...kpi.deltaClasses },
      interval: kpi.interval,
      format: { ...kpi.format },
    };
  });
  const { data: _data, ...rest } = contract;
  return { ...rest, data: { rows: [] }, kpi: { kpis: specs, ...(asOf !== null ? { asOf } : {}) } };
}

