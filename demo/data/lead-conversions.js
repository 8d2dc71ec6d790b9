// Daily lead conversion as raw events (线索 → 赢单): `lead` rows, and `won` rows for leads that
// close some days after they came in, so that wins / leads per day is the daily lead-conversion
// rate of DOMAIN.md's alert rule ("a metric falling more than 10% day over day raises an alert").
// The day's wins are set from its leads at a rate with bounded noise, so no day falls more than
// 10% below the one before except the planted `dropDay` (−20%), which recovers the next day.
// Optionally one lead source has an outage (a paused campaign) for a few days, for split views.
import { LEAD_SOURCE_RATES, LEAD_SOURCES } from './lead-sources.js';
import { createStream, normalish, weightedPicker } from './rng.js';
import { DAY, MINUTE, createEventLog, entityId, parseDay } from './rows.js';

/**
 * @typedef {object} LeadConversionEvent
 * @property {string} entity `lead-000123`; a win of a lead from before the window is `prior-000123`
 * @property {'lead' | 'won'} event
 * @property {string | number} ts ISO 8601 UTC string, or epoch ms with timeFormat 'ms'
 * @property {string} source the lead's source (one of LEAD_SOURCES), on its `won` row too
 */

// Sunday first, as Date#getUTCDay counts; as generateDailyKpis.
const WEEKDAY_VOLUME = [0.45, 1.0, 1.05, 1.05, 1.0, 0.9, 0.55];
/** The planted incident: the day's rate × 0.8, a 20% fall, past the 10% rule. */
export const CONVERSION_DROP = 0.8;
/** Mean lead → won rate; DOMAIN.md's cold lead → opportunity is about 13%. */
const RATE = 0.13;
/** A win closes a lead from 1 to this many days before. */
const MAX_LAG_DAYS = 21;
/**
 * Events fall in 01:00–09:59 UTC, 09:00–17:59 in Beijing: the same calendar day in UTC and in
 * Asia/Shanghai, so the daily figures do not depend on which of the two zones cuts the days.
 */
const FIRST_MINUTE = 60;
const WORK_MINUTES = 9 * 60;

// Stream numbers: one per part.
const VOLUME = 1;
const SOURCES = 2;
const TIMES = 3;
const WINS = 4;

/**
 * Rate noise is bounded (±2.8%) and a day's wins are rounded from about 47 or more (the quietest
 * day at the default volume; about 28 at 600 leads a weekday), so an ordinary day moves less than
 * 10% from the one before: at most 5.3% over seeds 1–100 (README.md).
 * @param {{ seed?: number, start?: string, days?: number, leadsPerDay?: number, dropDay?: number,
 *   outage?: { source: string, day: number, days: number, factor?: number } | null,
 *   timeFormat?: import('./rows.js').TimeFormat }} [options]
 *   leadsPerDay: a weekday's leads before growth (default 1000; weekends 45–55% of it);
 *   dropDay: 0-based index of the incident day (default ~2/3 through), -1 for none;
 *   outage: that source's leads × factor (default 0.3) on `days` days from `day`
 * @returns {LeadConversionEvent[]}
 */
