// The anomaly engine: each rule and state transition, worked out by hand (Grafana's semantics,
// Prometheus's where both have them), then series from raw events per grain, in zones with DST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeAnomalies, contractIssues, ContractError } from '../../src/analytics/index.js';
import type { AnomalyContract, AnomalyRule, Cell } from '../../src/analytics/contract.js';
import type { AnomalyViewModel } from '../../src/analytics/anomaly/view-model.js';

const day = (i: number) => `2026-03-${String(i + 1).padStart(2, '0')}`;
/** A contract over given daily points from 1 March. */
const given = (values: Array<number | null>, rules: AnomalyRule[], extra: Partial<AnomalyContract['anomaly']> = {}): AnomalyContract => ({
  version: 1,
  kind: 'anomaly',
  anomaly: { grain: 'day', points: values.map((value, i) => ({ t: day(i), value })), rules, ...extra },
});
const run = (values: Array<number | null>, rule: AnomalyRule, extra: Partial<AnomalyContract['anomaly']> = {}) => computeAnomalies(given(values, [{ id: 'r', ...rule }], extra));
const evals = (vm: AnomalyViewModel, rule = 0) => vm.series[0].points.map((p) => p.rules[rule]);
const breaches = (vm: AnomalyViewModel) => evals(vm).map((e) => e.breach);
const states = (vm: AnomalyViewModel) => evals(vm).map((e) => e.state);
const at = (path: string, detail?: RegExp) => (e: unknown) => e instanceof ContractError && e.path === path && (!detail || detail.test(e.detail));

// ── Threshold steps ──────────────────────────────────────────────────────────────────────────
const tiers: AnomalyRule = {
  type: 'threshold',
  // Given out of order: sorted by value, the lowest the base.
  steps: [
    { value: 5000, color: 'red', severity: 'critical' },
    { value: null, color: 'green' },
    { value: 2000, color: '#EAB839', severity: 'warning' },
  ],
};

test('threshold steps: a value takes the last step it is greater than or equal to', () => {
  const vm = run([1999.99, 2000, 4999, 5000, 7000], tiers);
  assert.deepEqual(evals(vm).map((e) => [e.step, e.color, e.severity, e.breach]), [
    [0, 'green', null, false],
    [1, '#EAB839', 'warning', true],
    [1, '#EAB839', 'warning', true],
    [2, 'red', 'critical', true],
    [2, 'red', 'critical', true],
  ]);
  // Steps come back sorted, the base's value null (−∞), for drawing.
  const rule = vm.rules[0];
  assert.ok(rule.type === 'threshold');
  assert.deepEqual(rule.steps!.map((s) => s.value), [null, 2000, 5000]);
  assert.deepEqual(vm.series[0].steps.map((s) => [s.from, s.to, s.color]), [
    [null, 2000, 'green'],
    [2000, 5000, '#EAB839'],
    [5000, null, 'red'],
  ]);
});

test('threshold steps: the lowest step is the base whatever value it was given', () => {
  const vm = run([-100, 10, 60], { type: 'threshold', steps: [{ value: 0, color: 'blue' }, { value: 50, color: 'red', severity: 'critical' }] });
  assert.deepEqual(evals(vm).map((e) => e.color), ['blue', 'blue', 'red']);
});

test('threshold steps in percentage mode place the value between the series min and max', () => {
  // min 10, max 60: 10 → 0%, 35 → 50%, 40 → 60%, 60 → 100%; null is skipped.
  const rule: AnomalyRule = { type: 'threshold', mode: 'percentage', steps: [{ value: null, color: 'green' }, { value: 50, color: 'orange', severity: 'warning' }, { value: 100, color: 'red', severity: 'critical' }] };
  const vm = run([10, 35, null, 40, 60], rule);
  assert.deepEqual(evals(vm).map((e) => e.position), [0, 50, null, 60, 100]);
  assert.deepEqual(evals(vm).map((e) => e.severity), [null, 'warning', null, 'warning', 'critical']);
  // The steps are drawn on the series' own scale: 50% of 10…60 is 35.
  assert.deepEqual(vm.series[0].steps.map((s) => [s.from, s.to]), [
    [null, 35],
    [35, 60],
    [60, null],
  ]);
  // A flat series sits at 0%.
  assert.deepEqual(evals(run([7, 7, 7], rule)).map((e) => e.position), [0, 0, 0]);
});

