/**
 * Time in a named IANA zone: parsing contract timestamps and cutting days, weeks and months
 * the way a user in that zone sees them. All arithmetic is on epoch milliseconds; `Intl`
 * supplies zone offsets, cached per quarter hour so a million events cost a few thousand
 * `Intl` calls, not a million.
 * @module
 */
import type { Timestamp, TimeRange } from './contract.js';
import { ContractError } from './contract-error.js';

export type Period = 'minute' | 'hour' | 'day' | 'week' | 'month';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const QUARTER_HOUR = 15 * MINUTE;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

/** Parses `30s`, `5m`, `2h`, `14d`, `2w` or a number of milliseconds. */
export function parseDuration(value: string | number, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(value) : null;
  if (!match) throw new ContractError(path, `expected a duration such as "30s", "2h", "14d" or milliseconds, got ${JSON.stringify(value)}`);
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

/**
 * Throws a ContractError at `path` unless `timeZone` is an IANA zone this browser knows. UTC, the
 * default, every engine knows: it is not checked, because a page's first `Intl.DateTimeFormat`
 * with a zone loads the zone data (about 150 ms on a 2-core machine), which a UTC contract never
 * needs (see {@link zoneOffset}).
 */
export function checkTimeZone(timeZone: string, path = '/timeZone'): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ContractError(path, `expected an IANA time zone such as "Asia/Shanghai", got ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

const offsetCaches = new Map<string, Map<number, number>>();

/** The zone's offset from UTC in ms at instant `ms` (positive east of Greenwich). */
export function zoneOffset(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let cache = offsetCaches.get(timeZone);
  if (!cache) offsetCaches.set(timeZone, (cache = new Map()));
  // Zone transitions fall on quarter hours, so the offset is constant inside each one.
  const key = Math.floor(ms / QUARTER_HOUR);
  let offset = cache.get(key);
  if (offset === undefined) {
    const start = key * QUARTER_HOUR;
    const p: Record<string, number> = {};
    for (const { type, value } of partsFormatter(timeZone).formatToParts(start)) p[type] = Number(value);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - start;
    if (cache.size > 200_000) cache.clear();
    cache.set(key, offset);
  }
  return offset;
}

/** Wall-clock fields in the zone, from the offset: cheap enough for per-event use. */
function wall(ms: number, timeZone: string): Date {
  return new Date(ms + zoneOffset(ms, timeZone));
}

/** The instant at which the zone's wall clock shows the given UTC-encoded fields. */
function fromWall(wallMs: number, timeZone: string): number {
  // Two passes settle the offset on either side of a transition.
  const first = wallMs - zoneOffset(wallMs, timeZone);
  const second = wallMs - zoneOffset(first, timeZone);
  if (second + zoneOffset(second, timeZone) === wallMs) return second;
  // A wall time the clock skipped (Santiago skips midnight when DST begins): the later reading,
  // i.e. the end of the gap, as Temporal's "compatible" does. That day starts at 01:00; the
  // earlier reading would be 23:00 the day before, and stepping a day from it would return to it.
  return Math.max(first, second);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/**
 * Parses a contract timestamp to epoch ms. Strings without an offset (`2026-01-05`,
 * `2026-01-05T09:00`) are wall-clock times in `timeZone`; `Z` or `+08:00` strings are absolute.
 * Returns NaN for anything unparseable, so callers can report the row.
 */
export function parseTimestamp(value: unknown, timeZone = 'UTC'): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return NaN;
  let m = DATE_ONLY.exec(value);
  if (m) return fromWall(Date.UTC(+m[1], +m[2] - 1, +m[3]), timeZone);
  m = LOCAL_DATE_TIME.exec(value);
  if (m) {
    const millis = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return fromWall(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), millis), timeZone);
  }
  // With an offset or Z: absolute. A space may stand for the T (`2021-05-01 10:00:00+00:00`).
  if (/^\d{4}-\d{2}-\d{2}[T ]\d/.test(value)) return Date.parse(value.length > 10 && value[10] === ' ' ? `${value.slice(0, 10)}T${value.slice(11)}` : value);
  return NaN;
}

/** Start of the period (minute, hour, day, ISO week from Monday, month) containing `ms`, in the zone. */
export function periodStart(ms: number, period: Period, timeZone: string): number {
  if (period !== 'month') {
    // Hours, days and weeks have fixed wall-clock lengths: plain arithmetic, no Date.
    const wallMs = ms + zoneOffset(ms, timeZone);
    // Back from the instant itself, not forth from the wall clock: in the hour a clock repeats
    // when DST ends, 1:30 the second time starts at 1:00 the second time.
    if (period === 'minute') return ms - mod(wallMs, MINUTE);
    if (period === 'hour') return ms - mod(wallMs, HOUR);
    const days = Math.floor(wallMs / DAY);
    // 1 January 1970 was a Thursday: 3 days after a Monday.
    const sinceMonday = period === 'week' ? (((days + 3) % 7) + 7) % 7 : 0;
    return fromWall((days - sinceMonday) * DAY, timeZone);
  }
  const w = wall(ms, timeZone);
  return fromWall(Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), 1), timeZone);
}

/** Adds `n` calendar periods to a period start, keeping wall-clock alignment across DST. */
export function addPeriods(start: number, period: Period, n: number, timeZone: string): number {
  if (period === 'minute') return start + n * MINUTE;
  if (period === 'hour') return start + n * HOUR;
  const w = wall(start, timeZone);
  const y = w.getUTCFullYear();
  const mo = w.getUTCMonth();
  const d = w.getUTCDate();
  if (period === 'month') return fromWall(Date.UTC(y, mo + n, d), timeZone);
  return fromWall(Date.UTC(y, mo, d + n * (period === 'week' ? 7 : 1)), timeZone);
}

/** A stable label for a period start: `2026-01-05`, `2026-01`, or `2026-01-05T09:00`. */
export function periodKey(start: number, period: Period, timeZone: string): string {
  const iso = wall(start, timeZone).toISOString();
  if (period === 'month') return iso.slice(0, 7);
  if (period === 'hour' || period === 'minute') return iso.slice(0, 16);
  return iso.slice(0, 10);
}

/** Half-open bounds [from, to) of a range; a date-only `to` covers that whole day. */
export function rangeBounds(range: TimeRange | undefined, timeZone: string, path: string): { from: number; to: number } {
  const from = range?.from === undefined ? -Infinity : parseBound(range.from, timeZone, `${path}/from`);
  let to = Infinity;
  if (range?.to !== undefined) {
    const t = parseBound(range.to, timeZone, `${path}/to`);
    to = typeof range.to === 'string' && DATE_ONLY.test(range.to) ? addPeriods(t, 'day', 1, timeZone) : t + 1;
  }
  if (from >= to) throw new ContractError(path, 'expected "from" to be before "to"');
  return { from, to };
}

function parseBound(value: Timestamp, timeZone: string, path: string): number {
  const ms = parseTimestamp(value, timeZone);
  if (Number.isNaN(ms)) throw new ContractError(path, `expected an ISO 8601 date or epoch milliseconds, got ${JSON.stringify(value)}`);
  if (!plausibleTime(ms)) throw new ContractError(path, `expected a time within 10,000 years of 1970, got ${JSON.stringify(value)}`);
  return ms;
}

export const DURATION = { MINUTE, HOUR, DAY } as const;

/** A range as a plan holds it: epoch ms, half-open [from, to), null for an open end (JSON has no Infinity). */
export interface PlannedRange {
  from: number | null;
  to: number | null;
}

/** {@link rangeBounds} for a plan: open ends as null. */
export function planRange(range: TimeRange | undefined, timeZone: string, path: string): PlannedRange {
  const { from, to } = rangeBounds(range, timeZone, path);
  return { from: Number.isFinite(from) ? from : null, to: Number.isFinite(to) ? to : null };
}

/** A planned range's bounds for comparisons: open ends as ±Infinity. */
export function rangeLimits(range: PlannedRange): { from: number; to: number } {
  return { from: range.from ?? -Infinity, to: range.to ?? Infinity };
}

/**
 * Times further than this from 1970 (about 10,000 years) are taken as bad data, not events: a
 * far-future or microsecond timestamp would otherwise make period loops run for millions of steps.
 */
export const PLAUSIBLE_MS = 10_000 * 365.2425 * DAY;

/** Whether an epoch-ms time is a plausible event time (see {@link PLAUSIBLE_MS}). */
export function plausibleTime(ms: number): boolean {
  return ms >= -PLAUSIBLE_MS && ms <= PLAUSIBLE_MS;
}

/** The first day of a week: ISO weeks start on Monday; many calendars (US, 微信 reports) on Sunday. */
export type WeekStart = 'monday' | 'sunday';

/**
 * A period as a whole number on the zone's calendar (hours, days, weeks or months since 1970), so
 * that "k periods after" is a subtraction. Weeks count from `weekStart`.
 */
export function periodOrdinal(ms: number, period: Period, timeZone: string, weekStart: WeekStart = 'monday'): number {
  const wallMs = ms + zoneOffset(ms, timeZone);
  if (period === 'minute') return Math.floor(wallMs / MINUTE);
  if (period === 'hour') return Math.floor(wallMs / HOUR);
  const days = Math.floor(wallMs / DAY);
  if (period === 'day') return days;
  // 1 January 1970 was a Thursday: the Monday before is 3 days earlier, the Sunday 4.
  if (period === 'week') return Math.floor((days + (weekStart === 'monday' ? 3 : 4)) / 7);
  const w = new Date(wallMs);
  return (w.getUTCFullYear() - 1970) * 12 + w.getUTCMonth();
}

/** The instant a period given by its {@link periodOrdinal} starts. */
export function ordinalStart(ordinal: number, period: Period, timeZone: string, weekStart: WeekStart = 'monday'): number {
  if (period === 'minute') return fromWall(ordinal * MINUTE, timeZone);
  if (period === 'hour') return fromWall(ordinal * HOUR, timeZone);
  if (period === 'day') return fromWall(ordinal * DAY, timeZone);
  if (period === 'week') return fromWall((ordinal * 7 - (weekStart === 'monday' ? 3 : 4)) * DAY, timeZone);
  return fromWall(Date.UTC(1970 + Math.floor(ordinal / 12), ((ordinal % 12) + 12) % 12, 1), timeZone);
}

/** The remainder of `a / b`, never negative. */
function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
