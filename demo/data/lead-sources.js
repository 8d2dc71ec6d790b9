// Lead-to-cash by lead source (线索 → 商机 → 下单 → 复购), acquired month by month so a
// cohort-by-source view works. Calibrated to DOMAIN.md: ~13% of leads become opportunities,
// website and referral best, bought lists and email campaigns worst; whitepaper leads convert
// only 6% but their buyers come back (~45% repurchase within six months of acquisition).
import { createRng, lognormal, weightedPicker } from './rng.js';
import { DAY, MINUTE, after, entityId, createEventLog, parseDay } from './rows.js';

/** @typedef {'lead' | 'opportunity' | 'order' | 'repurchase'} LeadStage */

/**
 * @typedef {object} LeadEvent
 * @property {string} entity lead id, `lead-000123`
 * @property {LeadStage} event
 * @property {string | number} ts ISO 8601 UTC string, or epoch ms with timeFormat 'ms'
 * @property {string} source lead source of the first touch
 */

// share: % of leads. toOpportunity: lead → opportunity. Share-weighted mean ≈ 13.4%.
/** @type {Record<string, { share: number, toOpportunity: number }>} */
export const LEAD_SOURCE_RATES = {
  website: { share: 14, toOpportunity: 0.23 },
  referral: { share: 8, toOpportunity: 0.22 },
  webinar: { share: 8, toOpportunity: 0.15 },
  'social media': { share: 10, toOpportunity: 0.1 },
  'paid search': { share: 12, toOpportunity: 0.12 },
  'trade show': { share: 6, toOpportunity: 0.16 },
  partner: { share: 6, toOpportunity: 0.18 },
  'LinkedIn/WeChat': { share: 8, toOpportunity: 0.11 },
  events: { share: 5, toOpportunity: 0.14 },
  'bought lead list': { share: 9, toOpportunity: 0.04 },
  'email campaign': { share: 8, toOpportunity: 0.05 },
  'whitepaper download': { share: 6, toOpportunity: 0.06 },
};
export const LEAD_SOURCES = Object.keys(LEAD_SOURCE_RATES);

// After the opportunity, whitepaper leads are the educated buyers: they close and come back more,
// but only months later, which a first-touch funnel over a short window never shows.
const TYPICAL = { toOrder: 0.35, toRepurchase: 0.2, repurchaseDays: 45, repurchaseSigma: 0.6 };
const WHITEPAPER = { toOrder: 0.5, toRepurchase: 0.49, repurchaseDays: 95, repurchaseSigma: 0.3 };

/**
 * @param {{ seed?: number, entities?: number, start?: string, months?: number, timeFormat?: import('./rows.js').TimeFormat }} [options]
 * @returns {LeadEvent[]}
 */
export function generateLeadSources({ seed = 1, entities = 20000, start = '2026-01-05', months = 12, timeFormat = 'iso' } = {}) {
  const rng = createRng(seed);
  const pickSource = weightedPicker(Object.fromEntries(LEAD_SOURCES.map((s) => [s, LEAD_SOURCE_RATES[s].share])));
  const startMs = parseDay(start);
  // Month blocks end on calendar month boundaries so monthly cohorts line up; the first one
  // starts at `start`. Volume grows ~5% a month.
  const first = new Date(startMs);
  const monthStarts = Array.from({ length: months + 1 }, (_, m) =>
    m === 0 ? startMs : Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1));
  const pickMonth = weightedPicker(Object.fromEntries(Array.from({ length: months }, (_, m) =>
    [m, ((monthStarts[m + 1] - monthStarts[m]) / DAY) * (1 + 0.05 * m)])));
  /** @type {ReturnType<typeof createEventLog<LeadEvent>>} */
  const log = createEventLog(timeFormat);

  for (let i = 0; i < entities; i++) {
    const entity = entityId('lead', i);
    const source = pickSource(rng);
    const month = Number(pickMonth(rng));
    const monthMinutes = (monthStarts[month + 1] - monthStarts[month]) / MINUTE;
    /** @param {LeadStage} event @param {number} ts */
    const push = (event, ts) => log.add(ts, { entity, event, ts: log.format(ts), source });

    const lead = monthStarts[month] + Math.floor(rng() * monthMinutes) * MINUTE;
    push('lead', lead);
    if (rng() >= LEAD_SOURCE_RATES[source].toOpportunity) continue;
    const opportunity = after(lead, lognormal(rng, 9 * 24, 0.7));
    push('opportunity', opportunity);

    const fate = source === 'whitepaper download' ? WHITEPAPER : TYPICAL;
    if (rng() >= fate.toOrder) continue;
    const order = after(opportunity, lognormal(rng, 30 * 24, 0.5));
    push('order', order);

    if (rng() >= fate.toRepurchase) continue;
    push('repurchase', after(order, lognormal(rng, fate.repurchaseDays * 24, fate.repurchaseSigma)));
  }
  return log.sorted();
}
