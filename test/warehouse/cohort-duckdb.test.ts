/**
 * The cohort warehouse path against the in-memory engine: random cohort contracts over random
 * small event logs (cohort-cases.ts, which ClickHouse runs too) are drawn twice — from the raw
 * events in memory, and from the pre-aggregated contract `runContract` returns — and every cell's
 * numbers and flags must be identical. Plus given-cohort groups, SQL-injection attempts and refusals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeInline } from '../../src/analytics/compute.js';
import type { CohortContract, InlineContract } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { compileSql, quoteIdent, runContract, runEntities } from '../../src/warehouse/index.js';
import { COLUMNS, contractError, DAY, differential, drawn, drillDown, fastCase, fastDifferential, figures, printTally, SMALL, T0, type CohortWarehouse, type DrillTally, type Row } from './cohort-cases.js';
import { loadTable, type ColumnType } from './support.js';

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

/** The cases' warehouse over one DuckDB connection: a table per log, dropped after. */
const duckdb = (connection: DuckDBConnection): CohortWarehouse => ({
  load: (table, rows) => loadTable(connection, table, COLUMNS, rows),
  run: (contract, table) => runContract(contract, connection, { table }),
  entities: (contract, request, table) => runEntities(contract, connection, request, { table }),
  drop: async (table) => {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  },
});