// ── Bounds ───────────────────────────────────────────────────────────────────────────────────
test('bounds: > and < are strict, >= and <= include the value, within and outside exclude both ends', () => {
  const values = [9, 10, 11, 20, 21];
  const check = (bound: Extract<AnomalyRule, { type: 'threshold' }>['bound']) => breaches(run(values, { type: 'threshold', bound }));
  assert.deepEqual(check({ op: '>', value: 10 }), [false, false, true, true, true]);
  assert.deepEqual(check({ op: '>=', value: 10 }), [false, true, true, true, true]);
  assert.deepEqual(check({ op: '<', value: 10 }), [true, false, false, false, false]);
  assert.deepEqual(check({ op: '<=', value: 10 }), [true, true, false, false, false]);
  assert.deepEqual(check({ op: 'within', low: 10, high: 20 }), [false, false, true, false, false]);
  assert.deepEqual(check({ op: 'outside', low: 10, high: 20 }), [true, false, false, false, true]);
});

// ── Change ───────────────────────────────────────────────────────────────────────────────────
test('change: percent is (cur − prev) / |prev| × 100, and a drop of exactly the threshold is no breach', () => {
  const vm = run([100, 90, 80.9, 81], { type: 'change', direction: 'drop', threshold: 10 });
  const changes = evals(vm).map((e) => e.change);
  assert.equal(changes[0], null);
  assert.equal(changes[1], -10);
  assert.ok(Math.abs(changes[2]! - -10.1111111) < 1e-6);
  assert.deepEqual(breaches(vm), [false, false, true, false]);
});

test('change: a drop of exactly the threshold in decimal data is no breach despite floating point', () => {
  // (0.99 − 1.1) / 1.1 × 100 computes as −10.000000000000007; 0.99 → 0.89 is −10.1%.
  const vm = run([1.1, 0.99, 0.89], { type: 'change', direction: 'drop', threshold: 10 });
  assert.ok(evals(vm)[1].change! < -10);
  assert.deepEqual(breaches(vm), [false, false, true]);
});

test('change: a negative base divides by its magnitude; rise, drop and both', () => {
  // −50 → −40: (−40 − −50) / 50 × 100 = +20%.
  const vm = run([-50, -40], { type: 'change', direction: 'rise', threshold: 15 });
  assert.equal(evals(vm)[1].change, 20);
  assert.deepEqual(breaches(vm), [false, true]);
  assert.deepEqual(breaches(run([-50, -40], { type: 'change', direction: 'drop', threshold: 15 })), [false, false]);
  assert.deepEqual(breaches(run([100, 120, 100, 80], { type: 'change', direction: 'both', threshold: 16 })), [false, true, true, true]);
});

test('change: no previous point, a null one or a zero base in percent units is a clean evaluation', () => {
  const vm = run([0, 5, null, 9, 1], { type: 'change', direction: 'both', threshold: 10, noData: 'ok' });
  assert.deepEqual(evals(vm).map((e) => e.change), [null, null, null, null, (1 - 9) / 9 * 100]);
  assert.deepEqual(breaches(vm), [false, false, false, false, true]);
  // In absolute units a zero base is fine: 0 → 5 is +5.
  const abs = run([0, 5, 4], { type: 'change', unit: 'absolute', direction: 'rise', threshold: 4 });
  assert.deepEqual(evals(abs).map((e) => e.change), [null, 5, -1]);
  assert.deepEqual(breaches(abs), [false, true, false]);
});

test('change: lag 7 compares with the same weekday a week before', () => {
  const values = [100, 1, 1, 1, 1, 1, 1, 80, 1];
  const vm = run(values, { type: 'change', lag: 7, direction: 'drop', threshold: 10 });
  assert.deepEqual(evals(vm).map((e) => e.change), [null, null, null, null, null, null, null, -20, 0]);
  assert.deepEqual(breaches(vm), [false, false, false, false, false, false, false, true, false]);
});

