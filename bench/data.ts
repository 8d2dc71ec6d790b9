/**
 * Benchmark data: the B2B opportunity funnel from the sample-data generator, padded with
 * non-step sales activity (emails, calls, meetings) so a realistic event log reaches the
 * target size. Deterministic for a seed. Runs in the page, outside the timed region.
 * `withActivity` (the padding) also serves the KPI data (`kpi-data.ts`), and `orderByMinute`
 * (the time sort) the cohort data (`cohort-data.ts`).
 * @module
 */
import { B2B_STAGES, createRng, generateB2BFunnel, toColumns, weightedPicker } from '../demo/data/sample-data.js';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
/** Activity keeps coming for at least this long after an opportunity is identified. */
const MIN_ACTIVITY_SPAN = 14 * DAY;
const ACTIVITY_SHARE = { email_sent: 50, call: 30, meeting: 20 };

export const STEPS: string[] = B2B_STAGES.map((s) => s.event);

export interface BenchData {
  columns: Record<string, unknown[]>;
  events: number;
  entities: number;
  stepEvents: number;
}

/** What activity padding needs of a row: its opportunity, event and time (epoch ms). */
export interface EventRow {
  entity: string | null;
  event: string;
  ts: string | number;
}

const STAGE_EVENTS = new Set<string>(STEPS);

/**
 * `entities` B2B opportunities, then activity events until there are exactly `events` rows.
 * Every row carries the opportunity's attributes (region etc.); rows are sorted by `ts`
 * (stable), times in epoch ms.
 */
export function generateBenchData({ seed = 1, entities, events }: { seed?: number; entities: number; events: number }): BenchData {
  const b2b = generateB2BFunnel({ seed, entities, timeFormat: 'ms' });
  const { rows, opportunities } = withActivity(b2b, events, seed, 'B2B stage events');
  const sorted = sortByTime(rows);
  return { columns: toColumns(sorted), events: sorted.length, entities: opportunities, stepEvents: b2b.length };
}

/**
 * `rows` (times in epoch ms) and, after them, sales activity until there are exactly `events`.
 * Activity falls uniformly over each opportunity's span (its first B2B stage event to the later
 * of its last one and 14 days on), so long-running deals get more of it; each activity row
 * copies its opportunity's first stage row (attributes and all) with another event and time.
 * Rows of other events (leads, invoices…) take no activity. Unsorted.
 */
export function withActivity<R extends EventRow>(rows: R[], events: number, seed: number, what: string): { rows: R[]; opportunities: number } {
  if (rows.length > events) throw new RangeError(`${what} alone (${rows.length}) exceed the target of ${events}`);

  // Each opportunity's first stage row (its attributes) and time span.
  const index = new Map<string, number>();
  const template: R[] = [];
  const first: number[] = [];
  const last: number[] = [];
  for (const row of rows) {
    if (!STAGE_EVENTS.has(row.event) || row.entity === null) continue;
    const ts = row.ts as number;
    let e = index.get(row.entity);
    if (e === undefined) {
      index.set(row.entity, (e = template.length));
      template.push(row);
      first.push(ts);
      last.push(ts);
    } else if (ts > last[e]) last[e] = ts;
  }
  const cumulative = new Float64Array(template.length + 1);
  for (let e = 0; e < template.length; e++) {
    const spanMinutes = Math.max(last[e] - first[e], MIN_ACTIVITY_SPAN) / MINUTE;
    cumulative[e + 1] = cumulative[e] + spanMinutes;
  }
  const total = cumulative[template.length];

  // A uniform point in the (opportunity × minute) space picks both the opportunity and the time.
  const rng = createRng(seed ^ 0x5eed);
  const pickActivity = weightedPicker(ACTIVITY_SHARE);
  const padded: R[] = rows.slice();
  for (let i = rows.length; i < events; i++) {
    const x = rng() * total;
    let lo = 0;
    let hi = template.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid + 1] <= x) lo = mid + 1;
      else hi = mid;
    }
    const t = template[lo];
    const ts = first[lo] + Math.floor(x - cumulative[lo]) * MINUTE;
    // Same properties in the same order as the stage rows, so every row has one hidden class.
    padded.push({ ...t, event: pickActivity(rng), ts } as R);
  }
  return { rows: padded, opportunities: template.length };
}

/** Stable sort by `ts` (whole minutes; stage rows stay ahead of same-minute activity). */
export function sortByTime<R extends EventRow>(rows: R[]): R[] {
  const order = orderByMinute(rows.map((r) => r.ts as number));
  return Array.from(order, (i) => rows[i]);
}

/**
 * The row order that sorts whole-minute epoch-ms times ascending: a counting sort over the
 * minutes, stable (rows of one minute keep their input order).
 */
export function orderByMinute(times: ArrayLike<number>): Int32Array {
  const n = times.length;
  const order = new Int32Array(n);
  if (n === 0) return order;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const m = times[i] / MINUTE;
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  const next = new Uint32Array(hi - lo + 2);
  for (let i = 0; i < n; i++) next[times[i] / MINUTE - lo + 1]++;
  for (let i = 1; i < next.length; i++) next[i] += next[i - 1];
  for (let i = 0; i < n; i++) order[next[times[i] / MINUTE - lo]++] = i;
  return order;
}
