/**
 * Series and contracts for the `<anomaly-chart>` stories: raw lead events (for the daily
 * lead-conversion rate and the split by lead source) and pre-aggregated daily points, each from a
 * seeded generator, so every story shows the same alerts on every run. No DOM and no Lit: Node
 * can compute every contract here (`computeAnomalies`) to check what a story claims.
 */
import { createStream, generateCostPerLead, generateLeadConversions, normalish } from '../../demo/data/sample-data.js';
import type { AnomalyContract, AnomalyPointInput, AnomalyRule, AnomalySection, Cell, MeasureSpec } from '../../src/analytics/contract.js';
import { dailyKpis } from './sample.js';

type Rows = Array<Record<string, Cell>>;
type Display = NonNullable<AnomalySection['display']>;

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Raw lead events

/** Index of the planted conversion drop in {@link leadEvents} (2026-02-14, −20%). */
export const CONVERSION_DROP_INDEX = 40;
/** The paid-search campaign pause in {@link leadEvents}: 85% of its leads missing on 2026-02-21 to 02-23. */
export const OUTAGE = { source: 'paid search', day: 47, days: 3, factor: 0.15 } as const;

/**
 * 60 days of lead and won events from 2026-01-05 (seed 7, ~600 leads a weekday, about 37,000
 * rows): columns entity, event ('lead' | 'won'), ts (ISO), source. Wins / leads runs at ~13% a day
 * and falls 20% on 2026-02-14; paid search pauses for three days from 2026-02-21.
 */
export const leadEvents = once(
  () => generateLeadConversions({ seed: 7, days: 60, leadsPerDay: 600, dropDay: CONVERSION_DROP_INDEX, outage: OUTAGE }) as unknown as Rows,
);

/** DOMAIN.md's lead conversion rate as a ratio of two measures over each day: won / leads. */
export const CONVERSION: MeasureSpec = {
  op: 'ratio',
  numerator: { op: 'count', filter: { event: 'won' } },
  denominator: { op: 'count', filter: { event: 'lead' } },
};

/** DOMAIN.md: "a metric falling more than 10% day over day raises an alert (act within 30 minutes)". */
export const DROP_RULE: AnomalyRule = {
  id: 'dod-drop',
  name: 'Day-over-day drop > 10%',
  type: 'change',
  compare: 'previous',
  direction: 'drop',
  threshold: 10,
  severity: 'critical',
};

/** An anomaly contract over {@link leadEvents}. */
export function eventsContract(title: string, anomaly: AnomalySection, extra: Partial<AnomalyContract> = {}): AnomalyContract {
  return {
    version: 1,
    kind: 'anomaly',
    title,
    data: { rows: leadEvents() },
    fields: { entity: 'entity', time: 'ts', event: 'event' },
    anomaly,
    ...extra,
  };
}

/** The daily lead-conversion rate (won / leads) with the >10% day-over-day drop rule. */
export function conversionContract(extra: Partial<AnomalyContract> = {}, title = 'Lead conversion rate, daily'): AnomalyContract {
  return eventsContract(title, { grain: 'day', measure: CONVERSION, rules: [DROP_RULE], format: { style: 'percent', maximumFractionDigits: 1 } }, extra);
}

/** Days missing from {@link leadEventsWithGaps}: a CRM export that failed for a weekend and a day. */
export const MISSING_DAYS = ['2026-01-24', '2026-01-25', '2026-02-07'];

/** {@link leadEvents} without any row on {@link MISSING_DAYS}. */
export const leadEventsWithGaps = once(() => leadEvents().filter((r) => !MISSING_DAYS.includes(String(r.ts).slice(0, 10))));

/**
 * The conversion rate over {@link leadEventsWithGaps}: on a day without rows, won / leads is 0 / 0,
 * no value (null), drawn as a break in the line, never as 0%. The day after a gap has no previous
 * point to compare with, so the drop rule leaves it clean.
 */
export function gapsContract(): AnomalyContract {
  return conversionContract({ data: { rows: leadEventsWithGaps() } }, 'Lead conversion rate, daily · days without data');
}

/**
 * Leads a day per lead source: the five largest and "Other". Against the same weekday a week
 * before, ordinary days move up to ±46% on the smaller sources; the paid-search pause falls 80–90%.
 */
