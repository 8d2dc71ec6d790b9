import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFunnel, type FunnelViewModel } from '../../src/analytics/index.js';
import { counts, run, type Row } from './support/funnel.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { FunnelSection } from '../../src/analytics/contract.js';

// Every expected count below is worked out by hand from the funnel semantics (PostHog's), never
// copied from the engine's output. Steps are 0-indexed; "step k" in comments means index k.


/** One event: entity, event name, ISO time, optional extra properties. */
const ev = (person: string, event: string, ts: string, props: Row = {}): Row => ({ person, event, ts, ...props });

const groups = (v: FunnelViewModel) => v.breakdown!.map((g) => [g.value, g.steps.map((s) => s.count)]);

const HOUR = 3_600_000;
const MIN = 60_000;

// ---------------------------------------------------------------------------------------------
// Counting entities

test('counts entities, not events: each entity once, at the furthest step it reached', () => {
  const rows = [
    // p1: two sign-ups and a pay -> reaches step 1 (pay); counted once, not twice at step 0.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'signup', '2020-01-01T11:00:00Z'),
    ev('p1', 'pay', '2020-01-01T12:00:00Z'),
    // p2: signs up only -> step 0.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    // p3: pays and ships but never signs up -> no step 0, so nowhere.
    ev('p3', 'pay', '2020-01-01T10:00:00Z'),
    ev('p3', 'ship', '2020-01-01T11:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }, { event: 'ship' }] });
  // step 0: p1, p2; step 1: p1; step 2: nobody.
  assert.deepEqual(counts(v), [2, 1, 0]);
});

test('the furthest attempt wins, whether it is the first or a later one', () => {
  const rows = [
    // p1: attempt 1 completes all 3 steps; a later lone sign-up (attempt 2) does not lower it.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T11:00:00Z'),
    ev('p1', 'ship', '2020-01-01T12:00:00Z'),
    ev('p1', 'signup', '2020-01-05T10:00:00Z'),
    // p2: attempt 1 (Jan 1) goes nowhere within its 1-day window; attempt 2 (Jan 5) reaches pay.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'signup', '2020-01-05T10:00:00Z'),
    ev('p2', 'pay', '2020-01-05T11:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }, { event: 'ship' }], window: '1d' });
  // step 0: p1, p2; step 1: p1, p2; step 2: p1.
  assert.deepEqual(counts(v), [2, 2, 1]);
});

test('doing step 1 again starts a new attempt with its own window', () => {
  const rows = [
    // Window 1d. p1's first sign-up (Jan 1 00:00) has its window end Jan 2 00:00, so the pay on
    // Jan 3 06:00 is too late for it; the second sign-up (Jan 2 12:00) starts an attempt whose
    // window runs to Jan 3 12:00, and the pay at 06:00 falls inside it -> converts.
    ev('p1', 'signup', '2020-01-01T00:00:00Z'),
    ev('p1', 'signup', '2020-01-02T12:00:00Z'),
    ev('p1', 'pay', '2020-01-03T06:00:00Z'),
    // p2: one sign-up, pay 30h later -> outside its only window -> step 0 only.
    ev('p2', 'signup', '2020-01-01T00:00:00Z'),
    ev('p2', 'pay', '2020-01-02T06:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }], window: '1d' });
  assert.deepEqual(counts(v), [2, 1]);
  // p1's conversion time is measured in the attempt that converted: 12:00 -> 06:00 = 18h.
  assert.equal(v.steps[1].medianTimeMs, 18 * HOUR);
});

// ---------------------------------------------------------------------------------------------
// One event, one step

test('one event satisfies at most one step, even when two steps name the same event', () => {
  const rows = [
    // p1: a single view can be step 0 or step 1 but not both -> step 0 only.
    ev('p1', 'view', '2020-01-01T10:00:00Z'),
    // p2: two views -> the first is step 0, the second step 1.
    ev('p2', 'view', '2020-01-01T10:00:00Z'),
    ev('p2', 'view', '2020-01-01T10:05:00Z'),
    // p3: three views -> all three steps.
    ev('p3', 'view', '2020-01-01T10:00:00Z'),
    ev('p3', 'view', '2020-01-01T10:05:00Z'),
    ev('p3', 'view', '2020-01-01T10:10:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'view' }, { event: 'view' }, { event: 'view' }] });
  assert.deepEqual(counts(v), [3, 2, 1]);
});

test('a later step needs its own event even when the earlier step is a filtered version of it', () => {
  const rows = [
    // Step 0 = view on page "home", step 1 = any view.
    // p1: one home view -> it is step 0; no second view -> step 0 only.
    ev('p1', 'view', '2020-01-01T10:00:00Z', { page: 'home' }),
    // p2: home view then pricing view -> steps 0 and 1.
    ev('p2', 'view', '2020-01-01T10:00:00Z', { page: 'home' }),
    ev('p2', 'view', '2020-01-01T10:01:00Z', { page: 'pricing' }),
    // p3: pricing view only -> does not match step 0 -> nowhere.
    ev('p3', 'view', '2020-01-01T10:00:00Z', { page: 'pricing' }),
  ];
  const v = run(rows, { steps: [{ event: 'view', where: { page: 'home' } }, { event: 'view' }] });
  assert.deepEqual(counts(v), [2, 1]);
});

test('two identical events at the same instant can fill two steps, one each', () => {
  const rows = [
    // p1: two "view" events sharing a timestamp -> one per step -> converts.
    ev('p1', 'view', '2020-01-01T10:00:00Z'),
    ev('p1', 'view', '2020-01-01T10:00:00Z'),
    // p2: a single view -> step 0 only.
    ev('p2', 'view', '2020-01-01T10:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'view' }, { event: 'view' }] });
  assert.deepEqual(counts(v), [2, 1]);
});

// ---------------------------------------------------------------------------------------------
// Conversion window

test('the window is inclusive: converting exactly at the limit counts, 1 ms later does not', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T10:00:00.000Z'),
    ev('p1', 'pay', '2020-01-01T11:00:00.000Z'), // exactly 1h -> converts
    ev('p2', 'signup', '2020-01-01T10:00:00.000Z'),
    ev('p2', 'pay', '2020-01-01T11:00:00.001Z'), // 1h + 1ms -> too late
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }], window: '1h' });
  assert.deepEqual(counts(v), [2, 1]);
  assert.equal(v.windowMs, HOUR);
});

test('the window runs from the step-1 event, not from the previous step', () => {
  const rows = [
    // Window 2h. a 10:00, b 11:30 (1.5h, inside), c 12:30 (2.5h after a, though only 1h after b)
    // -> c is outside the attempt's window -> p1 reaches step 1.
    ev('p1', 'a', '2020-01-01T10:00:00Z'),
    ev('p1', 'b', '2020-01-01T11:30:00Z'),
    ev('p1', 'c', '2020-01-01T12:30:00Z'),
    // p2: a, b, c all within 2h of a -> step 2.
    ev('p2', 'a', '2020-01-01T10:00:00Z'),
    ev('p2', 'b', '2020-01-01T11:00:00Z'),
    ev('p2', 'c', '2020-01-01T12:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }], window: '2h' });
  assert.deepEqual(counts(v), [2, 2, 1]);
});

test('the default window is 14 days, and "2w" and a number of ms mean the same', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T00:00:00Z'),
    ev('p1', 'pay', '2020-01-15T00:00:00Z'), // exactly 14d -> converts
    ev('p2', 'signup', '2020-01-01T00:00:00Z'),
    ev('p2', 'pay', '2020-01-15T00:00:01Z'), // 14d + 1s -> does not
  ];
  const steps = [{ event: 'signup' }, { event: 'pay' }];
  for (const window of [undefined, '14d', '2w', 14 * 24 * HOUR]) {
    const v = run(rows, window === undefined ? { steps } : { steps, window });
    assert.deepEqual(counts(v), [2, 1], `window ${String(window)}`);
    assert.equal(v.windowMs, 14 * 24 * HOUR);
  }
});

// ---------------------------------------------------------------------------------------------
// Range and time zone

test('range filters every event; a date-only "to" covers that whole day', () => {
  const rows = [
    // p1: sign-up before the range (Jan 1 23:59) is dropped, so its Jan 2 pay has no step 0.
    ev('p1', 'signup', '2020-01-01T23:59:59Z'),
    ev('p1', 'pay', '2020-01-02T00:30:00Z'),
    // p2: sign-up at the first instant of the range, pay in the last second of Jan 3 -> converts.
    ev('p2', 'signup', '2020-01-02T00:00:00Z'),
    ev('p2', 'pay', '2020-01-03T23:59:59Z'),
    // p3: sign-up inside, pay on Jan 4 00:00 (outside) -> step 0 only.
    ev('p3', 'signup', '2020-01-03T12:00:00Z'),
    ev('p3', 'pay', '2020-01-04T00:00:00Z'),
    // p4: entirely after the range -> nowhere.
    ev('p4', 'signup', '2020-01-04T00:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }], range: { from: '2020-01-02', to: '2020-01-03' } });
  assert.deepEqual(counts(v), [2, 1]);
});

test('date-only range bounds are days in the contract time zone', () => {
  // Asia/Shanghai is UTC+8 all year: 2020-01-02..2020-01-03 local = [Jan 1 16:00Z, Jan 3 16:00Z).
  // In UTC the same range is [Jan 2 00:00Z, Jan 4 00:00Z).
  const rows = [
    ev('p1', 'signup', '2020-01-01T16:00:00Z'), // Shanghai Jan 2 00:00 -> in;  UTC Jan 1 -> out
    ev('p2', 'signup', '2020-01-03T20:00:00Z'), // Shanghai Jan 4 04:00 -> out; UTC Jan 3 -> in
    ev('p3', 'signup', '2020-01-01T15:59:59Z'), // Shanghai Jan 1 23:59:59 -> out; UTC Jan 1 -> out
    ev('p4', 'signup', '2020-01-03T15:59:59Z'), // Shanghai Jan 3 23:59:59 -> in;  UTC Jan 3 -> in
    ev('p5', 'signup', '2020-01-03T16:00:00Z'), // Shanghai Jan 4 00:00 -> out; UTC Jan 3 -> in
  ];
  const funnel: FunnelSection = { steps: [{ event: 'signup' }, { event: 'pay' }], range: { from: '2020-01-02', to: '2020-01-03' } };
  // Shanghai: p1, p4.
  assert.deepEqual(counts(run(rows, funnel, { timeZone: 'Asia/Shanghai' })), [2, 0]);
  // UTC: p2, p4, p5.
  assert.deepEqual(counts(run(rows, funnel, { timeZone: 'UTC' })), [3, 0]);
});

// ---------------------------------------------------------------------------------------------
// Same timestamp

test('events sharing a timestamp may complete consecutive steps in either order', () => {
  const rows = [
    // p1: pay is listed before signup but both happen at 10:00 -> signup then pay -> converts.
    ev('p1', 'pay', '2020-01-01T10:00:00Z'),
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    // p2: same instant, listed in funnel order -> converts.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T10:00:00Z'),
    // p3: pay strictly before signup -> step 0 only.
    ev('p3', 'pay', '2020-01-01T09:59:59Z'),
    ev('p3', 'signup', '2020-01-01T10:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup' }, { event: 'pay' }] });
  assert.deepEqual(counts(v), [3, 2]);
  // Both converters took 0 ms.
  assert.equal(v.steps[1].medianTimeMs, 0);
});

test('same-timestamp steps in the middle of a funnel, and the strict order too', () => {
  const rows = [
    // a at 10:00, then c and b both at 11:00 (c listed first) -> a, b, c.
    ev('p1', 'a', '2020-01-01T10:00:00Z'),
    ev('p1', 'c', '2020-01-01T11:00:00Z'),
    ev('p1', 'b', '2020-01-01T11:00:00Z'),
  ];
  const funnel: FunnelSection = { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }] };
  assert.deepEqual(counts(run(rows, funnel)), [1, 1, 1]);
  // Strict: b and c at the same instant are still consecutive, nothing in between -> 3 steps.
  assert.deepEqual(counts(run(rows, { ...funnel, order: 'strict' })), [1, 1, 1]);
});

// ---------------------------------------------------------------------------------------------
// Order: ordered / strict / any

test('ordered allows other events between steps; strict does not', () => {
  const rows = [
    // p1: a, x, b, c -> ordered 3 steps; strict: x right after a breaks it -> 1 step.
    ev('p1', 'a', '2020-01-01T10:00:00Z'),
    ev('p1', 'x', '2020-01-01T10:01:00Z'),
    ev('p1', 'b', '2020-01-01T10:02:00Z'),
    ev('p1', 'c', '2020-01-01T10:03:00Z'),
    // p2: a, b, c back to back -> 3 steps in both.
    ev('p2', 'a', '2020-01-01T10:00:00Z'),
    ev('p2', 'b', '2020-01-01T10:01:00Z'),
    ev('p2', 'c', '2020-01-01T10:02:00Z'),
    // p3: a, b, x, c -> ordered 3; strict 2 (x breaks before c).
    ev('p3', 'a', '2020-01-01T10:00:00Z'),
    ev('p3', 'b', '2020-01-01T10:01:00Z'),
    ev('p3', 'x', '2020-01-01T10:02:00Z'),
    ev('p3', 'c', '2020-01-01T10:03:00Z'),
    // p4: a, b with another entity's event in between (p5's x) -> p4 is unaffected: 2 steps.
    ev('p4', 'a', '2020-01-01T10:00:00Z'),
    ev('p5', 'x', '2020-01-01T10:00:30Z'),
    ev('p4', 'b', '2020-01-01T10:01:00Z'),
  ];
  const funnel: FunnelSection = { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }] };
  // ordered: step 0 p1..p4 = 4; step 1 p1..p4 = 4; step 2 p1, p2, p3 = 3.
  assert.deepEqual(counts(run(rows, { ...funnel, order: 'ordered' })), [4, 4, 3]);
  // strict: p1 -> 0, p2 -> 2, p3 -> 1, p4 -> 1: step 0 = 4, step 1 = p2, p3, p4 = 3, step 2 = p2.
  assert.deepEqual(counts(run(rows, { ...funnel, order: 'strict' })), [4, 3, 1]);
});

test('strict: a repeated step-1 event starts a fresh attempt right away', () => {
  const rows = [
    // a, a, b: the second a breaks attempt 1 but starts attempt 2, and b follows it directly.
    ev('p1', 'a', '2020-01-01T10:00:00Z'),
    ev('p1', 'a', '2020-01-01T10:01:00Z'),
    ev('p1', 'b', '2020-01-01T10:02:00Z'),
    // a, b, b, c: the second b repeats the step just reached. In PostHog's strict matcher an event
    // only clears the attempts at steps it does not itself match, so the repeated b keeps the
    // attempt at step 1 alive and c completes it -> 3 steps. (PostHog funnel UDF steps.rs: "If a
    // strict funnel, clear all of the steps that we didn't match to".)
    ev('p2', 'a', '2020-01-01T10:00:00Z'),
    ev('p2', 'b', '2020-01-01T10:01:00Z'),
    ev('p2', 'b', '2020-01-01T10:02:00Z'),
    ev('p2', 'c', '2020-01-01T10:03:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }], order: 'strict' });
  assert.deepEqual(counts(v), [2, 2, 1]);
});

test('any order: step k counts entities that did k+1 different steps within one window', () => {
  const rows = [
    // p1: c, b, a (reverse) within minutes -> 3 different steps.
    ev('p1', 'c', '2020-01-01T10:00:00Z'),
    ev('p1', 'b', '2020-01-01T10:01:00Z'),
    ev('p1', 'a', '2020-01-01T10:02:00Z'),
    // p2: b and c, never a -> 2 different steps (no need to do "step 1" first).
    ev('p2', 'b', '2020-01-01T10:00:00Z'),
    ev('p2', 'c', '2020-01-01T10:01:00Z'),
    // p3: a three times -> only 1 different step.
    ev('p3', 'a', '2020-01-01T10:00:00Z'),
    ev('p3', 'a', '2020-01-01T10:01:00Z'),
    ev('p3', 'a', '2020-01-01T10:02:00Z'),
    // p4: a on Jan 1, b on Jan 3: not within one 1-day window -> 1.
    ev('p4', 'a', '2020-01-01T10:00:00Z'),
    ev('p4', 'b', '2020-01-03T10:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }], order: 'any', window: '1d' });
  // step 0: 4; step 1 (>= 2 different): p1, p2; step 2 (3 different): p1.
  assert.deepEqual(counts(v), [4, 2, 1]);
});

test('any order: the window starts at the earliest step event of the run', () => {
  const rows = [
    // Window 1d. a Jan 1 00:00, b Jan 1 20:00, c Jan 2 12:00.
    // Window from a covers a, b (c is 36h later) -> 2; window from b covers b, c (16h) -> 2.
    // No single 1-day window holds all three -> 2 steps.
    ev('p1', 'a', '2020-01-01T00:00:00Z'),
    ev('p1', 'b', '2020-01-01T20:00:00Z'),
    ev('p1', 'c', '2020-01-02T12:00:00Z'),
    // p2: c, then a and b exactly 1d after c -> inclusive window -> 3.
    ev('p2', 'c', '2020-01-01T00:00:00Z'),
    ev('p2', 'a', '2020-01-02T00:00:00Z'),
    ev('p2', 'b', '2020-01-02T00:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }], order: 'any', window: '1d' });
  assert.deepEqual(counts(v), [2, 2, 1]);
});

// ---------------------------------------------------------------------------------------------
// Exclusions (ordered and strict)

test('an exclusion inside the window, between from and to, removes the entity from every count', () => {
  const rows = [
    // p1: signup, cancel, pay -> cancel hits the attempt between step 0 and step 1 -> p1 is gone,
    // from step 0 too.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'cancel', '2020-01-01T10:30:00Z'),
    ev('p1', 'pay', '2020-01-01T11:00:00Z'),
    // p2: clean -> converts.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T11:00:00Z'),
    // p3: signup, then cancel 2 days later: outside the 1-day window -> not hit -> step 0.
    ev('p3', 'signup', '2020-01-01T10:00:00Z'),
    ev('p3', 'cancel', '2020-01-03T10:00:00Z'),
    // p4: cancel after pay: the attempt has already reached step "to" -> not hit -> converts.
    ev('p4', 'signup', '2020-01-01T10:00:00Z'),
    ev('p4', 'pay', '2020-01-01T11:00:00Z'),
    ev('p4', 'cancel', '2020-01-01T11:30:00Z'),
    // p5: cancel before any sign-up -> no attempt to hit -> converts.
    ev('p5', 'cancel', '2020-01-01T09:00:00Z'),
    ev('p5', 'signup', '2020-01-01T10:00:00Z'),
    ev('p5', 'pay', '2020-01-01T11:00:00Z'),
  ];
  const v = run(rows, {
    steps: [{ event: 'signup' }, { event: 'pay' }],
    window: '1d',
    exclusions: [{ event: 'cancel', from: 0, to: 1 }],
  });
  // step 0: p2, p3, p4, p5; step 1: p2, p4, p5.
  assert.deepEqual(counts(v), [4, 3]);
});

test('an exclusion only applies once the attempt has reached "from" and before it reaches "to"', () => {
  // Steps a, b, c, d; exclusion x from step 1 to step 2 (between b and c).
  const steps = [{ event: 'a' }, { event: 'b' }, { event: 'c' }, { event: 'd' }];
  const rows = [
    // p1: a, x, b, c, d -> x before b: the attempt has not reached step 1 -> not hit -> 4 steps.
    ev('p1', 'a', '2020-01-01T10:00:00Z'),
    ev('p1', 'x', '2020-01-01T10:01:00Z'),
    ev('p1', 'b', '2020-01-01T10:02:00Z'),
    ev('p1', 'c', '2020-01-01T10:03:00Z'),
    ev('p1', 'd', '2020-01-01T10:04:00Z'),
    // p2: a, b, x, c, d -> hit between b and c -> removed.
    ev('p2', 'a', '2020-01-01T10:00:00Z'),
    ev('p2', 'b', '2020-01-01T10:01:00Z'),
    ev('p2', 'x', '2020-01-01T10:02:00Z'),
    ev('p2', 'c', '2020-01-01T10:03:00Z'),
    ev('p2', 'd', '2020-01-01T10:04:00Z'),
    // p3: a, b, c, x, d -> x after c (step "to" reached) -> not hit -> 4 steps.
    ev('p3', 'a', '2020-01-01T10:00:00Z'),
    ev('p3', 'b', '2020-01-01T10:01:00Z'),
    ev('p3', 'c', '2020-01-01T10:02:00Z'),
    ev('p3', 'x', '2020-01-01T10:03:00Z'),
    ev('p3', 'd', '2020-01-01T10:04:00Z'),
    // p4: a, b, x and nothing more -> hit even without a later step -> removed.
    ev('p4', 'a', '2020-01-01T10:00:00Z'),
    ev('p4', 'b', '2020-01-01T10:01:00Z'),
    ev('p4', 'x', '2020-01-01T10:02:00Z'),
  ];
  const v = run(rows, { steps, exclusions: [{ event: 'x', from: 1, to: 2 }] });
  assert.deepEqual(counts(v), [2, 2, 2, 2]);
  // The same in strict order (x is then also "another event", but p1's and p3's x break them):
  // p1: a, x -> 1 step (strict break, not an exclusion hit); p3: a, b, c, x -> 3 steps.
  // p2 and p4 are still removed by the exclusion.
  assert.deepEqual(counts(run(rows, { steps, order: 'strict', exclusions: [{ event: 'x', from: 1, to: 2 }] })), [2, 1, 1, 0]);
});

test('a later clean attempt still qualifies an entity whose earlier attempt was hit', () => {
  const rows = [
    // Window 1h. Attempt 1: signup 10:00, cancel 10:30 -> hit. Attempt 2: signup 12:00, pay 12:30,
    // clean -> p1 converts.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'cancel', '2020-01-01T10:30:00Z'),
    ev('p1', 'signup', '2020-01-01T12:00:00Z'),
    ev('p1', 'pay', '2020-01-01T12:30:00Z'),
    // p2: attempt 1 converts cleanly (10:00 -> 10:10); attempt 2 (12:00) is hit at 12:10. The
    // furthest attempt is the clean first one -> p2 converts.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T10:10:00Z'),
    ev('p2', 'signup', '2020-01-01T12:00:00Z'),
    ev('p2', 'cancel', '2020-01-01T12:10:00Z'),
  ];
  const v = run(rows, {
    steps: [{ event: 'signup' }, { event: 'pay' }],
    window: '1h',
    exclusions: [{ event: 'cancel', from: 0, to: 1 }],
  });
  assert.deepEqual(counts(v), [2, 2]);
});

test('when the furthest attempt is hit the entity is removed, even if a shorter attempt was clean', () => {
  const rows = [
    // Steps signup, view, pay; exclusion cancel from step 1 to step 2; window 1h.
    // Attempt A: signup 08:00 only (clean, reaches step 0). Attempt B: signup 10:00, view 10:10,
    // cancel 10:20 -> reaches step 1 and is hit. The furthest attempt (B) is hit -> p1 counts nowhere.
    ev('p1', 'signup', '2020-01-01T08:00:00Z'),
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'view', '2020-01-01T10:10:00Z'),
    ev('p1', 'cancel', '2020-01-01T10:20:00Z'),
    // p2: a plain control that reaches step 1.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'view', '2020-01-01T10:10:00Z'),
  ];
  const v = run(rows, {
    steps: [{ event: 'signup' }, { event: 'view' }, { event: 'pay' }],
    window: '1h',
    exclusions: [{ event: 'cancel', from: 1, to: 2 }],
  });
  assert.deepEqual(counts(v), [1, 1, 0]);
});

test('exclusions can carry a where filter', () => {
  const rows = [
    // Only a cancel with reason "price" excludes.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'cancel', '2020-01-01T10:10:00Z', { reason: 'price' }),
    ev('p1', 'pay', '2020-01-01T10:20:00Z'),
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'cancel', '2020-01-01T10:10:00Z', { reason: 'other' }),
    ev('p2', 'pay', '2020-01-01T10:20:00Z'),
  ];
  const v = run(rows, {
    steps: [{ event: 'signup' }, { event: 'pay' }],
    exclusions: [{ event: 'cancel', from: 0, to: 1, where: { reason: 'price' } }],
  });
  // p1 removed; p2 converts.
  assert.deepEqual(counts(v), [1, 1]);
});

test(
  'any order: an exclusion spans the whole funnel and wipes the progress made before it, not the entity',
  () => {
    const rows = [
      // p1: a, b, x, c -> a and b were made before x and are wiped; only c remains -> 1 step.
      // p1 is not removed: it still counts at step 0.
      ev('p1', 'a', '2020-01-01T10:00:00Z'),
      ev('p1', 'b', '2020-01-01T10:01:00Z'),
      ev('p1', 'x', '2020-01-01T10:02:00Z'),
      ev('p1', 'c', '2020-01-01T10:03:00Z'),
      // p2: x, a, b, c -> nothing before x to wipe -> 3 steps.
      ev('p2', 'x', '2020-01-01T10:00:00Z'),
      ev('p2', 'a', '2020-01-01T10:01:00Z'),
      ev('p2', 'b', '2020-01-01T10:02:00Z'),
      ev('p2', 'c', '2020-01-01T10:03:00Z'),
      // p3: a, b, x, c, a, b -> after x: c, a, b -> 3 different steps again.
      ev('p3', 'a', '2020-01-01T10:00:00Z'),
      ev('p3', 'b', '2020-01-01T10:01:00Z'),
      ev('p3', 'x', '2020-01-01T10:02:00Z'),
      ev('p3', 'c', '2020-01-01T10:03:00Z'),
      ev('p3', 'a', '2020-01-01T10:04:00Z'),
      ev('p3', 'b', '2020-01-01T10:05:00Z'),
    ];
    const v = run(rows, {
      steps: [{ event: 'a' }, { event: 'b' }, { event: 'c' }],
      order: 'any',
      exclusions: [{ event: 'x', from: 0, to: 2 }],
    });
    // step 0: p1, p2, p3; step 1: p2, p3; step 2: p2, p3.
    assert.deepEqual(counts(v), [3, 2, 2]);
  },
);

test('any order: an exclusion after the run is complete does not undo it', () => {
  const rows = [
    ev('p1', 'b', '2020-01-01T10:00:00Z'),
    ev('p1', 'a', '2020-01-01T10:01:00Z'),
    ev('p1', 'x', '2020-01-01T10:02:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'a' }, { event: 'b' }], order: 'any', exclusions: [{ event: 'x', from: 0, to: 1 }] });
  assert.deepEqual(counts(v), [1, 1]);
});

// ---------------------------------------------------------------------------------------------
// Breakdowns

const steps2 = [{ event: 'signup' }, { event: 'pay' }];

test('breakdown first-touch (the default): the first non-empty value on the entity\'s step events', () => {
  const rows = [
    // p1: signup without browser, pay on Chrome -> first non-empty value is Chrome. Converts.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T11:00:00Z', { browser: 'Chrome' }),
    // p2: signup on Chrome, pay on Safari -> Chrome. Converts.
    ev('p2', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    ev('p2', 'pay', '2020-01-01T11:00:00Z', { browser: 'Safari' }),
    // p3: a non-step event on Firefox first, then signup on Chrome -> Chrome (only step events count).
    ev('p3', 'view', '2020-01-01T09:00:00Z', { browser: 'Firefox' }),
    ev('p3', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    // p4, p5: Safari sign-ups, p4 pays.
    ev('p4', 'signup', '2020-01-01T10:00:00Z', { browser: 'Safari' }),
    ev('p4', 'pay', '2020-01-01T10:30:00Z', { browser: 'Safari' }),
    ev('p5', 'signup', '2020-01-01T10:00:00Z', { browser: 'Safari' }),
    // p6: no browser anywhere -> group "".
    ev('p6', 'signup', '2020-01-01T10:00:00Z', { browser: null }),
  ];
  const expected = [
    ['Chrome', [3, 2]], // p1, p2, p3; p1 and p2 pay
    ['Safari', [2, 1]], // p4, p5; p4 pays
    ['', [1, 0]], // p6
  ];
  assert.deepEqual(groups(run(rows, { steps: steps2, breakdown: { field: 'browser' } })), expected);
  assert.deepEqual(groups(run(rows, { steps: steps2, breakdown: { field: 'browser', attribution: 'first-touch' } })), expected);
  // The overall counts are unaffected by the breakdown: 6 sign-ups, 3 pays.
  assert.deepEqual(counts(run(rows, { steps: steps2, breakdown: { field: 'browser' } })), [6, 3]);
});

test('breakdown last-touch: the last non-empty value on the entity\'s step events', () => {
  const rows = [
    // p1: Chrome then Safari -> Safari.
    ev('p1', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    ev('p1', 'pay', '2020-01-01T11:00:00Z', { browser: 'Safari' }),
    // p2: Safari then a pay with no value -> last non-empty is Safari.
    ev('p2', 'signup', '2020-01-01T10:00:00Z', { browser: 'Safari' }),
    ev('p2', 'pay', '2020-01-01T11:00:00Z'),
    // p3: Chrome signup, then a non-step event on Firefox -> Chrome.
    ev('p3', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    ev('p3', 'view', '2020-01-01T11:00:00Z', { browser: 'Firefox' }),
  ];
  const v = run(rows, { steps: steps2, breakdown: { field: 'browser', attribution: 'last-touch' } });
  assert.deepEqual(groups(v), [
    ['Safari', [2, 2]],
    ['Chrome', [1, 0]],
  ]);
});

test('breakdown all-events: the funnel runs per value with only the events carrying it', () => {
  const rows = [
    // p1: signup Chrome, pay Safari, signup Safari, pay Safari.
    //   Chrome events: signup -> [1, 0]. Safari events: pay, signup, pay -> signup then pay -> [1, 1].
    ev('p1', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    ev('p1', 'pay', '2020-01-01T10:30:00Z', { browser: 'Safari' }),
    ev('p1', 'signup', '2020-01-01T11:00:00Z', { browser: 'Safari' }),
    ev('p1', 'pay', '2020-01-01T12:00:00Z', { browser: 'Safari' }),
    // p2: signup and pay on Chrome -> Chrome [1, 1].
    ev('p2', 'signup', '2020-01-01T10:00:00Z', { browser: 'Chrome' }),
    ev('p2', 'pay', '2020-01-01T10:30:00Z', { browser: 'Chrome' }),
  ];
  const v = run(rows, { steps: steps2, breakdown: { field: 'browser', attribution: 'all-events' } });
  // Chrome: p1, p2 at step 0; p2 at step 1. Safari: p1, p1.
  assert.deepEqual(groups(v), [
    ['Chrome', [2, 1]],
    ['Safari', [1, 1]],
  ]);
  // Safari's conversion time is p1's Safari-only attempt: 11:00 -> 12:00.
  assert.equal(v.breakdown![1].steps[1].medianTimeMs, HOUR);
});

test('breakdown { step: N }: the value on step N\'s event; one entity may be in several groups', () => {
  const rows = [
    // p1 converts twice: pay on Chrome (Jan 1) and pay on Safari (Jan 2) -> in both groups.
    ev('p1', 'signup', '2020-01-01T10:00:00Z', { browser: 'Firefox' }),
    ev('p1', 'pay', '2020-01-01T11:00:00Z', { browser: 'Chrome' }),
    ev('p1', 'signup', '2020-01-02T10:00:00Z', { browser: 'Firefox' }),
    ev('p1', 'pay', '2020-01-02T11:00:00Z', { browser: 'Safari' }),
    // p2: pay on Chrome.
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T11:00:00Z', { browser: 'Chrome' }),
  ];
  const v = run(rows, { steps: steps2, breakdown: { field: 'browser', attribution: { step: 1 } } });
  assert.deepEqual(groups(v), [
    ['Chrome', [2, 2]],
    ['Safari', [1, 1]],
  ]);
  // With step 0 the sign-up's value decides: p1 Firefox, p2 "".
  const v0 = run(rows, { steps: steps2, breakdown: { field: 'browser', attribution: { step: 0 } } });
  assert.deepEqual(
    groups(v0).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ['', [1, 1]],
      ['Firefox', [1, 1]],
    ],
  );
});

test('breakdown values: numbers and booleans become strings, a missing value is ""', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T10:00:00Z', { version: 2 }),
    ev('p2', 'signup', '2020-01-01T10:00:00Z', { version: 2 }),
    ev('p2', 'pay', '2020-01-01T10:10:00Z', { version: 2 }),
    ev('p3', 'signup', '2020-01-01T10:00:00Z', { version: 0 }),
    ev('p4', 'signup', '2020-01-01T10:00:00Z'),
    ev('p5', 'signup', '2020-01-01T10:00:00Z'),
    ev('p6', 'signup', '2020-01-01T10:00:00Z'),
  ];
  const v = run(rows, { steps: steps2, breakdown: { field: 'version' } });
  // "": p4, p5, p6 (3); "2": p1, p2 (2), p2 pays; "0": p3 (1). 0 is a value, not "missing".
  assert.deepEqual(groups(v), [
    ['', [3, 0]],
    ['2', [2, 1]],
    ['0', [1, 0]],
  ]);
});

test('breakdown keeps the top "limit" groups by step-1 count and merges the rest into "Other"', () => {
  const rows: Row[] = [];
  // A: 4 entities (2 pay), B: 3 (1 pays), C: 2 (2 pay), D: 1 (0 pay).
  const plan: Array<[string, number, number]> = [
    ['A', 4, 2],
    ['B', 3, 1],
    ['C', 2, 2],
    ['D', 1, 0],
  ];
  for (const [value, n, paid] of plan) {
    for (let i = 0; i < n; i++) {
      rows.push(ev(`${value}${i}`, 'signup', '2020-01-01T10:00:00Z', { src: value }));
      if (i < paid) rows.push(ev(`${value}${i}`, 'pay', '2020-01-01T11:00:00Z', { src: value }));
    }
  }
  const v = run(rows, { steps: steps2, breakdown: { field: 'src', limit: 2 } });
  // Kept: A [4, 2], B [3, 1]. Other = C + D = [2 + 1, 2 + 0] = [3, 2].
  assert.deepEqual(groups(v), [
    ['A', [4, 2]],
    ['B', [3, 1]],
    ['Other', [3, 2]],
  ]);
  // Other's derived figures come from its merged counts.
  assert.equal(v.breakdown![2].steps[1].conversionFromFirst, 2 / 3);
  // No "Other" group when everything fits.
  assert.deepEqual(
    groups(run(rows, { steps: steps2, breakdown: { field: 'src', limit: 10 } })).map((g) => g[0]),
    ['A', 'B', 'C', 'D'],
  );
});

// ---------------------------------------------------------------------------------------------
// Step filters

test('a step\'s where matches event fields by equality, by "in" a list, and on every field given', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T10:10:00Z', { plan: 'pro', currency: 'EUR' }),
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T10:10:00Z', { plan: 'basic', currency: 'EUR' }),
    ev('p3', 'signup', '2020-01-01T10:00:00Z'),
    ev('p3', 'pay', '2020-01-01T10:10:00Z', { plan: 'team', currency: 'USD' }),
    ev('p4', 'signup', '2020-01-01T10:00:00Z'),
    ev('p4', 'pay', '2020-01-01T10:10:00Z', { plan: 'pro', currency: 'USD' }),
  ];
  // Equality: only "pro" pays count -> p1, p4.
  assert.deepEqual(counts(run(rows, { steps: [{ event: 'signup' }, { event: 'pay', where: { plan: 'pro' } }] })), [4, 2]);
  // In a list: pro or team -> p1, p3, p4.
  assert.deepEqual(counts(run(rows, { steps: [{ event: 'signup' }, { event: 'pay', where: { plan: ['pro', 'team'] } }] })), [4, 3]);
  // Two fields: pro AND EUR -> p1 only.
  assert.deepEqual(counts(run(rows, { steps: [{ event: 'signup' }, { event: 'pay', where: { plan: 'pro', currency: 'EUR' } }] })), [4, 1]);
  // A where on step 0 filters who enters the funnel: step 0 = pay with plan "basic" -> only p2.
  assert.deepEqual(counts(run(rows, { steps: [{ event: 'pay', where: { plan: 'basic' } }] })), [1]);
});

test('a non-matching event between steps does not stop an ordered funnel', () => {
  const rows = [
    // pay(basic) is ignored, pay(pro) later satisfies step 1.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T10:10:00Z', { plan: 'basic' }),
    ev('p1', 'pay', '2020-01-01T10:20:00Z', { plan: 'pro' }),
  ];
  assert.deepEqual(counts(run(rows, { steps: [{ event: 'signup' }, { event: 'pay', where: { plan: 'pro' } }] })), [1, 1]);
});

// ---------------------------------------------------------------------------------------------
// Derived figures

test('derived figures: conversion, drop-off, times and the largest drop-off', () => {
  const rows = [
    // 4 sign-ups; 3 views after 1h, 2h and 4h; 1 pay 30 min after its view.
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'view', '2020-01-01T11:00:00Z'),
    ev('p1', 'pay', '2020-01-01T11:30:00Z'),
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'view', '2020-01-01T12:00:00Z'),
    ev('p3', 'signup', '2020-01-01T10:00:00Z'),
    ev('p3', 'view', '2020-01-01T14:00:00Z'),
    ev('p4', 'signup', '2020-01-01T10:00:00Z'),
  ];
  const v = run(rows, { steps: [{ event: 'signup', label: 'Sign up' }, { event: 'view' }, { event: 'pay' }] });
  assert.deepEqual(counts(v), [4, 3, 1]);
  assert.deepEqual(v.steps.map((s) => s.name), ['Sign up', 'view', 'pay']);
  assert.deepEqual(v.steps.map((s) => s.index), [0, 1, 2]);
  assert.deepEqual(v.steps.map((s) => s.conversionFromFirst), [1, 3 / 4, 1 / 4]);
  assert.deepEqual(v.steps.map((s) => s.conversionFromPrevious), [1, 3 / 4, 1 / 3]);
  assert.deepEqual(v.steps.map((s) => s.dropOff), [0, 1, 2]);
  assert.deepEqual(v.steps.map((s) => s.dropOffRate), [0, 1 / 4, 2 / 3]);
  // signup -> view times: 1h, 2h, 4h -> median 2h, mean 7h/3. view -> pay: 30 min.
  assert.deepEqual(v.steps.map((s) => s.medianTimeMs), [null, 2 * HOUR, 30 * MIN]);
  assert.deepEqual(v.steps.map((s) => s.meanTimeMs), [null, (7 * HOUR) / 3, 30 * MIN]);
  // Drop-off rates 1/4 at step 1 and 2/3 at step 2 -> step 2 is the break point.
  assert.equal(v.largestDropOff, 2);
  assert.equal(v.order, 'ordered');
  assert.equal(v.aggregated, false);
  assert.equal(v.breakdown, undefined);
});

test('the median of an even number of times is the mean of the middle two', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T10:10:00Z'), // 10 min
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
    ev('p2', 'pay', '2020-01-01T10:20:00Z'), // 20 min
    ev('p3', 'signup', '2020-01-01T10:00:00Z'),
    ev('p3', 'pay', '2020-01-01T10:40:00Z'), // 40 min
    ev('p4', 'signup', '2020-01-01T10:00:00Z'),
    ev('p4', 'pay', '2020-01-01T11:30:00Z'), // 90 min
  ];
  const v = run(rows, { steps: steps2 });
  assert.equal(v.steps[1].medianTimeMs, 30 * MIN); // (20 + 40) / 2
  assert.equal(v.steps[1].meanTimeMs, 40 * MIN); // (10 + 20 + 40 + 90) / 4
  // Nobody dropped off: no break point.
  assert.equal(v.largestDropOff, null);
});

test('an empty funnel has zero counts and no division by zero', () => {
  const v = run([ev('p1', 'other', '2020-01-01T10:00:00Z')], { steps: steps2 });
  assert.deepEqual(counts(v), [0, 0]);
  for (const s of v.steps) {
    for (const x of [s.conversionFromFirst, s.conversionFromPrevious, s.dropOff, s.dropOffRate]) assert.ok(Number.isFinite(x));
  }
  assert.equal(v.largestDropOff, null);
});

// ---------------------------------------------------------------------------------------------
// Data shapes

test('column data gives the same result as row data', () => {
  const rows = [
    ev('p1', 'signup', '2020-01-01T10:00:00Z'),
    ev('p1', 'pay', '2020-01-01T10:10:00Z'),
    ev('p2', 'signup', '2020-01-01T10:00:00Z'),
  ];
  const v = computeFunnel({
    version: 1,
    kind: 'funnel',
    data: {
      columns: {
        person: rows.map((r) => r.person),
        event: rows.map((r) => r.event),
        ts: rows.map((r) => r.ts),
      },
    },
    fields: { entity: 'person', time: 'ts', event: 'event' },
    funnel: { steps: steps2 },
  });
  assert.deepEqual(counts(v), [2, 1]);
});

test('epoch-millisecond times work like ISO strings', () => {
  const t0 = Date.UTC(2020, 0, 1, 10);
  const rows: Row[] = [
    { person: 'p1', event: 'signup', ts: t0 },
    { person: 'p1', event: 'pay', ts: t0 + HOUR },
  ];
  const v = run(rows, { steps: steps2, window: HOUR });
  assert.deepEqual(counts(v), [1, 1]);
  assert.equal(v.steps[1].medianTimeMs, HOUR);
});

test('pre-aggregated steps and groups are taken as given', () => {
  const v = computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows: [] },
    fields: {},
    funnel: {
      steps: [
        { name: 'Visit', count: 1000 },
        { name: 'Sign up', count: 250, medianTimeMs: 60_000 },
        { name: 'Pay', count: 50, medianTimeMs: 3_600_000 },
      ],
      groups: [
        { value: 'ads', steps: [{ name: 'Visit', count: 600 }, { name: 'Sign up', count: 100 }, { name: 'Pay', count: 10 }] },
        { value: 'organic', steps: [{ name: 'Visit', count: 400 }, { name: 'Sign up', count: 150 }, { name: 'Pay', count: 40 }] },
      ],
    },
  });
  assert.equal(v.aggregated, true);
  assert.deepEqual(counts(v), [1000, 250, 50]);
  assert.deepEqual(v.steps.map((s) => s.name), ['Visit', 'Sign up', 'Pay']);
  assert.deepEqual(v.steps.map((s) => s.conversionFromFirst), [1, 0.25, 0.05]);
  assert.deepEqual(v.steps.map((s) => s.conversionFromPrevious), [1, 0.25, 0.2]);
  assert.deepEqual(v.steps.map((s) => s.dropOff), [0, 750, 200]);
  assert.deepEqual(v.steps.map((s) => s.dropOffRate), [0, 0.75, 0.8]);
  assert.deepEqual(v.steps.map((s) => s.medianTimeMs), [null, 60_000, 3_600_000]);
  // Drop-off rates 0.75 then 0.8 -> the break point is step 2.
  assert.equal(v.largestDropOff, 2);
  assert.deepEqual(groups(v), [
    ['ads', [600, 100, 10]],
    ['organic', [400, 150, 40]],
  ]);
  assert.equal(v.breakdown![1].steps[2].conversionFromPrevious, 40 / 150);
});

