// The demo's two alert charts (DOMAIN.md's "rules that raise alerts"), as `anomaly` contracts for
// <anomaly-chart>: the daily lead-conversion rate, computed from raw lead and won events, against
// the ">10% day over day" drop rule; and daily cost per lead (pre-aggregated points, CNY) against
// the ¥2,000 / ¥5,000 acquisition-cost tiers. Plain ESM without the DOM: demo.js sets the
// contracts on the charts, and Node can compute them (`computeAnomalies` from src/analytics).
import { generateCostPerLead, generateLeadConversions, toColumns } from './data/sample-data.js';

/** @typedef {'en' | 'zh-CN'} Locale */

/** The 90 days up to the KPI grid's "now" (3 July 2026, demo/kpis.js). */
export const ANOMALY_START = '2026-04-05';
const DAYS = 90;
/** The planted conversion drop: 2026-06-04 (day 60 of 90, the generator's default). */
const DROP_DAY = 60;

const TEXT = {
  en: {
    conversion: 'Daily lead conversion rate (won / leads)',
    dropRule: 'Day over day: drop > 10%',
    cost: 'Cost per lead, daily',
    costRule: 'Acquisition-cost tier',
  },
  'zh-CN': {
    conversion: '每日线索转化率（赢单 / 线索）',
    dropRule: '环比下降超过 10%',
    cost: '单条线索成本（日）',
    costRule: '获客成本分档',
  },
};

/** @type {{ columns: Record<string, unknown[]> } | null} */
let leadData = null;
/** @type {Array<{ t: string, value: number }> | null} */
let costPoints = null;

/**
 * Generated once, on first use: ~600 leads a weekday for 90 days (about 55,000 lead and won rows)
 * and 90 daily cost-per-lead points with a trade-show fortnight from 2026-05-20.
 */
function data() {
  leadData ??= { columns: toColumns(generateLeadConversions({ start: ANOMALY_START, days: DAYS, leadsPerDay: 600, dropDay: DROP_DAY })) };
  costPoints ??= generateCostPerLead({ start: ANOMALY_START, days: DAYS });
  return { leadData, costPoints };
}

/**
 * The two contracts by element id: `conversion-alerts` and `cost-per-lead`.
 * @param {Locale} locale
 * @param {{ timeZone: string }} options
 * @returns {Record<string, object>}
 */
export function anomalyContracts(locale, { timeZone }) {
  const t = TEXT[locale];
  const { leadData, costPoints } = data();
  return {
    'conversion-alerts': {
      version: 1,
      kind: 'anomaly',
      title: t.conversion,
      timeZone,
      data: leadData,
      fields: { entity: 'entity', time: 'ts', event: 'event' },
      anomaly: {
        grain: 'day',
        // Of each day's leads and wins: won / leads.
        measure: {
          op: 'ratio',
          numerator: { op: 'count', filter: { event: 'won' } },
          denominator: { op: 'count', filter: { event: 'lead' } },
        },
        // DOMAIN.md: a metric falling more than 10% day over day raises an alert (act within 30 minutes).
        rules: [{ id: 'dod-drop', name: t.dropRule, type: 'change', compare: 'previous', direction: 'drop', threshold: 10, severity: 'critical' }],
        format: { style: 'percent', maximumFractionDigits: 1 },
      },
    },
    'cost-per-lead': {
      version: 1,
      kind: 'anomaly',
      title: t.cost,
      timeZone,
      anomaly: {
        grain: 'day',
        points: costPoints,
        // DOMAIN.md: above ¥5,000 high, ¥2,000–5,000 middle, below ¥2,000 low.
        rules: [
          {
            id: 'cost-tiers',
            name: t.costRule,
            type: 'threshold',
            steps: [
              { value: null, color: 'green' },
              { value: 2000, color: '#EAB839', severity: 'warning' },
              { value: 5000, color: 'red', severity: 'critical' },
            ],
          },
        ],
        format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 },
        display: { thresholds: 'line+area' },
      },
    },
  };
}
