// Shared plumbing for the generators: calendar arithmetic, ids, time formatting and sorting.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** @typedef {'iso' | 'ms'} TimeFormat */

/**
 * @param {string} day 'YYYY-MM-DD', read as UTC midnight
 * @returns {number} epoch ms
 */
export function parseDay(day) {
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isNaN(ms)) throw new RangeError(`Expected a 'YYYY-MM-DD' date, got ${JSON.stringify(day)}`);
  return ms;
}

/**
 * A whole-minute timestamp `hours` after `ts`, at least one minute later so an entity's events
 * never tie and their order survives the global sort.
 * @param {number} ts epoch ms on a whole minute
 * @param {number} hours
 */
export function after(ts, hours) {
  return ts + Math.max(1, Math.round(hours * 60)) * MINUTE;
}

/**
 * @param {string} prefix
 * @param {number} index 0-based
 */
export function entityId(prefix, index) {
  return `${prefix}-${String(index + 1).padStart(6, '0')}`;
}

// Date#toISOString costs ~0.6 µs a call, half the time budget of a million rows. Timestamps are
// whole minutes, so each is a cached day prefix plus one of 1440 minute-of-day suffixes.
/** @param {number} n */
const pad2 = (n) => String(n).padStart(2, '0');
const MINUTE_SUFFIX = Array.from({ length: 1440 }, (_, m) => `T${pad2(Math.floor(m / 60))}:${pad2(m % 60)}:00.000Z`);

function minuteIsoFormatter() {
  /** @type {Map<number, string>} */
  const dayPrefix = new Map();
  /** @param {number} ms epoch ms on a whole minute */
  return (ms) => {
    const day = Math.floor(ms / DAY);
    let prefix = dayPrefix.get(day);
    if (prefix === undefined) dayPrefix.set(day, (prefix = new Date(day * DAY).toISOString().slice(0, 10)));
    // join makes a flat string; `+` would leave a rope for every later reader to flatten.
    return [prefix, MINUTE_SUFFIX[(ms - day * DAY) / MINUTE]].join('');
  };
}

/**
 * Collects a generator's rows and returns them sorted by time. `ts` is formatted as rows are
 * made, while the sort reads a parallel array of minutes: rewriting `ts` from number to string
 * on a million rows afterwards would cost a hidden-class migration per row.
 * @template R row type
 * @param {TimeFormat} timeFormat
 */
export function createEventLog(timeFormat) {
  if (timeFormat !== 'iso' && timeFormat !== 'ms') {
    throw new RangeError(`timeFormat must be 'iso' or 'ms', got ${JSON.stringify(timeFormat)}`);
  }
  /** @type {R[]} */
  const rows = [];
  /** @type {number[]} */
  const minutes = [];
  return {
    /** @type {(ms: number) => string | number} */
    format: timeFormat === 'iso' ? minuteIsoFormatter() : (ms) => ms,
    /** @param {number} ms whole-minute epoch ms of `row.ts` @param {R} row */
    add(ms, row) {
      minutes.push(ms / MINUTE);
      rows.push(row);
    },
    /** Stable (ties keep insertion order), so an entity's same-minute events stay in order. */
    sorted: () => sortByMinute(rows, minutes),
  };
}

/**
 * Counting sort: Array#sort with a comparator took ~0.6 s for a million rows, while whole
 * minutes over a few months make a bucket array of well under a million slots.
 * @template R
 * @param {R[]} rows
 * @param {number[]} minutes minute of each row
 * @returns {R[]}
 */
function sortByMinute(rows, minutes) {
  if (rows.length === 0) return rows;
  let first = Infinity;
  let last = -Infinity;
  for (const m of minutes) {
    if (m < first) first = m;
    if (m > last) last = m;
  }
  // After the prefix sum, next[m - first] is the next free slot for minute m.
  const next = new Uint32Array(last - first + 2);
  for (const m of minutes) next[m - first + 1]++;
  for (let i = 1; i < next.length; i++) next[i] += next[i - 1];
  const sorted = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) sorted[next[minutes[i] - first]++] = rows[i];
  return sorted;
}

/**
 * Row form to the column form FunnelKit contracts accept as `{ data: { columns } }`.
 * Columns are taken from the first row; every generator emits rows of one shape.
 * @param {Record<string, unknown>[]} rows
 * @returns {Record<string, unknown[]>}
 */
export function toColumns(rows) {
  /** @type {Record<string, unknown[]>} */
  const columns = {};
  if (rows.length === 0) return columns;
  for (const key of Object.keys(rows[0])) {
    const column = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = rows[i][key];
    columns[key] = column;
  }
  return columns;
}
