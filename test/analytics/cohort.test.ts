// Cohorts with PostHog's retention semantics; every expected figure is worked out by hand in the
// comments next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCohorts, ContractError, type CohortViewModel } from '../../src/analytics/index.js';
import type { Cell, CohortContract, CohortSection, InlineContract } from '../../src/analytics/contract.js';

type Row = Record<string, Cell>;
const run = (rows: Row[], cohort: CohortSection, extra: Partial<CohortContract> = {}): CohortViewModel =>
  computeCohorts({
    version: 1,
    kind: 'cohort',
    timeZone: 'UTC',
    data: { rows },
    fields: { entity: 'id', time: 't', event: 'e', value: 'v' },
    cohort,
    ...extra,
  } as InlineContract<CohortContract>);
/** [cohort, size, counts per cell] per cohort. */
const table = (vm: { cohorts: CohortViewModel['cohorts'] }) => vm.cohorts.map((c) => [c.cohort, c.size, c.cells.map((x) => x.count)]);
const signup = 'signup';
const purchase = 'purchase';

// 2026-03-02 is a Monday. a and b sign up in week 1; a signs up again in week 2, as does c.
const weekly: Row[] = [
  { id: 'a', e: signup, t: '2026-03-02T10:00:00Z' },
  { id: 'b', e: signup, t: '2026-03-04T10:00:00Z' },
  { id: 'b', e: purchase, t: '2026-03-05T10:00:00Z' }, // week 1: b's period 0
  { id: 'a', e: purchase, t: '2026-03-10T10:00:00Z' }, // week 2
  { id: 'a', e: signup, t: '2026-03-11T10:00:00Z' },
  { id: 'c', e: signup, t: '2026-03-12T10:00:00Z' },
  { id: 'c', e: purchase, t: '2026-03-13T10:00:00Z' }, // week 2: c's period 0
  { id: 'a', e: purchase, t: '2026-03-17T10:00:00Z' }, // week 3
  { id: 'b', e: purchase, t: '2026-03-18T10:00:00Z' }, // week 3, the latest event
];
const weeklySection: CohortSection = { start: { event: signup }, return: { event: purchase }, period: 'week', periods: 3, range: { from: '2026-03-02', to: '2026-03-15' } };

test('recurring: every period an entity did the start event in is a cohort of its own', () => {
  const vm = run(weekly, weeklySection);
  // Week 1: a, b. Week 2 (a purchase on the 10th) holds a; week 3 a and b. Week 2's cohort: a, c;
  // in week 3 only a buys; week 4 has not begun by 18 March, so that cell is absent.
  assert.deepEqual(table(vm), [
    ['2026-03-02', 2, [2, 1, 2]],
    ['2026-03-09', 2, [2, 1]],
  ]);
  assert.equal(vm.type, 'recurring');
  assert.equal(vm.entities, 3);
});

test('first-time: only the cohort of the first start event in all the data', () => {
  const vm = run(weekly, { ...weeklySection, type: 'first-time' });
  // a's second signup (week 2) no longer makes a cohort: week 2 holds c alone, who does not buy in week 3.
  assert.deepEqual(table(vm), [
    ['2026-03-02', 2, [2, 1, 2]],
    ['2026-03-09', 1, [1, 0]],
  ]);
});

test('first-time: an entity whose first start is before the range is in no cohort', () => {
  const rows: Row[] = [
    { id: 'f', e: signup, t: '2026-01-05T00:00:00Z' },
    { id: 'f', e: signup, t: '2026-02-10T00:00:00Z' },
    { id: 'f', e: purchase, t: '2026-02-20T00:00:00Z' },
  ];
  const section: CohortSection = { start: { event: signup }, return: { event: purchase }, period: 'week', periods: 3, range: { from: '2026-02-09', to: '2026-02-15' } };
  assert.deepEqual(table(run(rows, { ...section, type: 'first-time' })), [['2026-02-09', 0, [0, 0]]]);
  // Recurring, the February signup counts: week of 9 Feb, purchase on the 20th one week on (the
  // week after that has not begun by the 20th, the latest event).
  assert.deepEqual(table(run(rows, section)), [['2026-02-09', 1, [1, 1]]]);
});

