/**
 * What a funnel tells beyond its step counts, computed from each entity's best attempt: the
 * time-to-convert histogram between two steps, conversion over time by entry period, and the
 * comparison with the previous period.
 * @module
 */
import type { MatchResult } from './funnel-match.js';
import { addPeriods, DURATION, periodKey, periodStart, type Period } from './time.js';

/** One histogram bin: entities whose time to convert lies in [startMs, endMs). */
export interface TimeToConvertBin {
  startMs: number;
  endMs: number;
  count: number;
}

/** How long entities took from one step to a later one. */
export interface TimeToConvert {
  /** Step indices the time runs between. */
  from: number;
  to: number;
  /** Entities that reached `to` (and so have a time). */
  count: number;
  medianMs: number | null;
  meanMs: number | null;
  /** Consecutive bins from the shortest time to the longest; the last bin includes its end. */
  bins: TimeToConvertBin[];
}

/** Readable bin widths, so bins read "0–1 h", "1–2 h" rather than "0–1.37 h". */
const NICE_WIDTHS = [
  1000, 5000, 15_000, 30_000,
  DURATION.MINUTE, 5 * DURATION.MINUTE, 15 * DURATION.MINUTE, 30 * DURATION.MINUTE,
  DURATION.HOUR, 2 * DURATION.HOUR, 3 * DURATION.HOUR, 6 * DURATION.HOUR, 12 * DURATION.HOUR,
  DURATION.DAY, 2 * DURATION.DAY, 3 * DURATION.DAY, 7 * DURATION.DAY, 14 * DURATION.DAY, 30 * DURATION.DAY, 90 * DURATION.DAY,
];

/**
 * The histogram of `times[to] - times[from]` over entities whose best attempt reached `to`.
 * Without `bins`, about Sturges' number of bins (log2 n + 1, at most 40) on a readable width;
 * with `bins`, exactly that many equal bins between the shortest and longest time.
 */
export function timeToConvert(results: ArrayLike<MatchResult>, from: number, to: number, bins?: number): TimeToConvert {
  const durations: number[] = [];
  for (let e = 0; e < results.length; e++) {
    const r = results[e];
    if (!r.excluded && r.furthest >= to) durations.push(r.times[to] - r.times[from]);
  }
  const sorted = Float64Array.from(durations).sort();
  const n = sorted.length;
  if (!n) return { from, to, count: 0, medianMs: null, meanMs: null, bins: [] };
  const min = sorted[0];
  const max = sorted[n - 1];
  let start: number;
  let width: number;
  let binCount: number;
  if (bins) {
    binCount = max > min ? bins : 1;
    width = max > min ? (max - min) / bins : 1;
    start = min;
  } else {
    const target = Math.min(40, Math.ceil(Math.log2(n)) + 1);
    const raw = Math.max(1, (max - min) / target);
    width = NICE_WIDTHS.find((w) => w >= raw) ?? Math.ceil(raw / (30 * DURATION.DAY)) * 30 * DURATION.DAY;
    start = Math.floor(min / width) * width;
    binCount = Math.max(1, Math.floor((max - start) / width) + 1);
  }
  const counts = new Array<number>(binCount).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(binCount - 1, Math.floor((sorted[i] - start) / width))]++;
  return {
    from,
    to,
    count: n,
    medianMs: medianOfSorted(sorted),
    meanMs: durations.reduce((a, b) => a + b, 0) / n,
    bins: counts.map((count, i) => ({ startMs: start + i * width, endMs: start + (i + 1) * width, count })),
  };
}

/** Conversion of the entities that entered the funnel in one period. */
export interface FunnelTrendPoint {
  /** Period key in the contract's zone: `2026-01-05` (day, week from Monday) or `2026-01`. */
  period: string;
  start: number;
  /** Entities whose best attempt began in this period. */
  entered: number;
  /** Of those, entities that reached the last step. */
  converted: number;
  /** converted / entered; null when nobody entered. */
  rate: number | null;
  /**
   * The conversion window of some entity in this period is still open as of `asOf`: the rate
   * may still rise.
   */
  incomplete: boolean;
}

export interface FunnelTrends {
  interval: Exclude<Period, 'hour'>;
  points: FunnelTrendPoint[];
}

/**
 * Conversion by entry period: each entity counts in the period of its best attempt's first step,
 * and every period between the first and the last is listed (empty ones with rate null).
 */
export function funnelTrends(
  results: ArrayLike<MatchResult>,
  stepCount: number,
  interval: FunnelTrends['interval'],
  timeZone: string,
  windowMs: number,
  asOf: number | null,
): FunnelTrends {
  const byStart = new Map<number, { entered: number; converted: number }>();
  let first = Infinity;
  let last = -Infinity;
  for (let e = 0; e < results.length; e++) {
    const r = results[e];
    if (r.excluded || r.furthest < 0) continue;
    const start = periodStart(r.times[0], interval, timeZone);
    let bucket = byStart.get(start);
    if (!bucket) byStart.set(start, (bucket = { entered: 0, converted: 0 }));
    bucket.entered++;
    if (r.furthest === stepCount - 1) bucket.converted++;
    if (start < first) first = start;
    if (start > last) last = start;
  }
  const points: FunnelTrendPoint[] = [];
  for (let start = first; start <= last; start = addPeriods(start, interval, 1, timeZone)) {
    const { entered, converted } = byStart.get(start) ?? { entered: 0, converted: 0 };
    const end = addPeriods(start, interval, 1, timeZone);
    points.push({
      period: periodKey(start, interval, timeZone),
      start,
      entered,
      converted,
      rate: entered ? converted / entered : null,
      // The last entity of the period may enter just before `end`; its window closes windowMs later.
      incomplete: asOf !== null && end + windowMs > asOf,
    });
  }
  return { interval, points };
}

function medianOfSorted(sorted: Float64Array): number | null {
  const n = sorted.length;
  if (!n) return null;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median of unsorted values, or null for none: quickselect, linear time. */
export function median(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (!n) return null;
  const a = Float64Array.from(values);
  const mid = n >> 1;
  const upper = select(a, mid);
  if (n % 2) return upper;
  // Everything left of `mid` is now ≤ a[mid]; the lower middle is the largest of them.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Hoare's quickselect: puts the k-th smallest value at a[k], smaller ones before it. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}