// ── Band ─────────────────────────────────────────────────────────────────────────────────────
test('band mean-stddev: the window is the points before, never the point itself; σ is the population one', () => {
  // Window [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population σ 2 (the sample σ would be 2.14).
  const base = [2, 4, 4, 4, 5, 5, 7, 9];
  const vm = run([...base, 11, 11.01], { type: 'band', window: 8, minWindow: 8, k: 3 });
  const e = evals(vm)[8];
  assert.deepEqual([e.expected, e.lower, e.upper], [5, -1, 11]);
  // 11 sits on the edge: inside.
  assert.equal(e.breach, false);
  // The next window drops the 2 and takes the 11: [4,4,4,5,5,7,9,11], mean 6.125.
  const next = evals(vm)[9];
  assert.equal(next.expected, 6.125);
  const sd = Math.sqrt([4, 4, 4, 5, 5, 7, 9, 11].reduce((s, v) => s + (v - 6.125) ** 2, 0) / 8);
  assert.ok(Math.abs(next.upper! - (6.125 + 3 * sd)) < 1e-12);
  assert.equal(next.breach, false);
  // Were the point in its own window, 11.01 would be judged against itself.
  assert.deepEqual(breaches(run([...base, 11.01], { type: 'band', window: 8, minWindow: 8, k: 3 })).slice(-1), [true]);
});

test('band median-mad: raw MAD, the even median the mean of the middle two, nulls skipped', () => {
  // Window [1, 2, null, 3, 4, 100]: values 1, 2, 3, 4, 100 → median 3; deviations 2, 1, 0, 1, 97 → MAD 1.
  const vm = run([1, 2, null, 3, 4, 100, 6.5, 5], { type: 'band', method: 'median-mad', window: 6, minWindow: 5, k: 3, noData: 'ok' });
  const e = evals(vm)[6];
  assert.deepEqual([e.expected, e.lower, e.upper], [3, 0, 6]);
  assert.equal(e.breach, true);
  // Next window [2, null, 3, 4, 100, 6.5]: median of 2, 3, 4, 6.5, 100 is 4; deviations 2, 1, 0, 2.5, 96 → MAD 2.
  const even = evals(vm)[7];
  assert.deepEqual([even.expected, even.lower, even.upper], [4, -2, 10]);
  // Even count: window 4 over [1, 2, 3, 4] → median 2.5; deviations 1.5, .5, .5, 1.5 → MAD 1.
  const four = evals(run([1, 2, 3, 4, 9], { type: 'band', method: 'median-mad', window: 4, minWindow: 4, k: 2 }))[4];
  assert.deepEqual([four.expected, four.lower, four.upper, four.breach], [2.5, 0.5, 4.5, true]);
});

test('band: fewer than minWindow values means no band and a clean point', () => {
  const vm = run([10, null, 10, 1000], { type: 'band', window: 3, minWindow: 3, k: 1, noData: 'ok' });
  // The window of the 1000 holds 10, null, 10: two values, short of three.
  assert.deepEqual(evals(vm).map((e) => e.expected), [null, null, null, null]);
  assert.deepEqual(breaches(vm), [false, false, false, false]);
});

test('band direction: above or below only', () => {
  const rule = { type: 'band', window: 3, minWindow: 3, k: 1 } as const;
  assert.deepEqual(breaches(run([1, 2, 3, 10, 1, 2, 3, -10], { ...rule, direction: 'above' })), [false, false, false, true, false, false, false, false]);
  assert.deepEqual(breaches(run([1, 2, 3, 10, 1, 2, 3, -10], { ...rule, direction: 'below' })).slice(-1), [true]);
});

// ── State over time ──────────────────────────────────────────────────────────────────────────
const above = (extra: Partial<AnomalyRule> = {}) => ({ type: 'threshold', bound: { op: '>', value: 10 }, ...extra }) as AnomalyRule;
const B = 20; // breaches
const C = 5; // clean

test('for = N: the first N consecutive breaches are pending and the (N+1)-th fires', () => {
  assert.deepEqual(states(run([C, B, B, B, C], above({ for: 2 }))), ['normal', 'pending', 'pending', 'alerting', 'normal']);
  // One breach short: never fires.
  assert.deepEqual(states(run([B, B, C, B], above({ for: 2 }))), ['pending', 'pending', 'normal', 'pending']);
  // for 0 fires at once.
  assert.deepEqual(states(run([C, B, C], above())), ['normal', 'alerting', 'normal']);
});

