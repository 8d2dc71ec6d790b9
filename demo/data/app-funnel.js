// App funnel (访问 → 注册 → 下单 → 复购) with repeat visits. Rates are set for a readable demo
// rather than the 3.2% store figure: ~35% register, ~30% of those order, ~40% of buyers return.
import { createRng, exponential, lognormal, weightedPicker } from './rng.js';
import { DAY, MINUTE, after, entityId, createEventLog, parseDay } from './rows.js';

/** @typedef {'visit' | 'register' | 'order' | 'repurchase'} AppStage */

/**
 * @typedef {object} AppEvent
 * @property {string} entity user id, `user-000123`
 * @property {AppStage} event
 * @property {string | number} ts ISO 8601 UTC string, or epoch ms with timeFormat 'ms'
 * @property {'iOS' | 'Android' | 'web'} device
 * @property {'new' | 'returning'} newUser whether the user was first seen inside the window
 * @property {string} source acquisition channel
 */

const DEVICE_SHARE = { iOS: 35, Android: 45, web: 20 };
// Register → order (payment) conversion; iOS pays 15% less often than Android (DOMAIN.md).
// Weighted by device share this averages 30%.
const ORDER_RATE = { Android: 0.3235, iOS: 0.3235 * 0.85, web: 0.291 };
const SOURCE_SHARE = { website: 30, 'paid search': 25, 'social media': 25, referral: 12, 'email campaign': 8 };
// Returning users already know the product and register more readily; 30/70 mix averages 35%.
const USER_SHARE = { new: 70, returning: 30 };
const REGISTER_RATE = { new: 0.32, returning: 0.42 };
const REPURCHASE_RATE = 0.4;
const REPEAT_VISIT_CHANCE = 0.45;

/**
 * Users arrive uniformly over `days` from `start`; follow-up events may fall after the window.
 * @param {{ seed?: number, entities?: number, start?: string, days?: number, timeFormat?: import('./rows.js').TimeFormat }} [options]
 * @returns {AppEvent[]}
 */
export function generateAppFunnel({ seed = 1, entities = 5000, start = '2026-01-05', days = 90, timeFormat = 'iso' } = {}) {
  const rng = createRng(seed);
  const pickDevice = weightedPicker(DEVICE_SHARE);
  const pickSource = weightedPicker(SOURCE_SHARE);
  const pickUser = weightedPicker(USER_SHARE);
  const startMs = parseDay(start);
  const windowMinutes = (days * DAY) / MINUTE;
  /** @type {ReturnType<typeof createEventLog<AppEvent>>} */
  const log = createEventLog(timeFormat);

  for (let i = 0; i < entities; i++) {
    const entity = entityId('user', i);
    const device = pickDevice(rng);
    const newUser = pickUser(rng);
    const source = pickSource(rng);
    /** @param {AppStage} event @param {number} ts */
    const push = (event, ts) => log.add(ts, { entity, event, ts: log.format(ts), device, newUser, source });

    const visits = [startMs + Math.floor(rng() * windowMinutes) * MINUTE];
    while (rng() < REPEAT_VISIT_CHANCE) visits.push(after(visits[visits.length - 1], exponential(rng, 4 * 24)));
    for (const ts of visits) push('visit', ts);

    if (rng() >= REGISTER_RATE[newUser]) continue;
    // Registration happens a few minutes into one of the visits.
    const registered = after(visits[Math.floor(rng() * visits.length)], lognormal(rng, 0.1, 0.6));
    push('register', registered);

    if (rng() >= ORDER_RATE[device]) continue;
    const ordered = after(registered, lognormal(rng, 30, 1));
    push('order', ordered);

    if (rng() >= REPURCHASE_RATE) continue;
    push('repurchase', after(ordered, lognormal(rng, 20 * 24, 0.6)));
  }
  return log.sorted();
}