export function generateLeadConversions({
  seed = 1,
  start = '2026-01-05',
  days = 90,
  leadsPerDay = 1000,
  dropDay = Math.round((days * 2) / 3),
  outage = null,
  timeFormat = 'iso',
} = {}) {
  if (outage && !LEAD_SOURCES.includes(outage.source)) throw new RangeError(`outage.source must be one of LEAD_SOURCES, got ${JSON.stringify(outage.source)}`);
  const volumeRng = createStream(seed, VOLUME);
  const sourceRng = createStream(seed, SOURCES);
  const timeRng = createStream(seed, TIMES);
  const winRng = createStream(seed, WINS);
  const pickSource = weightedPicker(Object.fromEntries(LEAD_SOURCES.map((s) => [s, LEAD_SOURCE_RATES[s].share])));
  const startMs = parseDay(start);
  /** @type {ReturnType<typeof createEventLog<LeadConversionEvent>>} */
  const log = createEventLog(timeFormat);

  /** Day d's leads: first entity index, count, and each one's source and minute (−1 once won). */
  /** @type {Map<number, { first: number, sources: string[], minutes: number[], won: Uint8Array }>} */
  const leadsByDay = new Map();
  let nextLead = 0;
  let nextPrior = 0;
  /** Leads of day d (d < 0: before the window, drawn but not written). */
  const leadsOf = (/** @type {number} */ d) => {
    let day = leadsByDay.get(d);
    if (day) return day;
    const ms = startMs + d * DAY;
    const trend = Math.max(0, d) / Math.max(1, days);
    let count = Math.round(leadsPerDay * WEEKDAY_VOLUME[new Date(ms).getUTCDay()] * (1 + 0.1 * trend) * (1 + 0.05 * normalish(volumeRng)));
    /** @type {string[]} */
    const sources = [];
    /** @type {number[]} */
    const minutes = [];
    const hit = outage && d >= outage.day && d < outage.day + outage.days;
    for (let i = 0; i < count; i++) {
      const source = pickSource(sourceRng);
      // A paused campaign: most of that source's leads that day never come.
      if (hit && source === outage.source && sourceRng() >= (outage.factor ?? 0.3)) continue;
      sources.push(source);
      minutes.push(FIRST_MINUTE + Math.floor(timeRng() * WORK_MINUTES));
    }
    count = sources.length;
    day = { first: d < 0 ? nextPrior : nextLead, sources, minutes, won: new Uint8Array(count) };
    if (d < 0) nextPrior += count;
    else nextLead += count;
    leadsByDay.set(d, day);
    return day;
  };

  for (let d = 0; d < days; d++) {
    const ms = startMs + d * DAY;
    const today = leadsOf(d);
    today.sources.forEach((source, i) => log.add(ms + today.minutes[i] * MINUTE, { entity: entityId('lead', today.first + i), event: 'lead', ts: log.format(ms + today.minutes[i] * MINUTE), source }));
    const trend = d / days;
    const rate = RATE * (1 + 0.03 * trend) * (1 + 0.008 * normalish(volumeRng)) * (d === dropDay ? CONVERSION_DROP : 1);
    const wins = Math.round(today.sources.length * rate);
    for (let w = 0; w < wins; w++) {
      // A lead from 1–21 days before that has not been won yet (another draw if it has).
      let lead;
      let index;
      let lagDay;
      do {
        lagDay = d - 1 - Math.floor(winRng() * MAX_LAG_DAYS);
        lead = leadsOf(lagDay);
        index = Math.floor(winRng() * lead.sources.length);
      } while (!lead.sources.length || lead.won[index]);
      lead.won[index] = 1;
      const at = ms + (FIRST_MINUTE + Math.floor(winRng() * WORK_MINUTES)) * MINUTE;
      const entity = entityId(lagDay < 0 ? 'prior' : 'lead', lead.first + index);
      log.add(at, { entity, event: 'won', ts: log.format(at), source: lead.sources[index] });
    }
  }
  return log.sorted();
}

/**
 * Daily cost per lead in CNY (pre-aggregated, as a warehouse hands it over), calibrated to the
 * acquisition-cost tiers of DOMAIN.md: below ¥2,000 low, ¥2,000–5,000 middle, above ¥5,000 high.
 * Around ¥1,400 on a weekday, 10% more at weekends, ±10% noise: always below ¥2,000 (at most
 * ¥1,700), except a trade-show fortnight from `campaignDay` at ×1.7 (¥2,130–2,890, the middle
 * tier) whose last two days, the booth and travel invoices, run ×4.2 (at least ¥5,260, the high
 * tier).
 * @param {{ seed?: number, start?: string, days?: number, campaignDay?: number }} [options]
 *   campaignDay: 0-based first day of the fortnight (default ~half way), -1 for none
 * @returns {Array<{ t: string, value: number }>} `t` 'YYYY-MM-DD', `value` whole yuan
 */
export function generateCostPerLead({ seed = 1, start = '2026-01-05', days = 90, campaignDay = Math.round(days / 2) } = {}) {
  const rng = createStream(seed, 1);
  const startMs = parseDay(start);
  /** @type {Array<{ t: string, value: number }>} */
  const points = [];
  for (let d = 0; d < days; d++) {
    const ms = startMs + d * DAY;
    const weekday = new Date(ms).getUTCDay();
    const weekend = weekday === 0 || weekday === 6 ? 1.1 : 1;
    const into = d - campaignDay;
    const campaign = campaignDay < 0 || into < 0 || into >= 14 ? 1 : into >= 12 ? 4.2 : 1.7;
    const value = 1400 * weekend * campaign * (1 + 0.03 * normalish(rng));
    points.push({ t: new Date(ms).toISOString().slice(0, 10), value: Math.round(value) });
  }
  return points;
}