test('keepFiringFor = K: the first K clean points recover, the (K+1)-th is normal; a breach while recovering fires again', () => {
  assert.deepEqual(states(run([B, C, C, C], above({ keepFiringFor: 2 }))), ['alerting', 'recovering', 'recovering', 'normal']);
  assert.deepEqual(states(run([B, C, B, C, C, C], above({ keepFiringFor: 2 }))), ['alerting', 'recovering', 'alerting', 'recovering', 'recovering', 'normal']);
  // for and keepFiringFor are independent: after recovery, the pending count starts afresh.
  assert.deepEqual(states(run([B, B, C, B, B, C, C], above({ for: 1, keepFiringFor: 1 }))), ['pending', 'alerting', 'recovering', 'alerting', 'alerting', 'recovering', 'normal']);
  assert.deepEqual(states(run([B, B, C, C, B, B], above({ for: 1, keepFiringFor: 1 }))), ['pending', 'alerting', 'recovering', 'normal', 'pending', 'alerting']);
});

test('durations round up to whole periods of the grain', () => {
  const hourly = (rule: AnomalyRule) =>
    computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { grain: 'hour', points: [B, B, B, C].map((value, i) => ({ t: `2026-03-01T0${i}:00:00Z`, value })), rules: [rule] } });
  // 15 minutes on an hourly series is one period; 61 minutes two; "2h" two.
  assert.equal(hourly(above({ for: '15m' })).rules[0].for, 1);
  assert.equal(hourly(above({ for: '61m' })).rules[0].for, 2);
  assert.deepEqual(states(hourly(above({ for: '2h', keepFiringFor: '30m' }))), ['pending', 'pending', 'alerting', 'recovering']);
  assert.equal(run([B], above({ for: '3d' })).rules[0].for, 3);
  assert.equal(run([B], above({ for: '36h' })).rules[0].for, 2);
});

test('noData "nodata": the state is nodata, and the next breach starts pending again', () => {
  assert.deepEqual(states(run([B, B, null, B, B, B], above({ for: 1 }))), ['pending', 'alerting', 'nodata', 'pending', 'alerting', 'alerting']);
  const vm = run([B, B, null, B, B, B], above({ for: 1 }));
  // No data never breaches.
  assert.deepEqual(breaches(vm), [true, true, false, true, true, true]);
  assert.deepEqual(vm.alerts.map((a) => [a.start, a.end]), [
    [day(4), null],
    [day(1), day(1)],
  ]);
});

test('noData "alerting": a missing point counts as a breach, honouring for', () => {
  assert.deepEqual(states(run([C, null, null, null, C], above({ for: 2, noData: 'alerting' }))), ['normal', 'pending', 'pending', 'alerting', 'normal']);
  const vm = run([C, null, C], above({ noData: 'alerting', severity: 'critical' }));
  assert.deepEqual(states(vm), ['normal', 'alerting', 'normal']);
  // Fired on no data alone: the interval carries the rule's severity and its one point as the peak.
  assert.deepEqual(vm.alerts.map((a) => [a.severity, a.peak.period, a.peak.value]), [['critical', day(1), null]]);
});

test('noData "ok": a missing point counts as clean', () => {
  assert.deepEqual(states(run([B, B, null, B], above({ for: 1, noData: 'ok' }))), ['pending', 'alerting', 'normal', 'pending']);
  assert.deepEqual(states(run([B, null, null, B], above({ keepFiringFor: 1, noData: 'ok' }))), ['alerting', 'recovering', 'normal', 'alerting']);
});

test('noData "keep-last": firing stays firing; pending fires only once for has elapsed; otherwise clean', () => {
  assert.deepEqual(states(run([B, null, null, C], above({ noData: 'keep-last' }))), ['alerting', 'alerting', 'alerting', 'normal']);
  // for 2: two breaches pending; the gap is the third period, so for has elapsed and it fires.
  assert.deepEqual(states(run([B, B, null, C], above({ for: 2, noData: 'keep-last' }))), ['pending', 'pending', 'alerting', 'normal']);
  // One breach pending: for has not elapsed, so the gap is clean and pending ends.
  assert.deepEqual(states(run([B, null, B, B], above({ for: 2, noData: 'keep-last' }))), ['pending', 'normal', 'pending', 'pending']);
  assert.deepEqual(states(run([C, null, B], above({ noData: 'keep-last' }))), ['normal', 'normal', 'alerting']);
});