test('differential: 400 random cohort contracts draw the same cells in memory and from DuckDB', async () => {
  const CONTRACTS = 400;
  const LANES = 2;
  const tally = new Map<string, number>();
  let agreed = 0;
  // Each query on these tiny tables costs DuckDB's fixed overhead: two single-threaded lanes.
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        for (const f of await differential(duckdb(connection), seed, `log_${seed}`)) tally.set(f, (tally.get(f) ?? 0) + 1);
        agreed++;
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree`);
  printTally(tally);
  assert.equal(agreed, CONTRACTS);
});

test('drill-down: 160 random cohort contracts list the same cell ids by a second query as the in-memory view model', async () => {
  const CONTRACTS = 160;
  const LANES = 2;
  const total: DrillTally = { lists: 0, filled: 0, cut: 0, other: 0, later: 0 };
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        const t = await drillDown(duckdb(connection), 200_000 + seed, `ids_${200_000 + seed}`);
        for (const k of Object.keys(total) as Array<keyof DrillTally>) total[k] += t[k];
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`drill-down: ${total.lists} cells from ${CONTRACTS} contracts agree; ${total.filled} not empty, ${total.cut} cut at entityLimit, ${total.other} of a merged "Other" group, ${total.later} after "now"`);
  assert.ok(total.filled > 1.5 * CONTRACTS && total.cut > 30 && total.other > 10, JSON.stringify(total));
});

test('drill-down: a period out of range, a label that names no cohort and a group without a breakdown are refused; ids of integer entities are strings', async () => {
  const contract: CohortContract = {
    version: 1,
    kind: 'cohort',
    data: { rows: [] },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort: { start: { event: 'signup' }, return: { event: 'buy' }, periods: 4, value: { measure: 'sum' } },
  };
  await loadTable(con, 'refused', COLUMNS, SMALL);
  try {
    const ids = (request: { cohort: string; period: number; group?: string | null }, c: CohortContract = contract) => runEntities(c, con, request, { table: 'refused' });
    await assert.rejects(ids({ cohort: '2026-01-05', period: 4 }), RangeError);
    await assert.rejects(ids({ cohort: '2026-01-05', period: -1 }), RangeError);
    await assert.rejects(ids({ cohort: '2026-01-05', period: 0.5 }), RangeError);
    await assert.rejects(ids({ cohort: 'monday', period: 0 }), RangeError);
    await assert.rejects(ids({ cohort: '2026-01-05', period: 0 }, { ...contract, cohort: { ...contract.cohort, period: 'week', weekStart: 'sunday' } }), RangeError);
    await assert.rejects(ids({ cohort: '2026-01-05', period: 0, group: 'ads' }), TypeError);
    await assert.rejects(runEntities({ ...contract, kind: 'anomaly' } as unknown as CohortContract, con, { cohort: '2026-01-05', period: 0 }, { table: 'refused' }), ContractError);
    // Period 0 lists the members; a later period those whose cell is not 0 (a's 0.1 on the 6th).
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 0 }), { ids: ['a', 'b'] });
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 1 }), { ids: ['a'] });
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 2 }), { ids: ['a', 'b'] });
    // Before the first cohort (no row), and a cell after "now" (the 8th), list no one.
    assert.deepEqual(await ids({ cohort: '2026-01-01', period: 0 }), { ids: [] });
    assert.deepEqual(await ids({ cohort: '2026-01-07', period: 2 }), { ids: [] });
  } finally {
    await con.run('DROP TABLE refused');
  }
  await con.run(`CREATE TABLE typed_ids (user BIGINT, ts BIGINT, event VARCHAR)`);
  await con.run(`INSERT INTO typed_ids VALUES (7, ${T0}, 'a'), (5, ${T0 + 1}, 'a'), (5, ${T0 + DAY}, 'a')`);
  try {
    const typed: CohortContract = { version: 1, kind: 'cohort', data: { rows: [] }, fields: { entity: 'user', time: 'ts' }, cohort: { periods: 2 } };
    assert.deepEqual(await runEntities(typed, con, { cohort: '2026-01-05', period: 0 }, { table: 'typed_ids' }), { ids: ['7', '5'] });
    assert.deepEqual(await runEntities(typed, con, { cohort: '2026-01-05', period: 1 }, { table: 'typed_ids' }), { ids: ['5'] });
  } finally {
    await con.run('DROP TABLE typed_ids');
  }
});

/** A table from rows (columns typed by `columns`), computed in memory and in DuckDB, compared; the warehouse's contract is returned. */
async function both(table: string, columns: Array<[string, ColumnType]>, rows: Row[], contract: Omit<CohortContract, 'data'>): Promise<CohortContract> {
  await loadTable(con, table, columns, rows);
  try {
    const expected = figures(computeInline('cohort', { ...contract, data: { rows } } as InlineContract<CohortContract>));
    const aggregated = await runContract(contract as CohortContract, con, { table });
    assert.deepEqual(figures(drawn(aggregated)), expected);
    return aggregated;
  } finally {
    await con.run(`DROP TABLE ${quoteIdent(table)}`);
  }
}



test('a breakdown comes back as cohort.groups, and the pre-aggregated contract draws the raw one\'s groups', async () => {
  const contract: Omit<CohortContract, 'data'> = {
    version: 1,
    kind: 'cohort',
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort: { start: { event: 'signup' }, return: { event: 'buy' }, periods: 4, value: { measure: 'sum' }, breakdown: { field: 'channel', limit: 1 } },
  };
  const aggregated = await both('small', COLUMNS, SMALL, contract);
  assert.equal(aggregated.cohort.asOf, T0 + 3 * DAY, 'asOf defaults to the latest event');
  // Cohorts run to "now"; a's 0.2 is added before b's 0.7 (entity order), as in memory.
  assert.deepEqual(aggregated.cohort.cohorts, [
    { cohort: '2026-01-05', size: 2, values: [0, 0.1, 0.2 + 0.7, 0] },
    { cohort: '2026-01-06', size: 1, values: [0, 0, 1 / 3, 0] },
    { cohort: '2026-01-07', size: 0, values: [0, 0, 0, 0] },
    { cohort: '2026-01-08', size: 0, values: [0, 0, 0, 0] },
  ]);
  assert.deepEqual(
    aggregated.cohort.groups?.map((g) => [g.value, g.cohorts.map((c) => c.size)]),
    [
      ['ads', [1, 1, 0, 0]],
      ['Other', [1, 0, 0, 0]],
    ],
  );
  // The groups drawn from the given form are the raw contract's groups, in memory too.
  const view = drawn(aggregated);
  assert.equal(view.aggregated, true);
  assert.deepEqual(view.breakdown?.map((g) => g.value), ['ads', 'Other']);
  assert.deepEqual(view.breakdown?.[0].cohorts[0].cells.map((c) => c.count), [0, 0.1, 0.2, 0]);
});

test('given cohorts with groups draw the same view model as the raw contract', () => {
  const raw: InlineContract<CohortContract> = {
    version: 1,
    kind: 'cohort',
    data: { rows: SMALL },
    fields: { entity: 'user', time: 'ts', event: 'event' },
    cohort: { start: { event: 'signup' }, return: { event: 'buy' }, periods: 3, breakdown: { field: 'channel' } },
  };
  const given: InlineContract<CohortContract> = {
    ...raw,
    data: { rows: [] },
    cohort: {
      ...raw.cohort,
      asOf: T0 + 3 * DAY,
      // Worked by hand: a and b start on the 5th (a on ads buys on the 6th and 7th, b on seo on
      // the 7th), c on ads on the 6th (buys on the 8th); cohorts run to the latest event.
      cohorts: [
        { cohort: '2026-01-05', size: 2, values: [2, 1, 2] },
        { cohort: '2026-01-06', size: 1, values: [1, 0, 1] },
        { cohort: '2026-01-07', size: 0, values: [0, 0, 0] },
        { cohort: '2026-01-08', size: 0, values: [0, 0, 0] },
      ],
      groups: [
        {
          value: 'ads',
          cohorts: [
            { cohort: '2026-01-05', size: 1, values: [1, 1, 1] },
            { cohort: '2026-01-06', size: 1, values: [1, 0, 1] },
            { cohort: '2026-01-07', size: 0, values: [0, 0, 0] },
            { cohort: '2026-01-08', size: 0, values: [0, 0, 0] },
          ],
        },
        {
          value: 'seo',
          cohorts: [
            { cohort: '2026-01-05', size: 1, values: [1, 0, 1] },
            { cohort: '2026-01-06', size: 0, values: [0, 0, 0] },
            { cohort: '2026-01-07', size: 0, values: [0, 0, 0] },
            { cohort: '2026-01-08', size: 0, values: [0, 0, 0] },
          ],
        },
      ],
    },
  };
  const view = computeInline('cohort', raw);
  assert.deepEqual(figures(computeInline('cohort', given)), figures(view));
  assert.deepEqual(view.breakdown?.map((g) => g.value), ['ads', 'seo']);
  // Groups need the overall cohorts beside them.
  const { cohorts: _c, ...noOverall } = given.cohort;
  assert.throws(() => computeInline('cohort', { ...given, data: { rows: SMALL }, cohort: noOverall }), (e: ContractError) => e.path === '/cohort/groups');
});

test('names from the contract are quoted: hostile columns in where, breakdown and fields compute, missing ones are named by path', async () => {
  const hostile = [`"; DROP TABLE keep; --`, `x' OR '1'='1`, `a"b`, `semi;colon`];
  await con.run('CREATE TABLE keep (x INTEGER)');
  await con.run('INSERT INTO keep VALUES (1)');
  const columns: Array<[string, ColumnType]> = [
    [hostile[0], 'VARCHAR'],
    ['ts', 'DOUBLE'],
    [hostile[1], 'VARCHAR'],
    [hostile[2], 'VARCHAR'],
    [hostile[3], 'DOUBLE'],
  ];
  const rows = SMALL.map((r) => ({ [hostile[0]]: r.user, ts: r.ts, [hostile[1]]: r.event, [hostile[2]]: r.channel, [hostile[3]]: r.n }));
  const contract: Omit<CohortContract, 'data'> = {
    version: 1,
    kind: 'cohort',
    fields: { entity: hostile[0], time: 'ts', event: hostile[1], value: hostile[3] },
    cohort: {
      start: { event: `signup' OR 1=1 --`, where: { [hostile[2]]: ['ads', `'); DROP TABLE keep; --`] } },
      return: { where: { [hostile[1]]: 'buy' } },
      value: { measure: 'sum' },
      breakdown: { field: hostile[2] },
      periods: 3,
    },
  };
  // A hostile event value is bound, not spliced: it matches nothing, and nothing is dropped.
  const none = await both('hostile', columns, rows, contract);
  assert.equal(none.cohort.cohorts?.length, 0);
  const some = await both('hostile', columns, rows, { ...contract, cohort: { ...contract.cohort, start: { event: 'signup', where: contract.cohort.start!.where } } });
  assert.deepEqual(some.cohort.cohorts?.map((c) => c.size), [1, 1, 0, 0]);
  const { sql } = compileSql({ ...contract, data: { rows: [] } } as CohortContract, { dialect: 'duckdb', table: 'hostile' });
  assert.ok(!sql.includes('signup') && !sql.includes('DROP TABLE keep; --\''), 'values are parameters');
  assert.ok(sql.includes(quoteIdent(hostile[0])) && sql.includes(quoteIdent(hostile[2])), 'names are quoted');
  assert.equal(Number((await con.runAndReadAll('SELECT count(*) AS n FROM keep')).getRowObjects()[0].n), 1);

  await loadTable(con, 'hostile', columns, rows);
  try {
    const missing = `y"; DROP TABLE keep; --/~`;
    const run = (cohort: Partial<CohortContract['cohort']>, fields = contract.fields) => contractError(runContract({ ...contract, data: { rows: [] }, fields, cohort: { ...contract.cohort, ...cohort } } as CohortContract, con, { table: 'hostile' }));
    assert.equal((await run({ start: { where: { [missing]: 1 } } })).path, '/cohort/start/where/y"; DROP TABLE keep; --~1~0');
    assert.equal((await run({ return: { where: { [missing]: 1 } } })).path, '/cohort/return/where/y"; DROP TABLE keep; --~1~0');
    assert.equal((await run({ breakdown: { field: missing } })).path, '/cohort/breakdown/field');
    assert.equal((await run({}, { ...contract.fields, value: missing })).path, '/fields/value');
    assert.equal((await run({}, { ...contract.fields, entity: missing })).path, '/fields/entity');
  } finally {
    await con.run('DROP TABLE hostile');
  }
  assert.equal(Number((await con.runAndReadAll('SELECT count(*) AS n FROM keep')).getRowObjects()[0].n), 1);
  await con.run('DROP TABLE keep');
});