// One day cohort (1 January): x comes back on days 1 and 3; y twice on day 2 and on day 7, past the
// last cell (periods 5: days 0–4); z never.
const modesRows: Row[] = [
  { id: 'x', e: 'lead', t: '2026-01-01T10:00:00Z' },
  { id: 'y', e: 'lead', t: '2026-01-01T11:00:00Z' },
  { id: 'z', e: 'lead', t: '2026-01-01T12:00:00Z' },
  { id: 'x', e: 'order', t: '2026-01-02T10:00:00Z' },
  { id: 'y', e: 'order', t: '2026-01-03T09:00:00Z' },
  { id: 'y', e: 'order', t: '2026-01-03T18:00:00Z' },
  { id: 'x', e: 'order', t: '2026-01-04T10:00:00Z' },
  { id: 'y', e: 'order', t: '2026-01-08T10:00:00Z' },
];
const modes = (mode: CohortSection['mode']) =>
  table(run(modesRows, { start: { event: 'lead' }, return: { event: 'order' }, period: 'day', periods: 5, mode, range: { from: '2026-01-01', to: '2026-01-01' } }))[0][2];

test('mode "on": members back in exactly that period, once each however often', () => {
  // day 1: x; day 2: y (twice, counted once); day 3: x; day 4: nobody. y's day 7 is past the last cell.
  assert.deepEqual(modes('on'), [3, 1, 1, 1, 0]);
  assert.deepEqual(modes(undefined), [3, 1, 1, 1, 0]);
});

test('mode "on-or-after": back in that period or a later one, within the cells shown', () => {
  // day 1: x (1, 3), y (2) → 2; day 2: x (3), y (2) → 2; day 3: x → 1; day 4: none (y's day 7 is not counted).
  assert.deepEqual(modes('on-or-after'), [3, 2, 2, 1, 0]);
});

test('mode "by": back in any period from 1 up to that one (cumulative)', () => {
  // day 1: x; by day 2: x, y; and so on.
  assert.deepEqual(modes('by'), [3, 1, 2, 2, 2]);
});

test('a return at the same instant as its start is period 0, and return may equal start', () => {
  const rows: Row[] = [
    { id: 'q', e: signup, t: '2026-01-01T10:00:00Z' },
    { id: 'q', e: purchase, t: '2026-01-01T10:00:00Z' },
    { id: 'p', e: 'visit', t: '2026-01-01T10:00:00Z' },
    { id: 'p', e: 'visit', t: '2026-01-01T10:00:00Z' },
    { id: 'p', e: 'visit', t: '2026-01-02T10:00:00Z' },
  ];
  const range = { from: '2026-01-01', to: '2026-01-02' };
  assert.deepEqual(table(run(rows, { start: { event: signup }, return: { event: purchase }, period: 'day', periods: 2, range })), [
    ['2026-01-01', 1, [1, 0]],
    ['2026-01-02', 0, [0]],
  ]);
  // Recurring visits: p is in the cohorts of 1 and 2 January; from the 1st it comes back on the 2nd.
  assert.deepEqual(table(run(rows, { start: { event: 'visit' }, return: { event: 'visit' }, period: 'day', periods: 2, range, asOf: '2026-01-05' })), [
    ['2026-01-01', 1, [1, 1]],
    ['2026-01-02', 1, [1, 0]],
  ]);
});

test('without return, any event is a return', () => {
  const rows: Row[] = [
    { id: 't', e: signup, t: '2026-01-01T00:00:00Z' },
    { id: 't', e: 'pageview', t: '2026-01-02T00:00:00Z' },
  ];
  assert.deepEqual(table(run(rows, { start: { event: signup }, period: 'day', periods: 2, range: { from: '2026-01-01', to: '2026-01-01' } })), [['2026-01-01', 1, [1, 1]]]);
});