export function leadsBySourceContract(layout: Display['layout'] = 'overlay'): AnomalyContract {
  return eventsContract('Leads per day by lead source', {
    grain: 'day',
    measure: { op: 'count', filter: { event: 'lead' } },
    split: { field: 'source', limit: 5 },
    rules: [
      { id: 'wow-drop', name: 'Down > 50% on the same weekday last week', type: 'change', lag: 7, direction: 'drop', threshold: 50, severity: 'warning' },
    ],
    format: { style: 'number' },
    display: { layout },
  });
}

// ---------------------------------------------------------------------------------------------
// Pre-aggregated daily points

/** An incident on a generated series: `days` days from `day` multiplied by `factor`, or missing (`null`). */
interface Incident {
  day: number;
  days?: number;
  factor?: number;
  /** `null`: no value that day (the point is given as null); `'omit'`: no point at all. */
  value?: null | 'omit';
}

/**
 * Daily points from `start`: `base` × growth over the span × a weekly pattern (Sunday first) ×
 * bounded noise (±3.46 × `noise`), then the incidents; rounded to `digits`.
 */
export function dailyPoints({
  seed,
  start,
  days,
  base,
  noise = 0.04,
  growth = 0,
  weekly = [1, 1, 1, 1, 1, 1, 1],
  yearly = 0,
  incidents = [],
  digits = 0,
}: {
  seed: number;
  start: string;
  days: number;
  base: number;
  noise?: number;
  growth?: number;
  weekly?: number[];
  /** Amplitude of a yearly wave that peaks in late Q4 (the year-end push). */
  yearly?: number;
  incidents?: Incident[];
  digits?: number;
}): AnomalyPointInput[] {
  const rng = createStream(seed, 1);
  const from = Date.parse(`${start}T00:00:00Z`);
  const scale = 10 ** digits;
  const points: AnomalyPointInput[] = [];
  for (let d = 0; d < days; d++) {
    const ms = from + d * DAY;
    const date = new Date(ms);
    const dayOfYear = (ms - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY;
    let value = base * (1 + (growth * d) / days) * weekly[date.getUTCDay()] * (1 + yearly * Math.sin((2 * Math.PI * (dayOfYear - 260)) / 365)) * (1 + noise * normalish(rng));
    const hit = incidents.find((i) => d >= i.day && d < i.day + (i.days ?? 1));
    if (hit?.value === 'omit') continue;
    if (hit?.value === null) {
      points.push({ t: day(ms), value: null });
      continue;
    }
    if (hit?.factor !== undefined) value *= hit.factor;
    points.push({ t: day(ms), value: Math.round(value * scale) / scale });
  }
  return points;
}

/** A contract over given points (no data, no fields). */
export function pointsContract(title: string, anomaly: AnomalySection, extra: Partial<AnomalyContract> = {}): AnomalyContract {
  return { version: 1, kind: 'anomaly', title, anomaly, ...extra };
}

/** Cost per lead, 90 days from 2026-01-05 (seed 7), CNY: ~¥1,400, a trade-show fortnight in the middle tier from 2026-02-19, its last two days above ¥5,000. */
export const costPerLead = once(() => generateCostPerLead({ seed: 7, days: 90 }) as AnomalyPointInput[]);

/** DOMAIN.md's acquisition-cost tiers: below ¥2,000 low (green), ¥2,000–5,000 middle (warning), above ¥5,000 high (critical). */
export const COST_TIERS: AnomalyRule = {
  id: 'cost-tiers',
  name: 'Cost tiers',
  type: 'threshold',
  steps: [
    { value: null, color: 'green' },
    { value: 2000, color: '#EAB839', severity: 'warning' },
    { value: 5000, color: 'red', severity: 'critical' },
  ],
};

/** Cost per lead against the ¥2,000 / ¥5,000 tiers, in CNY. */
export function costPerLeadContract(thresholds: Display['thresholds'] = 'line+area', extra: Partial<AnomalyContract> = {}, title = 'Cost per lead, daily'): AnomalyContract {
  return pointsContract(
    title,
    { grain: 'day', points: costPerLead(), rules: [COST_TIERS], format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 }, display: { thresholds } },
    extra,
  );
}

