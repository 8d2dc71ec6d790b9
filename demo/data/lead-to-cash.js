// Lead to cash around the B2B opportunity funnel (线索 → 商机 → 合同 → 回款): the leads the
// opportunities came from and the many that never became one, lost deals, invoices and
// collections of the signed ones, and the marketing spend per lead source (资源投入). The funnel's
// own events are generateB2BFunnel's, draw for draw; everything added here comes from seeded
// streams of its own (`createStream`), so the funnel's figures do not move.
import { B2B_STAGES, generateB2BFunnel } from './b2b-funnel.js';
import { costSeason } from './daily-kpis.js';
import { LEAD_SOURCE_RATES, LEAD_SOURCES } from './lead-sources.js';
import { createStream, lognormal, normalish, weightedPicker } from './rng.js';
import { DAY, MINUTE, after, createEventLog, entityId, parseDay } from './rows.js';

/** @typedef {import('./b2b-funnel.js').B2BEvent} B2BEvent */
/** @typedef {B2BEvent['event'] | 'lead' | 'lost' | 'invoice' | 'collected' | 'cost'} LeadToCashStage */

/**
 * Every row has every column; a column that does not apply to the row is null.
 * @typedef {object} LeadToCashEvent
 * @property {string | null} entity `opp-000123`, the opportunity (and the lead it came from); `lead-000123`, a lead
 *   that did not (yet) become one; `prior-000123`, a deal from before the window (invoices and payments only);
 *   null on `cost` rows
 * @property {LeadToCashStage} event
 * @property {string | number} ts ISO 8601 UTC string, or epoch ms with timeFormat 'ms'
 * @property {string | null} region
 * @property {B2BEvent['customerType'] | null} customerType
 * @property {string | null} industry
 * @property {B2BEvent['tier'] | null} tier
 * @property {string | null} rep
 * @property {number | null} amount CNY: the deal size on funnel and `lost` rows, the invoiced or collected sum on
 *   `invoice` and `collected` rows, the day's spend on `cost` rows; null on `lead` rows
 * @property {string | null} source lead source (one of LEAD_SOURCES); on `cost` rows, the source the money went to
 */

// Stream numbers: one per part, so a change to one part leaves the others' draws alone.
const LEADS = 1;
const LOSSES = 2;
const CASH = 3;
const COSTS = 4;
const PRIOR = 5;
const PRIOR_CASH = 6;

/** Opportunities identified this long before the window still bring invoices and payments into it. */
const PRIOR_DAYS = 240;

/** Lead to opportunity takes ~9 days (mean), as in generateLeadSources. */
const LEAD_LAG_HOURS = 9 * 24;
/** Opportunities after the window are not generated, but leads that would become them are. */
const LOOK_AHEAD_DAYS = 60;

/**
 * Invoices per signed deal: [share of the amount, mean days after signing]. SMB deals are billed
 * at once; larger ones pay 30% down (首付款) and the rest on acceptance (验收) about two months
 * on, strategic ones in two steps (delivery, then acceptance).
 * @type {Record<B2BEvent['tier'], Array<[number, number]>>}
 */
const INVOICES = { SMB: [[1, 5]], key: [[0.3, 5], [0.7, 60]], strategic: [[0.3, 5], [0.4, 45], [0.3, 90]] };
/**
 * How an invoice is paid. Standard terms are 60 days; many customers take the 90–120 days they
 * asked for (DOMAIN.md); some pay part and the rest later or never; a few not at all.
 */
const PAYMENT = { onTime: 50, late: 30, partial: 12, unpaid: 8 };
/** Of a partly paid invoice, the chance the rest never comes. */
const REST_UNPAID = 0.4;

/**
 * Spend per lead by source, CNY. Share-weighted ≈ ¥67, about ¥3,500 per signed deal: the middle
 * acquisition-cost tier of DOMAIN.md (¥2,000–5,000). Cheap lists and email campaigns buy leads
 * that rarely convert; trade shows and events are dear. `costSeason` lowers it through the year.
 * @type {Record<string, number>}
 */
export const COST_PER_LEAD = {
  website: 40, referral: 30, webinar: 90, 'social media': 50, 'paid search': 110, 'trade show': 180,
  partner: 60, 'LinkedIn/WeChat': 70, events: 150, 'bought lead list': 15, 'email campaign': 10, 'whitepaper download': 60,
};