test('what the warehouse cannot compute exactly is refused at its JSON path', async () => {
  const contract = (cohort: CohortContract['cohort'], timeZone = 'UTC'): CohortContract => ({
    version: 1,
    kind: 'cohort',
    timeZone,
    data: { rows: [] },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort,
  });
  const run = async (rows: Row[], c: CohortContract, columns = COLUMNS) => {
    await loadTable(con, 'refused', columns, rows);
    try {
      return await contractError(runContract(c, con, { table: 'refused' }));
    } finally {
      await con.run('DROP TABLE refused');
    }
  };
  // Already counted.
  assert.throws(() => compileSql(contract({ cohorts: [{ cohort: '2026-01-05', size: 1, values: [1] }] }), { dialect: 'duckdb', table: 't' }), (e: ContractError) => e.path === '/cohort/cohorts');
  // Outside the zone table (1800–2200) in a zone with offsets; UTC has none and computes.
  const old: Row[] = [{ user: 'a', ts: Date.UTC(1750, 0, 1), event: 'x', plan: null, n: null, channel: null }];
  assert.equal((await run(old, contract({}, 'America/New_York'))).path, '/fields/time');
  await both('old', COLUMNS, old, contract({ period: 'month' }));
  // A clock turned back across an hour edge (Salta, March 1991: 23:30 then 22:30) within one entity.
  const turn = Date.UTC(1991, 2, 3, 2);
  const back: Row[] = [
    { user: 'a', ts: turn - 1_800_000, event: 'x', plan: null, n: null, channel: null },
    { user: 'a', ts: turn + 1_800_000, event: 'x', plan: null, n: null, channel: null },
  ];
  const salta = contract({ period: 'hour' }, 'America/Argentina/Salta');
  const turned = await run(back, salta);
  assert.equal(turned.path, '/timeZone');
  assert.match(turned.message, /not supported by the warehouse/);
  // … but two entities on either side of it are fine.
  await both('salta', COLUMNS, [back[0], { ...back[1], user: 'b' }], salta);
  // Sums read numbers: a text value on a return event is an error, as in memory.
  const text: Array<[string, ColumnType]> = COLUMNS.map(([n, t]) => [n, n === 'n' ? 'VARCHAR' : t]);
  const bad = await run([{ ...SMALL[0], n: 'lots' }], contract({ value: { measure: 'sum' } }), text);
  assert.equal(bad.path, '/fields/value');
  assert.throws(() => computeInline('cohort', { ...contract({ value: { measure: 'sum' } }), data: { rows: [{ ...SMALL[0], n: 'lots' }] } } as InlineContract<CohortContract>));
  // More cohorts than a pre-aggregated contract holds.
  const wide = await run(SMALL, contract({ period: 'hour', range: { from: '2026-01-01', to: '2026-03-01' } }));
  assert.equal(wide.path, '/cohort/range');
});