// ── Intervals, current states, the overall state ─────────────────────────────────────────────
test('alert intervals: start, end or open, the worst severity and the peak; newest first', () => {
  const vm = run([1000, 2500, 6000, 3000, 1000, 1500, 2100, 2200], { ...tiers, name: 'Cost per lead', keepFiringFor: 1 });
  assert.deepEqual(states(vm), ['normal', 'alerting', 'alerting', 'alerting', 'recovering', 'normal', 'alerting', 'alerting']);
  assert.deepEqual(
    vm.alerts.map((a) => ({ name: a.name, severity: a.severity, start: a.start, end: a.end, peak: a.peak.value })),
    [
      { name: 'Cost per lead', severity: 'warning', start: day(6), end: null, peak: 2200 },
      { name: 'Cost per lead', severity: 'critical', start: day(1), end: day(4), peak: 6000 },
    ],
  );
  const closed = vm.alerts[1];
  assert.equal(closed.from, Date.UTC(2026, 2, 2));
  assert.equal(closed.to, Date.UTC(2026, 2, 6), 'the interval ends when its last firing period does');
  assert.equal(vm.alerts[0].to, null);
  assert.deepEqual(vm.series[0].now, [{ rule: 'r', state: 'alerting', severity: 'warning' }]);
  assert.equal(vm.state, 'alerting');
  assert.equal(vm.severity, 'warning');
});

test('the overall state is the worst of every rule: alerting, recovering, pending, nodata, normal', () => {
  const rules: AnomalyRule[] = [
    { id: 'quiet', type: 'threshold', bound: { op: '>', value: 1000 } },
    { id: 'waiting', type: 'threshold', bound: { op: '>', value: 10 }, for: 5 },
    { id: 'firing', type: 'threshold', bound: { op: '>', value: 10 }, severity: 'critical' },
  ];
  const vm = computeAnomalies(given([5, 20, 30], rules));
  assert.deepEqual(vm.rules.map((r) => [r.id, r.state, r.severityNow]), [
    ['quiet', 'normal', null],
    ['waiting', 'pending', null],
    ['firing', 'alerting', 'critical'],
  ]);
  assert.deepEqual([vm.state, vm.severity], ['alerting', 'critical']);
  const pendingOnly = computeAnomalies(given([5, 20, 30], rules.slice(0, 2)));
  assert.deepEqual([pendingOnly.state, pendingOnly.severity], ['pending', null]);
  assert.equal(computeAnomalies(given([5, null], rules.slice(0, 1))).state, 'nodata');
  assert.equal(computeAnomalies(given([5, 6], [])).state, 'normal');
});

test('DOMAIN: daily lead conversion falling more than 10% day over day fires on that day only', () => {
  // 13.1% → 13.4% → 11.5% (−14.2%) → 11.6% → 10.44% (−10.0%, exactly: not more than 10%).
  const vm = run([0.131, 0.134, 0.115, 0.116, 0.1044], { type: 'change', direction: 'drop', threshold: 10, severity: 'critical', name: 'Lead conversion' });
  assert.deepEqual(breaches(vm), [false, false, true, false, false]);
  assert.ok(Math.abs(evals(vm)[2].change! - ((0.115 - 0.134) / 0.134) * 100) < 1e-12);
  assert.deepEqual(vm.alerts.map((a) => [a.start, a.end, a.severity]), [[day(2), day(2), 'critical']]);
  assert.equal(vm.state, 'normal');
});

// ── Series from points ───────────────────────────────────────────────────────────────────────
test('given points: gaps on the grain are no data, never zero; without a grain each point stands alone', () => {
  const points = [
    { t: '2026-03-01', value: 1 },
    { t: '2026-03-04', value: 4 },
    { t: '2026-03-02', value: null },
  ];
  const vm = computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { grain: 'day', points, rules: [] } });
  assert.deepEqual(vm.series[0].points.map((p) => [p.period, p.value]), [
    ['2026-03-01', 1],
    ['2026-03-02', null],
    ['2026-03-03', null],
    ['2026-03-04', 4],
  ]);
  const loose = computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { points, rules: [] } });
  assert.equal(loose.grain, null);
  assert.deepEqual(loose.series[0].points.map((p) => [p.period, p.value]), [
    ['2026-03-01', 1],
    ['2026-03-02', null],
    ['2026-03-04', 4],
  ]);
  // Minutes apart, without a grain: labels keep the time, and "5m" is one step of 5 minutes.
  const minutes = computeAnomalies({
    version: 1,
    kind: 'anomaly',
    anomaly: { points: [0, 5, 10].map((m) => ({ t: `2026-03-01T10:${String(m).padStart(2, '0')}:00Z`, value: m })), rules: [above({ for: '9m' })] },
  });
  assert.deepEqual(minutes.series[0].points.map((p) => p.period), ['2026-03-01T10:00', '2026-03-01T10:05', '2026-03-01T10:10']);
  assert.equal(minutes.rules[0].for, 2);
});