/**
 * Median first-response time to a new lead, hours a day, 90 days from 2026-01-05 (seed 21): about
 * 14 h, with a backlog week from 2026-02-24 (×2, over 24 h) peaking on 2026-02-26 (×6, over 72 h).
 */
export const responseHours = once(() =>
  dailyPoints({
    seed: 21,
    start: '2026-01-05',
    days: 90,
    base: 14,
    noise: 0.06,
    weekly: [1.25, 1, 1, 1, 1, 1.05, 1.2],
    incidents: [
      { day: 50, days: 2, factor: 2 },
      { day: 52, factor: 6 },
      { day: 53, days: 3, factor: 2 },
    ],
    digits: 1,
  }),
);

/**
 * DOMAIN.md: leads contacted within 24 h close at 3× the rate of those contacted after 72 h.
 * Steps: under 24 h clean, 24–72 h warning, 72 h and over critical.
 */
export const RESPONSE_STEPS: AnomalyRule = {
  id: 'response-steps',
  name: 'First response',
  type: 'threshold',
  steps: [
    { value: null, color: 'green' },
    { value: 24, color: '#EAB839', severity: 'warning' },
    { value: 72, color: 'red', severity: 'critical' },
  ],
};

/** First-response hours against the 24 h / 72 h steps, thresholds drawn as `thresholds`. */
export function responseContract(thresholds: Display['thresholds'], title = 'First response to a new lead, median hours'): AnomalyContract {
  return pointsContract(title, { grain: 'day', points: responseHours(), rules: [RESPONSE_STEPS], format: { style: 'number', maximumFractionDigits: 1 }, display: { thresholds } });
}

/** Opportunity win rate over the 90 daily lead-to-cash rows (seed 7), one row a day: `mean` of `winRate` reads it. */
export function winRateContract(rules: AnomalyRule[], title = 'Opportunity win rate, daily'): AnomalyContract {
  return {
    version: 1,
    kind: 'anomaly',
    title,
    data: { rows: dailyKpis() },
    fields: { time: 'date' },
    anomaly: { grain: 'day', measure: { op: 'mean', field: 'winRate' }, rules, format: { style: 'percent', maximumFractionDigits: 1 }, display: { thresholds: 'dashed+area' } },
  };
}

/**
 * Website leads a day, 90 days from 2026-01-05 (seed 5): ~420 with ±14% noise and no weekly
 * pattern (web forms fill all week), a bot wave on 2026-02-04–05 (×1.9, ×1.6), a broken form on
 * 2026-02-14 (×0.55) and a milder surge on 2026-03-17 (×1.35).
 */
export const websiteLeads = once(() =>
  dailyPoints({
    seed: 5,
    start: '2026-01-05',
    days: 90,
    base: 420,
    noise: 0.04,
    growth: 0.08,
    incidents: [
      { day: 30, factor: 1.9 },
      { day: 31, factor: 1.6 },
      { day: 40, factor: 0.55 },
      { day: 71, factor: 1.35 },
    ],
  }),
);

/** Website leads against a baseline band: `method` over the 14 days before each point. */
export function bandContract(method: 'mean-stddev' | 'median-mad', k: number): AnomalyContract {
  return pointsContract(`Website leads per day · ${method} band`, {
    grain: 'day',
    points: websiteLeads(),
    rules: [{ id: 'band', name: `${method === 'mean-stddev' ? 'Mean ± ' : 'Median ± '}${k} × ${method === 'mean-stddev' ? 'σ' : 'MAD'}, 14 days`, type: 'band', method, window: 14, minWindow: 7, k }],
    format: { style: 'number' },
  });
}

/**
 * Qualified leads a day (seed 31, ~100), 60 days from 2026-01-05, over the 130 bound on three
 * stretches: 2026-01-19–20 (two days), 2026-02-02–05 (four days) and 2026-02-19–21 (three days).
 */
export const lifecyclePoints = once(() =>
  dailyPoints({
    seed: 31,
    start: '2026-01-05',
    days: 60,
    base: 100,
    noise: 0.03,
    incidents: [
      { day: 14, days: 2, factor: 1.5 },
      { day: 28, days: 4, factor: 1.5 },
      { day: 45, days: 3, factor: 1.5 },
    ],
  }),
);