test('start and return filters by field', () => {
  const rows: Row[] = [
    { id: 'w', e: signup, t: '2026-01-01T00:00:00Z', source: 'whitepaper' },
    { id: 'd', e: signup, t: '2026-01-01T00:00:00Z', source: 'demo' },
    { id: 'w', e: purchase, t: '2026-01-02T00:00:00Z', plan: 'pro' },
    { id: 'd', e: purchase, t: '2026-01-02T00:00:00Z', plan: 'free' },
  ];
  const vm = run(rows, { start: { event: signup, where: { source: 'whitepaper' } }, return: { event: purchase, where: { plan: ['pro', 'team'] } }, period: 'day', periods: 2, range: { from: '2026-01-01', to: '2026-01-01' } });
  assert.deepEqual(table(vm), [['2026-01-01', 1, [1, 1]]]);
});

// DST in New York begins on Sunday 8 March 2026 at 02:00. m signs up late on Saturday 7 March,
// buys just after midnight on Sunday 8 March (EST) and late on Sunday 15 March (EDT).
const dstRows: Row[] = [
  { id: 'm', e: signup, t: '2026-03-07T23:30:00-05:00' },
  { id: 'm', e: purchase, t: '2026-03-08T00:30:00-05:00' },
  { id: 'm', e: purchase, t: '2026-03-15T23:30:00-04:00' },
];
const dst = (timeZone: string, weekStart?: CohortSection['weekStart']) =>
  run(dstRows, { start: { event: signup }, return: { event: purchase }, period: 'week', periods: 3, weekStart, range: { from: '2026-03-07', to: '2026-03-07' }, asOf: '2026-04-01' }, { timeZone });

test('weeks are cut in the contract zone, across a DST change, from Monday or Sunday', () => {
  // Monday weeks in New York: signup and the first purchase in the week of 2 March (period 0); the
  // Sunday-night purchase on the 15th is still the week of 9 March (period 1).
  const monday = dst('America/New_York');
  assert.deepEqual(table(monday), [['2026-03-02', 1, [1, 1, 0]]]);
  assert.equal(monday.cohorts[0].start, Date.parse('2026-03-02T05:00:00Z'));
  // Sunday weeks: the signup's week began Sunday 1 March; the 8th starts the next week, the 15th the one after.
  assert.deepEqual(table(dst('America/New_York', 'sunday')), [['2026-03-01', 1, [1, 1, 1]]]);
  // The same instants in UTC: Sunday 04:30Z and 05:30Z are the week of 2 March, 16 March 03:30Z is a Monday.
  assert.deepEqual(table(dst('UTC')), [['2026-03-02', 1, [1, 0, 1]]]);
});

test('months are calendar months: a 31-day month, and a leap day', () => {
  const rows: Row[] = [
    { id: 'k', e: signup, t: '2024-01-31T12:00:00Z' },
    { id: 'k', e: purchase, t: '2024-02-29T12:00:00Z' }, // the next calendar month, though under 31 days later
    { id: 'k', e: purchase, t: '2024-03-31T12:00:00Z' },
    { id: 'j', e: signup, t: '2024-01-15T12:00:00Z' },
    { id: 'j', e: purchase, t: '2024-02-01T00:00:00Z' },
  ];
  assert.deepEqual(table(run(rows, { start: { event: signup }, return: { event: purchase }, period: 'month', periods: 3, range: { from: '2024-01-01', to: '2024-01-31' } })), [['2024-01-01', 2, [2, 2, 1]]]);
  // Days over the leap day: 28 Feb → 29 Feb is one day, 1 March two.
  const days: Row[] = [
    { id: 'l', e: signup, t: '2024-02-28T08:00:00Z' },
    { id: 'l', e: purchase, t: '2024-02-29T08:00:00Z' },
    { id: 'l', e: purchase, t: '2024-03-01T08:00:00Z' },
  ];
  assert.deepEqual(table(run(days, { start: { event: signup }, return: { event: purchase }, period: 'day', periods: 3, range: { from: '2024-02-28', to: '2024-02-28' } })), [['2024-02-28', 1, [1, 1, 1]]]);
});

