// B2B six-stage opportunity funnel (商机识别 → 需求确认 → 方案设计 → 技术验证 → 商务谈判 → 签约),
// calibrated to /work/shared/DOMAIN.md: ~60% survive requirement confirmation, ~12% are signed.
import { createRng, lognormal, weightedPicker } from './rng.js';
import { DAY, MINUTE, after, entityId, createEventLog, parseDay } from './rows.js';

/**
 * `reach`: chance to reach the stage from the previous one. `hours`: mean time spent in the
 * previous stage. `stalls`: the previous stage is one where deals get parked for weeks.
 * Product of `reach` = 0.6 × 0.72 × 0.8 × 0.55 × 0.65 ≈ 12.4% identified → signed.
 */
export const B2B_STAGES = /** @type {const} */ ([
  { event: 'opportunity_identified', reach: 1, hours: 0, stalls: false },
  { event: 'requirement_confirmed', reach: 0.6, hours: 96, stalls: false }, // 40% lost here
  { event: 'solution_design', reach: 0.72, hours: 72, stalls: true },
  { event: 'poc', reach: 0.8, hours: 48, stalls: false }, // customer confirms the solution in ~48 h; 20% lost
  { event: 'negotiation', reach: 0.55, hours: 14 * 24, stalls: true },
  { event: 'signed', reach: 0.65, hours: 10 * 24, stalls: true }, // ~35% end after the first quote
]);

/** @typedef {typeof B2B_STAGES[number]['event']} B2BStage */

/**
 * @typedef {object} B2BEvent
 * @property {string} entity opportunity id, `opp-000123`
 * @property {B2BStage} event
 * @property {string | number} ts ISO 8601 UTC string, or epoch ms with timeFormat 'ms'
 * @property {string} region
 * @property {'carrier' | 'enterprise' | 'consumer'} customerType
 * @property {string} industry
 * @property {'strategic' | 'key' | 'SMB'} tier
 * @property {string} rep sales rep owning the opportunity
 * @property {number} amount estimated deal size in CNY, the same on every event of an opportunity
 */

const REGION_SHARE = {
  'East China': 22, 'South China': 16, 'North China': 16, Europe: 10,
  'Asia-Pacific': 12, 'Middle East': 8, Africa: 7, 'Latin America': 9,
};
// Multiplies every stage's `reach`, so a small edge compounds: East China signs ~15%, Africa ~8%.
/** @type {Record<string, number>} */
const REGION_ODDS = {
  'East China': 1.05, 'South China': 1.03, 'North China': 1.0, Europe: 0.98,
  'Asia-Pacific': 1.0, 'Middle East': 0.96, Africa: 0.91, 'Latin America': 0.95,
};
/** @type {Record<string, string[]>} */
const REPS = {
  'East China': ['Li Wei', 'Chen Jie'], 'South China': ['Zhang Min', 'Chen Jie'],
  'North China': ['Wang Fang', 'Li Wei'], Europe: ['Anna Schmidt'],
  'Asia-Pacific': ['Rahul Mehta', 'Anna Schmidt'], 'Middle East': ['Omar Haddad'],
  Africa: ['Omar Haddad'], 'Latin America': ['Lucía Gómez'],
};

const CUSTOMER_TYPE_SHARE = { carrier: 35, enterprise: 45, consumer: 20 };
// Carriers run long, large procurements; consumer-business deals are small and quick.
// Pace is weighted to average ~1 so stage `hours` stay the overall means.
const CUSTOMER_TYPE = {
  carrier: { odds: 1.0, pace: 1.25, dealFactor: 1.6 },
  enterprise: { odds: 1.02, pace: 1.0, dealFactor: 1.0 },
  consumer: { odds: 0.96, pace: 0.6, dealFactor: 0.4 },
};
// Carriers are telecom operators; the other customer types spread over industries.
const INDUSTRY_SHARE = {
  telecom: 6, finance: 18, manufacturing: 22, automotive: 14, government: 14, education: 12, healthcare: 14,
};
const TIER_SHARE = { strategic: 10, key: 30, SMB: 60 };
/** Mean deal size in CNY before the customer-type factor. */
const TIER_DEAL = { strategic: 12_000_000, key: 2_500_000, SMB: 300_000 };

const STALL_CHANCE = 0.07;

/**
 * One event per stage an opportunity reaches, over opportunities identified uniformly across
 * `days` from `start`. Later stages may fall after the window: every path runs to its end.
 * @param {{ seed?: number, entities?: number, start?: string, days?: number, timeFormat?: import('./rows.js').TimeFormat }} [options]
 * @returns {B2BEvent[]}
 */
export function generateB2BFunnel({ seed = 1, entities = 2000, start = '2026-01-05', days = 180, timeFormat = 'iso' } = {}) {
  const rng = createRng(seed);
  const pickRegion = weightedPicker(REGION_SHARE);
  const pickCustomerType = weightedPicker(CUSTOMER_TYPE_SHARE);
  const pickIndustry = weightedPicker(INDUSTRY_SHARE);
  const pickTier = weightedPicker(TIER_SHARE);
  const startMs = parseDay(start);
  const windowMinutes = (days * DAY) / MINUTE;
  /** @type {ReturnType<typeof createEventLog<B2BEvent>>} */
  const log = createEventLog(timeFormat);

  for (let i = 0; i < entities; i++) {
    const entity = entityId('opp', i);
    const region = pickRegion(rng);
    const customerType = pickCustomerType(rng);
    const type = CUSTOMER_TYPE[customerType];
    const industry = customerType === 'carrier' ? 'telecom' : pickIndustry(rng);
    const tier = pickTier(rng);
    const reps = REPS[region];
    const rep = reps[Math.floor(rng() * reps.length)];
    const amount = Math.round(lognormal(rng, TIER_DEAL[tier] * type.dealFactor, 0.5) / 1000) * 1000;
    const odds = REGION_ODDS[region] * type.odds;

    let ts = startMs + Math.floor(rng() * windowMinutes) * MINUTE;
    for (const stage of B2B_STAGES) {
      if (stage.reach < 1) {
        if (rng() >= Math.min(0.95, stage.reach * odds)) break;
        let hours = lognormal(rng, stage.hours * type.pace, 0.8);
        if (stage.stalls && rng() < STALL_CHANCE) hours += (20 + rng() * 70) * 24; // parked for 20–90 days
        ts = after(ts, hours);
      }
      log.add(ts, { entity, event: stage.event, ts: log.format(ts), region, customerType, industry, tier, rep, amount });
    }
  }
  return log.sorted();
}