const SHARE_TOTAL = LEAD_SOURCES.reduce((sum, s) => sum + LEAD_SOURCE_RATES[s].share, 0);
/** Share-weighted lead → opportunity rate, ≈ 13.4%. */
const CONVERSION = LEAD_SOURCES.reduce((sum, s) => sum + LEAD_SOURCE_RATES[s].share * LEAD_SOURCE_RATES[s].toOpportunity, 0) / SHARE_TOTAL;

/**
 * generateB2BFunnel's events (with the entity's lead `source`) plus, for the same opportunities:
 * - `lead`: each opportunity's lead ~9 days before it was identified; leads that never convert
 *   (at each source's rate, ~13.4% overall), uniform over the window; and leads late in the
 *   window whose opportunity would come after it. Lead volume is flat to the window's end.
 * - `lost`: when an opportunity that is not signed drops out (the time it would have taken to
 *   reach the next stage), with its deal size.
 * - `invoice` and `collected` for signed deals (see INVOICES and PAYMENT), amounts in whole CNY;
 *   also, inside the window, those of deals whose opportunity came in the PRIOR_DAYS before it.
 * - `cost`: one row per lead source per day of the window, at 00:00 UTC.
 * @param {{ seed?: number, entities?: number, start?: string, days?: number, timeFormat?: import('./rows.js').TimeFormat }} [options]
 *   entities: opportunities, as for generateB2BFunnel
 * @returns {LeadToCashEvent[]}
 */
export function generateLeadToCash({ seed = 1, entities = 2000, start = '2026-01-05', days = 180, timeFormat = 'iso' } = {}) {
  const funnel = generateB2BFunnel({ seed, entities, start, days, timeFormat: 'ms' });
  const startMs = parseDay(start);
  const endMs = startMs + days * DAY;
  /** @type {ReturnType<typeof createEventLog<LeadToCashEvent>>} */
  const log = createEventLog(timeFormat);
  /**
   * @param {string | null} entity @param {LeadToCashStage} event @param {number} ms
   * @param {B2BEvent | null} deal the opportunity's attributes @param {number | null} amount @param {string | null} source
   */
  const push = (entity, event, ms, deal, amount, source) => log.add(ms, {
    entity, event, ts: log.format(ms),
    region: deal?.region ?? null, customerType: deal?.customerType ?? null, industry: deal?.industry ?? null,
    tier: deal?.tier ?? null, rep: deal?.rep ?? null, amount, source,
  });

  // Each opportunity's stage events, in time order.
  /** @type {Map<string, B2BEvent[]>} */
  const deals = new Map();
  for (const row of funnel) {
    const events = deals.get(row.entity);
    if (events) events.push(row);
    else deals.set(row.entity, [row]);
  }

  const leads = createStream(seed, LEADS);
  const weights = (/** @type {(rate: number) => number} */ f) =>
    Object.fromEntries(LEAD_SOURCES.map((s) => [s, LEAD_SOURCE_RATES[s].share * f(LEAD_SOURCE_RATES[s].toOpportunity)]));
  const pickConverting = weightedPicker(weights((p) => p));
  const pickOther = weightedPicker(weights((p) => 1 - p));
  const leadBefore = (/** @type {number} */ ms) => ms - Math.max(1, Math.round(lognormal(leads, LEAD_LAG_HOURS, 0.7) * 60)) * MINUTE;

  /** @type {Map<string, string>} */
  const sourceOf = new Map();
  for (const [entity, events] of deals) {
    const source = pickConverting(leads);
    sourceOf.set(entity, source);
    push(entity, 'lead', leadBefore(Number(events[0].ts)), events[0], null, source);
  }
  for (const row of funnel) push(row.entity, row.event, Number(row.ts), row, row.amount, sourceOf.get(row.entity) ?? null);

  let leadIndex = 0;
  const windowMinutes = (days * DAY) / MINUTE;
  const unconverted = Math.round((entities * (1 - CONVERSION)) / CONVERSION);
  for (let i = 0; i < unconverted; i++) {
    push(entityId('lead', leadIndex++), 'lead', startMs + Math.floor(leads() * windowMinutes) * MINUTE, null, null, pickOther(leads));
  }
  // Opportunities of the next LOOK_AHEAD_DAYS, at the window's rate: their leads inside it.
  const ahead = Math.round((entities * LOOK_AHEAD_DAYS) / days);
  for (let i = 0; i < ahead; i++) {
    const lead = leadBefore(endMs + Math.floor(leads() * ((LOOK_AHEAD_DAYS * DAY) / MINUTE)) * MINUTE);
    const source = pickConverting(leads);
    if (lead < endMs) push(entityId('lead', leadIndex++), 'lead', lead, null, null, source);
  }

  const losses = createStream(seed, LOSSES);
  const bill = biller(createStream(seed, CASH), push, startMs);
  for (const [entity, events] of deals) {
    const last = events[events.length - 1];
    const source = sourceOf.get(entity) ?? null;
    if (last.event === 'signed') bill(entity, last, source);
    else push(entity, 'lost', after(Number(last.ts), lognormal(losses, B2B_STAGES[events.length].hours, 0.8)), last, last.amount, source);
  }
  // Deals of opportunities identified before the window are still being billed and paid inside
  // it: without them, collections (which trail invoices by months) would start from nothing.
  const priorSeed = Math.floor(createStream(seed, PRIOR)() * 2 ** 32);
  const priorStart = new Date(startMs - PRIOR_DAYS * DAY).toISOString().slice(0, 10);
  const prior = generateB2BFunnel({ seed: priorSeed, entities: Math.round((entities * PRIOR_DAYS) / days), start: priorStart, days: PRIOR_DAYS, timeFormat: 'ms' });
  const priorBill = biller(createStream(seed, PRIOR_CASH), push, startMs);
  for (const row of prior) if (row.event === 'signed') priorBill(row.entity.replace('opp-', 'prior-'), row, null);

  const costs = createStream(seed, COSTS);
  const leadsPerDay = entities / CONVERSION / days;
  for (let d = 0; d < days; d++) {
    const ms = startMs + d * DAY;
    for (const source of LEAD_SOURCES) {
      const expected = (leadsPerDay * LEAD_SOURCE_RATES[source].share) / SHARE_TOTAL;
      push(null, 'cost', ms, null, Math.round(expected * COST_PER_LEAD[source] * costSeason(ms) * (1 + 0.1 * normalish(costs))), source);
    }
  }
  return log.sorted();
}

