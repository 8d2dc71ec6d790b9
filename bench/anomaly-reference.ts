/**
 * Reference figures for the anomaly benchmarks, with no table library and no FunnelKit code.
 *
 * `referenceSplitCounts`: the per-series daily counts of `anomaly-1M` in two plain passes over the
 * same JS column arrays the contract gets. Pass 1 maps each split value to an int through a `Map`,
 * counts every row per value (the ranking weight: rows in range, whatever the measure counts) and
 * finds the first and last day (days cut at a fixed UTC offset). The values are ranked by rows,
 * largest first, ties by `localeCompare` of the name; the first `limit` keep their own series and
 * the rest share "Other". Pass 2 adds each row of the counted event to its series' day in one
 * `Int32Array` (series × days). Row order does not matter.
 *
 * `referenceBand`: `anomaly-5y-band`'s baseline band, mean ± k × population σ of the `window`
 * values before each point (null values skipped; no band with fewer than `minWindow`), two passes
 * per point over a `Float64Array`; a point breaches strictly outside the band.
 * @module
 */
const DAY = 86_400_000;
export const OTHER = 'Other';

export interface SplitReferenceInput {
  time: ArrayLike<number>;
  event: ArrayLike<unknown>;
  split: ArrayLike<unknown>;
}

export interface SplitReferenceSpec {
  /** The event whose rows are counted. */
  event: string;
  limit: number;
  /** The zone's fixed offset from UTC, ms. */
  offsetMs: number;
}

export interface SplitReferenceResult {
  /** Epoch ms of each day's start (in the zone), first to last day with rows. */
  days: number[];
  /** Series in the engine's order: by rows, then "Other". */
  series: Array<{ key: string; rows: number; counts: Int32Array }>;
}

export function referenceSplitCounts(input: SplitReferenceInput, spec: SplitReferenceSpec): SplitReferenceResult {
  const { time, event, split } = input;
  const n = time.length;
  const { offsetMs } = spec;
  const ids = new Map<unknown, number>();
  const names: string[] = [];
  const valueOf = new Int32Array(n);
  let rowsOf = new Int32Array(64);
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let i = 0; i < n; i++) {
    const raw = split[i];
    let v = ids.get(raw);
    if (v === undefined) {
      v = names.length;
      ids.set(raw, v);
      names.push(raw === null || raw === undefined ? '' : String(raw));
      if (v >= rowsOf.length) {
        const grown = new Int32Array(rowsOf.length * 2);
        grown.set(rowsOf);
        rowsOf = grown;
      }
    }
    valueOf[i] = v;
    rowsOf[v]++;
    const day = Math.floor((time[i] + offsetMs) / DAY);
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
  }
  const ranked = names.map((_, v) => v).sort((a, b) => rowsOf[b] - rowsOf[a] || names[a].localeCompare(names[b]));
  const seriesOf = new Int32Array(names.length);
  const kept = ranked.slice(0, spec.limit);
  kept.forEach((v, s) => (seriesOf[v] = s));
  const hasOther = ranked.length > spec.limit;
  for (const v of ranked.slice(spec.limit)) seriesOf[v] = kept.length;
  const seriesCount = kept.length + (hasOther ? 1 : 0);
  const days = n ? lastDay - firstDay + 1 : 0;
  const counts = new Int32Array(seriesCount * days);
  for (let i = 0; i < n; i++) {
    if (event[i] !== spec.event) continue;
    counts[seriesOf[valueOf[i]] * days + Math.floor((time[i] + offsetMs) / DAY) - firstDay]++;
  }
  const series = kept.map((v, s) => ({ key: names[v], rows: rowsOf[v], counts: counts.subarray(s * days, (s + 1) * days) }));
  if (hasOther) {
    let rows = 0;
    for (const v of ranked.slice(spec.limit)) rows += rowsOf[v];
    series.push({ key: OTHER, rows, counts: counts.subarray(kept.length * days, (kept.length + 1) * days) });
  }
  return { days: Array.from({ length: days }, (_, d) => (firstDay + d) * DAY - offsetMs), series };
}

export interface BandReferenceSpec {
  window: number;
  minWindow: number;
  k: number;
}

export interface BandReferenceResult {
  /** NaN where there is no band. */
  expected: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  breach: Uint8Array;
}

export function referenceBand(values: ArrayLike<number | null>, spec: BandReferenceSpec): BandReferenceResult {
  const n = values.length;
  const v = new Float64Array(n);
  const present = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    present[i] = x === null ? 0 : 1;
    v[i] = x ?? 0;
  }
  const expected = new Float64Array(n).fill(NaN);
  const lower = new Float64Array(n).fill(NaN);
  const upper = new Float64Array(n).fill(NaN);
  const breach = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    let sum = 0;
    for (let j = Math.max(0, i - spec.window); j < i; j++) {
      if (!present[j]) continue;
      count++;
      sum += v[j];
    }
    if (count === 0 || count < spec.minWindow) continue;
    const mean = sum / count;
    let squares = 0;
    for (let j = Math.max(0, i - spec.window); j < i; j++) if (present[j]) squares += (v[j] - mean) ** 2;
    const sd = Math.sqrt(squares / count);
    expected[i] = mean;
    lower[i] = mean - spec.k * sd;
    upper[i] = mean + spec.k * sd;
    breach[i] = present[i] && (v[i] > upper[i] || v[i] < lower[i]) ? 1 : 0;
  }
  return { expected, lower, upper, breach };
}
