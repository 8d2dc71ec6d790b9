// Deterministic sample data for FunnelKit demos, stories, tests and benchmarks.
// Plain ESM with no DOM or Node APIs: imports unchanged in Node, a page and a Worker.
import { generateAppFunnel } from './app-funnel.js';
import { generateB2BFunnel } from './b2b-funnel.js';
import { generateLeadSources } from './lead-sources.js';
import { generateLeadToCash } from './lead-to-cash.js';

export { createRng, createStream, exponential, lognormal, normalish, weightedPicker } from './rng.js';
export { toColumns } from './rows.js';
export { B2B_STAGES, generateB2BFunnel } from './b2b-funnel.js';
export { generateAppFunnel } from './app-funnel.js';
export { LEAD_SOURCES, generateLeadSources } from './lead-sources.js';
export { generateDailyKpis } from './daily-kpis.js';
export { COST_PER_LEAD, generateLeadToCash } from './lead-to-cash.js';
export { CONVERSION_DROP, generateCostPerLead, generateLeadConversions } from './lead-conversions.js';

/** @typedef {'b2b' | 'app' | 'leads' | 'lead-to-cash'} EventKind */

const GENERATORS = { b2b: generateB2BFunnel, app: generateAppFunnel, leads: generateLeadSources, 'lead-to-cash': generateLeadToCash };

/** @type {Map<EventKind, number>} */
const eventsPerEntity = new Map();

/**
 * Events per entity follow from the calibration tables; measuring a small pilot run keeps
 * `generateEvents` right when someone retunes a table, without a constant to keep in sync.
 * @param {EventKind} kind
 */
function measuredEventsPerEntity(kind) {
  let ratio = eventsPerEntity.get(kind);
  if (ratio === undefined) {
    const pilot = 5000;
    ratio = (GENERATORS[kind]({ seed: 1, entities: pilot, timeFormat: 'ms' }).length - fixedEvents(kind, {})) / pilot;
    eventsPerEntity.set(kind, ratio);
  }
  return ratio;
}

/**
 * Rows a generator makes whatever the number of entities (lead-to-cash: a cost row per lead
 * source per day), measured as a run with none.
 * @param {EventKind} kind
 * @param {Record<string, unknown>} options
 */
function fixedEvents(kind, options) {
  return GENERATORS[kind]({ ...options, seed: 1, entities: 0, timeFormat: 'ms' }).length;
}

/**
 * About `events` rows of one kind (the entity count is scaled to fit), sorted by `ts`.
 * Other options (start, days, months) pass through to the generator.
 * @param {{ seed?: number, events?: number, kind?: EventKind, timeFormat?: import('./rows.js').TimeFormat,
 *   start?: string, days?: number, months?: number }} [options]
 */
export function generateEvents({ seed = 1, events = 10_000, kind = 'b2b', ...options } = {}) {
  if (!Object.hasOwn(GENERATORS, kind)) throw new RangeError(`kind must be one of ${Object.keys(GENERATORS).join(', ')}, got ${JSON.stringify(kind)}`);
  const entities = Math.max(1, Math.round((events - fixedEvents(kind, options)) / measuredEventsPerEntity(kind)));
  return GENERATORS[kind]({ ...options, seed, entities });
}
