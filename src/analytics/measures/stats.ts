/**
 * Summary statistics over plain numbers, the one place every kind takes them from: funnel step
 * times, KPI figures, anomaly baselines. Each returns null for no values rather than NaN.
 * @module
 */

/** The arithmetic mean, or null for none. */
export function mean(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (!n) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum / n;
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

/** The median of values already sorted ascending, or null for none. */
export function medianSorted(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (!n) return null;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of sorted values by linear interpolation between closest ranks
 * (type 7, as numpy, R and d3 compute it by default), or null for none.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (!n) return null;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  return lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** The q-quantile of unsorted values (see {@link quantileSorted}). */
export function quantile(values: ArrayLike<number>, q: number): number | null {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/** The sample standard deviation (n − 1), or null for fewer than two values. */
export function standardDeviation(values: ArrayLike<number>): number | null {
  const n = values.length;
  const m = mean(values);
  if (n < 2 || m === null) return null;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - m) ** 2;
  return Math.sqrt(squares / (n - 1));
}

/** The population standard deviation (n), as anomaly bands take it, or null for none. */
export function populationStandardDeviation(values: ArrayLike<number>): number | null {
  const n = values.length;
  const m = mean(values);
  if (m === null) return null;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - m) ** 2;
  return Math.sqrt(squares / n);
}

/**
 * The median absolute deviation from the median (unscaled), or null for none: a spread that a
 * few outliers do not move, for robust anomaly bands.
 */
export function medianAbsoluteDeviation(values: ArrayLike<number>): number | null {
  const m = median(values);
  if (m === null) return null;
  return median(Array.from(values, (v) => Math.abs(v - m)));
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
