import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunnelViewModel } from '../../src/analytics/index.js';
import { counts, run, type Row } from './support/funnel.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { FunnelEventStep, FunnelSection } from '../../src/analytics/contract.js';

// Cases ported from PostHog's own funnel tests (repository PostHog/posthog, directory
// posthog/hogql_queries/insights/funnels/test/). Each test names the file and test it comes from.
// Expected counts are PostHog's asserted results, re-derived by hand in the comments.
//
// Translation rules:
// - a PostHog person (with all of its distinct ids) is one entity;
// - PostHog step `order` N / `funnel_step` N+1 is our step index N; exclusion funnel_from_step /
//   funnel_to_step are already 0-indexed like ours;
// - an action or a step with event-property filters becomes an event step with `where`;
// - events created without a timestamp (PostHog stamps them "now", in creation order) get
//   increasing timestamps one minute apart, in the order the PostHog test creates them;
// - funnel_window_days / funnel_window_interval(+unit) become `window` (PostHog's default unit
//   is the day); date_from / date_to become `range`.

type Ev = { event: string; ts?: string } & Row;

let clock = Date.UTC(2021, 0, 1);
/** PostHog's journeys_for / _create_event: a map of person -> events, in creation order. */
function journeys(people: Record<string, Ev[]>): Row[] {
  const rows: Row[] = [];
  for (const [person, events] of Object.entries(people)) {
    for (const { ts, ...rest } of events) {
      rows.push({ person, ts: ts ?? new Date((clock += 60_000)).toISOString(), ...rest });
    }
  }
  return rows;
}