test('hours in the contract zone, labelled with their hour', () => {
  const rows: Row[] = [
    { id: 'h', e: signup, t: '2026-03-01T09:15:00+08:00' },
    { id: 'h', e: purchase, t: '2026-03-01T10:59:00+08:00' },
    { id: 'h', e: purchase, t: '2026-03-01T12:00:00+08:00' },
  ];
  const vm = run(rows, { start: { event: signup }, return: { event: purchase }, period: 'hour', periods: 4, range: { from: '2026-03-01T09:00', to: '2026-03-01T09:30' } }, { timeZone: 'Asia/Shanghai' });
  assert.deepEqual(table(vm), [['2026-03-01T09:00', 1, [1, 1, 0, 1]]]);
});

test('cells of periods not begun by asOf are absent; those ending after it are incomplete', () => {
  const vm = run(weekly, { ...weeklySection, periods: 4, asOf: '2026-03-11T12:00:00Z' });
  // Week 1's cohort: week 1 complete, week 2 (ends 16 March) incomplete, week 3 not begun.
  assert.deepEqual(vm.cohorts.map((c) => c.cells.map((x) => x.incomplete)), [[false, true], [true]]);
});

test('rates: of the cohort, and of the previous period', () => {
  const cells = run(weekly, weeklySection).cohorts[0].cells;
  assert.deepEqual(cells.map((c) => c.rate), [1, 0.5, 1]);
  assert.deepEqual(cells.map((c) => c.ratePrevious), [null, 0.5, 2]);
  // The entities behind each cell, for drill-down.
  assert.deepEqual(cells.map((c) => c.entityIds), [['a', 'b'], ['a'], ['a', 'b']]);
});

test('mean rows over complete cells: weighted by cohort size, and simple', () => {
  const rows: Row[] = [
    ...['a', 'b', 'c', 'd'].map((id) => ({ id, e: signup, t: '2026-01-01T00:00:00Z' })),
    { id: 'a', e: purchase, t: '2026-01-02T00:00:00Z' },
    { id: 'b', e: purchase, t: '2026-01-02T00:00:00Z' },
    { id: 'e', e: signup, t: '2026-01-02T00:00:00Z' },
    { id: 'e', e: purchase, t: '2026-01-03T00:00:00Z' },
    { id: 'f', e: signup, t: '2026-01-03T00:00:00Z' },
    { id: 'f', e: purchase, t: '2026-01-04T06:00:00Z' },
  ];
  const vm = run(rows, { start: { event: signup }, return: { event: purchase }, period: 'day', periods: 2, range: { from: '2026-01-01', to: '2026-01-03' }, asOf: '2026-01-04T12:00:00Z' });
  // Period 1: 1 Jan 2 of 4, 2 Jan 1 of 1; 3 Jan's day 1 (4 Jan) is still open and left out.
  // Weighted (2 + 1) / (4 + 1) = 0.6; simple (0.5 + 1) / 2 = 0.75.
  assert.deepEqual(vm.mean[1], { period: 1, rate: 0.6, simpleRate: 0.75, count: 3, base: 5, cohorts: 2 });
  assert.deepEqual(vm.mean[0], { period: 0, rate: 1, simpleRate: 1, count: 6, base: 6, cohorts: 3 });
});

test('revenue: sums of the value field on return events, period 0 the start period', () => {
  const rows: Row[] = [
    { id: 's1', e: signup, t: '2026-01-01T00:00:00Z' },
    { id: 's1', e: purchase, t: '2026-01-10T00:00:00Z', v: 100 },
    { id: 's1', e: purchase, t: '2026-02-03T00:00:00Z', v: 50 },
    { id: 's1', e: purchase, t: '2026-02-20T00:00:00Z', v: 25 },
    { id: 's1', e: purchase, t: '2026-03-05T00:00:00Z', v: 10 },
    { id: 's2', e: signup, t: '2026-01-20T00:00:00Z', v: 'n/a' }, // not a return event: not read
    { id: 's2', e: purchase, t: '2026-03-01T00:00:00Z', v: 40 },
  ];
  const revenue = (mode: CohortSection['mode']) =>
    run(rows, { start: { event: signup }, return: { event: purchase }, period: 'month', periods: 3, mode, value: { measure: 'sum' }, range: { from: '2026-01-01', to: '2026-01-31' } }).cohorts[0];
  // January 100; February 50 + 25; March 10 + 40.
  assert.deepEqual(revenue('on').cells.map((c) => c.count), [100, 75, 50]);
  assert.deepEqual(revenue('on').cells.map((c) => c.rate), [1, 0.75, 0.5]);
  assert.equal(revenue('on').size, 2);
  assert.deepEqual(revenue('by').cells.map((c) => c.count), [100, 75, 125]);
  assert.deepEqual(revenue('on-or-after').cells.map((c) => c.count), [100, 125, 50]);
});

