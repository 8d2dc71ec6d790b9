/**
 * Data contract v1: the one JSON document every FunnelKit widget takes.
 *
 * The JSON Schema twin of these types is `contract.v1.schema.json`; the two are kept in step by
 * `test/analytics/contract.test.ts`, which validates typed fixtures against the schema.
 * @module
 */

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

/** Data fetched from a URL, parsed as JSON (array of rows), CSV or Apache Arrow IPC. */
export interface UrlData {
  url: string;
  format: 'json' | 'csv' | 'arrow';
}

export type DataSource = RowsData | ColumnsData | UrlData;

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
  medianTimeMs?: number;
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
  /** Pre-aggregated cohorts, instead of computing them from events. */
  cohorts?: CohortAggregate[];
}

export interface ThresholdRule {
  type: 'threshold';
  /** Alert when the value is above / below this. */
  above?: number;
  below?: number;
  severity?: 'warning' | 'critical';
  label?: string;
}

export interface ChangeRule {
  type: 'change';
  /** Alert on a period-over-period change, as a fraction: 0.1 = 10%. */
  drop?: number;
  rise?: number;
  severity?: 'warning' | 'critical';
  label?: string;
}

export interface AnomalySection {
  /** How each period's value is computed from the rows. Default `sum`. */
  metric?: 'sum' | 'count' | 'mean' | 'countDistinct';
  /** Period length. Default `day`. */
  interval?: 'hour' | 'day' | 'week' | 'month';
  rules: Array<ThresholdRule | ChangeRule>;
  range?: TimeRange;
}

export interface KpiSection {
  /** How the value is computed from the rows. Default `sum`. */
  metric?: 'sum' | 'count' | 'mean' | 'countDistinct' | 'last';
  /** Optional event filter, for event data. */
  event?: string;
  /** Display unit: plain number, money (`format.currency`), percent, or days. */
  unit?: 'number' | 'currency' | 'percent' | 'days';
  range?: TimeRange;
  /** Compare with the preceding range of equal length. */
  compare?: 'previous-period' | 'none';
  target?: number;
  /** Whether a rise is good (`up`) or bad (`down`, e.g. sales cycle, cost). Default `up`. */
  better?: 'up' | 'down';
  /** Sparkline period. Default `day`. */
  interval?: 'day' | 'week' | 'month';
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
export interface AnomalyContract extends ContractBase {
  kind: 'anomaly';
  anomaly: AnomalySection;
}
export interface KpiContract extends ContractBase {
  kind: 'kpi';
  kpi: KpiSection;
}

/** Any v1 contract. */
export type Contract = FunnelContract | CohortContract | AnomalyContract | KpiContract;

/** A contract whose data is inline (rows or columns), as the compute functions take it. */
export type InlineContract<C extends Contract = Contract> = C & { data: RowsData | ColumnsData };