test('given points: several series by name, and one period given twice is an error at its path', () => {
  const vm = computeAnomalies({
    version: 1,
    kind: 'anomaly',
    anomaly: {
      grain: 'day',
      points: [
        { t: '2026-03-01', value: 1, series: 'iOS' },
        { t: '2026-03-01', value: 2, series: 'Android' },
        { t: '2026-03-02', value: 30, series: 'iOS' },
      ],
      rules: [{ id: 'hi', type: 'threshold', bound: { op: '>', value: 10 } }],
    },
  });
  assert.deepEqual(vm.series.map((s) => [s.key, s.points.map((p) => p.value), s.state]), [
    ['iOS', [1, 30], 'alerting'],
    ['Android', [2], 'normal'],
  ]);
  assert.deepEqual(vm.alerts.map((a) => a.series), ['iOS']);
  const twice = given([1, 2], []);
  twice.anomaly.points!.push({ t: '2026-03-02T15:00:00Z', value: 3 });
  assert.throws(() => computeAnomalies(twice), at('/anomaly/points/2/t', /repeats the day of \/anomaly\/points\/1/));
});

test('contract errors name their path', () => {
  assert.throws(() => computeAnomalies(given([1], [{ id: 'a', type: 'band' }, { id: 'a', type: 'band' }])), at('/anomaly/rules/1/id'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'threshold', steps: [{ value: null }], bound: { op: '>', value: 1 } }])), at('/anomaly/rules/0'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'threshold' }])), at('/anomaly/rules/0'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'threshold', bound: { op: 'within', low: 5, high: 1 } }])), at('/anomaly/rules/0/bound'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'band', window: 3, minWindow: 5 }])), at('/anomaly/rules/0/minWindow'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'change', threshold: 10, for: 'soon' } as AnomalyRule])), at('/anomaly/rules/0/for'));
  assert.throws(() => computeAnomalies(given([1], [{ type: 'change' } as AnomalyRule])), at('/anomaly/rules/0/threshold'));
  // Events need data and fields; given points do not.
  assert.throws(() => computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { rules: [] } }), at('/data'));
  assert.throws(() => computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { points: [{ t: 'soon', value: 1 }] } }), at('/anomaly/points/0/t'));
});

test('the view model is plain JSON', () => {
  const vm = run([1, 2, null, 4, 50], { type: 'band', window: 3, minWindow: 2, k: 1 });
  assert.deepEqual(JSON.parse(JSON.stringify(vm)), vm);
});

// ── Series from raw events ───────────────────────────────────────────────────────────────────
const events = (rows: Array<Record<string, Cell>>, anomaly: AnomalyContract['anomaly'], timeZone = 'UTC'): AnomalyContract => ({
  version: 1,
  kind: 'anomaly',
  timeZone,
  data: { rows },
  fields: { time: 't', entity: 'who', event: 'e', value: 'v' },
  anomaly,
});
const series = (vm: AnomalyViewModel, i = 0) => vm.series[i].points.map((p) => [p.period, p.value]);