/** Breakdown groups sorted by value, as PostHog's tests sort them (`sorted(..., key=breakdown)`). */
const sortedGroups = (v: FunnelViewModel) =>
  v.breakdown!.map((g) => [g.value, g.steps.map((s) => s.count)] as [string, number[]]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const groupMedians = (v: FunnelViewModel) =>
  Object.fromEntries(v.breakdown!.map((g) => [g.value, g.steps.map((s) => s.medianTimeMs)]));

const S = 1000;

// ---------------------------------------------------------------------------------------------
// test_funnel.py

// _basic_funnel: "user signed up", then action "paid" ($autocapture on a button "Pay $10"), then
// action "watched movie" ($autocapture on a link to /movie).
const SIGNUP = { event: 'user signed up' };
const PAY = { event: '$autocapture', tag_name: 'button', text: 'Pay $10' };
const MOVIE = { event: '$autocapture', tag_name: 'a', href: '/movie' };
const basicSteps: FunnelEventStep[] = [
  { event: 'user signed up' },
  { event: '$autocapture', label: 'paid', where: { tag_name: 'button', text: 'Pay $10' } },
  { event: '$autocapture', label: 'watched movie', where: { tag_name: 'a', href: '/movie' } },
];

test('PostHog test_funnel.py::test_funnel_events (basic ordered funnel)', () => {
  const rows = journeys({
    stopped_after_signup: [SIGNUP], // step 0
    stopped_after_pay: [SIGNUP, PAY], // step 1
    // one person with distinct ids had_anonymous_id + completed_movie -> one entity
    had_anonymous_id: [SIGNUP, PAY, MOVIE], // step 2
    just_did_movie: [MOVIE], // no step 0 -> nowhere
    wrong_order: [PAY, SIGNUP, MOVIE], // signup, then a movie that is not "paid" -> step 0
  });
  const v = run(rows, { steps: basicSteps, window: '14d' });
  assert.deepEqual(v.steps.map((s) => s.name), ['user signed up', 'paid', 'watched movie']);
  assert.deepEqual(counts(v), [4, 2, 1]);
});

test('PostHog test_funnel.py::test_funnel_skipped_step', () => {
  // signup, movie: "paid" is skipped, so the movie cannot count as step 2.
  // Our contract rejects a `where` on a column the data lacks (a ContractError), where PostHog just
  // matches nothing; a bystander's unrelated event carries the "text" column so the "paid" filter
  // is valid here.
  const rows = journeys({ wrong_order: [SIGNUP, MOVIE], bystander: [{ event: 'other', text: null }] });
  assert.deepEqual(counts(run(rows, { steps: basicSteps, window: '14d' })), [1, 0, 0]);
});

test('PostHog test_funnel.py::test_funnel_prop_filters_per_entity (step filters)', () => {
  const rows = journeys({
    // signup Safari (step 0), pay Safari (step 1), movie without browser (not Firefox) -> step 1
    with_property: [
      { ...SIGNUP, $browser: 'Safari' },
      { ...PAY, $browser: 'Safari' },
      MOVIE,
    ],
    // signup without browser does not match step 0 -> nowhere
    without_property: [SIGNUP, { ...PAY, $browser: 'Safari' }],
    half_property: [SIGNUP, PAY, MOVIE], // nothing matches step 0 -> nowhere
  });
  const v = run(rows, {
    steps: [
      { event: 'user signed up', where: { $browser: 'Safari' } }, // (value Safari, and is_not Chrome)
      { event: '$autocapture', where: { tag_name: 'button', text: 'Pay $10', $browser: 'Safari' } },
      { event: '$autocapture', where: { tag_name: 'a', href: '/movie', $browser: 'Firefox' } },
    ],
    window: '14d',
  });
  assert.deepEqual(counts(v), [1, 1, 0]);
});

test('PostHog test_funnel.py::test_funnel_multiple_actions (two filtered steps on one event)', () => {
  const rows = journeys({ person1: [{ event: 'event1' }, { event: 'event2', test_propX: 'a' }] });
  // event1 -> step 0; event2 with test_propX "a" -> step 1; no event2 with "c" -> step 2 not reached.
  const v = run(rows, {
    steps: [{ event: 'event1' }, { event: 'event2', where: { test_propX: 'a' } }, { event: 'event2', where: { test_propX: 'c' } }],
    window: '14d',
  });
  assert.deepEqual(counts(v), [1, 1, 0]);
});

test('PostHog test_funnel.py::test_basic_funnel_with_repeat_steps (same event for two steps)', () => {
  const rows = journeys({
    stopped_after_signup1: [SIGNUP, SIGNUP], // two sign-ups: one per step
    stopped_after_signup2: [SIGNUP], // one sign-up can only be step 0
  });
  assert.deepEqual(counts(run(rows, { steps: [SIGNUP, SIGNUP], window: '14d' })), [2, 1]);
});

test('PostHog test_funnel.py::test_basic_funnel_with_derivative_steps', () => {
  // Step 0 = "user signed up" with key "val", step 1 = any "user signed up".
  const rows = journeys({
    stopped_after_signup1: [{ ...SIGNUP, key: 'val' }, SIGNUP], // step 0 then step 1
    stopped_after_signup2: [{ ...SIGNUP, key: 'val' }], // its one event is step 0 only
  });
  const v = run(rows, { steps: [{ event: 'user signed up', where: { key: 'val' } }, SIGNUP], window: '14d' });
  assert.deepEqual(counts(v), [2, 1]);
});

const PV = { event: '$pageview' };
const BLAH = { event: 'blaah blaa' };
const repeatSteps = [SIGNUP, PV, PV, PV, PV];

test('PostHog test_funnel.py::test_advanced_funnel_with_repeat_steps', () => {
  const rows = journeys({
    stopped_after_signup1: [SIGNUP], // 1 step
    stopped_after_pageview1: [SIGNUP, PV], // 2
    stopped_after_pageview2: [SIGNUP, PV, BLAH, PV], // 3 (other events between are fine)
    stopped_after_pageview3: [SIGNUP, PV, BLAH, PV, PV, BLAH], // 4
    stopped_after_pageview4: [SIGNUP, PV, PV, PV, PV], // 5
  });
  assert.deepEqual(counts(run(rows, { steps: repeatSteps })), [5, 4, 3, 2, 1]);
});

test('PostHog test_funnel.py::test_advanced_funnel_with_repeat_steps_out_of_order_events', () => {
  const rows = journeys({
    // person with distinct ids "random" + "stopped_after_signup1": pageview, then signup -> 1 step
    stopped_after_signup1: [PV, SIGNUP],
    stopped_after_pageview1: [SIGNUP, PV], // 2
    stopped_after_pageview2: [PV, SIGNUP, BLAH, PV], // the pageview before signup is useless -> 2
    stopped_after_pageview3: [BLAH, PV, BLAH, PV, SIGNUP, PV], // only one pageview after signup -> 2
    stopped_after_pageview4: [SIGNUP, PV, BLAH, PV, PV, PV], // 4 pageviews after signup -> 5
    stopped_after_pageview5: [PV, BLAH, PV, PV, PV], // never signs up -> nowhere
  });
  assert.deepEqual(counts(run(rows, { steps: repeatSteps, window: '14d' })), [5, 4, 1, 1, 1]);
});

test('PostHog test_funnel.py::test_funnel_with_matching_properties', () => {
  const aloha = { ...PV, $current_url: 'aloha.com' };
  const aloha2 = { ...PV, $current_url: 'aloha2.com' };
  const rows = journeys({
    stopped_after_signup1: [SIGNUP], // 1
    stopped_after_pageview1: [SIGNUP, aloha], // 2
    stopped_after_pageview2: [SIGNUP, aloha, { ...BLAH, $current_url: 'aloha.com' }, aloha2], // 3
    stopped_after_pageview3: [SIGNUP, aloha, aloha2, aloha2, BLAH], // 4: two aloha2 pageviews for steps 2 and 3
    stopped_after_pageview4: [SIGNUP, aloha, BLAH, aloha2, aloha, aloha2], // 4: aloha2, (aloha skipped), aloha2
  });
  const v = run(rows, {
    steps: [
      SIGNUP,
      { event: '$pageview', where: { $current_url: 'aloha.com' } },
      { event: '$pageview', where: { $current_url: 'aloha2.com' } },
      { event: '$pageview', where: { $current_url: 'aloha2.com' } },
      PV,
    ],
    window: '14d',
  });
  // Nobody has a fifth pageview after the second aloha2 one -> step 4 is 0.
  assert.deepEqual(counts(v), [5, 4, 3, 2, 0]);
});

test('PostHog test_funnel.py::test_funnel_conversion_window (7 days)', () => {
  const rows: Row[] = [];
  // users 0-9 convert after 1 day, users 10-24 after 9 days.
  for (let i = 0; i < 25; i++) {
    rows.push({ person: `user_${i}`, event: 'step one', ts: '2021-05-01T00:00:00Z' });
    rows.push({ person: `user_${i}`, event: 'step two', ts: i < 10 ? '2021-05-02T00:00:00Z' : '2021-05-10T00:00:00Z' });
  }
  const v = run(rows, {
    steps: [{ event: 'step one' }, { event: 'step two' }, { event: 'step three' }],
    window: '7d',
    range: { from: '2021-05-01', to: '2021-05-14' },
  });
  assert.deepEqual(counts(v), [25, 10, 0]);
});

test('PostHog test_funnel.py::test_funnel_conversion_window_seconds (15 seconds)', () => {
  const rows: Row[] = [];
  // users 0-9 convert after 10 s, users 10-24 after 20 s.
  for (let i = 0; i < 25; i++) {
    rows.push({ person: `user_${i}`, event: 'step one', ts: '2021-05-01T00:00:00Z' });
    rows.push({ person: `user_${i}`, event: 'step two', ts: i < 10 ? '2021-05-01T00:00:10Z' : '2021-05-01T00:00:20Z' });
  }
  const v = run(rows, {
    steps: [{ event: 'step one' }, { event: 'step two' }, { event: 'step three' }],
    window: '15s',
    range: { from: '2021-05-01', to: '2021-05-14' },
  });
  assert.deepEqual(counts(v), [25, 10, 0]);
});

test('PostHog test_funnel.py::test_funnel_with_different_actions_at_same_time_count_as_converted', () => {
  // freeze_time("2020-01-03"): both events of stopped_after_signup1 share one timestamp.
  const ts = '2020-01-03T00:00:00Z';
  const rows = journeys({
    stopped_after_signup1: [
      { event: 'sign up', key: 'val', ts },
      { event: '$pageview', key: 'val', ts },
    ],
    stopped_after_signup2: [{ event: 'sign up', key: 'val', ts }],
  });
  const v = run(rows, {
    steps: [{ event: 'sign up', where: { key: 'val' } }, { event: '$pageview' }],
    range: { from: '2020-01-01', to: '2020-01-07' },
  });
  assert.deepEqual(counts(v), [2, 1]);
});

test('PostHog test_funnel.py::test_same_event_same_timestamp', () => {
  // 20 "step one" events at the same instant, "step two" a day later -> converts once.
  const rows: Row[] = [];
  for (let i = 0; i < 20; i++) rows.push({ person: 'test', event: 'step one', ts: '2024-01-10T12:01:00Z' });
  rows.push({ person: 'test', event: 'step two', ts: '2024-01-11T12:01:00Z' });
  const v = run(rows, { steps: [{ event: 'step one' }, { event: 'step two' }], range: { from: '2024-01-10', to: '2024-01-12' } });
  assert.deepEqual(counts(v), [1, 1]);
});

test('PostHog test_funnel.py::test_funnel_exclusion_no_end_event (inside / outside the window)', () => {
  const rows = journeys({
    person1: [
      { event: 'user signed up', ts: '2021-05-01T01:00:00Z' },
      { event: 'paid', ts: '2021-05-01T02:00:00Z' },
    ], // clean -> converts
    person2: [
      { event: 'user signed up', ts: '2021-05-01T03:00:00Z' },
      { event: 'x', ts: '2021-05-01T03:30:00Z' },
      { event: 'paid', ts: '2021-05-01T04:00:00Z' },
    ], // x between steps 0 and 1 -> removed
    person3: [
      { event: 'user signed up', ts: '2021-05-01T05:00:00Z' },
      { event: 'x', ts: '2021-05-01T06:00:00Z' },
    ], // x inside the window even with no end event -> removed
    person4: [
      { event: 'user signed up', ts: '2021-05-01T07:00:00Z' },
      { event: 'x', ts: '2021-05-02T08:00:00Z' },
    ], // x 25h later, outside the 1-day window -> kept at step 0
  });
  const v = run(rows, {
    steps: [{ event: 'user signed up' }, { event: 'paid' }],
    window: '1d',
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'x', from: 0, to: 1 }],
  });
  // step 0: person1, person4; step 1: person1.
  assert.deepEqual(counts(v), [2, 1]);
});