test('a TIMESTAMP time column and a named row order give the same cohorts', async () => {
  await loadTable(con, 'stamped_src', COLUMNS, SMALL);
  await con.run(`CREATE TABLE stamped AS SELECT "user", make_timestamp(CAST(ts AS BIGINT) * 1000) AS ts, event, plan, n, channel, rowid AS seq FROM stamped_src`);
  await con.run('CREATE VIEW stamped_view AS SELECT * FROM stamped');
  try {
    const contract: InlineContract<CohortContract> = {
      version: 1,
      kind: 'cohort',
      timeZone: 'Asia/Shanghai',
      data: { rows: SMALL },
      fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
      cohort: { type: 'first-time', mode: 'by', periods: 4, value: { measure: 'sum' }, breakdown: { field: 'channel', limit: 2 } },
    };
    const expected = figures(computeInline('cohort', contract));
    assert.deepEqual(figures(drawn(await runContract(contract, con, { table: 'stamped' }))), expected);
    assert.deepEqual(figures(drawn(await runContract(contract, con, { table: 'stamped_view', rowOrder: 'seq' }))), expected);
  } finally {
    await con.run('DROP VIEW stamped_view');
    await con.run('DROP TABLE stamped');
    await con.run('DROP TABLE stamped_src');
  }
});

