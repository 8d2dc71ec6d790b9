import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPeriods, parseDuration, parseTimestamp, periodKey, periodStart, rangeBounds } from '../../src/analytics/time.js';
import { periodStarts } from '../../src/analytics/measures/series.js';

const iso = (ms: number) => new Date(ms).toISOString();

test('durations: units and plain milliseconds', () => {
  assert.equal(parseDuration('30s', ''), 30_000);
  assert.equal(parseDuration('5m', ''), 300_000);
  assert.equal(parseDuration('2h', ''), 7_200_000);
  assert.equal(parseDuration('14d', ''), 14 * 86_400_000);
  assert.equal(parseDuration('2w', ''), 14 * 86_400_000);
  assert.equal(parseDuration(1500, ''), 1500);
  assert.throws(() => parseDuration('14 days', '/funnel/window'), /\/funnel\/window: expected a duration/);
});

test('timestamps without an offset are wall-clock times in the contract zone', () => {
  assert.equal(iso(parseTimestamp('2026-03-01', 'UTC')), '2026-03-01T00:00:00.000Z');
  assert.equal(iso(parseTimestamp('2026-03-01', 'Asia/Shanghai')), '2026-02-28T16:00:00.000Z');
  assert.equal(iso(parseTimestamp('2026-03-01T09:30', 'Asia/Shanghai')), '2026-03-01T01:30:00.000Z');
  assert.equal(iso(parseTimestamp('2026-03-01T09:30:00Z', 'Asia/Shanghai')), '2026-03-01T09:30:00.000Z');
  assert.equal(parseTimestamp(1_700_000_000_000, 'Asia/Shanghai'), 1_700_000_000_000);
  assert.ok(Number.isNaN(parseTimestamp('yesterday')));
});

test('warehouse timestamp spellings: a space for the T, an offset, microseconds', () => {
  assert.equal(iso(parseTimestamp('2021-05-01 10:00:00+00:00', 'Asia/Shanghai')), '2021-05-01T10:00:00.000Z');
  assert.equal(iso(parseTimestamp('2021-05-01 10:00:00.123456+08:00', 'UTC')), '2021-05-01T02:00:00.123Z');
  assert.equal(iso(parseTimestamp('2021-05-01T10:00:00.000000Z', 'Asia/Shanghai')), '2021-05-01T10:00:00.000Z');
  // No offset: the contract zone's wall clock, with either separator.
  assert.equal(iso(parseTimestamp('2021-05-01 10:00:00.5', 'Asia/Shanghai')), '2021-05-01T02:00:00.500Z');
});

test('days, weeks and months are cut in the zone, across DST', () => {
  const ny = 'America/New_York';
  // 2026-03-08 is the US spring-forward day: 23 hours long.
  const t = parseTimestamp('2026-03-08T12:00', ny);
  const day = periodStart(t, 'day', ny);
  assert.equal(iso(day), '2026-03-08T05:00:00.000Z');
  assert.equal(iso(addPeriods(day, 'day', 1, ny)), '2026-03-09T04:00:00.000Z');
  assert.equal(periodKey(day, 'day', ny), '2026-03-08');
  // ISO weeks start on Monday: Sunday 8 March belongs to the week of Monday 2 March.
  assert.equal(periodKey(periodStart(t, 'week', ny), 'week', ny), '2026-03-02');
  assert.equal(periodKey(periodStart(t, 'month', ny), 'month', ny), '2026-03');
  // 23:30 UTC on 31 Jan is already 1 February in Shanghai.
  assert.equal(periodKey(periodStart(Date.parse('2026-01-31T23:30:00Z'), 'month', 'Asia/Shanghai'), 'month', 'Asia/Shanghai'), '2026-02');
});

test('a date-only "to" covers that whole day', () => {
  const { from, to } = rangeBounds({ from: '2026-03-01', to: '2026-03-02' }, 'Asia/Shanghai', '/range');
  assert.equal(iso(from), '2026-02-28T16:00:00.000Z');
  assert.equal(iso(to), '2026-03-02T16:00:00.000Z');
  assert.throws(() => rangeBounds({ from: '2026-03-02', to: '2026-03-01' }, 'UTC', '/kpi/range'), /\/kpi\/range: expected "from" to be before "to"/);
});

test('a day whose midnight the clock skips starts at the end of the gap, and days step past it (America/Santiago, DST begins 2025-09-07)', () => {
  const zone = 'America/Santiago';
  // Clocks went from 23:59:59 (UTC-4) to 01:00 (UTC-3) on 7 September 2025: 04:00Z.
  const inDay = Date.parse('2025-09-07T12:00:00Z');
  assert.equal(periodStart(inDay, 'day', zone), Date.parse('2025-09-07T04:00:00Z'));
  assert.equal(parseTimestamp('2025-09-07', zone), Date.parse('2025-09-07T04:00:00Z'));
  assert.equal(addPeriods(Date.parse('2025-09-06T04:00:00Z'), 'day', 1, zone), Date.parse('2025-09-07T04:00:00Z'));
  assert.equal(addPeriods(Date.parse('2025-09-07T04:00:00Z'), 'day', 1, zone), Date.parse('2025-09-08T03:00:00Z'));
  // A year of days across it: 365 starts, each after the one before.
  const starts = periodStarts({ period: 'day', timeZone: zone, from: Date.parse('2025-03-20T03:00:00Z'), to: Date.parse('2026-03-20T03:00:00Z') }, '/x');
  assert.equal(starts.length, 365);
  assert.ok(starts.every((s, i) => i === 0 || s > starts[i - 1]));
  // A wall time the clock did not skip keeps its one reading (Europe/Berlin, 02:30 on 30 March 2025 was skipped; 03:30 not).
  assert.equal(parseTimestamp('2025-03-30T03:30', 'Europe/Berlin'), Date.parse('2025-03-30T01:30:00Z'));
  assert.equal(parseTimestamp('2025-03-30T02:30', 'Europe/Berlin'), Date.parse('2025-03-30T01:30:00Z'));
});