const noEndEventFunnel: FunnelSection = {
  steps: [{ event: 'step one' }, { event: 'step two' }],
  window: '10s',
  range: { from: '2021-05-01', to: '2021-05-13' },
  exclusions: [{ event: 'exclusion', from: 0, to: 1 }],
};

test('PostHog test_funnel.py::test_funnel_exclusion_multiple_possible_no_end_event1 (later clean attempt qualifies)', () => {
  // step one 00:00:00 -> exclusion at :01 hits attempt 1; step one at :31 is a clean attempt.
  const rows = journeys({
    user_one: [
      { event: 'step one', ts: '2021-05-01T00:00:00Z' },
      { event: 'exclusion', ts: '2021-05-01T00:00:01Z' },
      { event: 'step one', ts: '2021-05-01T00:00:31Z' },
    ],
  });
  assert.deepEqual(counts(run(rows, noEndEventFunnel)), [1, 0]);
});

test('PostHog test_funnel.py::test_funnel_exclusion_multiple_possible_no_end_event2 (earlier clean attempt qualifies)', () => {
  // Attempt 1 (00:00) ends its 10 s window cleanly; attempt 2 (00:31) is hit at 00:32.
  const rows = journeys({
    user_one: [
      { event: 'step one', ts: '2021-05-01T00:00:00Z' },
      { event: 'step one', ts: '2021-05-01T00:00:31Z' },
      { event: 'exclusion', ts: '2021-05-01T00:00:32Z' },
    ],
  });
  assert.deepEqual(counts(run(rows, noEndEventFunnel)), [1, 0]);
});

test('PostHog test_funnel.py::test_funnel_exclusion_multiple_possible_no_end_event3 (every attempt hit)', () => {
  // Attempts at 00:00 and 00:01 are both within 10 s of the exclusion at 00:02 -> both hit.
  const rows = journeys({
    user_one: [
      { event: 'step one', ts: '2021-05-01T00:00:00Z' },
      { event: 'step one', ts: '2021-05-01T00:00:01Z' },
      { event: 'exclusion', ts: '2021-05-01T00:00:02Z' },
    ],
  });
  assert.deepEqual(counts(run(rows, noEndEventFunnel)), [0, 0]);
});

const fullWindowRows = (exclusion: Ev) =>
  journeys({
    person1: [
      { event: 'user signed up', ts: '2021-05-01T01:00:00Z' },
      { event: 'paid', ts: '2021-05-01T02:00:00Z' },
    ],
    person2: [
      { event: 'user signed up', ts: '2021-05-01T03:00:00Z' },
      { ...exclusion, ts: '2021-05-01T03:30:00Z' },
      { event: 'paid', ts: '2021-05-01T04:00:00Z' },
    ],
    person3: [
      { event: 'user signed up', ts: '2021-05-01T05:00:00Z' },
      { event: 'paid', ts: '2021-05-01T06:00:00Z' },
    ],
  });

test('PostHog test_funnel.py::test_funnel_exclusions_full_window', () => {
  const v = run(fullWindowRows({ event: 'x 1 name with numbers 2' }), {
    steps: [{ event: 'user signed up' }, { event: 'paid' }],
    window: '14d',
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'x 1 name with numbers 2', from: 0, to: 1 }],
  });
  // person2 is removed from both steps; person1 and person3 convert.
  assert.deepEqual(counts(v), [2, 2]);
});