// ---------------------------------------------------------------------------------------------
// Invalid input: a ContractError naming the JSON path

const throwsAt = (fn: () => unknown, path: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ContractError, `expected a ContractError, got ${String(e)}`);
    assert.equal(e.path, path);
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    return true;
  });

const okRows = [ev('p1', 'signup', '2020-01-01T10:00:00Z', { plan: 'pro' }), ev('p1', 'pay', '2020-01-01T11:00:00Z', { plan: 'pro' })];

test('an exclusion "to" beyond the last step names /funnel/exclusions/N/to', () => {
  throwsAt(() => run(okRows, { steps: steps2, exclusions: [{ event: 'x', from: 0, to: 2 }] }), '/funnel/exclusions/0/to');
  throwsAt(
    () => run(okRows, { steps: steps2, exclusions: [{ event: 'x', from: 0, to: 1 }, { event: 'y', from: 0, to: 5 }] }),
    '/funnel/exclusions/1/to',
  );
});

test('an exclusion whose "to" is not after "from" is rejected at /funnel/exclusions/N', () => {
  for (const [from, to] of [
    [1, 1],
    [1, 0],
  ]) {
    assert.throws(
      () => run(okRows, { steps: [...steps2, { event: 'ship' }], exclusions: [{ event: 'x', from, to }] }),
      (e: unknown) => e instanceof ContractError && e.path.startsWith('/funnel/exclusions/0'),
    );
  }
});

