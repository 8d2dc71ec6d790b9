/**
 * Cohort benchmark data: `entities` users who sign up and purchase over 26 weeks, padded with
 * other events to exactly `events` rows, sorted by time. Deterministic for a seed. Runs in the
 * page, outside the timed region.
 *
 * Made so that first-time weekly retention has something to get wrong: some users sign up again
 * later (only the first signup counts), some never sign up, some first sign up after the range;
 * purchases fall in the signup week, twice in one week, before the signup, on a week's first or
 * last minute, and 12 or more weeks later (past the last cell).
 * @module
 */
import { createRng, exponential, weightedPicker } from '../demo/data/sample-data.js';
import { weekIndex, weekStart } from './cohort-reference.js';
import { DAY, MINUTE, orderByMinute } from './data.js';

const WEEK = 7 * DAY;
export const START_EVENT = 'signup';
export const RETURN_EVENT = 'purchase';
export const PERIODS = 12;
const OTHER_EVENTS = { pageview: 60, login: 25, add_to_cart: 15 };
const NAMES = [START_EVENT, RETURN_EVENT, ...Object.keys(OTHER_EVENTS)];
const [SIGNUP, PURCHASE] = [0, 1];

/** The first day of data, a Wednesday (the first cohort week starts on Monday 2024-12-30). */
const T0 = Date.UTC(2025, 0, 1);
/** Every event is in [T0, END): 26 weeks. */
const END = T0 + 26 * WEEK;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** `range`: the first day of data to a Wednesday 12 weeks before the end: 15 weekly cohorts. */
export const RANGE = { from: day(T0), to: day(END - PERIODS * WEEK) };

export interface CohortBenchData {
  columns: { entity: string[]; event: string[]; ts: number[] };
  events: number;
  /** Distinct entities with at least one row. */
  entities: number;
  startEvents: number;
  returnEvents: number;
}

/**
 * Per user: 96% sign up, at a uniform time over the 26 weeks (1% of them on a week's first or
 * last minute); 25% sign up again up to 10 weeks later, 5% once more up to 20 weeks later. 60%
 * buy, 1 + geometric(0.55) purchases (mean ≈ 2.2), each after the first signup (or, for users who
 * never sign up, a uniform time) by: 25% up to 6 days; 45% exponential, mean 3 weeks; 15% uniform
 * up to 20 weeks; 5% up to 3 weeks before; 10% on the first or last minute of a week 1 to 13
 * weeks on. 20% of purchases get a second one up to 2 days later. Times are whole minutes;
 * events at or after the end are dropped. The rest are page views, logins and add-to-carts of
 * uniform users at uniform times.
 */
export function generateCohortData({ seed = 1, entities, events }: { seed?: number; entities: number; events: number }): CohortBenchData {
  const rng = createRng(seed ^ 0xc0407);
  const ent: number[] = [];
  const code: number[] = [];
  const ts: number[] = [];
  const add = (e: number, c: number, t: number): void => {
    if (t < T0 || t >= END) return;
    ent.push(e);
    code.push(c);
    ts.push(T0 + Math.floor((t - T0) / MINUTE) * MINUTE);
  };
  const uniform = (from: number, span: number): number => from + rng() * span;
  /** Monday 00:00 `weeks` weeks after the week of `t`, or the minute before it. */
  const weekEdge = (t: number, weeks: number): number => weekStart(weekIndex(t) + weeks) - (rng() < 0.5 ? 0 : MINUTE);
  let startEvents = 0;
  let returnEvents = 0;

  for (let e = 0; e < entities; e++) {
    let base: number;
    if (rng() < 0.04) base = uniform(T0, END - T0);
    else {
      base = uniform(T0, END - T0);
      if (rng() < 0.01) base = Math.max(T0, weekEdge(base, 0));
      add(e, SIGNUP, base);
      if (rng() < 0.25) add(e, SIGNUP, uniform(base + MINUTE, 10 * WEEK));
      if (rng() < 0.05) add(e, SIGNUP, uniform(base + MINUTE, 20 * WEEK));
    }
    if (rng() >= 0.6) continue;
    let purchases = 1;
    while (rng() < 0.55) purchases++;
    for (let p = 0; p < purchases; p++) {
      const x = rng();
      let t: number;
      if (x < 0.25) t = uniform(base, 6 * DAY);
      else if (x < 0.7) t = base + exponential(rng, 3 * WEEK);
      else if (x < 0.85) t = uniform(base, 20 * WEEK);
      else if (x < 0.9) t = uniform(base - 3 * WEEK, 3 * WEEK - MINUTE);
      else t = weekEdge(base, 1 + Math.floor(rng() * 13));
      add(e, PURCHASE, t);
      if (rng() < 0.2) add(e, PURCHASE, uniform(t + MINUTE, 2 * DAY));
    }
  }
  for (const c of code) {
    if (c === SIGNUP) startEvents++;
    else returnEvents++;
  }
  if (ts.length > events) throw new RangeError(`signups and purchases alone (${ts.length}) exceed the target of ${events}`);

  const pickOther = weightedPicker(OTHER_EVENTS);
  const otherCode = new Map(NAMES.map((name, c) => [name, c]));
  while (ts.length < events) add(Math.floor(rng() * entities), otherCode.get(pickOther(rng))!, uniform(T0, END - T0));

  const ids = Array.from({ length: entities }, (_, e) => `user-${String(e + 1).padStart(6, '0')}`);
  const order = orderByMinute(ts);
  const seen = new Uint8Array(entities);
  for (const e of ent) seen[e] = 1;
  return {
    columns: {
      entity: Array.from(order, (i) => ids[ent[i]]),
      event: Array.from(order, (i) => NAMES[code[i]]),
      ts: Array.from(order, (i) => ts[i]),
    },
    events: ts.length,
    entities: seen.reduce((a, b) => a + b, 0),
    startEvents,
    returnEvents,
  };
}
