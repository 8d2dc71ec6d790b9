// Shared plumbing for the generators: calendar arithmetic, ids, and the final sort/format pass.

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
    return prefix + MINUTE_SUFFIX[(ms - day * DAY) / MINUTE];
  };
}

/**
 * Stable counting sort on the minute. Array#sort with a comparator took ~0.6 s for a million
 * rows; timestamps are whole minutes in a range of months, so one pass over buckets suffices.
 * @template {{ ts: number | string }} R
 * @param {R[]} rows with `ts` in whole-minute epoch ms
 * @returns {R[]}
 */
function sortByMinute(rows) {
  const minute = (/** @type {R} */ row) => /** @type {number} */ (row.ts) / MINUTE;
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    first = Math.min(first, minute(row));
    last = Math.max(last, minute(row));
  }
  if (rows.length === 0) return rows;
  // starts[m - first] becomes the next free slot for minute m.
  const starts = new Uint32Array(last - first + 2);
  for (const row of rows) starts[minute(row) - first + 1]++;
  for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
  const sorted = new Array(rows.length);
  for (const row of rows) sorted[starts[minute(row) - first]++] = row;
  return sorted;
}

/**
 * Sorts rows by time (stable, so ties keep generation order) and formats `ts`.
 * Generators build `ts` as whole-minute epoch ms so the sort can bucket by minute.
 * @template {{ ts: number | string }} R
 * @param {R[]} rows
 * @param {TimeFormat} timeFormat
 * @returns {R[]}
 */
export function finishRows(rows, timeFormat) {
  if (timeFormat !== 'iso' && timeFormat !== 'ms') {
    throw new RangeError(`timeFormat must be 'iso' or 'ms', got ${JSON.stringify(timeFormat)}`);
  }
  const sorted = sortByMinute(rows);
  if (timeFormat === 'iso') {
    const iso = minuteIsoFormatter();
    for (const row of sorted) row.ts = iso(/** @type {number} */ (row.ts));
  }
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