test('a where column that does not exist names its path', () => {
  throwsAt(() => run(okRows, { steps: [{ event: 'signup' }, { event: 'pay', where: { tier: 'pro' } }] }), '/funnel/steps/1/where/tier');
  throwsAt(
    () => run(okRows, { steps: steps2, exclusions: [{ event: 'x', from: 0, to: 1, where: { reason: 'a' } }] }),
    '/funnel/exclusions/0/where/reason',
  );
});

test('a missing entity, time or event column names /fields/<role>', () => {
  const base = { version: 1 as const, kind: 'funnel' as const, data: { rows: okRows }, funnel: { steps: steps2 } };
  throwsAt(() => computeFunnel({ ...base, fields: { entity: 'user', time: 'ts', event: 'event' } }), '/fields/entity');
  throwsAt(() => computeFunnel({ ...base, fields: { time: 'ts', event: 'event' } }), '/fields/entity');
  throwsAt(() => computeFunnel({ ...base, fields: { entity: 'person', time: 'when', event: 'event' } }), '/fields/time');
  throwsAt(() => computeFunnel({ ...base, fields: { entity: 'person', time: 'ts', event: 'name' } }), '/fields/event');
});

test('other bad input names its path', () => {
  throwsAt(() => run(okRows, { steps: steps2, window: '14 days' }), '/funnel/window');
  throwsAt(() => run(okRows, { steps: steps2, breakdown: { field: 'browser' } }), '/funnel/breakdown/field');
  throwsAt(() => run(okRows, { steps: steps2, breakdown: { field: 'plan', attribution: { step: 2 } } }), '/funnel/breakdown/attribution/step');
  throwsAt(() => run([...okRows, ev('p2', 'signup', 'yesterday')], { steps: steps2 }), '/data/rows/2/ts');
  throwsAt(() => run(okRows, { steps: steps2 }, { timeZone: 'Mars/Olympus' }), '/timeZone');
  throwsAt(
    () =>
      computeFunnel({
        version: 1,
        kind: 'funnel',
        data: { rows: [] },
        fields: {},
        funnel: { steps: [{ name: 'A', count: 2 }, { name: 'B', count: 1 }], groups: [{ value: 'x', steps: [{ name: 'A', count: 1 }] }] },
      }),
    '/funnel/groups/0/steps',
  );
  throwsAt(() => run(okRows, { steps: [{ event: 'signup' }, { name: 'B', count: 1 }] }), '/funnel/steps/1');
});
