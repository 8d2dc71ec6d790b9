/**
 * The warehouse path against the in-memory engine: random funnel contracts over random small event
 * logs, computed by `computeFunnel` and by `runContract` in DuckDB, must give the same counts for
 * every step and every breakdown group. Plus SQL-injection attempts and the round trip of the
 * pre-aggregated contract through `computeFunnel`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelAggregateStep, FunnelContract, FunnelEventStep, InlineContract, WhereClause } from '../../src/analytics/contract.js';
import type { FunnelGroup, FunnelStepResult } from '../../src/analytics/funnel/view-model.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { quoteIdent, runContract, runEntities } from '../../src/warehouse/index.js';
import { chainable } from '../../src/warehouse/funnel-sql.js';
import { planFunnel, type EventFunnelPlan } from '../../src/analytics/funnel/plan.js';
import { loadTable, prng, type ColumnType } from './support.js';

let instance: DuckDBInstance;
let con: DuckDBConnection;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
});
after(() => {
  con.closeSync();
  instance.closeSync();
});

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['n', 'DOUBLE'],
  ['channel', 'VARCHAR'],
];
type Row = Record<string, string | number | null>;

/** Picks one element. */
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const EVENTS = ['a', 'b', 'c', 'd'] as const;

/** The log's time scale: its base instant (one near a US daylight-saving change) and unit. */
interface Clock {
  base: number;
  unit: number;
  /** Times get a fraction of a millisecond (sums then depend on the order they are added in). */
  fractional: boolean;
  /** Later events tend to be later steps (a, b, c, d), so many entities convert, at varied speeds. */
  journeys: boolean;
}

/** A random clock: seconds apart (window edges, ties), or hours and days apart (trend periods). */
function randomClock(r: () => number): Clock {
  return {
    base: pick(r, [1_700_000_000_000, 1_710_000_000_000]),
    unit: pick(r, [1000, 1000, 1000, 7 * 3_600_000, 5 * 86_400_000]),
    fractional: r() < 0.15,
    journeys: r() < 0.5,
  };
}

/**
 * A small log that exercises the matcher's edges: few distinct times (so many ties), times on
 * multiples of the window unit (so events land exactly on the window edge), few event names (so
 * steps repeat), missing and empty entities, and breakdown values missing, null or empty.
 */
function randomLog(r: () => number, clock: Clock): Row[] {
  const rows: Row[] = [];
  const count = clock.journeys ? 15 + Math.floor(r() * 40) : 1 + Math.floor(r() * 40);
  const entities = 1 + Math.floor(r() * 6);
  const span = 1 + Math.floor(r() * (clock.journeys ? 8 : 12));
  for (let i = 0; i < count; i++) {
    const roll = r();
    const fraction = clock.fractional ? pick(r, [0, 0.1, 0.7, 0.3]) : 0;
    const slot = Math.floor(r() * span);
    rows.push({
      user: roll < 0.03 ? null : roll < 0.05 ? '' : `u${Math.floor(r() * entities)}`,
      ts: clock.base + slot * clock.unit + fraction,
      event: clock.journeys ? EVENTS[Math.min(3, Math.floor((slot * 4) / span + r()))] : pick(r, ['a', 'b', 'c', 'd', 'a', 'b']),
      plan: pick(r, ['free', 'pro', null]),
      n: pick(r, [1, 2, 3, null]),
      channel: pick(r, ['ads', 'seo', 'mail', 'x', null, '', 'Other']),
    });
  }
  return rows;
}

/** A step's optional filter: strings, numbers, lists, null, and a type that never matches. */
function randomWhere(r: () => number): WhereClause | undefined {
  const roll = r();
  if (roll < 0.6) return undefined;
  if (roll < 0.7) return { plan: pick(r, ['free', 'pro']) };
  if (roll < 0.8) return { n: pick(r, [1, 2, [1, 3], null]) };
  if (roll < 0.9) return { plan: ['pro', null], n: [2, 3] };
  return { n: '1' }; // a string never equals a number, in memory or in SQL
}

