/**
 * Data contract v1: the one JSON document every FunnelKit widget takes.
 *
 * The JSON Schema twin of these types is `contract.v1.schema.json`; the two are kept in step by
 * `test/analytics/contract.test.ts`, which validates typed fixtures against the schema.
 * @module
 */
import type { ArrowTableLike } from './columns.js';

/** The four widget kinds. */
export type ContractKind = 'funnel' | 'cohort' | 'anomaly' | 'kpi';

/** An ISO 8601 string (`2026-01-05`, `2026-01-05T09:00:00Z`) or epoch milliseconds. */
export type Timestamp = string | number;

/** A cell value as it appears in inline data. */
export type Cell = string | number | boolean | null;

/** Inline rows: an array of objects, one per event or record. */
export interface RowsData {
  rows: Array<Record<string, Cell>>;
}

/** Inline columns: an object of equal-length arrays. */
export interface ColumnsData {
  columns: Record<string, Cell[]>;
}

/**
 * An Apache Arrow table the host already holds (Flechette's or Apache Arrow JS's), read column by
 * column without row objects. Not JSON: for pages that load Arrow themselves.
 */
export interface ArrowData {
  arrow: ArrowTableLike;
}

/**
 * Data fetched from a URL, parsed as JSON (array of rows), CSV, Apache Arrow IPC or Parquet
 * (uncompressed or Snappy).
 */
export interface UrlData {
  url: string;
  format: 'json' | 'csv' | 'arrow' | 'parquet';
}

/**
 * Events that stay in a database, computed there by `funnelkit/warehouse` (`runContract`,
 * `funnelkit compute`, `funnelkit serve`), which returns a pre-aggregated contract the widgets
 * draw. Exactly one of: a table or view (`table`: a name, or 2–3 names for schema.table or
 * database.schema.table), Parquet or CSV files (`files`: a path or glob, or a list, with `format`),
 * or a SELECT (`sql`), run only where the operator allows contracts to carry SQL. A widget given
 * such a contract directly says so at `/data`.
 */
export interface WarehouseData {
  table?: string | string[];
  files?: string | string[];
  format?: 'parquet' | 'csv';
  sql?: string;
  /** The column that orders events at equal times; default the table's or files' row order. */
  rowOrder?: string;
}

export type DataSource = RowsData | ColumnsData | ArrowData | UrlData | WarehouseData;

/** Maps roles to column names in `data`. */
export interface FieldMap {
  /** The thing being counted: a person, lead, account or opportunity id. */
  entity?: string;
  /** Event time: ISO 8601 string or epoch milliseconds. */
  time?: string;
  /** Event name. */
  event?: string;
  /** A numeric measure (revenue, amount, a pre-aggregated count). */
  value?: string;
  /** Columns that may be used to segment (break down) the data. */
  segments?: string[];
}

/** Presentation hints, applied with `Intl`. */
export interface FormatOptions {
  /** ISO 4217 code for money values, e.g. `CNY`, `USD`. */
  currency?: string;
  /** Use compact notation (`1.2K`, `1.2万`) for large numbers. */
  compact?: boolean;
  /** Fraction digits for plain numbers. */
  maximumFractionDigits?: number;
}

/** A time range. A date-only `to` covers that whole day in the contract's `timeZone`. */
export interface TimeRange {
  from?: Timestamp;
  to?: Timestamp;
}

/** Equality filter on event fields: a value, or a list meaning "any of". */
export type WhereClause = Record<string, Cell | Cell[]>;

/** A funnel step computed from raw events. */
export interface FunnelEventStep {
  event: string;
  label?: string;
  where?: WhereClause;
  /** Dwell limit: entities at this step longer than this (e.g. `7d`) count as stuck. */
  maxDwell?: string | number;
}

/** A funnel step already counted elsewhere (a warehouse). */
export interface FunnelAggregateStep {
  name: string;
  count: number;
  /** Median time from the previous step, ms, of the entities that reached this one. */
  medianTimeMs?: number;
  /** Mean time from the previous step, ms, of the entities that reached this one. */
  meanTimeMs?: number;
  /** The step's dwell limit, as on an event step; with `stuck`. */
  maxDwell?: string | number;
  /** Entities stuck at this step (went no further) longer than `maxDwell` as of `asOf`. */
  stuck?: number;
}

