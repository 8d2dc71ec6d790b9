/**
 * Sample data for the stories, from the deterministic generators in demo/data with fixed
 * seeds and small sizes (a few thousand events at most) so every story renders fast.
 * Each set is generated on first use and cached.
 */
import { createRng, exponential, generateAppFunnel, generateB2BFunnel, generateDailyKpis, generateLeadSources, lognormal } from '../../demo/data/sample-data.js';
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

/**
 * {@link leadOrders} with an order value in CNY on every row (`amount`: first orders around
 * ¥180k, repurchases around ¥60k, seed 3), for revenue retention.
 */
export const leadOrderValues = once(() => {
  const rng = createRng(3);
  return leadOrders().map((r) => ({ ...r, amount: Math.round(lognormal(rng, r.event === 'order' ? 180_000 : 60_000, 0.5) / 100) * 100 }));
});

/** App users (seed 9, 6,000 users) arriving over the 52 weeks from 2026-01-05: about 14,000 rows. */
export const appEventsYear = once(() => generateAppFunnel({ seed: 9, entities: 6_000, days: 364 }) as unknown as Rows);

/**
 * One day of app sessions (seed 13): 600 users opening the app between 2026-03-02 06:00 and 18:00
 * UTC, each coming back after about 3 hours, then again, with 55% odds each time. Columns:
 * entity, event ('open'), ts.
 */
export const appSessions = once(() => {
  const rng = createRng(13);
  const from = Date.parse('2026-03-02T06:00:00Z');
  const rows: Array<{ entity: string; event: string; ts: number }> = [];
  for (let i = 0; i < 600; i++) {
    let ts = from + Math.floor(rng() * 12 * 60) * 60_000;
    rows.push({ entity: `user-${i}`, event: 'open', ts });
    while (rng() < 0.55) rows.push({ entity: `user-${i}`, event: 'open', ts: (ts += Math.round(exponential(rng, 3) * 60) * 60_000 + 60_000) });
  }
  return rows.sort((a, b) => a.ts - b.ts).map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })) as unknown as Rows;
});