/**
 * `for: 3`, `keepFiringFor: 2` on a > 130 bound. The two-day blip stays pending; the four-day
 * breach is pending for three days and fires on the fourth; after each breach that fired, two
 * clean days are recovering before the rule resolves. `to` ends the series on that day (a
 * date-only `range.to` covers the whole day), to end in a chosen state.
 */
export function lifecycleContract(to?: string, title = 'Qualified leads per day · for 3, keep firing for 2'): AnomalyContract {
  return pointsContract(title, {
    grain: 'day',
    points: lifecyclePoints(),
    ...(to ? { range: { to } } : {}),
    rules: [{ id: 'surge', name: 'Over 130 a day', type: 'threshold', bound: { op: '>', value: 130 }, severity: 'warning', for: 3, keepFiringFor: 2 }],
    display: { thresholds: 'dashed+area' },
  });
}

/**
 * Leads synced from the CRM a day, 45 days from 2026-01-05 (seed 41, ~1,000 on weekdays): the sync
 * failed on 2026-01-17–18 (null), after a two-day slump under 800 (2026-01-15–16) on 2026-01-27–29
 * (no rows at all: the points are missing) and on 2026-02-07 (null).
 */
export const gappyPoints = once(() =>
  dailyPoints({
    seed: 41,
    start: '2026-01-05',
    days: 45,
    base: 1000,
    noise: 0.03,
    weekly: [0.85, 1, 1, 1, 1, 1, 0.85],
    incidents: [
      { day: 10, days: 2, factor: 0.7 },
      { day: 12, days: 2, value: null },
      { day: 22, days: 3, value: 'omit' },
      { day: 33, value: null },
    ],
  }),
);

/** The CRM sync series with a < 800 floor whose `noData` is `mode`. */
export function noDataContract(mode: 'nodata' | 'alerting' | 'ok' | 'keep-last'): AnomalyContract {
  return pointsContract(`Leads synced from the CRM · noData: ${mode}`, {
    grain: 'day',
    points: gappyPoints(),
    rules: [{ id: 'floor', name: 'Under 800 a day', type: 'threshold', bound: { op: '<', value: 800 }, severity: 'critical', noData: mode }],
    display: { thresholds: 'dashed+area' },
  });
}

/**
 * Inbound (web and WeChat) leads a day, five years (2021-01-01 to 2025-12-31, 1,826 points, seed
 * 51): ~1,200 growing 60% over the span with ±14% noise and a year-end wave, Spring Festival weeks
 * at ×0.4, a product-launch spike on 2023-09-12 (×1.9) and a tracking outage on 2024-06-03 (×0.3).
 */
export const fiveYears = once(() => {
  const start = Date.parse('2021-01-01T00:00:00Z');
  const at = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - start) / DAY);
  // Spring Festival (Chinese New Year's Day) of each year: a week of low volume from the eve.
  const festivals = ['2021-02-12', '2022-02-01', '2023-01-22', '2024-02-10', '2025-01-29'];
  return dailyPoints({
    seed: 51,
    start: '2021-01-01',
    days: 1826,
    base: 1200,
    noise: 0.04,
    growth: 0.6,
    yearly: 0.08,
    incidents: [
      ...festivals.map((date) => ({ day: at(date) - 1, days: 7, factor: 0.4 })),
      { day: at('2023-09-12'), factor: 1.9 },
      { day: at('2024-06-03'), factor: 0.3 },
    ],
  });
});

/**
 * {@link fiveYears} against mean ± 4σ of the 42 days before each point. It fires on the seven
 * planted incidents and nothing else: the first days of each Spring Festival week, the launch
 * spike and the tracking outage (k = 3 over 28 days adds ten noise days).
 */
export function fiveYearsContract(): AnomalyContract {
  return pointsContract('Inbound leads per day, 2021–2025', {
    grain: 'day',
    points: fiveYears(),
    rules: [{ id: 'band', name: 'Mean ± 4σ, 42 days', type: 'band', method: 'mean-stddev', window: 42, minWindow: 14, k: 4 }],
    format: { style: 'compact' },
    display: { style: 'area', thresholds: 'area' },
  });
}
