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
import type { FunnelAggregateStep, FunnelContract, FunnelEventStep, InlineContract } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { quoteIdent, runContract, runEntities } from '../../src/warehouse/index.js';
import { chainable } from '../../src/warehouse/funnel-sql.js';
import { planFunnel, type EventFunnelPlan } from '../../src/analytics/funnel/plan.js';
import { loadTable, prng } from './support.js';
import { assertSameFunnel, COLUMNS, differentialCase, drillCase, FeatureTally, figures, pick, randomLog, type Features, type Row } from './funnel-cases.js';

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

/**
 * One contract of the differential test: its log loaded into its own table, computed both ways,
 * compared. Returns the features it used. Every fifth log's times are moved by a quarter of a
 * millisecond (ties, gaps and window edges unchanged): runContract's first query assumes whole
 * milliseconds and finds out they are not, so the query exact for any time runs too.
 */
async function differential(connection: DuckDBConnection, seed: number): Promise<Features> {
  const { rows: whole, contract: wholeContract, features } = differentialCase(seed);
  const fractional = seed % 5 === 0;
  const rows = fractional ? whole.map((row) => ({ ...row, ts: typeof row.ts === 'number' ? row.ts + 0.25 : row.ts })) : whole;
  const data = wholeContract.data as { columns: Record<string, unknown[]> };
  const contract = fractional ? { ...wholeContract, data: { columns: { ...data.columns, ts: rows.map((row) => row.ts ?? null) } } } : wholeContract;
  const table = `log_${seed}`;
  await loadTable(connection, table, COLUMNS, rows);
  try {
    const aggregated = await runContract(contract, connection, { table });
    assertSameFunnel(contract, aggregated, features, `seed ${seed}: ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`);
  } finally {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  }
  return features;
}

test('differential: 500 random funnels give the same counts in memory and in DuckDB', async () => {
  const CONTRACTS = 500;
  const LANES = 2;
  const tally = new FeatureTally();
  let agreed = 0;
  // Each query on these tiny tables costs DuckDB's fixed overhead, so single-threaded queries run
  // in two lanes (two connections) side by side: the suite stays well under a minute.
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        tally.add(await differential(connection, seed));
        agreed++;
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree`);
  console.log(tally.toString());
  assert.equal(agreed, CONTRACTS);
});

/**
 * One contract of the drill-down test (see {@link drillCase}): each list asked for compared with
 * the in-memory view model's. Returns how many lists were compared, and how many were not empty.
 */
async function drillDown(connection: DuckDBConnection, seed: number): Promise<{ lists: number; filled: number; cut: number; other: number }> {
  const { rows, contract, requests } = drillCase(seed);
  const table = `ids_${seed}`;
  await loadTable(connection, table, COLUMNS, rows);
  const tally = { lists: 0, filled: 0, cut: 0, other: 0 };
  try {
    for (const { request, expected, count } of requests) {
      const got = await runEntities(contract, connection, request, { table });
      assert.deepEqual(got.ids, expected, `seed ${seed}: ${JSON.stringify(request)} of ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`);
      tally.lists++;
      if (expected.length) tally.filled++;
      if (count > expected.length) tally.cut++;
      if (request.group === 'Other' && expected.length) tally.other++;
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

/**
 * A two-step funnel (a → b, plus `funnel`) over `rows` loaded as `table`, run through `connection`
 * and checked against the in-memory engine's figures; the table is dropped after.
 */
async function runTwoSteps(connection: DuckDBConnection, table: string, rows: Row[], funnel: Partial<FunnelContract['funnel']> = {}): Promise<FunnelContract> {
  await loadTable(con, table, COLUMNS, rows);
  try {
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      data: { rows },
      fields: { entity: 'user', time: 'ts', event: 'event' },
      funnel: { steps: [{ event: 'a' }, { event: 'b' }], ...funnel },
    };
    const got = await runContract(contract, connection, { table });
    assert.deepEqual(figures({ ...got, data: { rows: [] } }), figures(contract));
    return got;
  } finally {
    await con.run(`DROP TABLE ${quoteIdent(table)}`);
  }
}

test('mean times are added up in the browser engine\'s entity order, to the last bit', async () => {
  // (0.1 + 0.2) + 0.3 and (0.3 + 0.2) + 0.1 are different doubles: the mean depends on the order
  // in which entities' times are added, which is the order of their first rows.
  const means: number[] = [];
  for (const order of [['u1', 'u2', 'u3'], ['u3', 'u2', 'u1']]) {
    const gap: Record<string, number> = { u1: 0.1, u2: 0.2, u3: 0.3 };
    const rows: Row[] = order.flatMap((user) => [{ user, ts: 0, event: 'a', plan: null, n: null, channel: null }]);
    for (const user of order) rows.push({ user, ts: gap[user], event: 'b', plan: null, n: null, channel: null });
    const got = await runTwoSteps(con, `mean_${order[0]}`, rows);
    means.push((got.funnel.steps[1] as FunnelAggregateStep).meanTimeMs!);
  }
  assert.notEqual(means[0], means[1]);
});

test('whole milliseconds are added up in one query in any order; a fractional time, or a total past 2^52, reruns it exactly', async () => {
  // The statements runContract prepares, and whether each is the one exact for any time.
  const statements: boolean[] = [];
  const spy = new Proxy(con, {
    get(target, prop) {
      if (prop !== 'prepare') return Reflect.get(target, prop, target);
      return (sql: string) => {
        if (sql.includes('stats_raw')) statements.push(sql.includes('ORDER BY eo'));
        return target.prepare(sql);
      };
    },
  });
  const event = (user: string, ts: number, name: string, channel: string | null = null): Row => ({ user, ts, event: name, plan: null, n: null, channel });
  const run = async (table: string, rows: Row[], funnel: Partial<FunnelContract['funnel']> = {}) => {
    statements.length = 0;
    await runTwoSteps(spy, table, rows, { window: 6e14, ...funnel });
    return [...statements];
  };
  // Nine users a → b; the gaps decide the mean and, for the total, its size.
  const users = (at: (user: number) => [number, number]) =>
    Array.from({ length: 9 }, (_, u) => [event(`u${u}`, at(u)[0], 'a'), event(`u${u}`, at(u)[1], 'b')]).flat();
  assert.deepEqual(await run('sum_whole', users((u) => [1000 * u, 1000 * u + 60_000 + u])), [false]);
  assert.deepEqual(await run('sum_fraction', users((u) => [1000 * u, 1000 * u + 60_000 + u / 10])), [false, true]);
  // 9 × 5.2e14 ms is past 2^52 (4.5e15).
  assert.deepEqual(await run('sum_large', users((u) => [-2.6e14 + u, 2.6e14 + u])), [false, true]);
  // First touch: u0's earliest step event is its second row (0.2 ms before the first), which a
  // time cut to whole milliseconds would tie with it, and the row order would then pick "web".
  const touch = [event('u0', 0.4, 'a', 'web'), event('u0', 0.2, 'a', 'ads'), event('u0', 5, 'b', 'web'), event('u1', 1, 'a', 'web')];
  assert.deepEqual(await run('touch_fraction', touch, { breakdown: { field: 'channel', attribution: 'first-touch' } }), [false, true]);
});