test('integer entities, and integer and boolean breakdowns, group as String() names them; a missing time is an error at /fields/time', async () => {
  const rows = [
    { user: 1, ts: T0, event: 'a', tier: 2, paid: true, n: 1.5 },
    { user: 2, ts: T0 + 5, event: 'a', tier: 3, paid: false, n: null },
    { user: 1, ts: T0 + DAY, event: 'b', tier: 2, paid: true, n: 0.25 },
    { user: 3, ts: T0 + DAY, event: 'a', tier: null, paid: null, n: 2 },
    { user: 2, ts: T0 + 2 * DAY, event: 'b', tier: 3, paid: false, n: 0.1 },
    { user: 3, ts: T0 + 2 * DAY, event: 'a', tier: null, paid: null, n: 0.2 },
  ];
  const values = rows.map((r) => `(${r.user}, ${r.ts}, '${r.event}', ${r.tier ?? 'NULL'}, ${r.paid ?? 'NULL'}, ${r.n ?? 'NULL'})`).join(', ');
  await con.run(`CREATE TABLE typed (user INTEGER, ts BIGINT, event VARCHAR, tier BIGINT, paid BOOLEAN, n DOUBLE)`);
  await con.run(`INSERT INTO typed VALUES ${values}`);
  try {
    for (const field of ['tier', 'paid']) {
      const contract: InlineContract<CohortContract> = {
        version: 1,
        kind: 'cohort',
        data: { rows },
        fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
        cohort: { start: { event: 'a' }, periods: 3, mode: 'by', value: { measure: 'sum' }, breakdown: { field } },
      };
      const expected = figures(computeInline('cohort', contract));
      assert.ok(expected.breakdown?.some((g) => g.value === (field === 'tier' ? '2' : 'true')));
      assert.deepEqual(figures(drawn(await runContract(contract, con, { table: 'typed' }))), expected);
    }
    await con.run(`INSERT INTO typed VALUES (4, NULL, 'a', 1, true, 1)`);
    const error = await contractError(runContract({ version: 1, kind: 'cohort', data: { rows: [] }, fields: { entity: 'user', time: 'ts' }, cohort: {} }, con, { table: 'typed' }));
    assert.equal(error.path, '/fields/time');
  } finally {
    await con.run('DROP TABLE typed');
  }
});