/** The same funnel over the preceding range of equal length, counted elsewhere (`compare`). */
export interface FunnelPreviousCounts {
  steps: FunnelAggregateStep[];
  groups?: Array<{ value: string; steps: FunnelAggregateStep[] }>;
}

/** Entities by the trend period in which their best attempt began, counted elsewhere. */
export interface FunnelTrendCounts {
  /** The period the counts are cut by, in the contract's `timeZone`. */
  interval: 'day' | 'week' | 'month';
  /** Periods with entries, in order: `start` in epoch ms, `entered`, and `converted` (reached the last step). */
  periods: Array<{ start: number; entered: number; converted: number }>;
}

/** The time-to-convert histogram (`timeToConvert` from/to), computed elsewhere. */
export interface FunnelConversionTimes {
  /** Entities that reached `to`. */
  count: number;
  medianMs?: number;
  meanMs?: number;
  /** Consecutive bins [startMs, endMs); the last includes its end. */
  bins: Array<{ startMs: number; endMs: number; count: number }>;
}

export interface FunnelSection {
  steps: Array<FunnelEventStep | FunnelAggregateStep>;
  order?: 'ordered' | 'strict' | 'any';
  /** Conversion window: `30s`, `5m`, `2h`, `14d`, `2w`, or milliseconds. Default `14d`. */
  window?: string | number;
  exclusions?: Array<{ event: string; from: number; to: number; where?: WhereClause }>;
  breakdown?: {
    field: string;
    attribution?: 'first-touch' | 'last-touch' | 'all-events' | { step: number };
    limit?: number;
  };
  range?: TimeRange;
  /** Pre-aggregated per-group steps, for hosts that break down in the warehouse. */
  groups?: Array<{ value: string; steps: FunnelAggregateStep[] }>;
  timeToConvert?: { from?: number; to?: number; bins?: number };
  trends?: { interval?: 'day' | 'week' | 'month' };
  /** Compare with the preceding range of equal length. */
  compare?: 'previous-period';
  /** "Now" for dwell limits and incomplete periods. Default: the latest event time. */
  asOf?: Timestamp;
  /** Most entity ids listed per step for drill-down. Default 100. */
  entityLimit?: number;
  /**
   * A pre-aggregated funnel's drill-down, fetched when a step is clicked (`funnelkit serve` sets
   * it): `GET <url>?step=<index>&group=<value>` (relative to the contract's `src`) answering
   * `{ converted: string[], dropped: string[] }`, which `funnel-step-click` then carries.
   */
  entitiesUrl?: string;
  /** Pre-aggregated: the previous period's steps and groups, with `compare`. */
  previous?: FunnelPreviousCounts;
  /** Pre-aggregated: entries and conversions per trend period. */
  trendCounts?: FunnelTrendCounts;
  /** Pre-aggregated: the time-to-convert histogram. */
  conversionTimes?: FunnelConversionTimes;
}

/** Which events a cohort counts: one event name (any event when absent), with an optional filter. */
export interface CohortEvent {
  event?: string;
  where?: WhereClause;
}

/** A cohort matrix computed elsewhere (a warehouse): `values[k]` is period k's count or sum. */
export interface CohortAggregate {
  /** The cohort's first day, `YYYY-MM-DD` (or `YYYY-MM-DDTHH:mm` for hourly cohorts). */
  cohort: string;
  size: number;
  values: number[];
}