interface Features {
  order: string;
  attribution: string;
  where: boolean;
  range: boolean;
  repeated: boolean;
  exclusions: boolean;
  compare: boolean;
  trends: string;
  timeToConvert: boolean;
  maxDwell: boolean;
  asOf: boolean;
  timeZone: string;
  /** The warehouse matches it by the ordered fast path (chainCtes). */
  chained: boolean;
  /** What the computed view shows, so the printout tells the comparisons were not vacuous. */
  outcomes?: string[];
}

/** A random contract over the log, and the features it uses (for the coverage printout). */
function randomContract(r: () => number, rows: Row[], clock: Clock): { contract: InlineContract<FunnelContract>; features: Features } {
  const stepCount = 1 + Math.floor(r() * 5);
  const dwell = r() < 0.3;
  const inOrder = clock.journeys && r() < 0.85;
  const steps: FunnelEventStep[] = Array.from({ length: stepCount }, (_, k) => {
    const where = inOrder && r() < 0.8 ? undefined : randomWhere(r);
    const event = inOrder ? EVENTS[Math.min(3, k)] : pick(r, EVENTS);
    const maxDwell = dwell && r() < 0.6 ? pick(r, [0, 1, 2, 4]) * clock.unit : undefined;
    return { event, ...(where ? { where } : {}), ...(maxDwell !== undefined ? { maxDwell } : {}) };
  });
  const order = pick(r, ['ordered', 'strict', 'any'] as const);
  const funnel: FunnelContract['funnel'] = { steps, order, window: Math.floor(r() * 6) * clock.unit };
  let attribution = 'none';
  if (r() < 0.6) {
    const a = pick(r, ['first-touch', 'last-touch', 'all-events', 'step'] as const);
    const step = Math.floor(r() * stepCount);
    funnel.breakdown = { field: 'channel', attribution: a === 'step' ? { step } : a, limit: 1 + Math.floor(r() * 4) };
    attribution = a;
  }
  if (stepCount >= 2 && r() < 0.35) {
    funnel.exclusions = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
      const from = Math.floor(r() * (stepCount - 1));
      const to = from + 1 + Math.floor(r() * (stepCount - 1 - from));
      const where = randomWhere(r);
      return { event: pick(r, ['a', 'b', 'c', 'd']), from, to, ...(where ? { where } : {}) };
    });
  }
  const compare = r() < 0.25;
  const range = compare || r() < 0.25;
  const at = (units: number) => clock.base + units * clock.unit;
  if (compare) {
    // A range late enough in the log that the previous one holds events too.
    const from = 3 + Math.floor(r() * 6);
    funnel.range = { from: at(from), to: at(from + 1 + Math.floor(r() * 5)) };
    funnel.compare = 'previous-period';
  } else if (range) funnel.range = { from: at(Math.floor(r() * 4)), to: at(4 + Math.floor(r() * 8)) };
  let trends = 'auto';
  if (r() < 0.4) {
    const interval = pick(r, ['day', 'week', 'month'] as const);
    funnel.trends = { interval };
    trends = interval;
  }
  const timeToConvert = stepCount >= 2 && r() < 0.6;
  if (timeToConvert) {
    const from = Math.floor(r() * (stepCount - 1));
    const to = from + 1 + Math.floor(r() * (stepCount - 1 - from));
    funnel.timeToConvert = { ...(r() < 0.5 ? { from, to } : {}), ...(r() < 0.7 ? { bins: 1 + Math.floor(r() * 7) } : {}) };
  }
  const asOf = r() < 0.3;
  if (asOf) funnel.asOf = at(Math.floor(r() * 16)) + (r() < 0.3 ? 0.5 : 0);
  const timeZone = pick(r, ['UTC', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu']);
  const columns = Object.fromEntries(COLUMNS.map(([name]) => [name, rows.map((row) => row[name] ?? null)]));
  const contract: InlineContract<FunnelContract> = {
    version: 1,
    kind: 'funnel',
    data: { columns },
    fields: { entity: 'user', time: 'ts', event: 'event' },
    ...(timeZone !== 'UTC' ? { timeZone } : {}),
    funnel,
  };
  const repeated = new Set(steps.map((s) => s.event)).size < steps.length;
  return {
    contract,
    features: {
      order,
      attribution,
      where: steps.some((s) => s.where),
      range,
      repeated,
      exclusions: !!funnel.exclusions,
      compare,
      trends,
      timeToConvert,
      maxDwell: steps.some((s) => s.maxDwell !== undefined),
      asOf,
      timeZone,
      chained: chainable(planFunnel(contract) as EventFunnelPlan),
    },
  };
}

/** A step's figures as the widgets draw them (drill-down ids aside: a pre-aggregated contract has none). */
function stepFigures(steps: FunnelStepResult[]) {
  return steps.map((s) => ({
    count: s.count,
    conversionFromFirst: s.conversionFromFirst,
    conversionFromPrevious: s.conversionFromPrevious,
    dropOff: s.dropOff,
    dropOffRate: s.dropOffRate,
    medianTimeMs: s.medianTimeMs,
    meanTimeMs: s.meanTimeMs,
    stuck: s.stuck ? { maxDwellMs: s.stuck.maxDwellMs, count: s.stuck.count } : null,
  }));
}

/** Every number of a view model, for comparison. */
function figures(contract: InlineContract<FunnelContract>) {
  const v = computeFunnel(contract);
  const groups = (g: FunnelGroup[] | undefined) => g?.map((x) => [x.value, stepFigures(x.steps)]) ?? null;
  return {
    steps: stepFigures(v.steps),
    groups: groups(v.breakdown),
    largestDropOff: v.largestDropOff,
    range: v.range,
    asOf: v.asOf,
    timeToConvert: v.timeToConvert ?? null,
    trends: v.trends ?? null,
    comparison: v.comparison ? { from: v.comparison.from, to: v.comparison.to, steps: stepFigures(v.comparison.steps), groups: groups(v.comparison.breakdown) } : null,
  };
}

/**
 * One contract of the differential test: its log loaded into its own table, computed both ways,
 * compared. Returns the features it used.
 */
async function differential(connection: DuckDBConnection, seed: number): Promise<Features> {
  const r = prng(seed);
  const clock = randomClock(r);
  const rows = randomLog(r, clock);
  const { contract, features } = randomContract(r, rows, clock);
  const table = `log_${seed}`;
  await loadTable(connection, table, COLUMNS, rows);
  try {
    const expected = figures(contract);
    features.outcomes = [
      ...(expected.steps.some((s) => s.medianTimeMs !== null) ? ['median times'] : []),
      ...(expected.steps.some((s) => s.meanTimeMs !== null && !Number.isInteger(s.meanTimeMs)) ? ['fractional means'] : []),
      ...(expected.groups?.some((g) => g[0] === 'Other') ? ['an "Other" group'] : []),
      ...(expected.comparison && expected.comparison.steps[0].count > 0 ? ['previous period counted'] : []),
      ...(expected.trends && expected.trends.points.length > 1 ? ['several trend points'] : []),
      ...(expected.trends?.points.some((p) => !p.incomplete) ? ['complete trend points'] : []),
      ...(expected.timeToConvert && expected.timeToConvert.bins.length > 1 ? ['several time-to-convert bins'] : []),
      ...(expected.steps.some((s) => s.stuck && s.stuck.count > 0) ? ['stuck entities'] : []),
    ];
    const aggregated = await runContract(contract, connection, { table });
    const got = {
      steps: aggregated.funnel.steps.map((s) => ('count' in s ? s.count : NaN)),
      groups: aggregated.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null,
    };
    // The counts as returned, and as the widgets draw them from the pre-aggregated contract.
    const drawn = figures({ ...aggregated, data: { rows: [] } });
    const context = `seed ${seed}: ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`;
    assert.deepEqual(got.steps, expected.steps.map((s) => s.count), context);
    assert.deepEqual(drawn, expected, context);
    if (expected.groups) assert.deepEqual(new Set(got.groups?.map((g) => g[0])), new Set(expected.groups.map((g) => g[0])), context);
  } finally {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  }
  return features;
}

test('differential: 500 random funnels give the same counts in memory and in DuckDB', async () => {
  const CONTRACTS = 500;
  const LANES = 2;
  const tally = new Map<string, number>();
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
  let agreed = 0;
  // Each query on these tiny tables costs DuckDB's fixed overhead, so single-threaded queries run
  // in two lanes (two connections) side by side: the suite stays well under a minute.
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        const features = await differential(connection, seed);
        agreed++;
        count(`order=${features.order}`);
        count(`attribution=${features.attribution}`);
        if (features.where) count('where');
        if (features.range) count('range');
        if (features.repeated) count('repeated steps');
        if (features.exclusions) count('exclusions');
        if (features.compare) count('compare');
        count(`trends=${features.trends}`);
        if (features.timeToConvert) count('timeToConvert');
        if (features.maxDwell) count('maxDwell');
        if (features.asOf) count('asOf');
        count(`timeZone=${features.timeZone}`);
        if (features.chained) count('ordered fast path');
        for (const outcome of features.outcomes ?? []) count(`shows ${outcome}`);
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree`);
  console.log([...tally.entries()].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  assert.equal(agreed, CONTRACTS);
});

/**
 * One contract of the drill-down test: a differential contract with a random `entityLimit` (so
 * lists are cut), and a few random lists asked for — a step, converted or dropped, the whole
 * funnel or a group (now and then one the view does not show) — each compared with the in-memory
 * view model's list. Returns how many lists were compared, and how many were not empty.
 */
async function drillDown(connection: DuckDBConnection, seed: number): Promise<{ lists: number; filled: number; cut: number; other: number }> {
  const r = prng(seed);
  const clock = randomClock(r);
  const rows = randomLog(r, clock);
  const { contract } = randomContract(r, rows, clock);
  contract.funnel.entityLimit = pick(r, [0, 1, 2, 3, 100, 100]);
  const table = `ids_${seed}`;
  await loadTable(connection, table, COLUMNS, rows);
  const tally = { lists: 0, filled: 0, cut: 0, other: 0 };
  try {
    const view = computeFunnel(contract);
    const n = view.steps.length;
    for (let i = 0; i < 4; i++) {
      const groups = view.breakdown?.map((g) => g.value) ?? [];
      const group = groups.length && r() < 0.7 ? (r() < 0.1 ? 'no such group' : pick(r, groups)) : null;
      const steps = group === null ? view.steps : view.breakdown?.find((g) => g.value === group)?.steps;
      // Mostly a list someone is on (most random lists are empty), else any.
      const lists = (steps ?? []).flatMap((s, k) => [...(s.count ? [[k, 'converted'] as const] : []), ...(s.dropOff ? [[k, 'dropped'] as const] : [])]);
      const [step, outcome] = lists.length && r() < 0.75 ? pick(r, lists) : [Math.floor(r() * n), pick(r, ['converted', 'dropped'] as const)];
      const expected = steps ? (outcome === 'converted' ? steps[step].convertedIds : steps[step].droppedIds) ?? [] : [];
      const got = await runEntities(contract, connection, { step, outcome, group }, { table });
      assert.deepEqual(got.ids, expected, `seed ${seed}: ${JSON.stringify({ step, outcome, group })} of ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`);
      tally.lists++;
      if (expected.length) tally.filled++;
      const count = steps ? (outcome === 'converted' ? steps[step].count : steps[step].dropOff) : 0;
      if (count > expected.length) tally.cut++;
      if (group === 'Other' && expected.length) tally.other++;
    }
  } finally {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  }
  return tally;
}

test('drill-down ids by a second query equal the in-memory view model\'s, list for list', async () => {
  const CONTRACTS = 200;
  const LANES = 2;
  const total = { lists: 0, filled: 0, cut: 0, other: 0 };
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        const t = await drillDown(connection, 100_000 + seed);
        for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += t[k];
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`drill-down: ${total.lists} lists from ${CONTRACTS} contracts agree; ${total.filled} not empty, ${total.cut} cut at entityLimit, ${total.other} of a merged "Other" group`);
  assert.ok(total.filled > 1.4 * CONTRACTS && total.cut > 50 && total.other > 10);
});

test('drill-down: a step out of range, an unknown outcome and a group without a breakdown are refused', async () => {
  const contract: FunnelContract = {
    version: 1,
    kind: 'funnel',
    data: { rows: [] },
    fields: { entity: 'user', time: 'ts', event: 'event' },
    funnel: { steps: [{ event: 'a' }, { event: 'b' }] },
  };
  await loadTable(con, 'refused', COLUMNS, [{ user: 'u1', ts: 0, event: 'a', plan: null, n: null, channel: null }]);
  try {
    await assert.rejects(runEntities(contract, con, { step: 2, outcome: 'converted' }, { table: 'refused' }), RangeError);
    await assert.rejects(runEntities(contract, con, { step: 0, outcome: 'left' as 'dropped' }, { table: 'refused' }), TypeError);
    await assert.rejects(runEntities(contract, con, { step: 0, outcome: 'converted', group: 'ads' }, { table: 'refused' }), TypeError);
    assert.deepEqual(await runEntities(contract, con, { step: 0, outcome: 'converted' }, { table: 'refused' }), { ids: ['u1'] });
    assert.deepEqual(await runEntities(contract, con, { step: 1, outcome: 'dropped' }, { table: 'refused' }), { ids: ['u1'] });
  } finally {
    await con.run('DROP TABLE refused');
  }
});

/**
 * The ordered fast path's boundary: logs crowded onto four instants (so different step events
 * share timestamps, in either row order, and land exactly on the window's edge), with steps that
 * are different events in a random order. Each contract runs twice in DuckDB: as it is (the fast
 * path) and with an exclusion no event matches (the general matcher, which computes the same
 * thing); both must draw the in-memory view model.
 */
test('ordered fast path: ties at equal timestamps and window edges give the in-memory figures, as the general matcher does', async () => {
  const CONTRACTS = 150;
  let converted = 0;
  for (let seed = 1; seed <= CONTRACTS; seed++) {
    const r = prng(500_000 + seed);
    const unit = pick(r, [1000, 60_000]);
    const rows: Row[] = Array.from({ length: 4 + Math.floor(r() * 24) }, () => ({
      user: `u${Math.floor(r() * 3)}`,
      ts: 1_700_000_000_000 + Math.floor(r() * 4) * unit,
      event: pick(r, ['a', 'b', 'c', 'd', 'x']),
      plan: pick(r, ['free', 'pro']),
      n: pick(r, [1, 2]),
      channel: pick(r, ['ads', 'seo', null]),
    }));
    const events = ['a', 'b', 'c', 'd'].sort(() => r() - 0.5).slice(0, 2 + Math.floor(r() * 3));
    const steps: FunnelEventStep[] = events.map((event) => (r() < 0.2 ? { event, where: { plan: 'pro' } } : { event }));
    const funnel: FunnelContract['funnel'] = { steps, order: 'ordered', window: Math.floor(r() * 3) * unit, entityLimit: 3 };
    if (r() < 0.5) {
      const a = pick(r, ['first-touch', 'last-touch', 'all-events', 'step'] as const);
      funnel.breakdown = { field: 'channel', attribution: a === 'step' ? { step: Math.floor(r() * steps.length) } : a };
    }
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      data: { rows },
      fields: { entity: 'user', time: 'ts', event: 'event' },
      funnel,
    };
    const general: InlineContract<FunnelContract> = { ...contract, funnel: { ...funnel, exclusions: [{ event: 'never', from: 0, to: 1 }] } };
    assert.ok(chainable(planFunnel(contract) as EventFunnelPlan));
    assert.ok(!chainable(planFunnel(general) as EventFunnelPlan));
    const table = `edge_${seed}`;
    await loadTable(con, table, COLUMNS, rows);
    try {
      const expected = figures(contract);
      const context = `seed ${seed}: ${JSON.stringify(funnel)}\nrows ${JSON.stringify(rows)}`;
      for (const c of [contract, general]) {
        const got = await runContract(c, con, { table });
        assert.deepEqual(figures({ ...got, data: { rows: [] } }), expected, context);
      }
      const last = expected.steps.at(-1)!;
      if (last.count > 0) converted++;
      const view = computeFunnel(contract);
      const ids = await runEntities(contract, con, { step: steps.length - 1, outcome: 'converted' }, { table });
      assert.deepEqual(ids.ids, view.steps.at(-1)!.convertedIds, context);
    } finally {
      await con.run(`DROP TABLE ${quoteIdent(table)}`);
    }
  }
  assert.ok(converted > CONTRACTS / 4, `only ${converted} contracts convert anyone`);
});

test('ordered fast path: hand-made ties, window edges and attempts', async () => {
  const at = (s: number) => 1_700_000_000_000 + s * 1000;
  const log = (...events: Array<[string, number, string?]>): Row[] =>
    events.map(([event, s, user]) => ({ user: user ?? 'u', ts: at(s), event, plan: null, n: null, channel: null }));
  const cases: Array<{ name: string; rows: Row[]; steps: string[]; window: number; counts: number[]; times?: Array<number | null> }> = [
    // At one timestamp a lower step goes first, whatever the row order.
    { name: 'b before a at one instant', rows: log(['b', 0], ['a', 0]), steps: ['a', 'b'], window: 0, counts: [1, 1], times: [null, 0] },
    { name: 'c, b, a at one instant', rows: log(['c', 5], ['b', 5], ['a', 5]), steps: ['a', 'b', 'c'], window: 0, counts: [1, 1, 1] },
    // The window's edge is inside; a millisecond past it is not.
    { name: 'exactly at the window edge', rows: log(['a', 0], ['b', 10]), steps: ['a', 'b'], window: 10_000, counts: [1, 1], times: [null, 10_000] },
    { name: 'just past the window edge', rows: [...log(['a', 0]), { user: 'u', ts: at(10) + 1, event: 'b', plan: null, n: null, channel: null }], steps: ['a', 'b'], window: 10_000, counts: [1, 0] },
    // A later start has more window left: b continues the attempt that started at 5.
    { name: 'a newer attempt', rows: log(['a', 0], ['a', 5], ['b', 6]), steps: ['a', 'b'], window: 5_000, counts: [1, 1], times: [null, 1_000] },
    // c continues the attempt at b (start 0), which the newer a (start 2) has not reached.
    { name: 'the attempt that reached the step before', rows: log(['a', 0], ['b', 1], ['a', 2], ['c', 3]), steps: ['a', 'b', 'c'], window: 60_000, counts: [1, 1, 1], times: [null, 1_000, 2_000] },
    // The first attempt to reach the furthest step is the best one (its times count), and a step
    // already reached by an attempt keeps its first time.
    { name: 'first to the furthest step', rows: log(['a', 0], ['b', 4], ['b', 5], ['a', 6], ['b', 7]), steps: ['a', 'b'], window: 60_000, counts: [1, 1], times: [null, 4_000] },
    // Two step events of one name: the general matcher.
    { name: 'a repeated step', rows: log(['a', 0], ['b', 0], ['a', 0]), steps: ['a', 'b', 'a'], window: 0, counts: [1, 1, 1] },
  ];
  for (const [i, c] of cases.entries()) {
    const table = `hand_${i}`;
    await loadTable(con, table, COLUMNS, c.rows);
    try {
      const contract: InlineContract<FunnelContract> = {
        version: 1,
        kind: 'funnel',
        data: { rows: c.rows },
        fields: { entity: 'user', time: 'ts', event: 'event' },
        funnel: { steps: c.steps.map((event) => ({ event })), order: 'ordered', window: c.window },
      };
      assert.equal(chainable(planFunnel(contract) as EventFunnelPlan), new Set(c.steps).size === c.steps.length, c.name);
      const got = await runContract(contract, con, { table });
      const expected = figures(contract);
      assert.deepEqual(figures({ ...got, data: { rows: [] } }), expected, c.name);
      assert.deepEqual(expected.steps.map((s) => s.count), c.counts, c.name);
      if (c.times) assert.deepEqual(expected.steps.map((s) => s.medianTimeMs), c.times, c.name);
    } finally {
      await con.run(`DROP TABLE ${quoteIdent(table)}`);
    }
  }
});

test('a named row order decides ties as the rows\' order does in memory, for both matchers', async () => {
  // The table holds the rows shuffled; column n gives their order, the order memory reads them in.
  for (let seed = 1; seed <= 40; seed++) {
    const r = prng(700_000 + seed);
    const clock = { base: 1_700_000_000_000, unit: 1000, fractional: false, journeys: true };
    const rows = randomLog(r, clock).map((row, i) => ({ ...row, n: i }));
    const shuffled = [...rows].sort(() => r() - 0.5);
    const steps: FunnelEventStep[] = ['a', 'b', 'c'].map((event) => ({ event }));
    const funnel: FunnelContract['funnel'] = { steps, order: pick(r, ['ordered', 'strict'] as const), window: 3 * clock.unit, breakdown: { field: 'channel', attribution: 'first-touch' } };
    const contract: InlineContract<FunnelContract> = { version: 1, kind: 'funnel', data: { rows }, fields: { entity: 'user', time: 'ts', event: 'event' }, funnel };
    const table = `ordered_${seed}`;
    await loadTable(con, table, COLUMNS, shuffled);
    try {
      const got = await runContract(contract, con, { table, rowOrder: 'n' });
      assert.deepEqual(figures({ ...got, data: { rows: [] } }), figures(contract), `seed ${seed}`);
      const ids = await runEntities(contract, con, { step: 0, outcome: 'converted' }, { table, rowOrder: 'n' });
      assert.deepEqual(ids.ids, computeFunnel(contract).steps[0].convertedIds, `seed ${seed}`);
    } finally {
      await con.run(`DROP TABLE ${quoteIdent(table)}`);
    }
  }
});

test('groups tied at the breakdown limit that DuckDB sorts unlike localeCompare are refused, not guessed', async () => {
  // "é" sorts before "f" by localeCompare but after it byte for byte: with limit 1 the two
  // engines would merge different groups into "Other", whose median times need the merged times.
  const rows: Row[] = ['é', 'f'].flatMap((channel, i) => [
    { user: `u${i}`, ts: 1_000, event: 'a', plan: null, n: null, channel },
    { user: `u${i}`, ts: 2_000 + i * 1000, event: 'b', plan: null, n: null, channel },
  ]);
  await loadTable(con, 'tied', COLUMNS, rows);
  try {
    const contract: FunnelContract = {
      version: 1,
      kind: 'funnel',
      data: { rows: [] },
      fields: { entity: 'user', time: 'ts', event: 'event' },
      funnel: { steps: [{ event: 'a' }, { event: 'b' }], breakdown: { field: 'channel', limit: 1 } },
    };
    await assert.rejects(runContract(contract, con, { table: 'tied' }), (e: unknown) => e instanceof ContractError && e.path === '/funnel/breakdown/limit');
    // One step has no times to merge: nothing to refuse.
    const one = await runContract({ ...contract, funnel: { ...contract.funnel, steps: [{ event: 'a' }] } }, con, { table: 'tied' });
    assert.deepEqual(one.funnel.groups?.map((g) => g.value), ['é', 'Other']);
  } finally {
    await con.run('DROP TABLE tied');
  }
});

test('the returned contract carries every figure in its pre-aggregated form', async () => {
  const rows: Row[] = [
    { user: 'u1', ts: 0, event: 'a', plan: null, n: null, channel: 'ads' },
    { user: 'u1', ts: 3_600_000, event: 'b', plan: null, n: null, channel: 'ads' },
    { user: 'u2', ts: 86_400_000, event: 'a', plan: null, n: null, channel: 'seo' },
    { user: 'u2', ts: 86_400_000 + 7_200_000, event: 'b', plan: null, n: null, channel: 'seo' },
    { user: 'u3', ts: 2 * 86_400_000, event: 'a', plan: null, n: null, channel: 'seo' },
    { user: 'u4', ts: -86_400_000, event: 'a', plan: null, n: null, channel: 'seo' },
  ];
  await loadTable(con, 'shapes', COLUMNS, rows);
  try {
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      data: { rows },
      fields: { entity: 'user', time: 'ts', event: 'event' },
      funnel: {
        steps: [{ event: 'a', maxDwell: '1d' }, { event: 'b' }],
        range: { from: 0, to: 3 * 86_400_000 - 1 },
        compare: 'previous-period',
        trends: { interval: 'day' },
        timeToConvert: { bins: 2 },
        asOf: 4 * 86_400_000,
      },
    };
    const got = await runContract(contract, con, { table: 'shapes' });
    assert.deepEqual(got.funnel.steps, [
      { name: 'a', count: 3, maxDwell: '1d', stuck: 1 },
      { name: 'b', count: 2, medianTimeMs: 5_400_000, meanTimeMs: 5_400_000 },
    ]);
    assert.deepEqual(got.funnel.previous, { steps: [{ name: 'a', count: 1 }, { name: 'b', count: 0 }] });
    assert.equal(got.funnel.asOf, 4 * 86_400_000);
    assert.deepEqual(got.funnel.trendCounts, {
      interval: 'day',
      periods: [0, 1, 2].map((d) => ({ start: d * 86_400_000, entered: 1, converted: d < 2 ? 1 : 0 })),
    });
    assert.deepEqual(got.funnel.conversionTimes, {
      count: 2,
      medianMs: 5_400_000,
      meanMs: 5_400_000,
      bins: [
        { startMs: 3_600_000, endMs: 5_400_000, count: 1 },
        { startMs: 5_400_000, endMs: 7_200_000, count: 1 },
      ],
    });
    assert.deepEqual(figures({ ...got, data: { rows: [] } }), figures(contract));
  } finally {
    await con.run('DROP TABLE shapes');
  }
});

test('mean times are added up in the browser engine\'s entity order, to the last bit', async () => {
  // (0.1 + 0.2) + 0.3 and (0.3 + 0.2) + 0.1 are different doubles: the mean depends on the order
  // in which entities' times are added, which is the order of their first rows.
  const means: number[] = [];
  for (const order of [['u1', 'u2', 'u3'], ['u3', 'u2', 'u1']]) {
    const gap: Record<string, number> = { u1: 0.1, u2: 0.2, u3: 0.3 };
    const rows: Row[] = order.flatMap((user) => [{ user, ts: 0, event: 'a', plan: null, n: null, channel: null }]);
    for (const user of order) rows.push({ user, ts: gap[user], event: 'b', plan: null, n: null, channel: null });
    const table = `mean_${order[0]}`;
    await loadTable(con, table, COLUMNS, rows);
    try {
      const contract: InlineContract<FunnelContract> = {
        version: 1,
        kind: 'funnel',
        data: { rows },
        fields: { entity: 'user', time: 'ts', event: 'event' },
        funnel: { steps: [{ event: 'a' }, { event: 'b' }] },
      };
      const got = await runContract(contract, con, { table });
      assert.deepEqual(figures({ ...got, data: { rows: [] } }), figures(contract));
      means.push((got.funnel.steps[1] as FunnelAggregateStep).meanTimeMs!);
    } finally {
      await con.run(`DROP TABLE ${quoteIdent(table)}`);
    }
  }
  assert.notEqual(means[0], means[1]);
});