test('infinite values: a NaN cell (∞ − ∞) is skipped as in memory; a sum that is not finite has no place in a JSON contract and is refused', async () => {
  const rows: Row[] = [
    { user: 'a', ts: T0, event: 'a', plan: null, n: 1, channel: 'x' },
    { user: 'b', ts: T0 + 2, event: 'a', plan: null, n: 1, channel: 'y' },
    { user: 'a', ts: T0 + DAY, event: 'b', plan: null, n: Infinity, channel: null },
    { user: 'a', ts: T0 + DAY + 1, event: 'b', plan: null, n: -Infinity, channel: null },
    { user: 'b', ts: T0 + DAY, event: 'b', plan: null, n: 2, channel: null },
  ];
  const contract: InlineContract<CohortContract> = {
    version: 1,
    kind: 'cohort',
    data: { rows },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort: { start: { event: 'a' }, periods: 3, value: { measure: 'sum' }, breakdown: { field: 'channel' } },
  };
  await loadTable(con, 'inf', COLUMNS, rows);
  try {
    for (const mode of ['on', 'by', 'on-or-after'] as const) {
      const c = { ...contract, cohort: { ...contract.cohort, mode } };
      const expected = figures(computeInline('cohort', c));
      assert.equal(expected.cohorts[0].cells[1][1], 2, "a's NaN is skipped, b's 2 counted");
      assert.deepEqual(figures(drawn(await runContract(c, con, { table: 'inf' }))), expected);
    }
  } finally {
    await con.run('DROP TABLE inf');
  }
  const infinite = rows.filter((r) => r.n !== -Infinity);
  await loadTable(con, 'inf', COLUMNS, infinite);
  try {
    const error = await contractError(runContract({ ...contract, data: { rows: infinite } }, con, { table: 'inf' }));
    assert.equal(error.path, '/fields/value');
    assert.match(error.message, /not supported by the warehouse/);
  } finally {
    await con.run('DROP TABLE inf');
  }
});

/**
 * The fast path (UTC, entities, at most 64 periods: one grouping of the events by entity with a
 * mask of return periods, turned to each membership) against the in-memory engine: cohort-cases.ts's
 * fast-path-shaped contracts over logs with events far from the rest, so some members' returns
 * span 64 periods or more and take the join; counts, and drill-down lists of a few cells.
 */