/** Retention and repurchase cohorts, PostHog's retention semantics. */
export interface CohortSection {
  /** The event that puts an entity in a cohort. Default: any event. */
  start?: CohortEvent;
  /** The event that counts as coming back; may equal `start`. Default: any event. */
  return?: CohortEvent;
  /**
   * `recurring` (default): every entity that did the start event in a period is in that period's
   * cohort. `first-time`: only in the cohort of the first time it ever did it (none if that is
   * before `range`).
   */
  type?: 'recurring' | 'first-time';
  /** Calendar period of cohorts and returns, cut in the contract's `timeZone`. Default `day`. */
  period?: 'hour' | 'day' | 'week' | 'month';
  /** Cells per cohort, period 0 included. Default 11. */
  periods?: number;
  /** First day of a week. Default `monday`. */
  weekStart?: 'monday' | 'sunday';
  /**
   * `on` (default): returned in exactly that period; `on-or-after`: in that period or a later one
   * (unbounded); `by`: in any period from 1 up to that one (cumulative).
   */
  mode?: 'on' | 'on-or-after' | 'by';
  /** Cohorts from the period holding `from` to the period holding `to`, both whole. */
  range?: TimeRange;
  /** `entities` (default) counts members; `sum` adds up `fields.value` on their return events. */
  value?: { measure: 'entities' | 'sum' };
  /** One set of cohorts per value of this field on the entity's start event. */
  breakdown?: { field: string; limit?: number };
  /** "Now": cells whose period ends after it are incomplete. Default: the latest event. */
  asOf?: Timestamp;
  /** Most entity ids listed per cell for drill-down. Default 100. */
  entityLimit?: number;
  /**
   * A pre-aggregated cohort's drill-down, fetched when a cell is clicked (`funnelkit serve` sets
   * it): `GET <url>?cohort=<the row's cohort>&period=<index>&group=<value>` (relative to the
   * contract's `src`) answering `{ ids: string[] }`, which `cohort-cell-click` then carries.
   */
  entitiesUrl?: string;
  /** Pre-aggregated cohorts, instead of computing them from events. */
  cohorts?: CohortAggregate[];
  /**
   * With `cohorts`: the pre-aggregated cohorts of each breakdown value, in the order drawn (largest
   * first, "Other" last), as a warehouse returns a contract with a `breakdown`.
   */
  groups?: Array<{ value: string; cohorts: CohortAggregate[] }>;
  /** With `cohorts`: distinct entities in any cohort (one may be in several). Default: the sum of the sizes. */
  entities?: number;
}

/** Severity of an alert, Grafana's two. */
export type AlertSeverity = 'warning' | 'critical';

/** Grafana's threshold step: the lowest is the base (−∞); a value takes the last step it reaches. */
export interface AnomalyThresholdStep {
  /** The step's lower edge; `null` for the base. */
  value: number | null;
  /** Any CSS colour or Grafana's names (`green`, `red`…). Default: by severity. */
  color?: string;
  /** A value in this step breaches the rule at this severity; a step without one is clean. */
  severity?: AlertSeverity;
}

/** A strict bound: `within` and `outside` exclude both ends; `>=` and `<=` include theirs. */
export type AnomalyBound = { op: '>' | '>=' | '<' | '<='; value: number } | { op: 'within' | 'outside'; low: number; high: number };

/** What every alert rule has: who it is, how bad, and how it behaves over time. */
export interface AnomalyRuleBase {
  /** Unique among the rules. Default `rule-1`, `rule-2`… by position. */
  id?: string;
  /** Shown in the legend, the alert list and the tooltip. Default: the id. */
  name?: string;
  /** Severity of a breach (threshold steps carry their own). Default `warning`. */
  severity?: AlertSeverity;
  /** Breaching points that stay `pending` before the rule fires: periods, or a duration (`"15m"`) rounded up to periods. Default 0. */
  for?: number | string;
  /** Clean points that stay `recovering` (still firing) before the rule resolves. Default 0. */
  keepFiringFor?: number | string;
  /** What a point without a value does: Grafana's `NoData`, `Alerting`, `OK` and `KeepLast`. Default `nodata`. */
  noData?: 'nodata' | 'alerting' | 'ok' | 'keep-last';
}

/** Threshold steps (`steps`, Grafana's base-and-steps) or one bound (`bound`). */
export interface AnomalyThresholdRule extends AnomalyRuleBase {
  type: 'threshold';
  steps?: AnomalyThresholdStep[];
  /** `percentage`: steps compare the value's place between the series' min (0) and max (100). Default `absolute`. */
  mode?: 'absolute' | 'percentage';
  bound?: AnomalyBound;
}

/** A change against an earlier point: the previous one, or `lag` points back (7: same weekday last week). */
export interface AnomalyChangeRule extends AnomalyRuleBase {
  type: 'change';
  compare?: 'previous';
  lag?: number;
  /** `percent`: (cur − prev) / |prev| × 100; `absolute`: cur − prev. Default `percent`. */
  unit?: 'percent' | 'absolute';
  /** Default `both`. */
  direction?: 'rise' | 'drop' | 'both';
  /** In the rule's unit: 10 means 10% for percent. Breached when strictly exceeded. */
  threshold: number;
}