test('breakdown: cohorts per value of the start event, top groups by size, the rest as Other', () => {
  const rows: Row[] = [
    ...['w1', 'w2', 'w3'].map((id) => ({ id, e: signup, t: '2026-01-01T00:00:00Z', source: 'web' })),
    ...['a1', 'a2'].map((id) => ({ id, e: signup, t: '2026-01-01T00:00:00Z', source: 'ads' })),
    { id: 'm1', e: signup, t: '2026-01-01T00:00:00Z', source: 'email' },
    { id: 'n1', e: signup, t: '2026-01-01T00:00:00Z' },
    // The return's own source does not move w1 out of "web".
    { id: 'w1', e: purchase, t: '2026-01-02T00:00:00Z', source: 'ads' },
    { id: 'm1', e: purchase, t: '2026-01-02T00:00:00Z' },
  ];
  const section = (limit: number): CohortSection => ({ start: { event: signup }, return: { event: purchase }, period: 'day', periods: 2, range: { from: '2026-01-01', to: '2026-01-01' }, asOf: '2026-01-05', breakdown: { field: 'source', limit } });
  const groups = (limit: number) => run(rows, section(limit)).breakdown!.map((g) => [g.value, ...table(g)[0].slice(1)]);
  assert.deepEqual(groups(2), [
    ['web', 3, [3, 1]],
    ['ads', 2, [2, 0]],
    ['Other', 2, [2, 1]],
  ]);
  // Ties (1 each) go by name: the missing value ('') before "email".
  assert.deepEqual(groups(3), [
    ['web', 3, [3, 1]],
    ['ads', 2, [2, 0]],
    ['', 1, [1, 0]],
    ['Other', 1, [1, 1]],
  ]);
  // The overall cohorts are everyone's.
  assert.deepEqual(table(run(rows, section(2))), [['2026-01-01', 7, [7, 2]]]);
});

test('pre-aggregated cohorts are taken as given', () => {
  const vm = computeCohorts({
    version: 1,
    kind: 'cohort',
    data: { rows: [] },
    fields: {},
    cohort: { period: 'week', cohorts: [{ cohort: '2026-03-02', size: 10, values: [10, 4, 2] }, { cohort: '2026-03-09', size: 5, values: [5, 1] }] },
  } as InlineContract<CohortContract>);
  assert.equal(vm.aggregated, true);
  assert.equal(vm.periods, 3);
  assert.deepEqual(vm.cohorts[0].cells.map((c) => [c.rate, c.ratePrevious, c.incomplete]), [[1, null, false], [0.4, 0.4, false], [0.2, 0.5, false]]);
  // Period 1: (4 + 1) / (10 + 5).
  assert.equal(vm.mean[1].rate, 1 / 3);
  assert.equal(vm.cohorts[0].cells[0].entityIds, undefined);
});

test('contract errors name their paths', () => {
  const at = (path: string) => (e: unknown) => e instanceof ContractError && e.path === path;
  const section: CohortSection = { start: { event: signup }, period: 'day' };
  assert.throws(() => run(weekly, { ...section, breakdown: { field: 'source' } }), at('/cohort/breakdown/field'));
  assert.throws(() => run(weekly, { ...section, start: { event: signup, where: { plan: 'pro' } } }), at('/cohort/start/where/plan'));
  assert.throws(() => run(weekly, { ...section, value: { measure: 'sum' } }, { fields: { entity: 'id', time: 't', event: 'e' } }), at('/fields/value'));
  assert.throws(() => run(weekly, { ...section, range: { from: '1990-01-01' }, period: 'hour' }), at('/cohort/range'));
  assert.throws(() => run(weekly, { ...section, startEvent: 'signup' } as never), at('/cohort/startEvent'));
});