test('fast path: 200 random UTC entity contracts (first-time and recurring, far returns, 63 and 64 periods) agree with memory, counts and drill-down', async () => {
  const CONTRACTS = 200;
  const LANES = 2;
  const tally = new Map<string, number>();
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        const { contract, log } = fastCase(300_000 + seed);
        const { sql } = compileSql({ ...contract, cohort: { ...contract.cohort, asOf: log.base } } as CohortContract, { dialect: 'duckdb', table: 't' });
        assert.ok(sql.includes('bit_or'), 'a fast-path contract compiles to the fast path');
        for (const f of await fastDifferential(duckdb(connection), 300_000 + seed, `fast_${300_000 + seed}`)) tally.set(f, (tally.get(f) ?? 0) + 1);
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  printTally(tally);
  assert.ok((tally.get('far events') ?? 0) > 50 && (tally.get('a return 62+ periods on') ?? 0) > 3, JSON.stringify([...tally]));
});


test('fast path boundaries: period edges, ties, week starts, returns 63/64 periods on and spans over 64, asOf and range edges', async () => {
  const WEEK = 7 * DAY;
  const M = T0; // Monday 2026-01-05 00:00 UTC
  const rows: Row[] = [
    // a: starts on the last millisecond of a Sunday (the Monday week before, the Sunday week of),
    // returns at the next Monday's first instant and at the first instant of the next Sunday.
    { user: 'a', ts: M - 1, event: 'start', channel: 'ads' },
    { user: 'a', ts: M, event: 'back', channel: null },
    { user: 'a', ts: M + 6 * DAY, event: 'back', channel: null },
    // b: two start events at the same instant, the first row's channel wins; a return the same
    // instant; a return before its start (not counted) and exactly 63 and 64 weeks on.
    { user: 'b', ts: M - 2 * WEEK, event: 'back', channel: null },
    { user: 'b', ts: M, event: 'start', channel: 'seo' },
    { user: 'b', ts: M, event: 'start', channel: 'mail' },
    { user: 'b', ts: M, event: 'back', channel: null },
    { user: 'b', ts: M + 63 * WEEK, event: 'back', channel: null },
    { user: 'b', ts: M + 64 * WEEK, event: 'back', channel: null },
    // c: returns spanning more than 64 weeks (200 weeks before its start, and 1 and 63 after).
    { user: 'c', ts: M - 200 * WEEK, event: 'back', channel: null },
    { user: 'c', ts: M + WEEK - 1, event: 'start', channel: 'ads' },
    { user: 'c', ts: M + WEEK, event: 'back', channel: null },
    { user: 'c', ts: M + 63 * WEEK + 0.5, event: 'back', channel: null },
    // e: returns within 64 weeks (the mask alone): at its start and exactly 63 weeks on.
    { user: 'e', ts: M + DAY, event: 'start', channel: 'mail' },
    { user: 'e', ts: M + DAY, event: 'back', channel: null },
    { user: 'e', ts: M + 63 * WEEK, event: 'back', channel: null },
    // d: a start of its own only at the range's end.
    { user: 'd', ts: M + 3 * WEEK, event: 'start', channel: 'seo' },
  ].map((row) => ({ plan: null, n: null, ...row }));
  const base = { version: 1 as const, kind: 'cohort' as const, fields: { entity: 'user', time: 'ts', event: 'event' } };
  const cohort = (extra: Partial<CohortContract['cohort']>): Omit<CohortContract, 'data'> => ({
    ...base,
    cohort: { type: 'first-time', period: 'week', periods: 64, start: { event: 'start' }, return: { event: 'back' }, ...extra },
  });
  const values = (c: CohortContract, label: string) => c.cohort.cohorts!.find((x) => x.cohort === label)!;
  for (const mode of ['on', 'by', 'on-or-after'] as const) {
    await both('fast_edges', COLUMNS, rows, cohort({ mode, type: 'recurring' }));
    await both('fast_edges', COLUMNS, rows, cohort({ mode, type: 'recurring', weekStart: 'sunday', breakdown: { field: 'channel', limit: 2 } }));
    const monday = await both('fast_edges', COLUMNS, rows, cohort({ mode }));
    const sunday = await both('fast_edges', COLUMNS, rows, cohort({ mode, weekStart: 'sunday' }));
    if (mode !== 'on') continue;
    // Monday weeks: a's start is in the week of Dec 29; b's, c's (its last millisecond) and e's in Jan 5.
    assert.deepEqual(values(monday, '2025-12-29').values.slice(0, 2), [1, 1]);
    assert.equal(values(monday, '2026-01-05').size, 3);
    assert.deepEqual([values(monday, '2026-01-05').values[1], values(monday, '2026-01-05').values[63]], [1, 3]);
    // Sunday weeks: a, b and e start in the week of Jan 4, a returns in the next one (Sunday 00:00), c starts there.
    assert.deepEqual(values(sunday, '2026-01-04').values.slice(0, 2), [3, 1]);
    assert.equal(values(sunday, '2026-01-11').size, 1);
  }
  // asOf cuts the cells after "now"; a range ends at its "to" millisecond (or its whole day), inclusive.
  await both('fast_edges', COLUMNS, rows, cohort({ asOf: M + WEEK }));
  await both('fast_edges', COLUMNS, rows, cohort({ asOf: M + WEEK - 1, periods: 2 }));
  const ranged = await both('fast_edges', COLUMNS, rows, cohort({ range: { from: M, to: M + 3 * WEEK - 1 }, periods: 3 }));
  assert.deepEqual(ranged.cohort.cohorts!.map((c) => [c.cohort, c.size]), [['2026-01-05', 3], ['2026-01-12', 0], ['2026-01-19', 0]]);
  const toEdge = await both('fast_edges', COLUMNS, rows, cohort({ range: { from: M - 1, to: M + 3 * WEEK }, periods: 3 }));
  assert.deepEqual(toEdge.cohort.cohorts!.map((c) => [c.cohort, c.size]), [['2025-12-29', 1], ['2026-01-05', 3], ['2026-01-12', 0], ['2026-01-19', 0], ['2026-01-26', 1]]);
  const days = await both('fast_edges', COLUMNS, rows, cohort({ range: { from: '2026-01-05', to: '2026-01-25' }, periods: 3 }));
  assert.deepEqual(days.cohort.cohorts!.map((c) => c.cohort), ['2026-01-05', '2026-01-12', '2026-01-19']);
  // A breakdown: b's tie goes to the first row's channel (seo, not mail).
  const grouped = await both('fast_edges', COLUMNS, rows, cohort({ breakdown: { field: 'channel' }, periods: 2 }));
  const size = (value: string) => grouped.cohort.groups!.find((g) => g.value === value)!.cohorts.find((c) => c.cohort === '2026-01-05')!.size;
  assert.deepEqual([size('ads'), size('seo'), size('mail')], [1, 1, 1]);
  // Drill-down lists at the edges, in the order memory lists them.
  await loadTable(con, 'fast_ids', COLUMNS, rows);
  try {
    const contract = { ...cohort({}), data: { rows } } as InlineContract<CohortContract>;
    const view = computeInline('cohort', contract);
    for (const row of view.cohorts) {
      for (const k of [0, 1, 62, 63]) {
        if (!row.cells[k]) continue;
        const got = await runEntities(contract, con, { cohort: row.cohort, period: k }, { table: 'fast_ids' });
        assert.deepEqual(got.ids, row.cells[k].entityIds, `${row.cohort} ${k}`);
      }
    }
  } finally {
    await con.run('DROP TABLE fast_ids');
  }
  // Shapes outside the fast path keep the general path.
  const general = (c: Omit<CohortContract, 'data'>) => !compileSql({ ...c, cohort: { ...c.cohort, asOf: M } } as CohortContract, { dialect: 'duckdb', table: 't' }).sql.includes('bit_or');
  assert.ok(general(cohort({ periods: 65 })));
  assert.ok(!general(cohort({ type: 'recurring' })));
  assert.ok(general({ ...cohort({}), timeZone: 'Europe/London' }));
  assert.ok(general({ ...cohort({ value: { measure: 'sum' } }), fields: { ...base.fields, value: 'n' } }));
  assert.ok(!general(cohort({})));
});