test('measures per day: count, distinct, sum, mean, median, ratio; empty days 0 for counts and sums, null for the rest', () => {
  const rows = [
    { t: '2026-03-01T09:00:00Z', who: 'a', e: 'visit', v: 10 },
    { t: '2026-03-01T10:00:00Z', who: 'a', e: 'visit', v: 20 },
    { t: '2026-03-01T11:00:00Z', who: 'b', e: 'order', v: 60 },
    { t: '2026-03-03T09:00:00Z', who: 'c', e: 'visit', v: 5 },
    { t: '2026-03-03T09:30:00Z', who: 'c', e: 'order', v: 1 },
    { t: '2026-03-03T10:00:00Z', who: 'd', e: 'visit', v: 3 },
  ];
  const of = (measure: NonNullable<AnomalyContract['anomaly']['measure']>) => series(computeAnomalies(events(rows, { measure, rules: [] })));
  assert.deepEqual(of({ op: 'count' }), [['2026-03-01', 3], ['2026-03-02', 0], ['2026-03-03', 3]]);
  assert.deepEqual(of({ op: 'distinct' }), [['2026-03-01', 2], ['2026-03-02', 0], ['2026-03-03', 2]]);
  assert.deepEqual(of({ op: 'sum' }), [['2026-03-01', 90], ['2026-03-02', 0], ['2026-03-03', 9]]);
  assert.deepEqual(of({ op: 'mean' }), [['2026-03-01', 30], ['2026-03-02', null], ['2026-03-03', 3]]);
  assert.deepEqual(of({ op: 'median', filter: { event: 'visit' } }), [['2026-03-01', 15], ['2026-03-02', null], ['2026-03-03', 4]]);
  // Orders per visit: 1/2 on the 1st, nothing to divide by on the 2nd, 1/2 on the 3rd.
  const ratio = computeAnomalies(events(rows, { measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'order' } }, denominator: { op: 'count', filter: { event: 'visit' } } }, rules: [] }));
  assert.deepEqual(series(ratio), [['2026-03-01', 0.5], ['2026-03-02', null], ['2026-03-03', 0.5]]);
  // A ratio is a rate: drawn in percent unless the contract says otherwise.
  assert.equal(ratio.format.style, 'percent');
});

test('split: one series per value, the largest by rows, the rest as Other', () => {
  const rows: Array<Record<string, Cell>> = [];
  const add = (src: string, n: number) => {
    for (let i = 0; i < n; i++) rows.push({ t: `2026-03-0${1 + (i % 2)}T08:00:00Z`, who: `${src}${i}`, e: 'lead', v: 1, src });
  };
  add('web', 5);
  add('fair', 4);
  add('ads', 2);
  add('mail', 1);
  rows.push({ t: '2026-03-02T09:00:00Z', who: 'x', e: 'lead', v: 1, src: null });
  const vm = computeAnomalies(events(rows, { measure: { op: 'count' }, split: { field: 'src', limit: 2 }, rules: [{ type: 'threshold', bound: { op: '>', value: 2 } }] }));
  assert.equal(vm.split, 'src');
  assert.deepEqual(vm.series.map((s) => [s.key, s.other, s.points.map((p) => p.value)]), [
    ['web', false, [3, 2]],
    ['fair', false, [2, 2]],
    // ads 1 + 1, mail 1 + 0, the missing source 0 + 1.
    ['Other', true, [2, 2]],
  ]);
  assert.deepEqual(vm.alerts.map((a) => [a.series, a.start]), [['web', '2026-03-01']]);
  assert.equal(vm.rows, 13);
});

test('grains: minute, hour, week (from Monday) and month, cut in the contract zone', () => {
  const rows = [
    { t: '2026-03-01T10:00:10Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-01T10:00:50Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-01T10:02:00Z', who: 'a', e: 'x', v: 1 },
  ];
  assert.deepEqual(series(computeAnomalies(events(rows, { grain: 'minute', rules: [] }))), [
    ['2026-03-01T10:00', 2],
    ['2026-03-01T10:01', 0],
    ['2026-03-01T10:02', 1],
  ]);
  // Shanghai is UTC+8: 16:30Z on 1 March is 00:30 on 2 March there.
  const late = [
    { t: '2026-03-01T15:30:00Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-01T16:30:00Z', who: 'a', e: 'x', v: 1 },
  ];
  assert.deepEqual(series(computeAnomalies(events(late, { grain: 'day', rules: [] }, 'Asia/Shanghai'))), [
    ['2026-03-01', 1],
    ['2026-03-02', 1],
  ]);
  // Sunday 1 March belongs to the week of Monday 23 February; Monday 2 March starts the next.
  assert.deepEqual(series(computeAnomalies(events(late, { grain: 'week', rules: [] }, 'Asia/Shanghai'))), [
    ['2026-02-23', 1],
    ['2026-03-02', 1],
  ]);
  const months = [
    { t: '2026-01-31T23:00:00Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-31T23:00:00Z', who: 'a', e: 'x', v: 1 },
  ];
  // In New York those are 31 January and 31 March; in Shanghai 1 February and 1 April.
  assert.deepEqual(series(computeAnomalies(events(months, { grain: 'month', rules: [] }, 'America/New_York'))), [
    ['2026-01', 1],
    ['2026-02', 0],
    ['2026-03', 1],
  ]);
  assert.deepEqual(series(computeAnomalies(events(months, { grain: 'month', rules: [] }, 'Asia/Shanghai'))), [
    ['2026-02', 1],
    ['2026-03', 0],
    ['2026-04', 1],
  ]);
});