/**
 * Bills a signed deal: its invoices (INVOICES) and what is collected on each (PAYMENT). Rows
 * before `fromMs` are left out.
 * @param {import('./rng.js').Rng} rng
 * @param {(entity: string | null, event: LeadToCashStage, ms: number, deal: B2BEvent | null, amount: number | null, source: string | null) => void} push
 * @param {number} fromMs
 */
function biller(rng, push, fromMs) {
  const pickPayment = weightedPicker(PAYMENT);
  /** Hours of a uniform draw between `from` and `to` days. */
  const daysOn = (/** @type {number} */ from, /** @type {number} */ to) => (from + rng() * (to - from)) * 24;
  /** @param {string} entity @param {B2BEvent} signed @param {string | null} source */
  return (entity, signed, source) => {
    /** @type {(event: LeadToCashStage, ms: number, amount: number) => void} */
    const add = (event, ms, amount) => {
      if (ms >= fromMs) push(entity, event, ms, signed, amount, source);
    };
    for (const [share, meanDays] of INVOICES[signed.tier]) {
      const invoiced = after(Number(signed.ts), lognormal(rng, meanDays * 24, 0.4));
      const amount = Math.round(signed.amount * share);
      add('invoice', invoiced, amount);
      const payment = pickPayment(rng);
      if (payment === 'onTime') add('collected', after(invoiced, daysOn(15, 60)), amount);
      else if (payment === 'late') add('collected', after(invoiced, daysOn(90, 120)), amount);
      else if (payment === 'partial') {
        const first = Math.round((amount * (0.4 + 0.4 * rng())) / 100) * 100;
        const paid = after(invoiced, daysOn(30, 90));
        add('collected', paid, first);
        if (rng() >= REST_UNPAID) add('collected', after(paid, daysOn(30, 90)), amount - first);
      }
    }
  };
}
