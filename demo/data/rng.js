// Seeded randomness for the sample data. Everything here is plain arithmetic, so the same seed
// gives the same stream in Node, a browser page and a Worker.

/** @typedef {() => number} Rng A float in [0, 1). */

/**
 * mulberry32: one 32-bit state word, fast, and good enough for demo data (not for crypto).
 * @param {number} seed an integer; other numbers are truncated to 32 bits
 * @returns {Rng}
 */
export function createRng(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent stream for one part of a generator: the seed mixed with a stream number
 * (murmur3's finalizer), so that a part added later, or drawing more, never shifts the draws of
 * another part or of the generator seeded with `seed` itself.
 * @param {number} seed
 * @param {number} stream a small integer naming the part, 1, 2, 3…
 * @returns {Rng}
 */
export function createStream(seed, stream) {
  let h = (seed ^ Math.imul(stream, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return createRng((h ^ (h >>> 16)) >>> 0);
}

/**
 * Builds a picker once so that a million picks only walk a short cumulative array.
 * @template {string} K
 * @param {Record<K, number>} weights relative weights, need not sum to 1
 * @returns {(rng: Rng) => K}
 */
export function weightedPicker(weights) {
  const keys = /** @type {K[]} */ (Object.keys(weights));
  /** @type {number[]} */
  const cumulative = [];
  let total = 0;
  for (const key of keys) cumulative.push((total += weights[key]));
  return (rng) => {
    const x = rng() * total;
    let i = 0;
    while (i < keys.length - 1 && x >= cumulative[i]) i++;
    return keys[i];
  };
}

/**
 * Approximately standard normal (Irwin–Hall sum of four uniforms). Bounded at ±3.46, which
 * keeps noise from ever producing an outlier the demo did not plan.
 * @param {Rng} rng
 */
export function normalish(rng) {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

/**
 * Memoryless waiting time, e.g. the gap until a user's next visit.
 * @param {Rng} rng
 * @param {number} mean
 */
export function exponential(rng, mean) {
  return -mean * Math.log(1 - rng());
}

/**
 * Positive, right-skewed value around `mean`: deal sizes and time spent in a stage.
 * @param {Rng} rng
 * @param {number} mean
 * @param {number} sigma spread of the underlying normal; 0.5 is moderate, 1 is wide
 */
export function lognormal(rng, mean, sigma) {
  return mean * Math.exp(sigma * normalish(rng) - (sigma * sigma) / 2);
}