test('DST in New York: the short spring day and the long autumn day are one period each; the autumn night has 25 hours', () => {
  // 8 March 2026 is 23 hours long (clocks go 2:00 → 3:00); 1 November is 25 (2:00 → 1:00).
  const spring = [
    { t: '2026-03-08T04:30:00Z', who: 'a', e: 'x', v: 1 }, // 23:30 on the 7th (EST)
    { t: '2026-03-08T05:30:00Z', who: 'a', e: 'x', v: 1 }, // 00:30 on the 8th (EST)
    { t: '2026-03-09T03:30:00Z', who: 'a', e: 'x', v: 1 }, // 23:30 on the 8th (EDT)
    { t: '2026-03-09T04:30:00Z', who: 'a', e: 'x', v: 1 }, // 00:30 on the 9th (EDT)
  ];
  const days = computeAnomalies(events(spring, { grain: 'day', rules: [] }, 'America/New_York'));
  assert.deepEqual(series(days), [['2026-03-07', 1], ['2026-03-08', 2], ['2026-03-09', 1]]);
  assert.equal(days.series[0].points[2].start - days.series[0].points[1].start, 23 * 3_600_000);
  // Every hour of 1 November in New York: 04:00Z (00:00 EDT) to 05:00Z the next day (00:00 EST).
  const autumn = Array.from({ length: 25 }, (_, h) => ({ t: new Date(Date.UTC(2026, 10, 1, 4 + h, 15)).toISOString(), who: 'a', e: 'x', v: 1 }));
  const hours = computeAnomalies(events(autumn, { grain: 'hour', rules: [] }, 'America/New_York'));
  const points = hours.series[0].points;
  assert.equal(points.length, 25);
  assert.ok(points.every((p) => p.value === 1), 'each hour its own period, the repeated 1:00 too');
  assert.deepEqual(points.slice(0, 3).map((p) => p.period), ['2026-11-01T00:00', '2026-11-01T01:00', '2026-11-01T01:00']);
  assert.equal(points[2].start - points[1].start, 3_600_000);
  // The same night by day: one 25-hour day.
  assert.deepEqual(series(computeAnomalies(events(autumn, { grain: 'day', rules: [] }, 'America/New_York'))), [['2026-11-01', 25]]);
});

test('a range cuts the series to it, and a series is drawn over the whole range', () => {
  const rows = [
    { t: '2026-03-01T09:00:00Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-03T09:00:00Z', who: 'a', e: 'x', v: 1 },
    { t: '2026-03-09T09:00:00Z', who: 'a', e: 'x', v: 1 },
  ];
  const vm = computeAnomalies(events(rows, { range: { from: '2026-03-02', to: '2026-03-05' }, rules: [] }));
  assert.deepEqual(series(vm), [['2026-03-02', 0], ['2026-03-03', 1], ['2026-03-04', 0], ['2026-03-05', 0]]);
});

test('schema problems in rules name their path in words', () => {
  const issues = (rule: unknown) => contractIssues({ version: 1, kind: 'anomaly', anomaly: { points: [], rules: [rule] } })[0];
  assert.deepEqual(issues({ type: 'change', threshold: 10, steps: [] })?.path, '/anomaly/rules/0/steps');
  assert.deepEqual(issues({ type: 'change' }), { path: '/anomaly/rules/0/threshold', message: 'is required but missing' });
  assert.deepEqual(issues({ type: 'band', window: 0 }), { path: '/anomaly/rules/0/window', message: 'expected a number >= 1, got 0' });
  assert.deepEqual(issues({ type: 'threshold', steps: [{ value: 1, severity: 'fatal' }] })?.path, '/anomaly/rules/0/steps/0/severity');
  assert.match(issues({ type: 'change', threshold: 5, for: '5 minutes' })!.message, /number of periods, or a duration/);
  assert.throws(() => computeAnomalies({ ...given([1], []), anomaly: { ...given([1], []).anomaly, measure: { op: 'count' } } }), at('/anomaly/measure'));
});
