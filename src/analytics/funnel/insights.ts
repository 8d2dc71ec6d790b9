/**
 * What a funnel tells beyond its step counts, shaped from the executor's raw figures: the
 * time-to-convert histogram between two steps, and conversion over time by entry period.
 * @module
 */
import { ContractError } from '../contract-error.js';
import { MAX_PERIODS } from '../measures/series.js';
import { mean, medianSorted } from '../measures/stats.js';
import { addPeriods, DURATION, periodKey, type Period } from '../time.js';
import type { TrendBucket } from './execute-memory.js';

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

/** Readable bin widths, so bins read "0–1 h", "1–2 h" rather than "0–1.37 h" (the warehouse path picks from the same list). */
export const NICE_WIDTHS = [
  1000, 5000, 15_000, 30_000,
  DURATION.MINUTE, 5 * DURATION.MINUTE, 15 * DURATION.MINUTE, 30 * DURATION.MINUTE,
  DURATION.HOUR, 2 * DURATION.HOUR, 3 * DURATION.HOUR, 6 * DURATION.HOUR, 12 * DURATION.HOUR,
  DURATION.DAY, 2 * DURATION.DAY, 3 * DURATION.DAY, 7 * DURATION.DAY, 14 * DURATION.DAY, 30 * DURATION.DAY, 90 * DURATION.DAY,
];

/**
 * The histogram of conversion times. Without `bins`, about Sturges' number of bins (log2 n + 1,
 * at most 40) on a readable width; with `bins`, exactly that many equal bins between the shortest
 * and longest time.
 */
export function timeToConvert(durations: number[], from: number, to: number, bins?: number): TimeToConvert {
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
    medianMs: medianSorted(sorted),
    meanMs: mean(durations),
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
 * Every period from the first bucket to the last (empty ones with rate null), with rates; more
 * than {@link MAX_PERIODS} is a contract error at `intervalPath`.
 */
export function funnelTrends(
  trends: { interval: FunnelTrends['interval']; buckets: TrendBucket[] },
  timeZone: string,
  windowMs: number,
  asOf: number | null,
  intervalPath: string,
): FunnelTrends {
  const { interval, buckets } = trends;
  const points: FunnelTrendPoint[] = [];
  if (!buckets.length) return { interval, points };
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const last = buckets[buckets.length - 1].start;
  for (let start = buckets[0].start; start <= last; start = addPeriods(start, interval, 1, timeZone)) {
    if (points.length === MAX_PERIODS) throw new ContractError(intervalPath, `entry times span more than 10,000 ${interval}s; set a range or a longer trends interval`);
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