test('PostHog test_funnel.py::test_funnel_exclusions_with_actions (exclusion with a property filter)', () => {
  // The exclusion is the action "sign up" with key = "val".
  const v = run(fullWindowRows({ event: 'sign up', key: 'val' }), {
    steps: [{ event: 'user signed up' }, { event: 'paid' }],
    window: '14d',
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'sign up', from: 0, to: 1, where: { key: 'val' } }],
  });
  assert.deepEqual(counts(v), [2, 2]);
});

const fiveSteps = [{ event: 'user signed up' }, { event: '$pageview' }, { event: 'insight viewed' }, { event: 'invite teammate' }, { event: 'pageview2' }];
const at = (event: string, hhmm: string): Ev => ({ event, ts: `2021-05-01T${hhmm}:00Z` });

test('PostHog test_funnel.py::test_advanced_funnel_exclusions_between_steps (from/to step ranges)', () => {
  const rows = journeys({
    // x after steps 1, 2 and 3 (before insight viewed, invite teammate, pageview2)
    person1: [at('user signed up', '01:00'), at('$pageview', '02:00'), at('x', '03:00'), at('insight viewed', '04:00'), at('x', '04:30'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
    // x after steps 2 and 3
    person2: [at('user signed up', '01:00'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('x', '04:30'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
    // x after steps 0 and 3
    person3: [at('user signed up', '01:00'), at('x', '01:30'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
  });
  const funnel = (from: number, to: number): FunnelSection => ({
    steps: fiveSteps,
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'x', from, to }],
  });
  // 0 -> 1: only person3 has x between signup and pageview -> person1, person2 complete.
  assert.deepEqual(counts(run(rows, funnel(0, 1))), [2, 2, 2, 2, 2]);
  // 1 -> 2: person1 (x at 03:00) hit -> person2, person3 complete.
  assert.deepEqual(counts(run(rows, funnel(1, 2))), [2, 2, 2, 2, 2]);
  // 2 -> 3: person1 and person2 (x at 04:30) hit -> person3.
  assert.deepEqual(counts(run(rows, funnel(2, 3))), [1, 1, 1, 1, 1]);
  // 3 -> 4: everybody has x at 05:30 -> nobody.
  assert.deepEqual(counts(run(rows, funnel(3, 4))), [0, 0, 0, 0, 0]);
  // 1 -> 3: person1 (03:00) and person2 (04:30) hit -> person3.
  assert.deepEqual(counts(run(rows, funnel(1, 3))), [1, 1, 1, 1, 1]);
});

test('PostHog test_funnel.py::test_advanced_funnel_multiple_exclusions_between_steps', () => {
  const rows = journeys({
    person1: [at('user signed up', '01:00'), at('x', '02:00'), at('$pageview', '03:00'), at('insight viewed', '04:00'), at('y', '04:30'), at('invite teammate', '05:00'), at('pageview2', '06:00')],
    person2: [at('user signed up', '01:00'), at('y', '01:30'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('y', '04:30'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
    person3: [at('user signed up', '01:00'), at('x', '01:30'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
    person4: [at('user signed up', '01:00'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('invite teammate', '05:00'), at('pageview2', '06:00')],
  });
  const funnel = (exclusions: FunnelSection['exclusions']): FunnelSection => ({ steps: fiveSteps, range: { from: '2021-05-01', to: '2021-05-14' }, exclusions });
  // x 0->1, y 2->3: person1 (x 02:00), person2 (y 04:30), person3 (x 01:30) hit -> person4 only.
  assert.deepEqual(counts(run(rows, funnel([{ event: 'x', from: 0, to: 1 }, { event: 'y', from: 2, to: 3 }]))), [1, 1, 1, 1, 1]);
  // x 0->1, y 0->1: person1 (x 02:00), person2 (y 01:30), person3 (x 01:30) hit -> person4.
  assert.deepEqual(counts(run(rows, funnel([{ event: 'x', from: 0, to: 1 }, { event: 'y', from: 0, to: 1 }]))), [1, 1, 1, 1, 1]);
  // x and y over the whole funnel (0->4): every person but person4 has one before pageview2.
  assert.deepEqual(counts(run(rows, funnel([{ event: 'x', from: 0, to: 4 }, { event: 'y', from: 0, to: 4 }]))), [1, 1, 1, 1, 1]);
});

test('PostHog test_funnel.py::test_funnel_exclusions_invalid_params', () => {
  const base: FunnelSection = { steps: [{ event: 'user signed up' }, { event: 'paid' }], window: '14d' };
  const rows = journeys({ p: [SIGNUP] });
  // from == to, to beyond the last step, from after to, 0 -> 2 in a 2-step funnel: all invalid.
  for (const [from, to] of [
    [1, 1],
    [1, 2],
    [2, 1],
    [0, 2],
  ]) {
    assert.throws(
      () => run(rows, { ...base, exclusions: [{ event: 'x', from, to }] }),
      (e: unknown) => e instanceof ContractError && e.path.startsWith('/funnel/exclusions/0'),
      `exclusion ${from} -> ${to}`,
    );
  }
});

test('PostHog test_funnel.py::test_funnel_window_ignores_dst_transition', () => {
  // pageview 2024-03-01 15:10Z, signup 2024-03-15 14:27Z: 13d 23h 17m = 1,207,020 s, inside 14 days.
  const rows = journeys({
    user_1: [
      { event: '$pageview', ts: '2024-03-01T15:10:00Z' },
      { event: 'user signed up', ts: '2024-03-15T14:27:00Z' },
    ],
  });
  const funnel: FunnelSection = { steps: [{ event: '$pageview' }, { event: 'user signed up' }], range: { from: '2024-02-17', to: '2024-03-18' } };
  // UTC, and US/Pacific (PST -> PDT on 10 March): the window is a duration, unaffected by DST.
  for (const timeZone of ['UTC', 'America/Los_Angeles']) {
    const v = run(rows, funnel, { timeZone });
    assert.deepEqual(counts(v), [1, 1], timeZone);
    assert.equal(v.steps[1].meanTimeMs, 1_207_020 * S);
    assert.equal(v.steps[1].medianTimeMs, 1_207_020 * S);
  }
});

// ---------------------------------------------------------------------------------------------
// conversion_time_cases.py

test('PostHog conversion_time_cases.py::test_funnel_times_with_different_conversion_windows (exactly at the limit converts)', () => {
  const rows = journeys({
    stopped_after_signup1: [
      { event: 'user signed up', ts: '2020-01-02T14:00:00Z' },
      { event: 'pageview', ts: '2020-01-02T14:05:00Z' }, // exactly 5 minutes
    ],
    stopped_after_signup2: [{ event: 'user signed up', ts: '2020-01-02T14:03:00Z' }],
    stopped_after_signup3: [
      { event: 'user signed up', ts: '2020-01-02T12:00:00Z' },
      { event: 'pageview', ts: '2020-01-02T12:15:00Z' }, // 15 minutes
    ],
  });
  const funnel = (window: string): FunnelSection => ({
    steps: [{ event: 'user signed up' }, { event: 'pageview' }],
    window,
    range: { from: '2020-01-01', to: '2020-01-14' },
  });
  // 14 days: both convert, mean (5 + 15) / 2 = 10 min = 600 s.
  const wide = run(rows, funnel('14d'));
  assert.deepEqual(counts(wide), [3, 2]);
  assert.equal(wide.steps[1].meanTimeMs, 600 * S);
  // 5 minutes: the 5-minute conversion is exactly at the limit and still counts; 15 min does not.
  const narrow = run(rows, funnel('5m'));
  assert.deepEqual(counts(narrow), [3, 1]);
  assert.equal(narrow.steps[1].meanTimeMs, 300 * S);
});

test('PostHog conversion_time_cases.py::test_funnel_step_conversion_times', () => {
  const rows = journeys({
    person1: [
      { event: 'sign up', ts: '2020-01-01T12:00:00Z' },
      { event: 'play movie', ts: '2020-01-01T13:00:00Z' }, // 1h
      { event: 'buy', ts: '2020-01-01T15:00:00Z' }, // 2h
    ],
    person2: [
      { event: 'sign up', ts: '2020-01-02T14:00:00Z' },
      { event: 'play movie', ts: '2020-01-02T16:00:00Z' }, // 2h
    ],
    person3: [
      { event: 'sign up', ts: '2020-01-02T14:00:00Z' },
      { event: 'play movie', ts: '2020-01-02T16:00:00Z' }, // 2h
      { event: 'buy', ts: '2020-01-02T17:00:00Z' }, // 1h
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'sign up' }, { event: 'play movie' }, { event: 'buy' }],
    window: '7d',
    range: { from: '2020-01-01', to: '2020-01-08' },
  });
  assert.deepEqual(counts(v), [3, 3, 2]);
  // play movie: 1h, 2h, 2h -> mean 6000 s, median 7200 s. buy: 2h, 1h -> mean = median = 5400 s.
  assert.deepEqual(v.steps.map((s) => s.meanTimeMs), [null, 6000 * S, 5400 * S]);
  assert.deepEqual(v.steps.map((s) => s.medianTimeMs), [null, 7200 * S, 5400 * S]);
});

test('PostHog conversion_time_cases.py::test_funnel_with_multiple_incomplete_tries (multiple attempts)', () => {
  const rows = journeys({
    person1: [
      // attempt 1 completes the funnel on May 1 (1h, then 1h)
      { event: 'user signed up', ts: '2021-05-01T01:00:00Z' },
      { event: '$pageview', ts: '2021-05-01T02:00:00Z' },
      { event: 'something else', ts: '2021-05-01T03:00:00Z' },
      // attempts 2 and 3 only reach the pageview
      { event: 'user signed up', ts: '2021-05-03T04:00:00Z' },
      { event: '$pageview', ts: '2021-05-03T05:00:00Z' },
      { event: 'user signed up', ts: '2021-05-04T07:00:00Z' },
      { event: '$pageview', ts: '2021-05-04T10:00:00Z' },
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'user signed up' }, { event: '$pageview' }, { event: 'something else' }],
    window: '1d',
    range: { from: '2021-05-01', to: '2021-05-14' },
  });
  assert.deepEqual(counts(v), [1, 1, 1]);
  // Times come from the completed attempt: 1 hour, the incomplete tries are disregarded.
  assert.equal(v.steps[1].meanTimeMs, 3600 * S);
  assert.equal(v.steps[1].medianTimeMs, 3600 * S);
});

// ---------------------------------------------------------------------------------------------
// test_funnel_strict.py

test('PostHog test_funnel_strict.py::test_basic_strict_funnel', () => {
  const IV = { event: 'insight viewed' };
  const rows = journeys({
    stopped_after_signup1: [SIGNUP], // 1
    stopped_after_pageview1: [PV, SIGNUP], // 1
    stopped_after_insightview: [SIGNUP, PV, BLAH, IV], // blah breaks after step 1 -> 2
    stopped_after_insightview2: [IV, BLAH, PV, SIGNUP], // 1
    stopped_after_insightview3: [PV, SIGNUP, BLAH, PV, IV], // blah right after signup -> 1
    person6: [BLAH, SIGNUP, BLAH, PV], // 1
    person7: [BLAH, SIGNUP, PV, IV, BLAH], // 3
    stopped_after_insightview6: [IV, PV], // never signs up -> nowhere
  });
  const v = run(rows, { steps: [SIGNUP, PV, IV], order: 'strict' });
  assert.deepEqual(counts(v), [7, 2, 1]);
});

test('PostHog test_funnel_strict.py::test_advanced_strict_funnel (strict with step filters)', () => {
  // steps: "user signed up", action "sign up" (key = val), "$pageview", action "pageview" (key = val)
  const USU = SIGNUP;
  const signUp = (key?: string): Ev => (key === undefined ? { event: 'sign up' } : { event: 'sign up', key });
  const rows = journeys({
    stopped_after_signup1: [USU], // 1
    stopped_after_pageview1: [USU, PV], // $pageview is not "sign up" -> 1
    stopped_after_insightview: [USU, signUp('val'), signUp('val2'), PV, BLAH, { event: 'insight viewed' }], // "sign up" val2 breaks -> 2
    person4: [BLAH, USU, signUp('val'), { ...PV, key: 'val' }, BLAH], // 3
    person5: [BLAH, USU, signUp('val'), PV, BLAH], // 3
    person6: [BLAH, USU, signUp('val'), PV, { event: 'pageview', key: 'val1' }], // val1 does not match -> 3
    person7: [BLAH, USU, signUp('val'), PV, USU, { event: 'pageview', key: 'val' }], // USU breaks -> 3
    person8: [BLAH, USU, USU, signUp('val'), PV, { event: 'pageview', key: 'val' }], // second USU restarts -> 4
  });
  const v = run(rows, {
    steps: [USU, { event: 'sign up', where: { key: 'val' } }, PV, { event: 'pageview', where: { key: 'val' } }],
    order: 'strict',
  });
  assert.deepEqual(counts(v), [8, 6, 5, 1]);
});

test('PostHog test_funnel_strict.py::test_basic_strict_funnel_conversion_times', () => {
  const rows = journeys({
    stopped_after_signup1: [{ event: 'user signed up', ts: '2021-05-02T00:00:00Z' }],
    stopped_after_pageview1: [
      { event: 'user signed up', ts: '2021-05-02T00:00:00Z' },
      { event: '$pageview', ts: '2021-05-02T01:00:00Z' },
    ],
    stopped_after_insightview: [
      { event: 'user signed up', ts: '2021-05-02T00:00:00Z' },
      { event: '$pageview', ts: '2021-05-02T02:00:00Z' },
      { event: 'insight viewed', ts: '2021-05-02T04:00:00Z' },
    ],
  });
  const v = run(rows, {
    steps: [SIGNUP, PV, { event: 'insight viewed' }],
    order: 'strict',
    range: { from: '2021-05-01', to: '2021-05-07' },
  });
  assert.deepEqual(counts(v), [3, 2, 1]);
  // pageview: 1h and 2h -> 5400 s; insight viewed: 2h -> 7200 s.
  assert.deepEqual(v.steps.map((s) => s.meanTimeMs), [null, 5400 * S, 7200 * S]);
});

test('PostHog test_funnel_strict.py::test_strict_breakdown_events_with_multiple_properties', () => {
  const rows = journeys({
    person1: [
      { event: 'sign up', ts: '2020-01-01T12:00:00Z', $browser: 'Chrome' },
      { event: 'blah', ts: '2020-01-01T13:00:00Z', $browser: 'Chrome' }, // breaks the strict attempt
      { event: 'play movie', ts: '2020-01-01T14:00:00Z', $browser: 'Chrome' },
    ],
    person2: [
      { event: 'sign up', ts: '2020-01-02T13:00:00Z', $browser: 'Safari' },
      { event: 'play movie', ts: '2020-01-02T14:00:00Z', $browser: 'Safari' },
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'sign up' }, { event: 'play movie' }],
    order: 'strict',
    window: '7d',
    range: { from: '2020-01-01', to: '2020-01-08' },
    breakdown: { field: '$browser' },
  });
  assert.deepEqual(sortedGroups(v), [
    ['Chrome', [1, 0]],
    ['Safari', [1, 1]],
  ]);
  assert.equal(groupMedians(v).Safari[1], 3600 * S);
});

// ---------------------------------------------------------------------------------------------
// test_funnel_unordered.py

test('PostHog test_funnel_unordered.py::test_big_multi_step_unordered_funnel', () => {
  const IV = { event: 'insight viewed' };
  const CRY = { event: 'crying' };
  const rows = journeys({
    stopped_after_signup1: [SIGNUP], // 1 different step
    stopped_after_pageview1: [PV, CRY], // 2
    stopped_after_insightview: [SIGNUP, PV, BLAH, IV], // 3
    stopped_after_insightview2: [IV, CRY, SIGNUP], // 3 (reverse order is fine)
    stopped_after_insightview3: [PV, SIGNUP, CRY, IV], // 4
    stopped_after_insightview4: [BLAH, IV], // 1
    stopped_after_insightview5: [PV, BLAH], // 1
    stopped_after_insightview6: [IV, PV], // 2 (never signed up, still counts)
  });
  const v = run(rows, { steps: [SIGNUP, PV, IV, CRY], order: 'any' });
  assert.deepEqual(counts(v), [8, 5, 3, 1]);
});

test('PostHog test_funnel_unordered.py::test_basic_unordered_funnel_conversion_times', () => {
  const rows = journeys({
    stopped_after_signup1: [{ event: 'user signed up', ts: '2021-05-02T00:00:00Z' }],
    stopped_after_pageview1: [
      { event: '$pageview', ts: '2021-05-02T00:00:00Z' },
      { event: 'user signed up', ts: '2021-05-02T01:00:00Z' },
    ],
    stopped_after_insightview: [
      // completes twice: 00:00 insight, 02:00 signup, 04:00 pageview (2h + 2h) ...
      { event: 'insight viewed', ts: '2021-05-02T00:00:00Z' },
      { event: 'user signed up', ts: '2021-05-02T02:00:00Z' },
      { event: '$pageview', ts: '2021-05-02T04:00:00Z' },
      // ... and again the next day (3h + 3h)
      { event: '$pageview', ts: '2021-05-03T00:00:00Z' },
      { event: 'insight viewed', ts: '2021-05-03T03:00:00Z' },
      { event: 'user signed up', ts: '2021-05-03T06:00:00Z' },
    ],
  });
  const v = run(rows, {
    steps: [SIGNUP, PV, { event: 'insight viewed' }],
    order: 'any',
    window: '1d',
    range: { from: '2021-05-01', to: '2021-05-07' },
  });
  assert.deepEqual(counts(v), [3, 2, 1]);
  // PostHog's UDF funnels take the first conversion: step 2 (1h, 2h) -> 5400 s; step 3 (2h) -> 7200 s.
  assert.deepEqual(v.steps.map((s) => s.meanTimeMs), [null, 5400 * S, 7200 * S]);
});

test('PostHog test_funnel_unordered.py::test_funnel_unordered_entity_filters', () => {
  // Both steps are "user signed up", told apart by their property filters.
  const rows = journeys({
    user: [
      { event: 'user signed up', prop_a: 'some value' },
      { event: 'user signed up', prop_b: 'another value' },
    ],
  });
  const v = run(rows, {
    steps: [
      { event: 'user signed up', where: { prop_a: 'some value' } },
      { event: 'user signed up', where: { prop_b: 'another value' } }, // (PostHog: icontains "another")
    ],
    order: 'any',
  });
  assert.deepEqual(counts(v), [1, 1]);
});

test('PostHog test_funnel_unordered.py::test_funnel_exclusions_full_window (any order: progress wiped, entity kept)', () => {
  const v = run(fullWindowRows({ event: 'x' }), {
    steps: [{ event: 'user signed up' }, { event: 'paid' }],
    order: 'any',
    window: '14d',
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'x', from: 0, to: 1 }],
  });
  // person2's signup is wiped by x, its later "paid" alone is 1 step: step 0 = 3, step 1 = 2.
  assert.deepEqual(counts(v), [3, 2]);
});

test('PostHog test_funnel_unordered.py::test_unordered_exclusion_after_completion', () => {
  const rows = journeys({
    person1: [
      { event: 'user signed up', ts: '2021-05-01T01:00:00Z' },
      { event: 'paid', ts: '2021-05-01T02:00:00Z' },
      { event: 'left', ts: '2021-05-01T03:00:00Z' }, // all three steps done
      { event: 'x', ts: '2021-05-01T04:00:00Z' }, // too late to undo the completed run
      { event: 'left', ts: '2021-05-01T05:00:00Z' },
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'user signed up' }, { event: 'paid' }, { event: 'left' }],
    order: 'any',
    window: '14d',
    range: { from: '2021-05-01', to: '2021-05-14' },
    exclusions: [{ event: 'x', from: 0, to: 2 }],
  });
  assert.deepEqual(counts(v), [1, 1, 1]);
});

test(
  'PostHog test_funnel_unordered.py::test_advanced_funnel_multiple_exclusions_between_steps',
  () => {
    const rows = journeys({
      // segments between exclusions: [signup] | [pv, insight] | [invite, pv2] -> best 2 (after the last y)
      person1: [at('user signed up', '01:00'), at('x', '02:00'), at('$pageview', '03:00'), at('insight viewed', '04:00'), at('y', '04:30'), at('invite teammate', '05:00'), at('pageview2', '06:00')],
      // [signup] | [pv, insight] wiped by y 04:30 | [invite] wiped by x 05:30 | [pv2] -> 1
      person2: [at('user signed up', '01:00'), at('y', '01:30'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('y', '04:30'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
      // [signup] | [pv, insight, invite] wiped by x 05:30 | [pv2] -> 1
      person3: [at('user signed up', '01:00'), at('x', '01:30'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
      // no exclusions -> 5
      person4: [at('user signed up', '01:00'), at('$pageview', '02:00'), at('insight viewed', '04:00'), at('invite teammate', '05:00'), at('pageview2', '06:00')],
      // every segment holds one step -> 1
      person5: [at('user signed up', '01:00'), at('x', '01:30'), at('$pageview', '02:00'), at('x', '02:30'), at('insight viewed', '04:00'), at('y', '04:30'), at('invite teammate', '05:00'), at('x', '05:30'), at('pageview2', '06:00')],
    });
    const v = run(rows, {
      steps: fiveSteps,
      order: 'any',
      range: { from: '2021-05-01', to: '2021-05-14' },
      exclusions: [
        { event: 'x', from: 0, to: 4 },
        { event: 'y', from: 0, to: 4 },
      ],
    });
    // PostHog: step 1 actors = person1, person4; steps 2-4 = person4.
    assert.deepEqual(counts(v), [5, 2, 1, 1, 1]);
  },
);

test(
  'PostHog test_funnel_unordered.py::test_unordered_trend_with_partial_steps_and_exclusion (steps view)',
  () => {
    const rows = journeys({
      // step 1, step 2, exclusion, step 3 (all within 6h): steps 1-2 are wiped, step 3 alone -> 1
      user_1: [
        { event: 'step 1', ts: '2024-03-01T10:00:00Z' },
        { event: 'step 2', ts: '2024-03-01T11:00:00Z' },
        { event: 'exclusion event', ts: '2024-03-01T12:00:00Z' },
        { event: 'step 3', ts: '2024-03-01T13:00:00Z' },
      ],
      user_2: [
        { event: 'step 1', ts: '2024-03-01T10:00:00Z' },
        { event: 'step 2', ts: '2024-03-01T11:00:00Z' },
        { event: 'step 3', ts: '2024-03-01T12:00:00Z' },
      ],
    });
    const v = run(rows, {
      steps: [{ event: 'step 1' }, { event: 'step 2' }, { event: 'step 3' }],
      order: 'any',
      window: '6h',
      range: { from: '2024-03-01', to: '2024-03-01' },
      exclusions: [{ event: 'exclusion event', from: 0, to: 2 }],
    });
    // "User 1 should be excluded, only user 2 completes all steps": [2, 1, 1].
    assert.deepEqual(counts(v), [2, 1, 1]);
  },
);

test('PostHog test_funnel_unordered.py::test_funnel_step_breakdown_event_single_person_events_with_multiple_properties (all-events)', () => {
  const rows = journeys({
    person1: [
      { event: 'sign up', ts: '2020-01-01T12:00:00Z', key: 'val', $browser: 'Chrome' },
      { event: 'sign up', ts: '2020-01-02T13:00:00Z', key: 'val', $browser: 'Safari' },
      { event: 'play movie', ts: '2020-01-02T14:00:00Z', key: 'val', $browser: 'Safari' },
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'sign up' }, { event: 'play movie' }],
    order: 'any',
    window: '7d',
    range: { from: '2020-01-01', to: '2020-01-08' },
    breakdown: { field: '$browser', attribution: 'all-events' },
  });
  // Chrome events: one sign up -> [1, 0]. Safari events: sign up + play movie, 1h apart -> [1, 1].
  assert.deepEqual(sortedGroups(v), [
    ['Chrome', [1, 0]],
    ['Safari', [1, 1]],
  ]);
  assert.equal(groupMedians(v).Safari[1], 3600 * S);
});

// ---------------------------------------------------------------------------------------------
// breakdown_cases.py (run by test_funnel.py for ordered funnels)

const touchFunnel = (attribution: NonNullable<FunnelSection['breakdown']>['attribution']): FunnelSection => ({
  steps: [{ event: 'sign up' }, { event: 'buy' }],
  window: '7d',
  range: { from: '2020-01-01', to: '2020-01-08' },
  breakdown: { field: '$browser', attribution },
});

/** person1-person4 of the attribution cases; person5 (no properties) is added where PostHog has it. */
const attributionPeople = (buy4: string, withPerson5: boolean) =>
  journeys({
    person1: [
      { event: 'sign up', ts: '2020-01-01T12:00:00Z', $browser: 'Chrome' },
      { event: 'buy', ts: '2020-01-01T13:00:00Z' },
    ],
    person2: [
      { event: 'sign up', ts: '2020-01-01T13:00:00Z' },
      { event: 'buy', ts: '2020-01-02T13:00:00Z', $browser: 'Safari' },
    ],
    person3: [
      { event: 'sign up', ts: '2020-01-02T14:00:00Z', $browser: 'Mac' },
      { event: 'buy', ts: '2020-01-02T15:00:00Z' },
    ],
    person4: [
      { event: 'sign up', ts: '2020-01-02T15:00:00Z', $browser: 0 },
      { event: 'buy', ts: '2020-01-02T16:00:00Z', $browser: buy4 },
    ],
    ...(withPerson5
      ? {
          person5: [
            { event: 'sign up', ts: '2020-01-02T15:00:00Z' },
            { event: 'buy', ts: '2020-01-02T16:00:00Z' },
          ],
        }
      : {}),
  });

test('PostHog breakdown_cases.py::test_funnel_step_breakdown_with_first_touch_attribution', () => {
  const v = run(attributionPeople('alakazam', true), touchFunnel('first-touch'));
  // person1 Chrome, person2 Safari (first non-empty value is on its buy), person3 Mac,
  // person4 "0" (the number 0; alakazam on the later buy is disregarded), person5 "".
  assert.deepEqual(sortedGroups(v), [
    ['', [1, 1]],
    ['0', [1, 1]],
    ['Chrome', [1, 1]],
    ['Mac', [1, 1]],
    ['Safari', [1, 1]],
  ]);
  const m = groupMedians(v);
  assert.equal(m.Safari[1], 86400 * S);
  assert.equal(m.Chrome[1], 3600 * S);
});

test('PostHog breakdown_cases.py::test_funnel_step_breakdown_with_last_touch_attribution', () => {
  const v = run(attributionPeople('Alakazam', true), touchFunnel('last-touch'));
  // person1 Chrome (its buy has no value), person2 Safari, person3 Mac, person4 Alakazam, person5 "".
  assert.deepEqual(sortedGroups(v), [
    ['', [1, 1]],
    ['Alakazam', [1, 1]],
    ['Chrome', [1, 1]],
    ['Mac', [1, 1]],
    ['Safari', [1, 1]],
  ]);
});

test('PostHog breakdown_cases.py::test_funnel_step_breakdown_with_step_attribution (step 0)', () => {
  const v = run(attributionPeople('alakazam', false), touchFunnel({ step: 0 }));
  // The sign-up's value: person1 Chrome, person2 "" (no value on its sign up), person3 Mac, person4 "0".
  assert.deepEqual(sortedGroups(v), [
    ['', [1, 1]],
    ['0', [1, 1]],
    ['Chrome', [1, 1]],
    ['Mac', [1, 1]],
  ]);
  assert.equal(groupMedians(v)[''][1], 86400 * S);
});

test('PostHog breakdown_cases.py::test_funnel_step_breakdown_with_step_one_attribution (step 1)', () => {
  const v = run(attributionPeople('alakazam', false), touchFunnel({ step: 1 }));
  // The buy's value: person1 "", person2 Safari, person3 "", person4 alakazam.
  assert.deepEqual(sortedGroups(v), [
    ['', [2, 2]],
    ['Safari', [1, 1]],
    ['alakazam', [1, 1]],
  ]);
});

test('PostHog breakdown_cases.py::test_funnel_step_breakdown_event_single_person_events_with_multiple_properties (all-events)', () => {
  const rows = journeys({
    person1: [
      { event: 'sign up', ts: '2020-01-01T12:00:00Z', $browser: 'Chrome' },
      { event: 'play movie', ts: '2020-01-02T12:30:00Z', $browser: 'Safari' },
      { event: 'sign up', ts: '2020-01-02T13:00:00Z', $browser: 'Safari' },
      { event: 'play movie', ts: '2020-01-02T14:00:00Z', $browser: 'Safari' },
    ],
  });
  const v = run(rows, {
    steps: [{ event: 'sign up' }, { event: 'play movie' }],
    window: '7d',
    range: { from: '2020-01-01', to: '2020-01-08' },
    breakdown: { field: '$browser', attribution: 'all-events' },
  });
  // Chrome: only the first sign up -> [1, 0]. Safari: play movie 12:30 (before any Safari sign up,
  // useless), sign up 13:00, play movie 14:00 -> [1, 1] in 1h.
  assert.deepEqual(sortedGroups(v), [
    ['Chrome', [1, 0]],
    ['Safari', [1, 1]],
  ]);
  assert.equal(groupMedians(v).Safari[1], 3600 * S);
});
