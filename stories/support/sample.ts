/**
 * Sample data for the stories, from the deterministic generators in demo/data with fixed
 * seeds and small sizes (a few thousand events at most) so every story renders fast.
 * Each set is generated on first use and cached.
 */
import { generateAppFunnel, generateB2BFunnel, generateDailyKpis, generateLeadSources } from '../../demo/data/sample-data.js';
import type { Cell } from '../../src/analytics/contract.js';

type Rows = Array<Record<string, Cell>>;

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** 90 days of lead-to-cash KPIs from 2026-01-05, one row per day (`date` column). */
export const dailyKpis = once(() => generateDailyKpis({ seed: 7 }) as unknown as Rows);

/** Index of the planted incident in {@link dailyKpis}: conversion falls ~18% that day. */
export const DROP_DAY_INDEX = 60;

/** The date of the planted incident, `2026-03-06`. */
export const dropDay = () => String(dailyKpis()[DROP_DAY_INDEX].date);

/** The same 90 days with no incident: nothing falls more than 10% day over day. */
export const dailyKpisCalm = once(() => generateDailyKpis({ seed: 7, dropDay: -1 }) as unknown as Rows);

/**
 * Orders and repurchases of 20,000 leads acquired month by month from 2026-01-05 (about 1,100
 * rows: the lead and opportunity events are left out, a repurchase cohort does not read them).
 * Columns: entity, event ('order' | 'repurchase'), ts (ISO), source.
 */
export const leadOrders = once(
  () => generateLeadSources({ seed: 3, entities: 20_000 }).filter((r) => r.event === 'order' || r.event === 'repurchase') as unknown as Rows,
);

/** App funnel events (visit → register → order → repurchase) of 1,500 users over 8 weeks, about 3,400 rows. */
export const appEvents = once(() => generateAppFunnel({ seed: 5, entities: 1_500, days: 56 }) as unknown as Rows);

/** B2B opportunities through six stages: 800 opportunities over 180 days (seed 11), about 2,100 rows. */
export const b2bEvents = once(() => generateB2BFunnel({ seed: 11, entities: 800 }) as unknown as Rows);