/** A baseline band from the `window` points before each point: center ± k × spread. */
export interface AnomalyBandRule extends AnomalyRuleBase {
  type: 'band';
  /** Mean ± k × population σ, or median ± k × MAD (unscaled). Default `mean-stddev`. */
  method?: 'mean-stddev' | 'median-mad';
  /** Points before each point the baseline reads. Default 14. */
  window?: number;
  /** Fewest non-null values in the window for a band. Default 7 (or `window`, if smaller). */
  minWindow?: number;
  /** Default 3. */
  k?: number;
  /** Which side breaches. Default `both`. */
  direction?: 'above' | 'below' | 'both';
}

export type AnomalyRule = AnomalyThresholdRule | AnomalyChangeRule | AnomalyBandRule;

/** A pre-aggregated point; `series` names its series when there are several. */
export interface AnomalyPointInput {
  t: Timestamp;
  value: number | null;
  series?: string;
  /** Rows the value was measured from (a warehouse gives them). Default 0. */
  rows?: number;
}

/** The anomaly grains. */
export type AnomalyGrain = 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface AnomalySection {
  /**
   * Length of each point, cut in the contract's `timeZone`. Default `day` for events; for given
   * `points`, each point as given (no gaps filled) unless a grain is named.
   */
  grain?: AnomalyGrain;
  /** How each period's value is computed from the events: the KPI engine's measures. Default `count`. */
  measure?: MeasureSpec;
  /** Pre-aggregated points instead of events. */
  points?: AnomalyPointInput[];
  /** With given `points`: the events in range they were measured from (a warehouse gives it). Default 0. */
  rows?: number;
  /**
   * One series per value of this field: the `limit` largest by rows (default 5), the rest as
   * "Other". With given `points` (split already, e.g. by a warehouse): the field the series were
   * split by, and `other`, whether the series named "Other" merges the values beyond the limit.
   */
  split?: { field: string; limit?: number; other?: boolean };
  range?: TimeRange;
  rules?: AnomalyRule[];
  /** The unit of values: axes, tooltips and the table. Default `percent` for ratios, else `number`. */
  format?: { style?: 'number' | 'compact' | 'currency' | 'percent'; currency?: string; maximumFractionDigits?: number };
  /** How the chart draws: the series as a line, area or bars; thresholds as Grafana offers them; several series overlaid or as small multiples. */
  display?: {
    style?: 'line' | 'area' | 'bars';
    thresholds?: 'off' | 'line' | 'dashed' | 'area' | 'line+area' | 'dashed+area';
    layout?: 'overlay' | 'multiples';
  };
}

/** A row filter: an event name (or any of several), and fields equal to a value, in a list, or in a range. */
export interface MeasureFilter {
  event?: string | string[];
  where?: Record<string, Cell | Cell[] | { min?: number; max?: number }>;
}

/** A row filter of a KPI measure (see {@link MeasureFilter}). */
export type KpiFilter = MeasureFilter;

/** What a KPI or an anomaly series measures over the rows of a period. */
export type MeasureSpec =
  | { op: 'count'; filter?: KpiFilter }
  /** `distinct` reads the entity field unless `field` names another. */
  | { op: 'distinct' | 'sum' | 'mean' | 'median' | 'min' | 'max' | 'last'; field?: string; filter?: KpiFilter }
  /** Win rate = won / (won + lost): a ratio of two measures over the same period. */
  | { op: 'ratio'; numerator: MeasureSpec; denominator: MeasureSpec }
  /**
   * Time from an entity's first `from` event to its first `to` event after it, for entities whose
   * `to` falls in the period (sales cycle: first lead → signed), summarised by median or mean.
   */
  | { op: 'duration'; from: KpiFilter; to: KpiFilter; summary?: 'median' | 'mean'; unit?: 'days' | 'hours' };

/** What a KPI measures (see {@link MeasureSpec}). */
export type KpiMeasureSpec = MeasureSpec;

/** Ordered threshold steps, Grafana's: the lowest is the base; a value takes the last step it reaches. */
export interface KpiThresholds {
  /** Compare the value itself (default), or its attainment: value / target × 100. */
  mode?: 'absolute' | 'percent-of-target';
  steps: Array<{ value: number | null; status: 'good' | 'warning' | 'critical'; color?: string }>;
}

/** One KPI of a `kpi` contract. */
export interface KpiSpec {
  id: string;
  label: string;
  /** Computed from the rows… */
  measure?: KpiMeasureSpec;
  /** …or given (pre-aggregated in a warehouse). */
  value?: number | null;
  previous?: number | null;
  yearAgo?: number | null;
  series?: Array<{ t: Timestamp; value: number | null }>;
  /**
   * Given KPIs: the range the figures cover and the one `previous` covers, [from, to) in epoch ms,
   * so the card names the comparison ("vs previous 7 days") as it does for a computed KPI.
   */
  range?: { from: number; to: number };
  previousRange?: { from: number; to: number };
  /** Given KPIs: rows measured in the range (0 shows "no data"). */
  rows?: number;
  /** Given KPIs: why `value` is null. Default `no-data` when it is. */
  note?: 'no-data' | 'empty-denominator' | null;
  target?: number;
  /** An explicit range, or the last N days / weeks / months ending with the one holding `asOf`. */
  period?: TimeRange | { last: number; unit: 'day' | 'week' | 'month' };
  /** Compare with the previous range of equal length (default) and the same range a year earlier. */
  compare?: { previous?: boolean; yearAgo?: boolean };
  /** Which way is good; it colours the delta, never flips its arrow. Default `higher-is-better`. */
  direction?: 'higher-is-better' | 'lower-is-better' | 'neutral';
  thresholds?: KpiThresholds;
  /** Percent bounds of the delta classes. Default `{ unchanged: 0, strong: 10 }`. */
  deltaClasses?: { unchanged?: number; strong?: number };
  /** Sparkline grain. Default `day`. */
  interval?: 'day' | 'week' | 'month';
  format?: { style?: 'number' | 'compact' | 'currency' | 'percent' | 'duration'; currency?: string; maximumFractionDigits?: number };
}

/**
 * The `kpi` section: `kpis`, any number of KPIs over the same data, with defaults for all of them;
 * or, for a card with one KPI, that KPI's settings in the shorthand below.
 */
export interface KpiSection {
  kpis?: KpiSpec[];
  /** "Now" for `last N` periods. Default: the latest event. */
  asOf?: Timestamp;
  deltaClasses?: { unchanged?: number; strong?: number };
  /** Shorthand: how the one KPI is computed from the rows. Default `sum` of `fields.value`. */
  metric?: 'sum' | 'count' | 'mean' | 'countDistinct' | 'last';
  /** Shorthand: only rows of this event. */
  event?: string;
  /** Shorthand: display unit: plain number, money (`format.currency`), percent, or days. */
  unit?: 'number' | 'currency' | 'percent' | 'days';
  /** Shorthand: the range; default the 30 days up to the latest row. */
  range?: TimeRange;
  compare?: 'previous-period' | 'none';
  target?: number;
  /** Shorthand: `up` is higher-is-better, `down` lower-is-better. */
  better?: 'up' | 'down';
  interval?: 'day' | 'week' | 'month';
  thresholds?: KpiThresholds;
}

interface ContractBase {
  version: 1;
  data: DataSource;
  fields: FieldMap;
  title?: string;
  /** BCP 47 locale (`en`, `zh-CN`). Default: the page's language. */
  locale?: string;
  /** IANA time zone that decides how days, weeks and months are cut. Default `UTC`. */
  timeZone?: string;
  format?: FormatOptions;
}

export interface FunnelContract extends ContractBase {
  kind: 'funnel';
  funnel: FunnelSection;
}
export interface CohortContract extends ContractBase {
  kind: 'cohort';
  cohort: CohortSection;
}
/** `data` and `fields` may be left out when `anomaly.points` holds the series. */
export interface AnomalyContract extends Omit<ContractBase, 'data' | 'fields'> {
  kind: 'anomaly';
  anomaly: AnomalySection;
  data?: DataSource;
  fields?: FieldMap;
}
export interface KpiContract extends ContractBase {
  kind: 'kpi';
  kpi: KpiSection;
}

/** Any v1 contract. */
export type Contract = FunnelContract | CohortContract | AnomalyContract | KpiContract;

/** A contract whose data is in memory (rows, columns or an Arrow table), as the compute functions take it. */
export type InlineContract<C extends Contract = Contract> = C & { data: RowsData | ColumnsData | ArrowData };
